/**
 * The cheap first pass: finds every place a reference could start, and the windows (whole lines) around them that
 * the expensive decoding and parsing then look at. Most files have no candidate at all; a typical flow has a few
 * (`1.0`, `12:30`, a URL).
 *
 * A candidate is any of: a dot before a digit in a token whose first part can be the first byte of a catalogued or
 * link-local address (every multi-part IPv4 spelling, whatever the radix), or before a wildcard-DNS service; a
 * colon followed by up to four hex digits and another colon (every IPv6 literal); a bare decimal, octal or `0x`
 * number that reads as a catalogued or link-local address; `%XX`, `%u`, `\u`, `\x`, an octal escape, `&#`; any
 * non-ASCII character that decoding maps to ASCII or drops (look-alikes, zero-width characters: normalise.ts's
 * unicodeToAscii; emoji and accented letters decode as themselves and make no window); the first label of a
 * catalogued host name; a part of the name of every catalogued environment variable (`METADATA_`, `S_CONTAINER_`,
 * `_ENDPOINT`); an operator (`+`, `.`, `..`, `||`, `~`) joining two string literals; a quote, escape, caret,
 * backtick, brace or bracket inside a dotted number (`http://'169.254'.169.254`, `1^69.2^54`, `{169,127}.254`);
 * `\` before a digit, an escaped dot or a line break after a number; an HTML named reference (`&period;`).
 *
 * Speed: each test is a `String.prototype.indexOf` loop over one character, or a skip-scan, not one regular
 * expression with many alternatives. V8 runs `indexOf` for one character at memory speed, while an alternation
 * whose branches start with letters and digits makes the regex engine try every branch at almost every position
 * (measured on 40 MB of flows: 4-5 times slower).
 */
import { classifyIpv4, HOSTNAME_TRIGGER_WORDS, IPV4_FIRST_OCTETS, isIpv4Endpoint, VARIABLE_TRIGGERS, WILDCARD_SERVICES } from "./catalogue";
import { GATES } from "./gates";
import { readIpv4 } from "./ipv4";
import { unicodeToAscii } from "./normalise";

/** A slice of the scanned text worth decoding. */
export interface Window {
  readonly start: number;
  readonly end: number;
  /** True when the window was cut inside a line (a very long one): a match touching the cut is unreliable. */
  readonly cutStart: boolean;
  readonly cutEnd: boolean;
}

/**
 * The trigger words (host names in any ASCII case, environment-variable parts as written) are found from the
 * letter d, which each name word and most variable parts hold: one `indexOf` loop for `d` and one for `D`, each hit
 * compared with the words around it. A case-insensitive regex of the words (`/instance-data|metadata/gi`) tries
 * its branches at every `i` and `m` of the text, which cost more than the two loops (measured on 40 MB of flows:
 * about 1.5 times). Words without the letter are looked for on their own (a regex for names, `indexOf` for the
 * variable parts).
 */
interface AnchoredWord {
  readonly word: string;
  /** Offset of the anchor letter in the word. */
  readonly at: number;
  /** Compare ASCII letters in either case (host names), or exactly (variable names). */
  readonly foldCase: boolean;
}
/** The words found from one anchor letter, and the characters that can follow it in them (most hits fail there). */
interface Anchor {
  readonly letter: string;
  readonly words: AnchoredWord[];
  readonly next: Uint8Array;
  /** True when the anchor ends a word: then anything may follow it, the end of the text included. */
  anyNext: boolean;
}
const anchor = (letter: string): Anchor => ({ letter, words: [], next: new Uint8Array(1 << 16), anyNext: false });
const LOWER_D = anchor("d");
const UPPER_D = anchor("D");
const anchorWord = (a: Anchor, w: AnchoredWord): void => {
  a.words.push(w);
  if (w.at + 1 >= w.word.length) {
    a.anyNext = true;
    return;
  }
  const c = w.word[w.at + 1];
  a.next[c.charCodeAt(0)] = 1;
  if (w.foldCase) a.next[c.toUpperCase().charCodeAt(0)] = 1;
};
for (const word of HOSTNAME_TRIGGER_WORDS) {
  for (let at = word.indexOf("d"); at >= 0; at = word.indexOf("d", at + 1)) {
    anchorWord(LOWER_D, { word, at, foldCase: true });
    anchorWord(UPPER_D, { word, at, foldCase: true });
  }
}
for (const word of VARIABLE_TRIGGERS) {
  for (let at = word.indexOf("D"); at >= 0; at = word.indexOf("D", at + 1)) anchorWord(UPPER_D, { word, at, foldCase: false });
}
const UNANCHORED_NAMES = HOSTNAME_TRIGGER_WORDS.filter((w) => !w.includes("d"));
const UNANCHORED_NAME_TRIGGER = UNANCHORED_NAMES.length > 0 ? new RegExp(UNANCHORED_NAMES.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "gi") : undefined;
const UNANCHORED_VARIABLE_TRIGGERS = VARIABLE_TRIGGERS.filter((w) => !w.includes("D"));
const NON_ASCII = /[\u0080-\uffff]/g;
/** The first two characters of every wildcard-DNS service, lower-cased as startsWithService compares them. */
const SERVICE_PAIRS = new Uint8Array(1 << 16);
for (const s of WILDCARD_SERVICES) SERVICE_PAIRS[(s.charCodeAt(0) << 8) | s.charCodeAt(1)] = 1;
/** Quick test before startsWithService: do the two characters at `at` start a service's name (in any case)? */
const mayStartService = (text: string, at: number): boolean =>
  SERVICE_PAIRS[(((text.charCodeAt(at) | 0x20) & 0xff) << 8) | ((text.charCodeAt(at + 1) | 0x20) & 0xff)] === 1;

