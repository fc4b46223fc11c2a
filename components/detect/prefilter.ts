/**
 * The cheap first pass: finds every place a reference could start, and the windows (whole lines) around them that
 * the expensive decoding and parsing then look at. Most files have no candidate at all; a typical flow has a few
 * (`1.0`, `12:30`, a URL).
 *
 * A candidate is any of: a dot before a digit in a token whose first part can be the first byte of a catalogued or
 * link-local address (every multi-part IPv4 spelling, whatever the radix), or before a wildcard-DNS service; a
 * colon followed by up to four hex digits and another colon (every IPv6 literal); `%`, `\`, `&`, `@`; any
 * non-ASCII character (look-alikes, zero-width characters); ten digits in a row or `0x` (the only ways a bare
 * 32-bit number in link-local or catalogued space can be written); the first label of a catalogued host name.
 *
 * Speed: each test is a `String.prototype.indexOf` loop over one character, or a skip-scan, not one regular
 * expression with many alternatives. V8 runs `indexOf` for one character at memory speed, while an alternation
 * whose branches start with letters and digits makes the regex engine try every branch at almost every position
 * (measured on 40 MB of flows: 4-5 times slower).
 */
import { HOSTNAME_TRIGGER_SOURCE, IPV4_FIRST_OCTETS, WILDCARD_SERVICES } from "./catalogue";

/** A slice of the scanned text worth decoding. */
export interface Window {
  readonly start: number;
  readonly end: number;
  /** True when the window was cut inside a line (a very long one): a match touching the cut is unreliable. */
  readonly cutStart: boolean;
  readonly cutEnd: boolean;
}

const HOSTNAME_TRIGGER = new RegExp(HOSTNAME_TRIGGER_SOURCE, "gi");
const NON_ASCII = /[\u0080-\uffff]/g;
const SERVICE_FIRST = new Uint8Array(128);
for (const s of WILDCARD_SERVICES) {
  SERVICE_FIRST[s.charCodeAt(0)] = 1;
  SERVICE_FIRST[s.toUpperCase().charCodeAt(0)] = 1;
}

/** Longest stretch of one line looked at on either side of a candidate. */
const MAX_SIDE = 2048;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Offsets of every candidate in `text`, unsorted, possibly repeated. */
export function candidatePositions(text: string): number[] {
  const hits: number[] = [];
  let tokenStart = -1;
  let tokenInteresting = false;
  for (let i = text.indexOf("."); i >= 0; i = text.indexOf(".", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (isDigit(c)) {
      // Dots in one token share its first part: judge it once.
      const start = tokenStartBefore(text, i);
      if (start !== tokenStart) {
        tokenStart = start;
        tokenInteresting = firstPartInteresting(text, start, i);
      }
      if (tokenInteresting) hits.push(i);
    } else if (c < 128 && SERVICE_FIRST[c] === 1 && startsWithService(text, i + 1)) hits.push(i);
  }
  // IPv6: every literal has `::` or a `hex:hex:` run. Ports and times (`:8080`, `12:30`) do not qualify.
  for (let i = text.indexOf(":"); i >= 0; i = text.indexOf(":", i + 1)) {
    let j = i + 1;
    while (j < i + 5 && isHex(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 58) hits.push(i);
  }
  // `//`, `@` and `http:` before a bare host need no test of their own: the host that follows is ten digits, `0x`
  // hex, a catalogued name, or already a candidate (dotted, IPv6, encoded).
  for (const needle of ["%", "\\", "&", "@", "0x", "0X"]) {
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) hits.push(i);
  }
  digitRuns(text, hits);
  HOSTNAME_TRIGGER.lastIndex = 0;
  for (let m = HOSTNAME_TRIGGER.exec(text); m; m = HOSTNAME_TRIGGER.exec(text)) hits.push(m.index);
  // Buffer.byteLength equals the length only for pure ASCII, and V8 answers it far faster than a regex scan.
  if (Buffer.byteLength(text, "utf8") !== text.length) {
    NON_ASCII.lastIndex = 0;
    for (let m = NON_ASCII.exec(text); m; m = NON_ASCII.exec(text)) hits.push(m.index);
  }
  return hits;
}

const isTokenChar = (c: number): boolean => isHex(c) || c === 46 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Start of the run of letters, digits and dots that ends at `dot` (looking back at most 64 characters). */
function tokenStartBefore(text: string, dot: number): number {
  const stop = Math.max(0, dot - 64);
  let k = dot - 1;
  while (k >= stop && isTokenChar(text.charCodeAt(k))) k--;
  return k + 1;
}

/**
 * Whether the first part of the dotted token at `start` can be the first byte of an interesting address under any
 * reading the detector makes (decimal, octal, hex, leading zeros as decimal, modulo 256 for wrapping parsers).
 */
function firstPartInteresting(text: string, start: number, dot: number): boolean {
  if (dot - start > 40 || start === dot) return dot - start > 40;
  const end = text.indexOf(".", start);
  const part = text.slice(start, end);
  const octet = (n: number): boolean => Number.isFinite(n) && IPV4_FIRST_OCTETS[n % 256] === 1;
  if (/^0[xX][0-9a-fA-F]*$/.test(part)) return part.length === 2 ? octet(0) : octet(parseInt(part.slice(2), 16));
  if (!/^[0-9]+$/.test(part)) return false;
  return octet(parseInt(part, 10)) || (part[0] === "0" && /^[0-7]+$/.test(part) && octet(parseInt(part, 8)));
}

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

/** Pushes the start of every run of ten or more digits: a skip-scan that looks at the tenth character first. */
function digitRuns(text: string, hits: number[]): void {
  const n = text.length;
  let i = 0;
  outer: while (i + 10 <= n) {
    for (let j = i + 9; j >= i; j--) {
      if (!isDigit(text.charCodeAt(j))) {
        i = j + 1;
        continue outer;
      }
    }
    hits.push(i);
    let k = i + 10;
    while (k < n && isDigit(text.charCodeAt(k))) k++;
    i = k + 1;
  }
}

/** The windows around every candidate, in order, merged where they overlap. */
export function candidateWindows(text: string): Window[] {
  const hits = candidatePositions(text);
  if (hits.length === 0) return [];
  const sorted = Float64Array.from(hits).sort();
  const windows: Window[] = [];
  for (const at of sorted) {
    const last = windows[windows.length - 1];
    // Inside the previous window: already covered. Past a cut end, the new window overlaps and extends it.
    if (last && at < last.end) continue;
    const w = windowAround(text, at);
    if (last && w.start <= last.end) {
      windows[windows.length - 1] = { start: last.start, end: Math.max(last.end, w.end), cutStart: last.cutStart, cutEnd: w.end >= last.end ? w.cutEnd : last.cutEnd };
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
  }
  let end = lineEnd(text, at, MAX_SIDE + 1);
  let cutEnd = false;
  if (end - at > MAX_SIDE) {
    end = at + MAX_SIDE;
    const space = text.slice(end - 64, end).search(/\s[^\s]*$/);
    if (space >= 0) end = end - 64 + space;
    else cutEnd = true;
  } else {
    // A URL running to the end of the line may go on after a newline (the WHATWG parser drops newlines in URLs).
    for (let k = 0; k < 2 && end < text.length; k++) {
      const scheme = text.lastIndexOf("://", end);
      if (scheme < start || !runsToEnd(text, scheme, end)) break;
      const next = lineEnd(text, end + 1, MAX_SIDE + 1);
      if (next - end > MAX_SIDE) break;
      end = next;
    }
  }
  return { start, end, cutStart, cutEnd };
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
