/**
 * Pebble, the template language of Kestra flows: a property such as `uri: "http://{{ '169.254' }}.169.254/"` or
 * `{% set h = '169' ~ '.254' %}...http://{{ h }}.169.254/` reaches the endpoint once rendered, though no line of the
 * file spells it. This module evaluates the part of Pebble that builds strings from literals (string and number
 * literals, lists and maps of them, `~` concatenation, `{% set %}` variables, and the filters `join`, `replace`,
 * `lower`, `upper`, `trim`, `default`, `first`, `last`, `raw`, `escape`) and gives, for each line holding an
 * expression it could evaluate, the line as rendered, every character mapped to where it stands in the original.
 *
 * Anything else (`inputs`, `outputs`, functions, arithmetic) is unknown: an expression that needs it is left as
 * written, never guessed. Variables are taken in text order across the whole file, as a flow's tasks see the ones
 * set before them.
 */
import type { Decoded } from "./normalise";

/** Longest expression evaluated, and longest value kept: bounds the work on hostile input. */
const MAX_EXPRESSION = 1024;
const MAX_VALUE = 4096;
/** Longest line rendered around an evaluated expression. */
const MAX_LINE = 8192;

/** A rendered line: where it stands in the text, and its rendered reading. */
export interface RenderedLine {
  readonly start: number;
  readonly end: number;
  readonly rendered: Decoded;
}

type Value = string | number | Value[] | { readonly [key: string]: Value } | undefined;

interface Tag {
  readonly start: number;
  readonly end: number;
  readonly kind: "print" | "set";
  readonly name?: string;
  readonly value: Value;
}

/**
 * Quick test: could the text hold a Pebble expression with a value (a `set` tag, or a print tag that starts with
 * a literal, a list, or a group holding a literal or a `default`)? Most flows print only run-time values
 * (`{{ outputs.x.uri }}`, `{% for %}`, `{% if %}`) and are passed over here, by a scan of the `{` openings
 * (measured: one regex or a substring search per file costs as much as the rest of the cheap pass). A literal inside
 * the `default(...)` fallback of a tag that starts with a run-time value is left to the window readings, which see
 * it and join it when it is split with `~`.
 */
export function mayHoldTemplates(text: string): boolean {
  // One loop over the `{` of the text finds both openings (a search for `{%` and another for `{{` read it twice).
  for (let i = text.indexOf("{"); i >= 0; i = text.indexOf("{", i + 1)) {
    const second = text.charCodeAt(i + 1);
    if (second !== 123 && second !== 37) continue;
    // renderTemplates reads no statement but `set` (`{% for %}` and `{% if %}` are common and give no value), and
    // print tags only read variables a `set` made: what its mayHaveValue looks at first. Bounded as renderTemplates
    // bounds a tag (one longer is not read), so a hostile run of openings stays linear.
    let k = tagBodyStart(text, i + 2, i + MAX_EXPRESSION);
    if (second === 37) {
      if (text.startsWith("set", k)) return true;
    } else if (startsLiteral(text.charCodeAt(k))) {
      return true;
    } else if (text.charCodeAt(k) === 40) {
      // A group: a literal inside it, or a run-time value with a `default` fallback, which is the only filter that
      // gives an unknown value one (`{{ (inputs.h | default('169.254')) }}`); `{{ (outputs.x.size ?? 0) }}` has none.
      while (k < i + MAX_EXPRESSION && (text.charCodeAt(k) === 40 || isTagSpace(text.charCodeAt(k)))) k++;
      if (startsLiteral(text.charCodeAt(k)) || hasDefaultBefore(text, k, i + MAX_EXPRESSION)) return true;
    }
    // Nothing between the opening and `k` opens another tag (a `{` there would stop the skips above).
    i = k - 1;
  }
  return false;
}

const isTagSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
/** Where a tag's expression starts: past the `-` of whitespace control and the white space after the opening at `from`. */
function tagBodyStart(text: string, from: number, to: number): number {
  let k = from;
  if (text.charCodeAt(k) === 45) k++;
  while (k < to && isTagSpace(text.charCodeAt(k))) k++;
  return k;
}
/** A quote, a list's `[` or a digit: an expression starting so is a literal. */
const startsLiteral = (c: number): boolean => c === 39 || c === 34 || c === 91 || (c >= 48 && c <= 57);

/** True when `default` occurs in `text` from `from` up to the tag's closing `}}`, looked for before `limit` only. */
function hasDefaultBefore(text: string, from: number, limit: number): boolean {
  const stop = Math.min(limit, text.length);
  for (let d = from; d < stop; d++) {
    const c = text.charCodeAt(d);
    if (c === 125 && text.charCodeAt(d + 1) === 125) return false;
    if (c === 100 && text.startsWith("default", d)) return true;
  }
  return false;
}

/**
 * Every line that holds a Pebble tag with a known value (a print tag whose expression evaluates, or a `set`
 * tag), rendered: print tags replaced by their value, set tags by nothing. Offsets in `rendered` are relative to
 * the line's start.
 */
export function renderTemplates(text: string): RenderedLine[] {
  const vars = new Map<string, Value>();
  const tags: Tag[] = [];
  // The next `}}` and `%}` found so far: reused while still ahead, so many openings before one far closing cost one
  // search, not one each.
  const closing = { "}}": -2, "%}": -2 };
  for (let i = text.indexOf("{"); i >= 0 && i < text.length; i = text.indexOf("{", i + 1)) {
    const second = text.charCodeAt(i + 1);
    if (second !== 123 && second !== 37) continue;
    const marker = second === 123 ? "}}" : "%}";
    if (closing[marker] !== -1 && closing[marker] < i + 2) closing[marker] = text.indexOf(marker, i + 2);
    const close = closing[marker];
    if (close < 0) continue;
    if (close - i > MAX_EXPRESSION) continue;
    // Most tags in a flow read run-time values (`{{ outputs.x.uri }}`): judged on the characters, without slicing.
    if (!mayHaveValue(text, i + 2, close, second === 37, vars)) {
      i = close + 1;
      continue;
    }
    let body = text.slice(i + 2, close);
    if (body.startsWith("-")) body = body.slice(1);
    if (body.endsWith("-")) body = body.slice(0, -1);
    const end = close + 2;
    if (second === 37) {
      const set = /^\s*set\s+([A-Za-z_][A-Za-z0-9_]*)\s*=([\s\S]*)$/.exec(body);
      if (set) {
        const value = worthEvaluating(set[2], vars) ? evaluate(set[2], vars) : undefined;
        vars.set(set[1], value);
        tags.push({ start: i, end, kind: "set", name: set[1], value });
      }
    } else if (worthEvaluating(body, vars)) {
      const value = evaluate(body, vars);
      if (value !== undefined) tags.push({ start: i, end, kind: "print", value });
    }
    i = end - 1;
  }
  return renderLines(text, tags);
}

/**
 * Cheap look at the tag body [from, to): a `set` tag, or a print tag {@link worthEvaluating} may accept (it starts
 * with a literal, a variable set in the file, or holds `default`).
 */
function mayHaveValue(text: string, from: number, to: number, statement: boolean, vars: ReadonlyMap<string, Value>): boolean {
  const k = tagBodyStart(text, from, to);
  if (statement) return text.startsWith("set", k);
  const c = text.charCodeAt(k);
  if (startsLiteral(c) || c === 40) return true;
  let e = k;
  while (e < to && /[A-Za-z0-9_]/.test(text[e])) e++;
  if (e > k && vars.size > 0 && vars.has(text.slice(k, e))) return true;
  return hasDefaultBefore(text, e, to);
}

/**
 * Only expressions that start from a literal or a variable set in the file, or fall back to one through `default`,
 * can have a value: `{{ outputs.x.uri }}` and `{{ now() | date('yyyy') }}` are skipped without parsing.
 */