/** Longest stretch of one line looked at on either side of a candidate. */
const MAX_SIDE = 2048;
/** Longest window decoded at once; longer runs of candidates are split into overlapping windows. */
const MAX_WINDOW = 64 * 1024;
/** Overlap between the pieces of a split line: longer than any spelling of a host. */
const SEAM = 1024;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameLetter = (c: number): boolean => (c >= 71 && c <= 90) || (c >= 103 && c <= 122) || c === 95;
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/**
 * Offsets of every candidate in `text`, unsorted, possibly repeated. Each pass is a function of its own: a pass that
 * meets a rare case late in a scan is deoptimized alone, not the whole cheap pass with it (measured on a cold scan).
 */
export function candidatePositions(text: string): number[] {
  const hits: number[] = [];
  dotHits(text, hits);
  colonHits(text, hits);
  percentHits(text, hits);
  backslashHits(text, hits);
  // PowerShell's backtick and cmd's caret escape the next character: `169.2\`54`, `1^69.2^54`. In a dotted token
  // dotHits finds them (a mark before a token's first part, or between a dot and a digit, makes it a candidate); in
  // a bare number, digitRuns reads the digits with the marks left out.
  ampersandHits(text, hits);
  hexHits(text, hits);
  operatorHits(text, hits);
  anchoredWords(text, LOWER_D, hits);
  anchoredWords(text, UPPER_D, hits);
  unanchoredHits(text, hits);
  digitRuns(text, hits);
  nonAsciiHits(text, hits);
  return hits;
}

/**
 * A dot before a digit in a token whose first part can start an interesting address (or that a quote, escape or
 * glob mark glues to what comes before), before a wildcard-DNS service, inside a shell-marked number, or between
 * two joined literals (the `.` and `..` operators).
 */
function dotHits(text: string, hits: number[]): void {
  let tokenStart = -1;
  let tokenInteresting = false;
  for (let i = text.indexOf("."); i >= 0; i = text.indexOf(".", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (isDigit(c) && mayStartService(text, i + 1) && startsWithService(text, i + 1)) hits.push(i); // `.1u.ms`
    else if (isDigit(c)) {
      // Dots in one token share its first part: judge it once.
      const start = tokenStartBefore(text, i);
      if (start !== tokenStart) {
        tokenStart = start;
        tokenInteresting = firstPartInteresting(text, start, i);
      }
      if (tokenInteresting || quotedPiece(text, start)) hits.push(i);
    } else if (mayStartService(text, i + 1) && startsWithService(text, i + 1)) hits.push(i);
    else if (isShellMark(c) && (isDigit(text.charCodeAt(i + 2)) || isShellMark(text.charCodeAt(i + 2))) && isDigit(text.charCodeAt(i - 1))) hits.push(i);
    else if ((c === 32 || c === 34 || c === 39 || c === 46 || c === 96) && joinsLiterals(text, i, text.charCodeAt(i + 1) === 46 ? i + 2 : i + 1)) hits.push(i);
  }
}

/**
 * IPv6: every literal has `::` or a `hex:hex:` run. Ports and times (`:8080`, `12:30`) do not qualify. A letter
 * beyond `f` next to the colons means a name (`urn:pulumi:stack::project::aws:...`, `std::string`). `//`, `@` and
 * `http:` before a bare host need no test of their own: the host that follows is a bare number (digitRuns), a
 * catalogued name, or already a candidate (dotted, IPv6, encoded).
 */
function colonHits(text: string, hits: number[]): void {
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) {
    if (isNameLetter(text.charCodeAt(i - 1))) continue;
    let j = i + 1;
    while (j < i + 5 && isHex(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) !== 58) continue;
    let k = j + 1;
    while (k < j + 5 && isHex(text.charCodeAt(k))) k++;
    if (!isNameLetter(text.charCodeAt(k))) hits.push(i);
  }
}

