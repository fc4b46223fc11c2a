/**
 * What a shell makes of a word before the client sees it: quotes removed (`http://'169.254'.169.254`), backslash
 * escapes dropped (`1\69.254.169.254`, which an octal reader would take for `\6`), PowerShell's backtick and cmd's
 * caret escapes dropped (`169.2`54...`, `1^69.2^54...`), expansions of unset variables made empty
 * (`169.254$x.169.254`), and curl URL globbing and bash brace expansion expanded (`169.254.169.[250-255]`,
 * `{169,127}.254.169.254`, `169.254.169.{250..255}`). The detector reads a window once more in each of these
 * readings, every character still mapped to where it stands in the original.
 */
import type { Decoded } from "./normalise";

/** At most this many globs are expanded together, and at most this many readings made from them. */
const MAX_GROUPS = 4;
const MAX_READINGS = 32;
/** Globs this close together are expanded together; a reading covers this much text around its globs. */
const NEAR = 128;
/** The glob readings of a text read at most this many times its length in all. */
const BUDGET_FACTOR = 4;
/** Longest glob group looked at (a list or a range, braces or brackets included). */
const MAX_GROUP = 256;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const inWord = (c: number): boolean => isWordChar(c) || c === 46;
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 44 || c === 59 || c === 60 || c === 62 || c === 40 || c === 41 || c === 124 || c === 38;

const isMark = (c: number): boolean => c === 39 || c === 34 || c === 92 || c === 96 || c === 94 || c === 36 || c === 123 || c === 125 || c === 91 || c === 93;
const isHostChar = (c: number): boolean => isWordChar(c) || c === 46 || c === 47 || c === 58 || c === 64;
/** A digit, dot, slash or at sign: what stands on at least one side of a mark inside an address or URL. */
const isAddressChar = (c: number): boolean => isDigit(c) || c === 46 || c === 47 || c === 64;

/**
 * Quick test: could a shell reading of `text` change an address in it? Only when quotes, escapes, globs or an
 * expansion stand inside a word, between two characters an address or URL is made of, one of them a digit, dot,
 * slash or `@` (`http://'169.254'.169`, `1\69`, `.{250..255}`); quotes around a whole value (`"1.0"`) change
 * nothing.
 */
export function mayNeedShellReading(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    if (!isMark(text.charCodeAt(i))) continue;
    let j = i;
    while (j < text.length && isMark(text.charCodeAt(j))) j++;
    const before = text.charCodeAt(i - 1);
    const after = text.charCodeAt(j);
    // `"a":"b"` (JSON) and `C:\Users` have a letter or colon on each side: not an address being spelled.
    if ((isAddressChar(before) && isHostChar(after)) || (isHostChar(before) && isAddressChar(after))) return true;
    i = j;
  }
  return false;
}

/**
 * `text` with quotes, backslash, backtick and caret escapes removed and empty expansions dropped, or undefined
 * when nothing changed. Offsets map back through `starts`/`ends`.
 */
export function unquote(text: string): Decoded | undefined {
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const keep = (ch: string, from: number, to: number): void => {
    out.push(ch);
    starts.push(from);
    ends.push(to);
  };
  let changed = false;
  const vars = assignments(text);
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 36 && vars.size > 0) {
      // A variable assigned a literal earlier in the window: `x='169.254'; curl http://$x.169.254/`.
      const name = variableAt(text, i);
      const value = name && vars.get(name.name);
      if (name && value !== undefined) {
        for (const ch of value) keep(ch, i, name.end);
        changed = true;
        i = name.end;
        continue;
      }
    }
    if (c === 39 || c === 34) {
      changed = true;
      i++;
      continue;
    }
    if ((c === 92 || c === 96) && i + 1 < text.length) {
      // `\` and PowerShell's `` ` `` escape the next character; before a line break they continue the line.
      changed = true;
      if (next === 10 || next === 13) {
        let k = i + 1;
        while (text.charCodeAt(k) === 13 || text.charCodeAt(k) === 10) k++;
        i = k;
        continue;
      }
      // The kept character maps to itself, so a finding starts where a plain reading's would.
      keep(text[i + 1], i + 1, i + 2);
      i += 2;
      continue;
    }
    if (c === 94) {
      // cmd: `^x` is x, `^^` a caret.
      changed = true;
      if (i + 1 < text.length) keep(text[i + 1], i + 1, i + 2);
      i += 2;
      continue;
    }
    if (c === 36 && inWord(text.charCodeAt(i - 1))) {
      // An expansion glued inside a word (`169.254$x.169.254`, `evil${EMPTY}.com`): read as empty, as when unset.
      const end = expansionEnd(text, i);
      if (end > i) {
        changed = true;
        i = end;
        continue;
      }
    }
    keep(text[i], i, i + 1);
    i++;
  }
  return changed ? { text: out.join(""), starts, ends } : undefined;
}

