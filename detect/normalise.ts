/**
 * Undoing the encodings that parsers undo before they read a host, while remembering where every decoded character
 * came from, so a finding on the decoded text maps back to a span of the original.
 *
 * What each step mimics:
 * - `%XX` (also `%uXXXX`, IIS): the WHATWG URL host parser percent-decodes the host before anything else; servers
 *   and proxies that decode twice make `%2531` a `1`, hence repeated passes (at most {@link MAX_PASSES}).
 * - Unicode look-alikes: the host parser then runs UTS #46 (IDNA) mapping, which includes NFKC: fullwidth digits,
 *   enclosed and mathematical digits and letters become ASCII; U+3002, U+FF0E and U+FF61 become `.`. Default
 *   ignorable code points (zero-width space, joiners, soft hyphen, BOM) are dropped, as UTS #46 "ignored" does.
 * - JSON, YAML, JavaScript, Python and shell escapes (`\u0031`, `\U00000031`, `\x31`, `\061`, `\/`), YAML's escaped
 *   line break, and HTML character references (`&#49;`, `&#x31;`, `&period;`): the layer a flow's string passes
 *   through before a URL parser sees it.
 * - Tabs and newlines inside a URL: the WHATWG URL parser removes every ASCII tab or newline from its input.
 */

/** A decoded string with, for each of its UTF-16 units, the original span it came from (offsets into the source). */
export interface Decoded {
  readonly text: string;
  /** Original start offset of each decoded unit; undefined when nothing was decoded (identity). */
  readonly starts: readonly number[] | undefined;
  /** Original end offset (exclusive) of each decoded unit; undefined when nothing was decoded. */
  readonly ends: readonly number[] | undefined;
}

/** At most this many decoding passes: enough for double and triple percent-encoding, bounded for hostile input. */
export const MAX_PASSES = 3;

const NEEDS_DECODING = /[%\\&\u0080-\uffff]/;

/** Longest URL prefix searched back from a tab or newline for the `://` that makes it part of a URL. */
const URL_LOOKBACK = 2048;
const endsUrl = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96;

/**
 * True when a tab or line end sits inside a URL (after `://`, with URL characters on both sides). Tabs and line
 * ends matter only there; testing for them alone would decode every CRLF line. A linear scan, not a regex: a
 * regex with an unbounded run before the break is quadratic on a megabyte of `http://http://...`.
 */
export function urlWithBreak(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 9 && c !== 10 && c !== 13) continue;
    let j = i + 1;
    while (j < text.length && (text.charCodeAt(j) === 9 || text.charCodeAt(j) === 10 || text.charCodeAt(j) === 13)) j++;
    if (j >= text.length || endsUrl(text.charCodeAt(j))) continue;
    const stop = Math.max(0, i - URL_LOOKBACK);
    for (let k = i - 1; k >= stop + 2; k--) {
      const b = text.charCodeAt(k);
      if (endsUrl(b)) break;
      if (b === 47 && text.charCodeAt(k - 1) === 47 && text.charCodeAt(k - 2) === 58) return true;
    }
  }
  return false;
}


/**
 * Decodes `text` (a window of the scanned string); offsets in the result are relative to `text`. With
 * `joinUrlBreaks`, tabs and line ends inside a URL's host are dropped as the WHATWG parser does; callers also read
 * the text without it, since a line end after a bare host more often ends the URL than continues it.
 */
export function decode(text: string, joinUrlBreaks = false): Decoded {
  if (!NEEDS_DECODING.test(text) && !(joinUrlBreaks && urlWithBreak(text))) return { text, starts: undefined, ends: undefined };
  let current = text;
  let starts: number[] | undefined;
  let ends: number[] | undefined;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    // Only percent-encoding is undone twice (servers that decode twice); a backslash escape decoded in the first
    // pass is literal text: JSON `"\\2"` is a backslash and a 2, not the control character U+0002.
    const step = decodeOnce(current, pass === 0, joinUrlBreaks);
    if (!step) break;
    if (starts && ends) {
      const s0 = starts;
      const e0 = ends;
      starts = step.starts.map((s) => s0[s]);
      ends = step.ends.map((e) => e0[e - 1]);
    } else {
      starts = step.starts;
      ends = step.ends;
    }
    current = step.text;
    if (!NEEDS_DECODING.test(current)) break;
  }
  return starts ? { text: current, starts, ends } : { text, starts: undefined, ends: undefined };
}

interface Step { text: string; starts: number[]; ends: number[] }