/** Percent-encoding: `%XX`, `%u`. */
function percentHits(text: string, hits: number[]): void {
  for (let i = text.indexOf("%"); i >= 0; i = text.indexOf("%", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if ((isHex(c) && isHex(text.charCodeAt(i + 2))) || c === 117 || c === 85) hits.push(i);
  }
}

/** Only escapes that can spell a character: `\u`, `\U`, `\x`, octal. `\"` and `\\` in JSON-in-JSON are not. */
function backslashHits(text: string, hits: number[]): void {
  for (let i = text.indexOf("\\"); i >= 0; i = text.indexOf("\\", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (c === 117 || c === 85 || c === 120 || isDigit(c)) hits.push(i);
    // `169\.254\.169\.254` (the shell drops the backslashes) and YAML's escaped line break inside a number.
    else if ((c === 46 && isDigit(text.charCodeAt(i + 2))) || ((c === 10 || c === 13) && (isHex(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 46))) hits.push(i);
  }
}

/** HTML references for the characters of an address (`&#46;`, `169&period;254`): only the named ones decode() knows. */
function ampersandHits(text: string, hits: number[]): void {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (c === 35) hits.push(i); // `&#`
    else if ((c === 112 || c === 99 || c === 115 || c === 108) && /^&(?:period|colon|sol|commat|lsqb|lbrack);/.test(text.slice(i, i + 8))) hits.push(i);
  }
}

/** A dotless `0x` number of eight or more hex digits that reads as an interesting address. */
function hexHits(text: string, hits: number[]): void {
  for (const prefix of ["0x", "0X"]) {
    for (let i = text.indexOf(prefix); i >= 0; i = text.indexOf(prefix, i + 1)) {
      let j = i + 2;
      while (j < text.length && isHex(text.charCodeAt(j))) j++;
      if (j - i >= 10 && bareNumberInteresting(text.slice(i, j))) hits.push(i);
    }
  }
}

/**
 * `"169." + "254.169.254"`: two literals of the same quote joined by an operator (concat.ts reads the window once
 * more with them joined); the address's pieces alone need not look like one. The `.` and `..` operators are looked
 * for in dotHits; literals joined by adjacency alone are read joined when the line is a window for another reason
 * (a bare quote is too common a character to look at each one). Pebble's and Jinja's `~` too: a tag the evaluator
 * cannot render (an unknown filter, a statement it does not read) is not rendered, and its literals need not look
 * like an address piece by piece ('169' ~ '.254' ~ ...).
 */
function operatorHits(text: string, hits: number[]): void {
  for (const op of ["+", "||", "~"]) {
    for (let i = text.indexOf(op); i >= 0; i = text.indexOf(op, i + 1)) {
      if (joinsLiterals(text, i, i + op.length)) hits.push(i);
    }
  }
}

/** The trigger words without the anchor letter: variable parts by `indexOf`, host names by one regex. */
function unanchoredHits(text: string, hits: number[]): void {
  for (const trigger of UNANCHORED_VARIABLE_TRIGGERS) {
    for (let i = text.indexOf(trigger); i >= 0; i = text.indexOf(trigger, i + 1)) hits.push(i);
  }
  if (UNANCHORED_NAME_TRIGGER) {
    UNANCHORED_NAME_TRIGGER.lastIndex = 0;
    for (let m = UNANCHORED_NAME_TRIGGER.exec(text); m; m = UNANCHORED_NAME_TRIGGER.exec(text)) hits.push(m.index);
  }
}

/** Characters decode() changes (look-alikes, zero-width characters); none in pure ASCII text. */
function nonAsciiHits(text: string, hits: number[]): void {
  // Buffer.byteLength equals the length only for pure ASCII, and V8 answers it far faster than a regex scan.
  if (Buffer.byteLength(text, "utf8") === text.length) return;
  NON_ASCII.lastIndex = 0;
  // Only what decode() changes: a character it keeps as it is can give no reading an address.
  for (let m = NON_ASCII.exec(text); m; m = NON_ASCII.exec(text)) if (unicodeToAscii(text.codePointAt(m.index)!) !== null) hits.push(m.index);
}

/** Pushes the start of every word of the anchor whose anchor letter stands at an occurrence of it in `text`. */
function anchoredWords(text: string, a: Anchor, hits: number[]): void {
  const { letter, words, next, anyNext } = a;
  for (let i = text.indexOf(letter); i >= 0; i = text.indexOf(letter, i + 1)) {
    if (!anyNext && next[text.charCodeAt(i + 1)] !== 1) continue;
    for (const w of words) {
      const start = i - w.at;
      if (wordAt(text, start, w.word, w.foldCase)) hits.push(start);
    }
  }
}

/** True when `word` stands at `start`; with `foldCase`, its lower-case ASCII letters match either case. */
function wordAt(text: string, start: number, word: string, foldCase: boolean): boolean {
  if (start < 0 || start + word.length > text.length) return false;
  for (let k = 0; k < word.length; k++) {
    const c = text.charCodeAt(start + k);
    const w = word.charCodeAt(k);
    if (c !== w && !(foldCase && w >= 97 && w <= 122 && c === w - 32)) return false;
  }
  return true;
}

/**
 * True when the operator at [from, to) stands between two literals of the same quote (`' + '`, `" . "`,
 * `' .. '`, `' || '`; either quote may be escaped). Mirrors concat.ts's GLUE, loosely: a false hit only costs a
 * window's reading.
 */
function joinsLiterals(text: string, from: number, to: number): boolean {
  let before = from - 1;
  while (text.charCodeAt(before) === 32 || text.charCodeAt(before) === 9) before--;
  let after = to;
  while (text.charCodeAt(after) === 32 || text.charCodeAt(after) === 9) after++;
  if (text.charCodeAt(after) === 92) after++;
  const q = text.charCodeAt(before);
  return (q === 34 || q === 39 || q === 96) && text.charCodeAt(after) === q;
}

/** Characters a shell or a template puts inside an address without changing it: quotes, escapes, globs, `}}`. */
const isShellMark = (c: number): boolean => c === 39 || c === 34 || c === 96 || c === 94 || c === 92 || c === 123 || c === 125 || c === 91 || c === 93;

/**
 * True when the dotted token at `start` follows a closing brace or bracket (`{169,127}.254.169.254`,
 * `{{ '169.254' }}.169.254`), a caret, a backtick or a backslash, or a quote that itself stands inside a URL or a
 * number (`http://'169.254'.169.254`, `'1'69.254...`): a shell or a template may glue it to what comes before.
 */
function quotedPiece(text: string, start: number): boolean {
  const c = text.charCodeAt(start - 1);
  if (c === 125 || c === 93 || c === 94 || c === 96 || c === 92) return true;
  if (c !== 39 && c !== 34) return false;
  const b = text.charCodeAt(start - 2);
  return b === 47 || b === 46 || b === 64 || isDigit(b);
}

const isBreak = (c: number): boolean => c === 9 || c === 10 || c === 13;
const isTokenChar = (c: number): boolean => isHex(c) || c === 46 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Start of the run of letters, digits and dots that ends at `dot` (looking back at most 64 characters). */
function tokenStartBefore(text: string, dot: number): number {
  const stop = Math.max(0, dot - 64);
  let k = dot - 1;
  while (k >= stop) {
    const c = text.charCodeAt(k);
    // WHATWG URL parsing drops a tab or line break anywhere, so `16<TAB>9.254...` is one token.
    if (isTokenChar(c)) {
      k--;
      continue;
    }
    let j = k;
    while (j >= stop && isBreak(text.charCodeAt(j))) j--;
    if (j === k || !isDigit(text.charCodeAt(j)) || !isDigit(text.charCodeAt(k + 1))) break;
    k = j;
  }
  return k + 1;
}

/**
 * Whether the first part of the dotted token at `start` can be the first byte of an interesting address under any
 * reading the detector makes (decimal, octal, hex, leading zeros as decimal, modulo 256 for wrapping parsers).
 */
function firstPartInteresting(text: string, start: number, dot: number): boolean {
  if (dot - start > 40 || start === dot) return dot - start > 40;
  const end = text.indexOf(".", start);
  const sliced = text.slice(start, end);
  // Breaks dropped (see tokenStartBefore); most parts have none, and replace() would copy every one.
  const part = /[\t\r\n]/.test(sliced) ? sliced.replace(/[\t\r\n]/g, "") : sliced;
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? octet(0) : octet(parseInt(part.slice(2), 16));
  if (!/^[0-9]+$/.test(part)) return false;
  return octet(parseInt(part, 10)) || (part[0] === "0" && /^[0-7]+$/.test(part) && octet(parseInt(part, 8)));
}

/** Whether `n`, read modulo 256, is the first byte of an interesting address. */
const octet = (n: number): boolean => Number.isFinite(n) && IPV4_FIRST_OCTETS[n % 256] === 1;

function startsWithService(text: string, at: number): boolean {
  outer: for (const service of WILDCARD_SERVICES) {
    for (let k = 0; k < service.length; k++) {
      // ASCII lower-casing by setting bit 5 is exact for letters and leaves `.` and digits as they are.
      if ((text.charCodeAt(at + k) | 0x20) !== service.charCodeAt(k)) continue outer;
    }
    return true;
  }
  return false;
}

/**
 * Whether a bare number (decimal, octal or `0x` hex) reads, under any reading the detector makes, as a catalogued
 * or link-local address. Account ids, timestamps and timeouts (`153052954103`, `3000000000000`) do not.
 */
function bareNumberInteresting(token: string): boolean {
  const read = readIpv4(token);
  if (!read) return false;
  return read.readings.some((r) => (r.kind === "wrapped" ? isIpv4Endpoint(r.value) : classifyIpv4(r.value) !== undefined));
}

/** Digits, and the shell marks that may stand between them (PowerShell's backtick, cmd's caret): a run's characters. */
const DIGIT_RUN = new Uint8Array(1 << 16);
for (const c of "0123456789`^") DIGIT_RUN[c.charCodeAt(0)] = 1;

/**
 * Pushes the start of every run of ten or more digits that reads as an interesting address: a skip-scan that looks
 * at the tenth character first. Ten is the fewest digits such a number has (169.254.0.0 is 2851995648). Backticks
 * and carets inside a run (`2852\`039166`, `28^52^039166`) are escapes a shell drops, so the number is read without
 * them.
 */
function digitRuns(text: string, hits: number[]): void {
  const n = text.length;
  let i = 0;
  outer: while (i + 10 <= n) {
    for (let j = i + 9; j >= i; j--) {
      if (DIGIT_RUN[text.charCodeAt(j)] !== 1) {
        i = j + 1;
        continue outer;
      }
    }
    let k = i + 10;
    while (k < n && DIGIT_RUN[text.charCodeAt(k)] === 1) k++;
    const run = text.slice(i, k);
    if (/[`^]/.test(run)) {
      // Read with the marks dropped, and each stretch of plain digits on its own (`1^2852039166` holds the address).
      if (bareNumberInteresting(run.replace(/[`^]/g, ""))) hits.push(i);
      const plain = /[0-9]{10,}/g;
      for (let m = plain.exec(run); m; m = plain.exec(run)) if (bareNumberInteresting(m[0])) hits.push(i + m.index);
    } else if (bareNumberInteresting(run)) hits.push(i);
    i = k + 1;
  }
}

