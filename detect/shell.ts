/**
 * What a shell makes of a word before the client sees it: quotes removed (`http://'169.254'.169.254`), backslash
 * escapes dropped (`1\69.254.169.254`, which an octal reader would take for `\6`), PowerShell's backtick and cmd's
 * caret escapes dropped (`169.2`54...`, `1^69.2^54...`), expansions of unset variables made empty
 * (`169.254$x.169.254`), and curl URL globbing and bash brace expansion expanded (`169.254.169.[250-255]`,
 * `{169,127}.254.169.254`, `169.254.169.{250..255}`). The detector reads a window once more in each of these
 * readings, every character still mapped to where it stands in the original.
 */
import type { Decoded } from "./normalise";

/** At most this many globs are expanded per window, and at most this many readings made from them. */
const MAX_GROUPS = 4;
const MAX_READINGS = 64;
/** Longest glob group looked at (a list or a range, braces or brackets included). */
const MAX_GROUP = 256;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isWordChar = (c: number): boolean => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const inWord = (c: number): boolean => isWordChar(c) || c === 46;

/** Quick test: could a shell reading of `text` differ from the text? */
export function mayNeedShellReading(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 39 || c === 34 || c === 92 || c === 96 || c === 94 || c === 36 || c === 123 || c === 91) return true;
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
 * (letters or numbers, optional `:step`) replaced by one of its values, the whole group mapped to each value. Ranges
 * contribute only their ends and the values inside them that are a byte of some address in `interesting` (the
 * catalogue's), so a reading count stays small; undefined when there is no group.
 */
export function expandGlobs(text: string, interesting: ReadonlySet<number>): Decoded[] | undefined {
  const groups: Group[] = [];
  for (let i = 0; i < text.length && groups.length < MAX_GROUPS; i++) {
    const c = text.charCodeAt(i);
    if (c !== 123 && c !== 91) continue;
    const close = text.indexOf(c === 123 ? "}" : "]", i + 1);
    if (close < 0 || close - i > MAX_GROUP) continue;
    const body = text.slice(i + 1, close);
    if (/[\s{}[\]]/.test(body)) continue;
    const choices = c === 123 ? braceChoices(body, interesting) : rangeChoices(body, interesting);
    if (choices && choices.length > 0) {
      groups.push({ start: i, end: close + 1, choices });
      i = close;
    }
  }
  if (groups.length === 0) return undefined;
  const readings: Decoded[] = [];
  const pick = new Array<number>(groups.length).fill(0);
  while (readings.length < MAX_READINGS) {
    readings.push(reading(text, groups, pick));
    let g = groups.length - 1;
    while (g >= 0 && ++pick[g] === groups[g].choices.length) pick[g--] = 0;
    if (g < 0) break;
  }
  return readings;
}

function reading(text: string, groups: readonly Group[], pick: readonly number[]): Decoded {
  const out: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let from = 0;
  const keep = (to: number): void => {
    out.push(text.slice(from, to));
    for (let k = from; k < to; k++) {
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
  keep(text.length);
  return { text: out.join(""), starts, ends };
}

/** `a,b,c` (bash and curl) or `m..n[..step]` (bash). */
function braceChoices(body: string, interesting: ReadonlySet<number>): string[] | undefined {
  const seq = /^(-?[0-9]{1,6})\.\.(-?[0-9]{1,6})(?:\.\.(-?[0-9]{1,6}))?$/.exec(body);
  if (seq) return numbers(Number(seq[1]), Number(seq[2]), Math.abs(Number(seq[3] ?? 1)) || 1, interesting);
  if (!body.includes(",")) return undefined;
  const parts = body.split(",");
  return parts.length <= 16 ? parts : parts.slice(0, 16);
}

/** `m-n` or `m-n:step` (curl), numbers or single letters. */
function rangeChoices(body: string, interesting: ReadonlySet<number>): string[] | undefined {
  const m = /^([0-9]{1,6})-([0-9]{1,6})(?::([0-9]{1,6}))?$/.exec(body);
  if (m) {
    // curl keeps the width of a zero-padded start (`[001-100]`).
    const width = m[1].startsWith("0") ? m[1].length : 0;
    return numbers(Number(m[1]), Number(m[2]), Number(m[3] ?? 1) || 1, interesting).map((v) => v.padStart(width, "0"));
  }
  const l = /^([a-zA-Z])-([a-zA-Z])$/.exec(body);
  return l ? [l[1], l[2]] : undefined;
}

/** The ends of a range and the interesting values on its steps. */
function numbers(a: number, b: number, step: number, interesting: ReadonlySet<number>): string[] {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const values = new Set<number>([a, b]);
  for (const v of interesting) if (v >= lo && v <= hi && (v - a) % step === 0) values.add(v);
  return [...values].map(String);
}