// `name=value` after a separator, the value quoted or a bare word. Linear: the name's run starts only after a
// separator, and each quoted value ends at the first closing quote.
const ASSIGNMENT = /(?:^|[\s;&|(])([A-Za-z_][A-Za-z0-9_]{0,63})=(?:'([^'\n]{0,256})'|"([^"$`\\\n]{0,256})"|([^\s;&|'"$`\\()]{1,256}))/g;

/** Shell variables assigned a literal in `text`, by name (the last assignment wins). */
function assignments(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  if (!text.includes("=")) return vars;
  ASSIGNMENT.lastIndex = 0;
  for (let m = ASSIGNMENT.exec(text); m; m = ASSIGNMENT.exec(text)) vars.set(m[1], m[2] ?? m[3] ?? m[4]);
  return vars;
}

/** The variable named by `$name` or `${name}` at `i`, and where its reference ends. */
function variableAt(text: string, i: number): { name: string; end: number } | undefined {
  const braced = text.charCodeAt(i + 1) === 123;
  const m = /^[A-Za-z_][A-Za-z0-9_]{0,63}/.exec(text.slice(i + (braced ? 2 : 1), i + 68));
  if (!m) return undefined;
  const end = i + (braced ? 2 : 1) + m[0].length;
  if (braced) return text.charCodeAt(end) === 125 ? { name: m[0], end: end + 1 } : undefined;
  return { name: m[0], end };
}

/** End of `$name` or `${...}` at `i` (no nesting, at most 64 characters), or `i` when there is none. */
function expansionEnd(text: string, i: number): number {
  if (text.charCodeAt(i + 1) === 123) {
    const close = text.indexOf("}", i + 2);
    return close > i + 2 && close - i <= 64 && !/[\s{$]/.test(text.slice(i + 2, close)) ? close + 1 : i;
  }
  let k = i + 1;
  if (!isWordChar(text.charCodeAt(k)) || isDigit(text.charCodeAt(k))) return i;
  while (k < text.length && k - i <= 64 && isWordChar(text.charCodeAt(k))) k++;
  return k;
}

interface Group {
  readonly start: number;
  readonly end: number;
  readonly choices: readonly string[];
}

/**
 * The readings curl's URL globbing and bash brace expansion make of `text`: each `{a,b}`, `{m..n}` and `[m-n]`
 * (letters or numbers, optional `:step`) that touches an address (a dot, digit, `/` or `@` beside it) replaced by
 * one of its values, the whole group mapped to each value. Groups close together are expanded together, over the
 * stretch of text around them only. Ranges contribute only their ends and the values inside them that are a byte
 * of some address in `interesting` (the catalogue's), so the count stays small; the total length read is bounded
 * by a multiple of the text's, however many globs it holds. Undefined when there is no group.
 */
export function expandGlobs(text: string, interesting: readonly number[]): Decoded[] | undefined {
  const clusters: Group[][] = [];
  let cluster: Group[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 123 && c !== 91) continue;
    const close = text.indexOf(c === 123 ? "}" : "]", i + 1);
    if (close < 0) break;
    if (close - i > MAX_GROUP || !touchesAddress(text, i, close + 1)) continue;
    const body = text.slice(i + 1, close);
    if (/[\s{}[\]]/.test(body)) continue;
    const choices = c === 123 ? braceChoices(body, interesting) : rangeChoices(body, interesting);
    if (!choices || choices.length === 0) continue;
    const group = { start: i, end: close + 1, choices };
    const last = cluster[cluster.length - 1];
    if (last && (group.start - last.end > NEAR || cluster.length === MAX_GROUPS)) {
      clusters.push(cluster);
      cluster = [];
    }
    cluster.push(group);
    i = close;
  }
  if (cluster.length > 0) clusters.push(cluster);
  if (clusters.length === 0) return undefined;
  const readings: Decoded[] = [];
  let budget = BUDGET_FACTOR * text.length + 4096;
  for (const groups of clusters) {
    // Cut between tokens, never inside one: a number's tail read alone could look like an address.
    let from = Math.max(0, groups[0].start - NEAR);
    while (from > 0 && groups[0].start - from < 2 * NEAR && !isSpace(text.charCodeAt(from - 1))) from--;
    let to = Math.min(text.length, groups[groups.length - 1].end + NEAR);
    while (to < text.length && to - groups[groups.length - 1].end < 2 * NEAR && !isSpace(text.charCodeAt(to))) to++;
    if ((from > 0 && !isSpace(text.charCodeAt(from - 1))) || (to < text.length && !isSpace(text.charCodeAt(to)))) continue;
    const pick = new Array<number>(groups.length).fill(0);
    for (let made = 0; made < MAX_READINGS && budget > 0; made++) {
      readings.push(reading(text, from, to, groups, pick));
      budget -= to - from;
      let g = groups.length - 1;
      while (g >= 0 && ++pick[g] === groups[g].choices.length) pick[g--] = 0;
      if (g < 0) break;
    }
    if (budget <= 0) break;
  }
  return readings;
}