/** The windows around every candidate, in order, merged where they overlap (with the gates off: around every character). */
export function candidateWindows(text: string): Window[] {
  const hits = GATES.windows ? candidatePositions(text) : Array.from({ length: text.length }, (_, i) => i);
  if (hits.length === 0) return [];
  const sorted = Float64Array.from(hits).sort();
  const windows: Window[] = [];
  for (const at of sorted) {
    const last = windows[windows.length - 1];
    // Inside the previous window: already covered. Past a cut end, the new window overlaps and extends it.
    if (last && at < last.end) continue;
    const w = windowAround(text, at);
    if (last && w.start <= last.end && last.end - last.start < MAX_WINDOW) {
      windows[windows.length - 1] = { start: last.start, end: Math.max(last.end, w.end), cutStart: last.cutStart, cutEnd: w.end >= last.end ? w.cutEnd : last.cutEnd };
    } else if (last && w.start <= last.end) {
      // A long line full of candidates is read in overlapping pieces, so decoding keeps its memory bounded; a match
      // cut by one piece's end lies whole in the next one, which starts SEAM characters earlier.
      windows[windows.length - 1] = { ...last, cutEnd: true };
      windows.push({ start: last.end - SEAM, end: w.end, cutStart: true, cutEnd: w.cutEnd });
    } else {
      windows.push(w);
    }
  }
  return windows;
}

