/**
 * The cheap first pass: one regular expression over the raw text that finds every place a reference could start,
 * and the windows (whole lines) around them that the expensive decoding and parsing then look at. Most files have
 * no candidate at all; a typical flow has a few (`1.0`, `12:30`).
 *
 * A candidate is any of: a dot before a digit (every multi-part IPv4 spelling, whatever the radix); a colon before
 * a hex digit or colon (every IPv6 literal, and `http:` before a bare number); `//`; `%`, `\`, `&`, `@`; any
 * non-ASCII character (look-alikes, zero-width characters); ten digits or `0x` and eight hex digits (the only
 * lengths a bare 32-bit number in link-local or catalogued space can have); and the catalogue's name triggers.
 */
import { NAME_TRIGGER_SOURCE } from "./catalogue";

/** A slice of the scanned text worth decoding. */
export interface Window {
  readonly start: number;
  readonly end: number;
  /** True when the window was cut inside a line (a very long one): a match touching the cut is unreliable. */
  readonly cutStart: boolean;
  readonly cutEnd: boolean;
}

const CANDIDATE = new RegExp(
  String.raw`\.\d|:[0-9a-fA-F:]|[%\\&@\u0080-\uffff]|\/\/|[0-9]{10}|0[xX][0-9a-fA-F]{8}|` + NAME_TRIGGER_SOURCE,
  "gi",
);

/** Longest stretch of one line looked at on either side of a candidate. */
const MAX_SIDE = 2048;

/** The windows around every candidate, in order, merged where they overlap. */
export function candidateWindows(text: string): Window[] {
  const windows: Window[] = [];
  const re = new RegExp(CANDIDATE.source, CANDIDATE.flags);
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const w = windowAround(text, m.index);
    const last = windows[windows.length - 1];
    if (last && w.start <= last.end) {
      windows[windows.length - 1] = { start: last.start, end: Math.max(last.end, w.end), cutStart: last.cutStart, cutEnd: w.end >= last.end ? w.cutEnd : last.cutEnd };
    } else {
      windows.push(w);
    }
    // The whole line is in the window now: go on after it.
    re.lastIndex = Math.max(re.lastIndex, w.end);
  }
  return windows;
}

function windowAround(text: string, at: number): Window {
  let start = text.lastIndexOf("\n", at - 1) + 1;
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
      start = text.lastIndexOf("\n", start - 2) + 1;
    }
  }
  let end = lineEnd(text, at);
  let cutEnd = false;
  if (end - at > MAX_SIDE) {
    end = at + MAX_SIDE;
    const space = text.slice(end - 64, end).search(/\s[^\s]*$/);
    if (space >= 0) end = end - 64 + space;
    else cutEnd = true;
  } else {
    // A URL running to the end of the line may go on after a newline (the WHATWG parser drops newlines in URLs).
    for (let k = 0; k < 2 && end < text.length; k++) {
      const line = text.slice(start, end);
      const scheme = line.lastIndexOf("://");
      if (scheme < 0 || /[\s"'<>`]/.test(line.slice(scheme))) break;
      const next = lineEnd(text, end + 1);
      if (next - end > MAX_SIDE) break;
      end = next;
    }
  }
  return { start, end, cutStart, cutEnd };
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl < 0 ? text.length : nl;
}
