/**
 * The nodes of a flow the fast validity check (yamlVouch.ts) vouched for, read without the YAML parser, as the
 * `yaml` package's own node classes: the runner-escape check (runnerEscapes.ts) then walks them as it walks a parsed
 * document. The parser's cost on the few flows that configure a runner is mostly its first run in a process (it is
 * large, and a scan parses little else), which this reader, a line loop, does not have.
 *
 * Only what the check needs to be exact is read: the block structure, keys, and scalars written on one line (plain,
 * resolved by the core schema's tags as the parser resolves them, or quoted without escapes). Every other scalar
 * (a block scalar, one continued on other lines, a quoted one holding an escape) is an unread scalar whose value
 * throws {@link UNREAD} when read: the check then parses the flow instead. Anything outside the vouched subset this
 * reader does not expect (a document separator, a flow collection it cannot split, a tab) makes it give up
 * (undefined). Its findings equal the parsed document's on every corpus flow, fixture and generated flow
 * (tests/scan/vouchedTree.test.ts).
 */
import * as YAML from "yaml";
import { plainEnd } from "./yamlVouch";

/** Thrown when the check reads the value of a scalar this reader did not read. */
export const UNREAD = Symbol("unread scalar");

/**
 * An empty document, cloned for each tree: the constructor builds a new schema every time (most of the reader's cost
 * on a process's first flows, measured), a clone copies the built one.
 */
const EMPTY_DOCUMENT = new YAML.Document();
/** The core schema's tags, as the parser tries them on a plain scalar (the first whose test matches resolves it). */
const CORE_TAGS = (EMPTY_DOCUMENT.schema.tags as YAML.ScalarTag[]).filter((t) => t.default === true && t.test !== undefined);

interface Line {
  /** Offset of the line's first character, of its first non-space character, and of its end (before `\r\n`/`\n`). */
  readonly start: number;
  readonly at: number;
  readonly end: number;
  /** Offset just past its line break (or the text's end). */
  readonly next: number;
  readonly indent: number;
  /** Only spaces, or a comment. */
  readonly blank: boolean;
}

class GiveUp extends Error {}

/** The document of `text`, which yamlVouch.ts vouched for; undefined when this reader does not handle its shape. */
export function readVouchedTree(text: string): YAML.Document | undefined {
  try {
    const lines = splitLines(text);
    const reader = new Reader(text, lines);
    const first = reader.skipBlank(0);
    const doc = EMPTY_DOCUMENT.clone();
    doc.contents = (first < lines.length ? reader.node(first, -1) : null) as YAML.Document["contents"];
    if (reader.skipBlank(reader.pos) < lines.length) throw new GiveUp();
    return doc;
  } catch (e) {
    if (e instanceof GiveUp) return undefined;
    throw e;
  }
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  for (let start = 0; start < text.length;) {
    let eol = text.indexOf("\n", start);
    if (eol < 0) eol = text.length;
    const end = eol > start && text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol;
    let at = start;
    while (at < end && text.charCodeAt(at) === 32) at++;
    if (text.charCodeAt(at) === 9) throw new GiveUp();
    const blank = at === end || text.charCodeAt(at) === 35;
    if (!blank && text.startsWith("---", at) && at === start) throw new GiveUp(); // another document
    lines.push({ start, at, end, next: Math.min(eol + 1, text.length), indent: at - start, blank });
    start = eol + 1;
  }
  return lines;
}

/** Characters no plain key starts with (YAML's indicators; a `-` key is not in the vouched subset either). */
const NOT_KEY_START = new Uint8Array(128);
for (const c of "?:,[]{}#&*!|>%@`-") NOT_KEY_START[c.charCodeAt(0)] = 1;