function windowAround(text: string, at: number): Window {
  let start = lineStart(text, at, MAX_SIDE + 1);
  let cutStart = false;
  if (at - start > MAX_SIDE) {
    start = at - MAX_SIDE;
    // Prefer cutting at a space, where no token is split.
    const space = text.slice(start, start + 64).search(/\s/);
    if (space >= 0) start += space + 1;
    else cutStart = true;
  } else {
    // A shell line continued with `\` belongs to the same command: `curl \` then the host on the next line.
    for (let k = 0; k < 3 && start >= 2 && text[start - 2] === "\\"; k++) {
      start = lineStart(text, start - 2, MAX_SIDE);
    }
    // ... and so may a URL the previous line ends in (`http://1` then `69.254.169.254/`: one host to WHATWG).
    for (let k = 0; k < 2 && start > 0; k++) {
      const prev = lineStart(text, start - 1, MAX_SIDE + 1);
      const eol = text.charCodeAt(start - 2) === 13 ? start - 2 : start - 1;
      const scheme = lastSchemeIn(text, prev, eol);
      if (eol - prev > MAX_SIDE || scheme < 0 || !runsToEnd(text, scheme, eol)) break;
      start = prev;
    }
  }
  let end = lineEnd(text, at, MAX_SIDE + 1);
  let cutEnd = false;
  if (end - at > MAX_SIDE) {
    end = at + MAX_SIDE;
    const space = text.slice(end - 64, end).search(/\s[^\s]*$/);
    if (space >= 0) end = end - 64 + space;
    else cutEnd = true;
  } else {
    // A line ending in a backslash goes on: YAML's escaped line break in a double-quoted scalar, a shell line
    // continuation (`"http://169.254.\` then `169.254/"` on the next line).
    for (let k = 0; k < 3 && end < text.length && endsWithBackslash(text, end); k++) {
      const next = lineEnd(text, end + 1, MAX_SIDE + 1);
      if (next - end > MAX_SIDE) break;
      end = next;
    }
    // A URL running to the end of the line may go on after a newline (the WHATWG parser drops newlines in URLs).
    for (let k = 0; k < 2 && end < text.length; k++) {
      const scheme = lastSchemeIn(text, start, end);
      if (scheme < 0 || !runsToEnd(text, scheme, end)) break;
      const next = lineEnd(text, end + 1, MAX_SIDE + 1);
      if (next - end > MAX_SIDE) break;
      end = next;
    }
  }
  return { start, end, cutStart, cutEnd };
}

