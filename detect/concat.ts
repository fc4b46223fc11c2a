/**
 * String literals glued back together: `"http://169.254" + ".169.254/latest"` (JavaScript, Java, Python, Groovy),
 * `'169.254' '.169.254'` (Python's and C's adjacent literals), `"169.254"".169.254"` (shell words) and
 * `'169.254' .. '.169.254'` (Lua), `'169.254' . '.169.254'` (PHP, Perl) and `'169.254' ~ '.169.254'` (Pebble, Kestra's
 * templates) all hand a URL parser one string. The
 * detector reads a window a second time with the glue between two literals of the same quote removed, so an address
 * split across literals is seen whole, with every character still mapped to where it stands in the original.
 */
import type { Decoded } from "./normalise";

/** Quote characters a string literal may use: `"`, `'` and the backtick (JavaScript templates, shell). */
const isQuote = (c: number): boolean => c === 34 || c === 39 || c === 96;
const isBlank = (c: number): boolean => c === 32 || c === 9;

/**
 * The end of the glue starting at `i` (a closing quote, or a backslash before one), or -1: the quote, blanks, an
 * optional operator (`+`, `.`, `..`, `||`, Pebble's `~`), blanks, and an opening quote of the same kind, each quote
 * possibly escaped (`\" + \"` in a script held in a JSON or YAML string). A scanner, not a regular expression:
 * two blank runs around an optional operator make a backtracking regex quadratic in a run of blanks after a quote.
 */
function glueAt(text: string, i: number): number {
  // Reads stay inside the text: a read past its end returns NaN, and optimized code that meets one is thrown away.
  const n = text.length;
  let k = i;
  if (text.charCodeAt(k) === 92) k++;
  if (k >= n) return -1;
  const q = text.charCodeAt(k);
  if (!isQuote(q)) return -1;
  k++;
  while (k < n && isBlank(text.charCodeAt(k))) k++;
  if (k >= n) return -1;
  const c = text.charCodeAt(k);
  if (c === 43 || c === 126) k++; // + ~
  else if (c === 46) k += k + 1 < n && text.charCodeAt(k + 1) === 46 ? 2 : 1; // . ..
  else if (c === 124 && k + 1 < n && text.charCodeAt(k + 1) === 124) k += 2; // ||
  while (k < n && isBlank(text.charCodeAt(k))) k++;
  if (k < n && text.charCodeAt(k) === 92) k++;
  return k < n && text.charCodeAt(k) === q ? k + 1 : -1;
}

/** Every glue in `text`, left to right and not overlapping, as [start, end) pairs. Linear in the text's length. */
// A quote, or a backslash before one: where a glue can start. One character class, so the regex engine finds them
// at memory speed; the glue itself is then read by glueAt.
const GLUE_START = /\\?["'\x60]/g;

function glues(text: string, limit = Infinity): [number, number][] {
  const found: [number, number][] = [];
  GLUE_START.lastIndex = 0;
  for (let m = GLUE_START.exec(text); m && found.length < limit; m = GLUE_START.exec(text)) {
    const end = glueAt(text, m.index);
    if (end >= 0) {
      found.push([m.index, end]);
      GLUE_START.lastIndex = end;
    } else if (m[0].length === 2) {
      // `\'` that starts no glue: the quote alone may still close a literal.
      GLUE_START.lastIndex = m.index + 1;
    }
  }
  return found;
}

/** True for text holding glue between two string literals (a finding's match, to say how it was written). */
export function hasStringGlue(text: string): boolean {
  return glues(text, 1).length > 0;
}

/**
 * The text with the glue between adjacent string literals removed, or undefined when there is none. Offsets in the
 * result map to `text` through `starts`/`ends`, as a decoding does.
 */
export function joinStringLiterals(text: string): Decoded | undefined {
  const found = glues(text);
  if (found.length === 0) return undefined;
  const parts: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let from = 0;
  const keep = (to: number): void => {
    parts.push(text.slice(from, to));
    for (let k = from; k < to; k++) {
      starts.push(k);
      ends.push(k + 1);
    }
  };
  for (const [start, end] of found) {
    keep(start);
    from = end;
  }
  keep(text.length);
  return { text: parts.join(""), starts, ends };
}

/** `inner` read over the text of `outer`, mapped back to what `outer` was read over. */
export function composeDecoded(outer: Decoded, inner: Decoded): Decoded {
  if (!outer.starts || !outer.ends) return inner;
  const os = outer.starts;
  const oe = outer.ends;
  if (!inner.starts || !inner.ends) return { text: inner.text, starts: os, ends: oe };
  return { text: inner.text, starts: inner.starts.map((s) => os[s]), ends: inner.ends.map((e) => oe[e - 1]) };
}