function worthEvaluating(body: string, vars: ReadonlyMap<string, Value>): boolean {
  const first = /^\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(body);
  if (first === null) return /^\s*['"0-9[(]/.test(body);
  if (vars.has(first[1])) return true;
  return body.includes("default") && /['"]/.test(body);
}

function renderLines(text: string, tags: readonly Tag[]): RenderedLine[] {
  const lines: RenderedLine[] = [];
  let t = 0;
  while (t < tags.length) {
    const lineStart = lineStartBefore(text, tags[t].start);
    const lineEnd = lineEndAfter(text, tags[t].end);
    const out: string[] = [];
    const starts: number[] = [];
    const ends: number[] = [];
    let from = lineStart;
    // Offsets relative to the line, as a decoding of the line's text would give them.
    const keep = (to: number): void => {
      out.push(text.slice(from, to));
      for (let k = from; k < to; k++) {
        starts.push(k - lineStart);
        ends.push(k + 1 - lineStart);
      }
    };
    let printed = false;
    for (; t < tags.length && tags[t].end <= lineEnd; t++) {
      const tag = tags[t];
      keep(tag.start);
      const value = tag.kind === "print" ? asText(tag.value) : "";
      if (value !== undefined) {
        printed ||= tag.kind === "print";
        out.push(value);
        for (let k = 0; k < value.length; k++) {
          starts.push(tag.start - lineStart);
          ends.push(tag.end - lineStart);
        }
        from = tag.end;
      } else {
        from = tag.start;
      }
    }
    // A tag that starts on this line but ends past the cut belongs to no line: skip it.
    while (t < tags.length && tags[t].start < lineEnd) t++;
    keep(lineEnd);
    if (printed) lines.push({ start: lineStart, end: lineEnd, rendered: { text: out.join(""), starts, ends } });
  }
  return lines;
}

/** Start of the line holding `at`, looking back at most MAX_LINE characters (a megabyte-long line stays linear). */
function lineStartBefore(text: string, at: number): number {
  const stop = Math.max(0, at - MAX_LINE);
  for (let k = at - 1; k >= stop; k--) if (text.charCodeAt(k) === 10) return k + 1;
  return stop;
}

/** End of the line holding `from`, looking ahead at most MAX_LINE characters. */
function lineEndAfter(text: string, from: number): number {
  const stop = Math.min(text.length, from + MAX_LINE);
  for (let k = from; k < stop; k++) if (text.charCodeAt(k) === 10) return k;
  return stop;
}

function asText(v: Value): string | undefined {
  if (typeof v === "string") return v.slice(0, MAX_VALUE);
  if (typeof v === "number") return String(v);
  if (Array.isArray(v)) {
    const parts = v.map(asText);
    return parts.every((p) => p !== undefined) ? `[${parts.join(", ")}]`.slice(0, MAX_VALUE) : undefined;
  }
  return undefined;
}

// ---- a small recursive-descent evaluator over a token list ----

type Token = { kind: "str"; value: string } | { kind: "num"; value: number } | { kind: "name"; value: string } | { kind: "op"; value: string };

function tokenize(src: string): Token[] | undefined {
  const tokens: Token[] = [];
  for (let i = 0; i < src.length; ) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'" || c === '"') {
      let value = "";
      let k = i + 1;
      for (; k < src.length && src[k] !== c; k++) {
        if (src[k] === "\\" && k + 1 < src.length) k++;
        value += src[k];
      }
      if (k >= src.length) return undefined;
      tokens.push({ kind: "str", value });
      i = k + 1;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(?:\.[0-9]+)?/.exec(src.slice(i, i + 32))!;
      tokens.push({ kind: "num", value: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 128))!;
      tokens.push({ kind: "name", value: m[0] });
      i += m[0].length;
    } else if ("~|()[]{},:.".includes(c)) {
      tokens.push({ kind: "op", value: c });
      i++;
    } else {
      return undefined;
    }
  }
  return tokens;
}

