/**
 * String literals glued back together: `"http://169.254" + ".169.254/latest"` (JavaScript, Java, Python, Groovy),
 * `'169.254' '.169.254'` (Python's and C's adjacent literals), `"169.254"".169.254"` (shell words) and
 * `'169.254' .. '.169.254'` (Lua) or `'169.254' . '.169.254'` (PHP, Perl) all hand a URL parser one string. The
 * detector reads a window a second time with the glue between two literals of the same quote removed, so an address
 * split across literals is seen whole, with every character still mapped to where it stands in the original.
 */
import type { Decoded } from "./normalise";

// A closing quote, the glue, an opening quote of the same kind, on one line; each quote may be escaped, as
// `\" + \"` in a script held in a JSON or YAML string.
const GLUE = /\\?(["'\x60])[ \t]*(?:\+|\.\.?|\|\|)?[ \t]*\\?\1/g;
/** True for text holding glue between two string literals (a finding's match, to say how it was written). */
export const STRING_GLUE = new RegExp(GLUE.source);

/**
 * The text with the glue between adjacent string literals removed, or undefined when there is none. Offsets in the
 * result map to `text` through `starts`/`ends`, as a decoding does.
 */
export function joinStringLiterals(text: string): Decoded | undefined {
  GLUE.lastIndex = 0;
  let m = GLUE.exec(text);
  if (!m) return undefined;
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
  for (; m; m = GLUE.exec(text)) {
    keep(m.index);
    from = m.index + m[0].length;
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