/** True when the line ending at `end` (its newline's offset) ends in a backslash. */
function endsWithBackslash(text: string, end: number): boolean {
  const last = text.charCodeAt(end - 1) === 13 ? end - 2 : end - 1;
  return text.charCodeAt(last) === 92;
}

/**
 * Offset of the last `://` inside [start, end), or -1. Bounded by the window: `lastIndexOf` would search back to
 * the start of the file from every window, which is quadratic on files with many candidates and no URL.
 */
function lastSchemeIn(text: string, start: number, end: number): number {
  for (let k = end - 3; k >= start; k--) {
    if (text.charCodeAt(k) === 58 && text.charCodeAt(k + 1) === 47 && text.charCodeAt(k + 2) === 47) return k;
  }
  return -1;
}

/** True when nothing that ends a URL (space, quote, angle bracket) stands between `from` and `to`. */
function runsToEnd(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13 || c === 34 || c === 39 || c === 60 || c === 62 || c === 96) return false;
  }
  return true;
}

// Both searches are bounded: on a megabyte-long line, an unbounded search from every candidate would be quadratic.

/** Start of the line holding `at`, or `at - limit` when the line starts further back. */
function lineStart(text: string, at: number, limit: number): number {
  const stop = Math.max(0, at - limit);
  for (let i = at - 1; i >= stop; i--) if (text.charCodeAt(i) === 10) return i + 1;
  return stop;
}

/** End of the line holding `from` (the offset of its newline), or `from + limit` when it ends further on. */
function lineEnd(text: string, from: number, limit: number): number {
  const stop = Math.min(text.length, from + limit);
  for (let i = from; i < stop; i++) if (text.charCodeAt(i) === 10) return i;
  return stop;
}