const unicodeCache = new Map<number, string | null>();
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/** The ASCII a code point maps to under NFKC plus the IDNA full-stop mapping; "" to drop it; null to keep it. */
export function unicodeToAscii(cp: number): string | null {
  const cached = unicodeCache.get(cp);
  if (cached !== undefined) return cached;
  const ch = String.fromCodePoint(cp);
  let result: string | null = null;
  if (IGNORABLE.test(ch)) result = "";
  else {
    const mapped = ch.normalize("NFKC").replace(/\u3002/g, ".");
    if (PRINTABLE_ASCII.test(mapped)) result = mapped;
  }
  unicodeCache.set(cp, result);
  return result;
}

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isUrlEnd = (c: number): boolean => c === 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96 || Number.isNaN(c);

function decodeOnce(src: string, escapes: boolean, joinUrlBreaks: boolean): Step | undefined {
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let changed = false;
  let inUrl = false;
  let slashes = 0; // recent output ":" then "/" count, to notice "://" however it was spelled

  const emit = (s: string, from: number, to: number): void => {
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (inUrl && (c === 9 || c === 10 || c === 13)) {
        // WHATWG URL: tabs and newlines are removed wherever they are, so `169.254.\n169.254` is one host. A
        // break followed by a space, another break or the end closes the URL instead.
        // A CRLF (or a few breaks) counts as one break: look past the run.
        let after = to;
        while (after < to + 4 && (src.charCodeAt(after) === 9 || src.charCodeAt(after) === 10 || src.charCodeAt(after) === 13)) after++;
        const next = src.charCodeAt(after);
        if (after < to + 4 && !isUrlEnd(next)) {
          changed = true;
          continue;
        }
        inUrl = false;
      }
      // The host ends at the path, query or fragment; breaks after it are left alone.
      if (isUrlEnd(c) || (inUrl && (c === 47 || c === 63 || c === 35) && slashes === 0)) inUrl = false;
      if (c === 58) slashes = 1;
      else if (c === 47 && slashes > 0) {
        slashes++;
        if (slashes === 3 && joinUrlBreaks) inUrl = true;
      } else slashes = 0;
      out.push(s[k]);
      starts.push(from);
      ends.push(to);
    }
  };

  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 37 /* % */) {
      const r = percent(src, i);
      if (r) {
        for (const [ch, a, b] of r.chars) emit(ch, a, b);
        i = r.next;
        changed = true;
        continue;
      }
    } else if (c === 92 /* \ */ && escapes) {
      const r = backslash(src, i);
      if (r) {
        emit(r.ch, i, r.next);
        i = r.next;
        changed = true;
        continue;
      }
    } else if (c === 38 /* & */ && escapes && src.charCodeAt(i + 1) !== 35) {
      const named = namedReference(src, i);
      if (named) {
        emit(named.ch, i, named.next);
        i = named.next;
        changed = true;
        continue;
      }
    } else if (c === 38 /* & */ && escapes && src.charCodeAt(i + 1) === 35 /* # */) {
      const m = /^&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?/.exec(src.slice(i, i + 12));
      if (m) {
        const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
        if (cp <= 0x10ffff) {
          emit(String.fromCodePoint(cp), i, i + m[0].length);
          i += m[0].length;
          changed = true;
          continue;
        }
      }
    } else if (c >= 0x80) {
      const cp = src.codePointAt(i) ?? c;
      const width = cp > 0xffff ? 2 : 1;
      const mapped = unicodeToAscii(cp);
      if (mapped !== null) {
        if (mapped.length > 0) emit(mapped, i, i + width);
        i += width;
        changed = true;
        continue;
      }
      emit(src.slice(i, i + width), i, i + width);
      i += width;
      continue;
    }
    emit(src[i], i, i + 1);
    i++;
  }
  return changed ? { text: out.join(""), starts, ends } : undefined;
}