/** A `key:` at `i` (plain or quoted without escapes): the key's text, its end, and where the value may start. */
function keyAt(text: string, i: number, end: number): { key: string; keyEnd: number; after: number } | undefined {
  const c = text.charCodeAt(i);
  if (c === 34 || c === 39) {
    // The closing quote on this line (a quoted key holds no escape in the vouched subset).
    let close = i + 1;
    while (close < end && text.charCodeAt(close) !== c) close++;
    if (close >= end || text.charCodeAt(close + 1) !== 58) return undefined;
    const key = text.slice(i + 1, close);
    if (key.includes("\\")) throw new GiveUp();
    if (close + 2 < end && text.charCodeAt(close + 2) !== 32) return undefined;
    return { key, keyEnd: close + 1, after: close + 2 };
  }
  if (c < 128 && NOT_KEY_START[c] === 1) return undefined;
  for (let k = i; k < end; k++) {
    if (text.charCodeAt(k) === 58 && (k + 1 === end || text.charCodeAt(k + 1) === 32)) {
      let e = k;
      while (e > i && text.charCodeAt(e - 1) === 32) e--;
      return { key: text.slice(i, e), keyEnd: e, after: k + 1 };
    }
    if (text.charCodeAt(k) === 32 && text.charCodeAt(k + 1) === 35) return undefined;
  }
  return undefined;
}

/** A plain scalar's value as the core schema resolves it (null, booleans, numbers, else the string). */
function resolvePlain(source: string): YAML.Scalar {
  const tag = CORE_TAGS.find((t) => t.test!.test(source));
  // A tag may resolve to a node of its own (booleans, null), as the parser's composer takes it.
  const resolved: unknown = tag ? tag.resolve(source, () => undefined, {}) : source;
  const s = YAML.isScalar(resolved) ? resolved : new YAML.Scalar(resolved);
  s.type = "PLAIN";
  return s;
}

/**
 * A collection's range is not worked out here (where the parser ends one depends on the comments after it): reading
 * it throws {@link UNREAD}, so a finding placed on a whole collection comes from the parsed document.
 */
function unreadRange<T extends YAML.YAMLMap | YAML.YAMLSeq>(node: T): T {
  Object.defineProperty(node, "range", { get: () => { throw UNREAD; }, set: () => undefined });
  return node;
}

/** A quoted scalar read as written (no escapes in it), with the parser's style and range. */
function quotedScalar(raw: string, quote: number, start: number, end: number): YAML.Scalar {
  const s = new YAML.Scalar(raw);
  s.type = quote === 34 ? "QUOTE_DOUBLE" : "QUOTE_SINGLE";
  s.range = [start, end, end];
  return s;
}

/** True when `line` is a sequence entry (`-` alone or followed by a space). */
function isDashItem(text: string, line: Line): boolean {
  return text.charCodeAt(line.at) === 45 && (line.at + 1 === line.end || text.charCodeAt(line.at + 1) === 32);
}

function unread(start: number, end: number): YAML.Scalar {
  const s = new YAML.Scalar(null);
  Object.defineProperty(s, "value", { get: () => { throw UNREAD; } });
  s.range = [start, end, end];
  return s;
}

class Reader {
  /** The index of the first line not read yet. */
  pos = 0;

  constructor(private readonly t: string, private readonly lines: readonly Line[]) {}

  skipBlank(i: number): number {
    while (i < this.lines.length && this.lines[i].blank) i++;
    return i;
  }

  /** The node whose first line is `i` (not blank), a collection at that line's indentation; sets pos past it. */
  node(i: number, owner: number): YAML.Node {
    const line = this.lines[i];
    if (line.indent <= owner) throw new GiveUp();
    if (isDashItem(this.t, line)) return this.seq(i, line.indent);
    if (keyAt(this.t, line.at, line.end)) return this.map(i, line.indent, line.at);
    // A scalar alone on its line(s).
    return this.scalar(i, line.at, owner);
  }

  /** A block sequence whose dashes stand at `indent`, from line `i`. */
  seq(i: number, indent: number): YAML.YAMLSeq {
    const seq = new YAML.YAMLSeq();
    const t = this.t;
    for (;;) {
      const line = this.lines[i];
      const after = line.at + 1 === line.end ? line.end : line.at + 2;
      const value = this.valueAt(i, after, indent, false, true);
      seq.items.push(value);
      const j = this.skipBlank(this.pos);
      if (j >= this.lines.length) break;
      const next = this.lines[j];
      if (next.indent !== indent || !isDashItem(t, next)) break;
      i = j;
    }
    return unreadRange(seq);
  }