/** True when the group at [start, end) stands in an address: a dot, a digit, `/` or `@` before it, or a dot, digit, `:` or `/` after. */
function touchesAddress(text: string, start: number, end: number): boolean {
  const b = text.charCodeAt(start - 1);
  const a = text.charCodeAt(end);
  return b === 46 || b === 47 || b === 64 || isDigit(b) || a === 46 || a === 47 || a === 58 || isDigit(a);
}

/** The text of [from, to) with each group replaced by its picked value, offsets mapped into `text`. */
function reading(text: string, from: number, to: number, groups: readonly Group[], pick: readonly number[]): Decoded {
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const keep = (upTo: number): void => {
    out.push(text.slice(from, upTo));
    for (let k = from; k < upTo; k++) {
      starts.push(k);
      ends.push(k + 1);
    }
  };
  groups.forEach((g, n) => {
    keep(g.start);
    const value = g.choices[pick[n]];
    out.push(value);
    for (let k = 0; k < value.length; k++) {
      starts.push(g.start);
      ends.push(g.end);
    }
    from = g.end;
  });
  keep(to);
  return { text: out.join(""), starts, ends };
}

/** `a,b,c` (bash and curl) or `m..n[..step]` (bash). */
function braceChoices(body: string, interesting: readonly number[]): string[] | undefined {
  const seq = /^(-?[0-9]{1,6})\.\.(-?[0-9]{1,6})(?:\.\.(-?[0-9]{1,6}))?$/.exec(body);
  if (seq) return numbers(Number(seq[1]), Number(seq[2]), Math.abs(Number(seq[3] ?? 1)) || 1, interesting);
  if (!body.includes(",")) return undefined;
  const parts = body.split(",");
  return parts.length <= 16 ? parts : parts.slice(0, 16);
}

/** `m-n` or `m-n:step` (curl), numbers or single letters. */
function rangeChoices(body: string, interesting: readonly number[]): string[] | undefined {
  const m = /^([0-9]{1,6})-([0-9]{1,6})(?::([0-9]{1,6}))?$/.exec(body);
  if (m) {
    // curl keeps the width of a zero-padded start (`[001-100]`).
    const width = m[1].startsWith("0") ? m[1].length : 0;
    return numbers(Number(m[1]), Number(m[2]), Number(m[3] ?? 1) || 1, interesting).map((v) => v.padStart(width, "0"));
  }
  const l = /^([a-zA-Z])-([a-zA-Z])$/.exec(body);
  return l ? [l[1], l[2]] : undefined;
}

/** The interesting values on a range's steps, in the order given, then its ends. */
function numbers(a: number, b: number, step: number, interesting: readonly number[]): string[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const values = new Set<number>();
  for (const v of interesting) if (v >= lo && v <= hi && (v - a) % step === 0) values.add(v);
  values.add(a).add(b);
  return [...values].map(String);
}