/** Decodes a run of `%XX` (as UTF-8) or one `%uXXXX` at `i`. */
function percent(src: string, i: number): { chars: [string, number, number][]; next: number } | undefined {
  if ((src.charCodeAt(i + 1) === 117 || src.charCodeAt(i + 1) === 85) && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
    return { chars: [[String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16)), i, i + 6]], next: i + 6 };
  }
  const bytes: number[] = [];
  const at: number[] = [];
  let j = i;
  while (src.charCodeAt(j) === 37 && isHex(src.charCodeAt(j + 1)) && isHex(src.charCodeAt(j + 2))) {
    bytes.push(parseInt(src.slice(j + 1, j + 3), 16));
    at.push(j);
    j += 3;
  }
  if (bytes.length === 0) return undefined;
  const chars: [string, number, number][] = [];
  let k = 0;
  while (k < bytes.length) {
    const b = bytes[k];
    const len = b < 0x80 ? 1 : b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    let cp = len === 1 ? b : b & (0xff >> (len + 1));
    let ok = k + len <= bytes.length;
    for (let m = 1; ok && m < len; m++) {
      const cb = bytes[k + m];
      if ((cb & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (cb & 0x3f);
    }
    if (!ok || (len === 1 && b >= 0x80)) {
      chars.push(["\ufffd", at[k], at[k] + 3]);
      k += 1;
      continue;
    }
    const end = at[k + len - 1] + 3;
    chars.push([String.fromCodePoint(Math.min(cp, 0x10ffff)), at[k], end]);
    k += len;
  }
  return { chars, next: j };
}

/**
 * HTML5 named character references for the characters a host, a URL or an address is written with (WHATWG HTML,
 * "Named character references"); the semicolon is required, as it is for these names outside attributes.
 */
const NAMED_REFERENCES: Record<string, string> = {
  period: ".", colon: ":", sol: "/", bsol: "\\", commat: "@", lsqb: "[", rsqb: "]", lbrack: "[", rbrack: "]",
  percnt: "%", num: "#", quest: "?", excl: "!", amp: "&", hyphen: "-", dash: "-", lowbar: "_", tilde: "~",
};

/** Decodes one named reference (`&period;`) at `i`, or undefined. */
function namedReference(src: string, i: number): { ch: string; next: number } | undefined {
  let k = i + 1;
  while (k < i + 9 && ((src.charCodeAt(k) | 0x20) >= 97 && (src.charCodeAt(k) | 0x20) <= 122)) k++;
  if (src.charCodeAt(k) !== 59 /* ; */ || k === i + 1) return undefined;
  const ch = NAMED_REFERENCES[src.slice(i + 1, k)];
  return ch === undefined ? undefined : { ch, next: k + 1 };
}

/**
 * The end of an escaped line break at `i` (a backslash, an optional CR, a LF, then the next line's indentation), or
 * -1. YAML double-quoted scalars join such lines with nothing between (YAML 1.2, 7.3.1, "escaped line break"), and
 * sh removes a backslash-newline inside double quotes, so `"http://169.254.\<LF>  169.254/"` is one address.
 */
function escapedLineBreak(src: string, i: number): number {
  let k = i + 1;
  if (src.charCodeAt(k) === 13) k++;
  if (src.charCodeAt(k) !== 10) return -1;
  k++;
  while (src.charCodeAt(k) === 32 || src.charCodeAt(k) === 9) k++;
  return k;
}

const SIMPLE_ESCAPES: Record<string, string> = { "/": "/", "\\": "\\", t: "\t", n: "\n", r: "\r", ".": ".", ":": ":", "@": "@" };

/** Decodes one backslash escape at `i`, or undefined to keep the backslash (it may be a WHATWG path separator). */
function backslash(src: string, i: number): { ch: string; next: number } | undefined {
  const k = src[i + 1];
  if (k === undefined) return undefined;
  if (k === "\n" || k === "\r") {
    const next = escapedLineBreak(src, i);
    return next < 0 ? undefined : { ch: "", next };
  }
  if (k === "u" || k === "U" || k === "x") {
    const braced = k === "u" && src[i + 2] === "{" ? /^\{([0-9a-fA-F]{1,6})\}/.exec(src.slice(i + 2, i + 11)) : null;
    if (braced) {
      const cp = parseInt(braced[1], 16);
      if (cp <= 0x10ffff) return { ch: String.fromCodePoint(cp), next: i + 2 + braced[0].length };
      return undefined;
    }
    const width = k === "x" ? 2 : k === "u" ? 4 : 8;
    const hex = src.slice(i + 2, i + 2 + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return undefined;
    return { ch: String.fromCodePoint(cp), next: i + 2 + width };
  }
  if (k >= "0" && k <= "7") {
    const m = /^[0-7]{1,3}/.exec(src.slice(i + 1, i + 4))!;
    return { ch: String.fromCharCode(parseInt(m[0], 8) & 0xff), next: i + 1 + m[0].length };
  }
  const simple = SIMPLE_ESCAPES[k];
  if (simple !== undefined) return { ch: simple, next: i + 2 };
  return undefined;
}