  /** A block mapping whose keys stand at `indent` (the first at offset `firstKey` of line `i`). */
  map(i: number, indent: number, firstKey: number): YAML.YAMLMap {
    const map = new YAML.YAMLMap();
    const t = this.t;
    let at = firstKey;
    for (;;) {
      const line = this.lines[i];
      const k = keyAt(t, at, line.end);
      if (!k) throw new GiveUp();
      const q = t.charCodeAt(at);
      const key = q === 34 || q === 39 ? quotedScalar(k.key, q, at, k.keyEnd) : resolvePlain(k.key);
      key.range = [at, k.keyEnd, k.keyEnd];
      // A sequence may stand at its key's indentation (`key:` then `- item`).
      const value = this.valueAt(i, k.after, indent, true);
      map.items.push(new YAML.Pair(key, value));
      const j = this.skipBlank(this.pos);
      if (j >= this.lines.length) break;
      const next = this.lines[j];
      if (next.indent !== indent || t.charCodeAt(next.at) === 45) break;
      i = j;
      at = next.at;
    }
    return unreadRange(map);
  }

  /**
   * The value of an entry on line `i` starting at offset `from` (after `key:` or `- `), owned by the collection at
   * `owner`; sets pos to the first line after it. `indentless`: a sequence at the owner's indentation may follow;
   * `inSeq`: the entry is a sequence item (`- key: value` starts a mapping there).
   */
  valueAt(i: number, from: number, owner: number, indentless = false, inSeq = false): YAML.Node {
    const t = this.t;
    const line = this.lines[i];
    let v = from;
    while (v < line.end && t.charCodeAt(v) === 32) v++;
    if (v === line.end || t.charCodeAt(v) === 35) {
      // The value is on the next lines, deeper (or a sequence at the owner's indentation), or empty.
      const j = this.skipBlank(i + 1);
      const next = this.lines[j];
      if (next && next.indent > owner) return this.node(j, owner);
      if (next && indentless && next.indent === owner && isDashItem(t, next)) return this.seq(j, owner);
      this.pos = i + 1;
      const empty = new YAML.Scalar(null);
      empty.type = "PLAIN";
      empty.range = [v, v, v];
      return empty;
    }
    // A compact mapping in a sequence entry (`- key: value`): its keys stand at the value's column.
    if (inSeq && keyAt(t, v, line.end)) return this.map(i, v - line.start, v);
    if (t.charCodeAt(v) === 45 && (v + 1 === line.end || t.charCodeAt(v + 1) === 32)) throw new GiveUp(); // `- - x`
    return this.scalar(i, v, owner);
  }

  /** A scalar (or single-line flow collection) starting at offset `v` of line `i`, owned by the collection at `owner`. */
  scalar(i: number, v: number, owner: number): YAML.Node {
    const t = this.t;
    const line = this.lines[i];
    const c = t.charCodeAt(v);
    if (c === 124 || c === 62) {
      // A block scalar: its content is every following line deeper than the owner, or blank.
      let j = i + 1;
      while (j < this.lines.length && (this.lines[j].at === this.lines[j].end || this.lines[j].indent > owner)) j++;
      this.pos = j;
      return unread(v, this.lines[j - 1].next);
    }
    if (c === 91 || c === 123) {
      this.pos = i + 1;
      return this.flow(v, line.end);
    }
    if (c === 34 || c === 39) {
      const close = this.closingQuote(v, line.end, c);
      if (close < 0) {
        // Continued on the next lines: not read here.
        let j = i + 1;
        while (j < this.lines.length && this.closingQuote(this.lines[j].start, this.lines[j].end, c, true) < 0) j++;
        if (j >= this.lines.length) throw new GiveUp();
        this.pos = j + 1;
        return unread(v, this.closingQuote(this.lines[j].start, this.lines[j].end, c, true) + 1);
      }
      if (this.continuationEnd(i + 1, owner, i) > i + 1) throw new GiveUp();
      this.pos = i + 1;
      const raw = t.slice(v + 1, close);
      if ((c === 34 && raw.includes("\\")) || (c === 39 && raw.includes("''"))) return unread(v, close + 1);
      return quotedScalar(raw, c, v, close + 1);
    }
    const e = plainEnd(t, v, line.end);
    const j = this.continuationEnd(i + 1, owner, i);
    this.pos = j;
    if (j > i + 1) return unread(v, this.lines[j - 1].end); // continued on deeper lines
    const s = resolvePlain(t.slice(v, e));
    s.range = [v, e, e];
    return s;
  }