/** The value of a Pebble expression built from literals and known variables, or undefined. */
export function evaluate(src: string, vars: ReadonlyMap<string, Value>): Value {
  const tokens = tokenize(src);
  if (!tokens || tokens.length === 0) return undefined;
  let pos = 0;
  let failed = false;
  const peek = (v: string): boolean => tokens[pos]?.kind === "op" && tokens[pos].value === v;
  const take = (v: string): boolean => {
    if (!peek(v)) return false;
    pos++;
    return true;
  };
  const fail = (): Value => {
    failed = true;
    return undefined;
  };

  const concat = (): Value => {
    let left = filtered();
    while (!failed && take("~")) {
      const right = filtered();
      const a = asText(left);
      const b = asText(right);
      left = a === undefined || b === undefined ? undefined : (a + b).slice(0, MAX_VALUE);
    }
    return left;
  };
  const filtered = (): Value => {
    let value = primary();
    while (!failed && take("|")) {
      const name = tokens[pos];
      if (name?.kind !== "name") return fail();
      pos++;
      const args: Value[] = [];
      if (take("(")) {
        while (!failed && !peek(")")) {
          args.push(concat());
          if (!take(",")) break;
        }
        if (!take(")")) return fail();
      }
      value = applyFilter(name.value, value, args);
    }
    return value;
  };
  const primary = (): Value => {
    const t = tokens[pos++];
    if (!t) return fail();
    if (t.kind === "str" || t.kind === "num") return t.value;
    if (t.kind === "name") {
      // Dotted paths (`inputs.host`, `vars.x`) are run-time values: unknown, unless a set variable is named alone.
      let unknown = !vars.has(t.value);
      while (peek(".") && tokens[pos + 1]?.kind === "name") {
        pos += 2;
        unknown = true;
      }
      if (peek("(")) return fail();
      return unknown ? undefined : vars.get(t.value);
    }
    if (t.value === "(") {
      const v = concat();
      return take(")") ? v : fail();
    }
    if (t.value === "[") {
      const items: Value[] = [];
      while (!failed && !peek("]")) {
        items.push(concat());
        if (!take(",")) break;
      }
      return take("]") ? items : fail();
    }
    if (t.value === "{") {
      const map: Record<string, Value> = {};
      while (!failed && !peek("}")) {
        const key = asText(concat());
        if (!take(":")) return fail();
        const v = concat();
        if (key !== undefined) map[key] = v;
        if (!take(",")) break;
      }
      return take("}") ? map : fail();
    }
    return fail();
  };

  const value = concat();
  return failed || pos !== tokens.length ? undefined : value;
}

function applyFilter(name: string, value: Value, args: readonly Value[]): Value {
  switch (name) {
    case "default":
      return value === undefined || value === "" ? args[0] : value;
    case "join": {
      if (!Array.isArray(value)) return undefined;
      const parts = value.map(asText);
      const sep = args.length > 0 ? asText(args[0]) : "";
      return parts.every((p) => p !== undefined) && sep !== undefined ? parts.join(sep).slice(0, MAX_VALUE) : undefined;
    }
    case "replace": {
      const text = asText(value);
      const map = args[0];
      if (text === undefined || !map || typeof map !== "object" || Array.isArray(map)) return undefined;
      let out = text;
      for (const [from, to] of Object.entries(map)) {
        const t = asText(to);
        if (t === undefined || from === "") return undefined;
        out = out.split(from).join(t).slice(0, MAX_VALUE);
      }
      return out;
    }
    case "lower":
      return asText(value)?.toLowerCase();
    case "upper":
      return asText(value)?.toUpperCase();
    case "trim":
      return asText(value)?.trim();
    case "first":
      return Array.isArray(value) ? value[0] : asText(value)?.[0];
    case "last":
      return Array.isArray(value) ? value[value.length - 1] : asText(value)?.slice(-1);
    case "raw":
    case "escape":
    case "e":
    case "string":
      return value;
    default:
      return undefined;
  }
}