  /** The first line from `j` that does not continue the scalar of line `i` (deeper than the owner, not blank). */
  private continuationEnd(j: number, owner: number, i: number): number {
    let k = j;
    let end = i + 1;
    while (k < this.lines.length && (this.lines[k].blank || this.lines[k].indent > owner)) {
      if (!this.lines[k].blank) end = k + 1;
      else if (this.t.charCodeAt(this.lines[k].at) === 35) break; // a comment ends the scalar
      k++;
    }
    return end;
  }

  /** The offset of the quote closing a scalar opened before `from` on this line, or -1. */
  private closingQuote(from: number, end: number, q: number, continued = false): number {
    const t = this.t;
    for (let k = continued ? from : from + 1; k < end; k++) {
      const c = t.charCodeAt(k);
      if (q === 34 && c === 92) {
        k++;
        continue;
      }
      if (c !== q) continue;
      if (q === 39 && t.charCodeAt(k + 1) === 39) {
        k++;
        continue;
      }
      return k;
    }
    return -1;
  }

  /** A single-line flow sequence or mapping of one-line scalars, from `v` to the line's end. */
  private flow(v: number, end: number): YAML.Node {
    const t = this.t;
    const open = t.charCodeAt(v);
    const close = open === 91 ? 93 : 125;
    const collection = open === 91 ? new YAML.YAMLSeq() : new YAML.YAMLMap();
    let k = v + 1;
    for (;;) {
      while (k < end && t.charCodeAt(k) === 32) k++;
      if (t.charCodeAt(k) === close) break;
      const item = this.flowScalar(k, end, close);
      k = item.next;
      if (open === 123) {
        if (t.charCodeAt(k) !== 58) throw new GiveUp();
        k++;
        while (k < end && t.charCodeAt(k) === 32) k++;
        const value = this.flowScalar(k, end, close);
        k = value.next;
        (collection as YAML.YAMLMap).items.push(new YAML.Pair(item.node, value.node));
      } else (collection as YAML.YAMLSeq).items.push(item.node);
      while (k < end && t.charCodeAt(k) === 32) k++;
      if (t.charCodeAt(k) === 44) k++;
      else if (t.charCodeAt(k) !== close) throw new GiveUp();
    }
    return unreadRange(collection);
  }

  /** One scalar inside a flow collection at `k`: plain (up to `,`, `:` before a space, or the closing bracket) or quoted. */
  private flowScalar(k: number, end: number, close: number): { node: YAML.Scalar; next: number } {
    const t = this.t;
    const c = t.charCodeAt(k);
    if (c === 34 || c === 39) {
      const q = this.closingQuote(k, end, c);
      if (q < 0) throw new GiveUp();
      const raw = t.slice(k + 1, q);
      if ((c === 34 && raw.includes("\\")) || (c === 39 && raw.includes("''"))) throw new GiveUp();
      return { node: quotedScalar(raw, c, k, q + 1), next: q + 1 };
    }
    if (c === 91 || c === 123 || c === 44 || c === close) throw new GiveUp();
    let e = k;
    while (e < end) {
      const x = t.charCodeAt(e);
      if (x === 44 || x === close || x === 91 || x === 123 || x === 93 || x === 125) break;
      if (x === 58 && (t.charCodeAt(e + 1) === 32 || close === 125)) break;
      e++;
    }
    let s = e;
    while (s > k && t.charCodeAt(s - 1) === 32) s--;
    if (s === k) throw new GiveUp();
    const node = resolvePlain(t.slice(k, s));
    node.range = [k, s, s];
    return { node, next: e };
  }
}
