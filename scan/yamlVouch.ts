/**
 * A fast, conservative YAML validity check: `vouchForYaml(text)` returns true only for text written in a plain
 * subset of YAML that the `yaml` package parses without an error (with the scanner's options: unique keys, the
 * 1.2 core schema). Anything outside the subset returns false, and the caller falls back to the full parse, which
 * then gives the parser's own message and position. So the check never decides that a file is invalid; it only
 * spares the full parse (about 6 MB/s) for the files it can vouch for (this check: about 200 MB/s in a scan).
 * The parser's own early stages are no shortcut: its lexer alone runs at about 30 MB/s and its CST parser at about
 * 14 MB/s, and most errors (indentation, implicit keys, tabs, duplicate keys) are found only by its composer.
 *
 * The subset is the usual shape of Kestra flows (the check vouches for 812 of the 815 corpus flows, 99.9% of their
 * bytes; the other three are two invalid flows and one with an alias):
 * - block mappings and sequences indented with spaces, compact `- key: value` entries, sequences at their parent
 *   key's indentation, at most MAX_DEPTH collections deep (the parser recurses, and overflows far deeper);
 * - keys: plain (`[A-Za-z_$][A-Za-z0-9_$./ -]*`, `.name`, `/path`, or up to 15 digits; never a word the core
 *   schema resolves to null, a boolean, infinity or NaN), or single-line quoted without escapes; each at most once
 *   per mapping, two keys being the same when the parser would resolve them to equal values (`a` and `"a"`, `1`
 *   and `01`): a duplicate is a parser error;
 * - values on the key's line, or alone on the next, deeper line: a plain scalar (no `: `, no trailing `:`, no
 *   leading indicator) that deeper lines may continue, a quoted scalar with valid escapes whose continuation
 *   lines are deeper than the collection holding it, a single-line flow `[...]`/`{...}` of such scalars, or a
 *   block scalar `|`/`>` (with an optional chomping indicator, no explicit indentation) whose content indentation
 *   is auto-detected the way the parser requires;
 * - comment lines anywhere, `---` document separators, CRLF line ends; tabs only inside block-scalar content.
 *
 * Soundness (whenever this says valid, the parser reports no error) is what tests/scan/yamlVouch*.test.ts
 * check, on every corpus flow and on generated and mutated documents.
 *
 * While it reads, the check can also note (YamlNotes) which of a caller's keys occur and which of its types the
 * `type` values name: every key and every `type` value of a vouched text passes through it, so a caller's gate
 * needs no pass of its own over the text (runnerEscapes.ts: about 75 ms per 40 MB of flows saved, for about 15 ms
 * here).
 */

const SPACE = 0x20;
const TAB = 0x09;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const PIPE = 0x7c;
const GREATER = 0x3e;
const PLUS = 0x2b;
const DOT = 0x2e;
const SLASH = 0x2f;

/** Collections nested deeper than this are left to the parser. */
const MAX_DEPTH = 64;
/** `quoted()`: the line ended inside the scalar. */
const OPEN = -2;
/** Implicit keys longer than this are left to the parser (it refuses those over 1024 characters). */
const MAX_KEY = 1000;

// Control characters other than tab and line feed, a carriage return not ending a line, and U+FEFF: the parser's
// lexer uses \x02, \x18, \x1f and U+FEFF as token markers, and how it treats the others is not part of the subset.
// The first pattern, one character class (irregexp runs it at over 1 GB/s), is the fast test; what it finds is
// checked by the second, which lets a carriage return through before a line feed. (C1 controls, DEL, U+FFFE and
// U+FFFF are ordinary characters to the lexer and to the fuzz tests.)
// eslint-disable-next-line no-control-regex -- control characters are what these patterns look for
const MAYBE_OUTSIDE_SUBSET = /[\x00-\x08\x0b-\x1f\ufeff]/;
// eslint-disable-next-line no-control-regex -- as above
const OUTSIDE_SUBSET = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufeff]|\r(?!\n)/;

// Plain keys the core schema resolves to something other than the same string (so two spellings could collide).
const NON_STRING_KEYS = new Set([
  "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN",
]);
// Their first two characters, as (first << 7 | second): a key without such a start needs no lookup.
const WORD_START = new Uint8Array(1 << 14);
for (const w of NON_STRING_KEYS) WORD_START[(w.charCodeAt(0) << 7) | w.charCodeAt(1)] = 1;

// Characters that may not start a plain scalar (c-indicator), except `-`, handled apart.
const INDICATOR = new Uint8Array(128);
for (const c of "?:,[]{}#&*!|>'\"%@`") INDICATOR[c.charCodeAt(0)] = 1;

// 1: may start a plain key; 2: may continue one, or start one under conditions (space: block keys only).
const KEY_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_$]/.test(ch)) KEY_CHAR[c] = 1;
  else if (/[0-9./-]/.test(ch)) KEY_CHAR[c] = 2;
}

// Characters that end or are refused in a plain scalar inside a flow collection.
const FLOW_STOP = new Uint8Array(128);
for (const c of ",[]{}#:'\"\t") FLOW_STOP[c.charCodeAt(0)] = 1;

// Single-character escapes of double-quoted scalars (YAML 1.2, 5.7), tab excluded.
const SIMPLE_ESCAPE = new Uint8Array(128);
for (const c of "0abtnvfre \"/\\N_LP") SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const enum Mode {
  /** The next line is an entry of an open collection (or the document's first node). */
  Entry,
  /** The last line ended with `key:` or `-`: the next line may hold that entry's value, more indented. */
  Pending,
  /** Inside a block scalar's content. */
  Block,
  /** A plain scalar that more-indented lines may continue. */
  Plain,
  /** Inside a quoted scalar that continues on the next line. */
  Quoted,
}

const enum Kind {
  Map,
  Seq,
  /** A sequence at its parent key's indentation (`key:\n- a`); a key at that indentation closes it. */
  IndentlessSeq,
}

/**
 * Where a plain scalar on one line ends: before ` #` (a comment) or at the line's end `end`, trailing spaces dropped.
 * Shared with vouchedTree.ts, which reads the values this check vouched for.
 */
export function plainEnd(text: string, from: number, end: number): number {
  let e = from;
  // Within the line only: a search to the next ` #` anywhere would make a long file without comments quadratic.
  while (e < end && !(text.charCodeAt(e) === SPACE && text.charCodeAt(e + 1) === HASH)) e++;
  while (e > from && text.charCodeAt(e - 1) === SPACE) e--;
  return e;
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * What a caller wants noted while the check reads: keys (exact text, as the parser resolves a plain or quoted key),
 * and `type` values equal to one of some lower-case ASCII type names, compared as after `trim().toLowerCase()`.
 * Compiled once, then given to every `YamlNotes`. A key is compared only with the watched keys of its first
 * character and length, a type value only with the watched types of its length: one table lookup each, then a short
 * chain.
 */
export class KeyWatch {
  /** The watched keys, in the order given: bit n of `YamlNotes.keysFound` is `keys[n]`. */
  readonly keys: readonly string[];
  /** By `(first character << 5) | length`: 1 + the index of the first watched key of that start and length, or 0. */
  readonly keySlots = new Int8Array(128 << 5);
  /** By key index: 1 + the index of the next watched key of the same start and length, or 0. */
  readonly nextKey: Int8Array;
  /** By length: 1 + the index of the first watched type of that length, or 0. */
  readonly typeSlots = new Int8Array(MAX_TYPE_LENGTH + 1);
  /** By type index: 1 + the index of the next watched type of the same length, or 0. */
  readonly nextType: Int8Array;

  /**
   * @param keys keys to record when they occur (at most 30, each under 32 ASCII-led characters)
   * @param types lower-case ASCII type names (at most 30, each at most MAX_TYPE_LENGTH long) to record when a `type`
   *   value equals one
   */
  constructor(keys: readonly string[], readonly types: readonly string[] = []) {
    if (keys.length > 30) throw new Error(`KeyWatch watches at most 30 keys, not ${keys.length}`);
    if (types.length > 30) throw new Error(`KeyWatch watches at most 30 types, not ${types.length}`);
    this.nextKey = new Int8Array(keys.length);
    keys.forEach((k, n) => {
      const c = k.charCodeAt(0);
      if (k.length === 0 || k.length >= 32 || c >= 128) throw new Error(`KeyWatch cannot watch the key ${JSON.stringify(k)}`);
      const slot = (c << 5) | k.length;
      this.nextKey[n] = this.keySlots[slot];
      this.keySlots[slot] = n + 1;
    });
    this.nextType = new Int8Array(types.length);
    types.forEach((t, n) => {
      if (!/^[\x21-\x40\x5b-\x7e]+$/.test(t) || t.length > MAX_TYPE_LENGTH) throw new Error(`KeyWatch cannot watch the type ${JSON.stringify(t)}`);
      this.nextType[n] = this.typeSlots[t.length];
      this.typeSlots[t.length] = n + 1;
    });
    this.keys = keys;
  }
}

/** Longest type name a KeyWatch watches. */
const MAX_TYPE_LENGTH = 255;

/**
 * Each UTF-16 unit as it compares with a lower-case ASCII name after `toLowerCase()` (0 when it matches none):
 * that maps no character outside ASCII to an ASCII one except the Kelvin sign (to `k`) and the dotted capital I
 * (to `i` and a combining dot, which no ASCII name holds, so it is taken as `i` here: a superset).
 */
const LOWERED = new Uint8Array(1 << 16);
for (let c = 0; c < 128; c++) LOWERED[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
LOWERED[0x212a] = 0x6b;
LOWERED[0x130] = 0x69;

/** The characters `String.prototype.trim` removes (white space and line terminators), as 1. @internal Exported for its test. */
export const TRIMMED = new Uint8Array(1 << 16);
// Listed, not found by trying trim() on all 65,536 units at load (4 ms of every scan's start-up, in each thread);
// tests/scan/yamlVouch.test.ts checks the list against trim().
for (const c of "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff") {
  TRIMMED[c.charCodeAt(0)] = 1;
}

/**
 * What `vouchForYaml` noted while it read a text it vouched for (meaningless when it did not): which watched keys
 * occur, and which watched types the `type` values name. A caller's cheap gate can use these instead of a pass of
 * its own over the text: in the vouched subset every key and every `type` value passes through the check.
 */
export class YamlNotes {
  /** Bit n set: `watch.keys[n]` occurs as a key, anywhere in the text. */
  keysFound = 0;
  /** Bit n set: some `type` value, trimmed and lower-cased, equals `watch.types[n]`. */
  typesFound = 0;
  /**
   * True when a `type` value could not be read from one line (a block scalar, a quoted scalar continued on
   * another line or holding an escape, a plain scalar continued on deeper lines): the caller must assume any type.
   */
  typeUnread = false;

  constructor(readonly watch: KeyWatch) {}
}

/** Keys of a mapping kept in a list up to this many (a linear search beats a Set there), then in a Set. */
const SMALL_MAP = 16;

class Checker {
  private readonly indents: number[] = [];
  private readonly kinds: Kind[] = [];
  /** Per open collection: its keys' [start, end) offsets in pairs, then (past SMALL_MAP keys) their texts. */
  private readonly keyLists: number[][] = [];
  /** How many entries of each keyLists array are in use (reused arrays are not truncated: that is a runtime call). */
  private readonly keyCounts: number[] = [];
  private readonly keySets: (Set<string> | undefined)[] = [];
  private depth = 0;
  private mode = Mode.Entry;
  /** Pending: the indentation of the collection whose entry awaits a value, and whether it is a mapping. */
  private pendingIndent = 0;
  private pendingInMap = false;
  /** Block: the owning collection's indentation, the content's (-1 until seen), widest leading empty line. */
  private blockParent = 0;
  private blockIndent = -1;
  private blockLeadingBlank = 0;
  /** Plain and Quoted: the indentation of the collection holding the scalar (continuation lines go deeper). */
  private scalarOwner = 0;
  /** Quoted: the quote character. */
  private quote = 0;
  /**
   * The key read by the last successful `key()`, as the span of text that stands for its value: a string key's
   * characters, a digit key's digits without leading zeros. Two keys the parser finds equal have equal spans (a
   * string and a number with the same span are not equal to the parser: a false duplicate, which only costs a
   * parse).
   */
  private keyStart = 0;
  private keyEnd = 0;
  /** Notes: the last key read was `type`, whose value has not been read yet. */
  private typeNext = false;
  /** Notes: the plain scalar being read is a `type` value. */
  private plainType = false;

  constructor(private readonly t: string, private readonly notes: YamlNotes | undefined) {}

  /** Notes the key just read (its span is set): a watched key is recorded; `type` announces a type value. */
  private noteKey(): void {
    const notes = this.notes;
    if (notes === undefined) return;
    const t = this.t;
    const s = this.keyStart;
    const len = this.keyEnd - s;
    const c = t.charCodeAt(s);
    this.plainType = false;
    this.typeNext = len === 4 && c === 0x74 && t.charCodeAt(s + 1) === 0x79 && t.charCodeAt(s + 2) === 0x70 && t.charCodeAt(s + 3) === 0x65;
    const w = notes.watch;
    if (len < 32 && c < 128) {
      // Compared in place: no string is made for a key.
      for (let n = w.keySlots[(c << 5) | len] - 1; n >= 0; n = w.nextKey[n] - 1) if (this.sameAs(s, w.keys[n])) notes.keysFound |= 1 << n;
    }
  }

  private sameAs(at: number, word: string): boolean {
    const t = this.t;
    for (let k = 0; k < word.length; k++) if (t.charCodeAt(at + k) !== word.charCodeAt(k)) return false;
    return true;
  }

  private hasBackslash(i: number, end: number): boolean {
    for (let k = i; k < end; k++) if (this.t.charCodeAt(k) === BACKSLASH) return true;
    return false;
  }

  /**
   * Notes the value of a `type` key in block context, starting at `i` on the key's line or alone on the next: read
   * from this line when it can be (kept apart from value() and plain(), which every line goes through).
   */
  private noteTypeValue(i: number, end: number): void {
    this.typeNext = false;
    const t = this.t;
    const c = t.charCodeAt(i);
    if (c === LBRACKET || c === LBRACE) return; // a collection is no type; keys inside it are noted as they are read
    if (c === PIPE || c === GREATER) {
      this.notes!.typeUnread = true;
      return;
    }
    if (c === DQUOTE || c === SQUOTE) {
      const e = this.quoted(i + 1, end, c);
      // A scalar continued on the next line is not read here.
      if (e === OPEN) this.notes!.typeUnread = true;
      else if (e >= 0) this.noteQuotedType(i, e, c);
      return;
    }
    // A plain scalar, to a comment or the line's end: deeper lines may continue it (line() then marks it unread).
    this.plainType = true;
    this.noteType(i, plainEnd(t, i, end));
  }

  /**
   * Notes a `type` value quoted with `quote` from offset `i` to `e` (past the closing quote). An escape can spell any
   * letter: a double-quoted value holding one is unread. (A single-quoted value's '' stands for one quote, which no
   * watched type holds: compared as written, it still matches none.)
   */
  private noteQuotedType(i: number, e: number, quote: number): void {
    if (quote === DQUOTE && this.hasBackslash(i, e)) this.notes!.typeUnread = true;
    else this.noteType(i + 1, e - 1);
  }

  /** Notes the watched type that the scalar text [from, to), trimmed and lower-cased, equals (if any). */
  private noteType(from: number, to: number): void {
    const t = this.t;
    while (from < to && TRIMMED[t.charCodeAt(from)] === 1) from++;
    while (to > from && TRIMMED[t.charCodeAt(to - 1)] === 1) to--;
    const length = to - from;
    if (length > MAX_TYPE_LENGTH) return;
    const notes = this.notes!;
    const watch = notes.watch;
    // Most types are of a length no watched type has: one table lookup.
    for (let n = watch.typeSlots[length] - 1; n >= 0; n = watch.nextType[n] - 1) {
      const name = watch.types[n];
      let k = 0;
      while (k < length && LOWERED[t.charCodeAt(from + k)] === name.charCodeAt(k)) k++;
      if (k === length) notes.typesFound |= 1 << n;
    }
  }

  run(): boolean {
    const t = this.t;
    const n = t.length;
    for (let pos = 0; pos <= n;) {
      let eol = t.indexOf("\n", pos);
      if (eol === -1) eol = n;
      const end = eol > pos && t.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
      if (this.mode === Mode.Block && this.blockIndent >= 0) {
        // Most of a flow's bytes are block-scalar content: a line with the content's indentation, or only spaces,
        // needs nothing more.
        const lim = pos + this.blockIndent;
        let k = pos;
        while (k < end && k < lim && t.charCodeAt(k) === SPACE) k++;
        if (k === lim || k === end) {
          pos = eol + 1;
          continue;
        }
      }
      if (!this.line(pos, end)) return false;
      pos = eol + 1;
    }
    return this.mode !== Mode.Quoted; // a quote still open at the end is an error
  }

  private line(start: number, end: number): boolean {
    const t = this.t;
    let i = start;
    while (i < end && t.charCodeAt(i) === SPACE) i++;
    const indent = i - start;
    if (this.mode === Mode.Quoted) {
      if (i === end) return true;
      // The parser wants every continuation line deeper than the collection holding the scalar.
      if (indent <= this.scalarOwner || t.charCodeAt(i) === TAB) return false;
      const e = this.quoted(i, end, this.quote);
      if (e === OPEN) return true;
      this.mode = Mode.Entry;
      return e >= 0 && this.tail(e, end);
    }
    if (this.mode === Mode.Plain) {
      if (i === end) return true;
      const c = t.charCodeAt(i);
      if (c === HASH) {
        // A comment ends the scalar; a deeper line after it is an error the Entry mode refuses.
        this.mode = Mode.Entry;
        return true;
      }
      if (indent > this.scalarOwner) {
        if (this.plainType) this.notes!.typeUnread = true;
        return c !== TAB && this.plainLine(i, end);
      }
      this.mode = Mode.Entry;
    }
    if (this.mode === Mode.Block) {
      if (i === end) {
        if (this.blockIndent < 0 && indent > this.blockLeadingBlank) this.blockLeadingBlank = indent;
        return true;
      }
      if (this.blockIndent < 0) {
        if (indent > this.blockParent) {
          // Auto-detected indentation: a leading empty line wider than the first content line is an error.
          if (this.blockLeadingBlank > indent) return false;
          this.blockIndent = indent;
          return true;
        }
      } else if (indent >= this.blockIndent) {
        return true;
      }
      this.mode = Mode.Entry;
    }
    if (i === end) return true;
    const c = t.charCodeAt(i);
    if (c === TAB) return false;
    if (c === HASH) return true;
    if (indent === 0 && c === DASH && this.isDocumentStart(i, end)) {
      this.depth = 0;
      this.mode = Mode.Entry;
      return this.tail(i + 3, end);
    }
    if (this.mode === Mode.Pending) {
      this.mode = Mode.Entry;
      if (indent > this.pendingIndent) return this.child(i, end, indent, this.pendingIndent);
      if (indent === this.pendingIndent && this.pendingInMap && this.isSeqItem(i, end)) {
        if (!this.push(indent, Kind.IndentlessSeq)) return false;
        return this.item(i, end, indent);
      }
    }
    return this.entry(i, end, indent);
  }

  private isDocumentStart(i: number, end: number): boolean {
    const t = this.t;
    return i + 2 < end && t.charCodeAt(i + 1) === DASH && t.charCodeAt(i + 2) === DASH &&
      (i + 3 === end || t.charCodeAt(i + 3) === SPACE);
  }

  private isSeqItem(i: number, end: number): boolean {
    return this.t.charCodeAt(i) === DASH && (i + 1 === end || this.t.charCodeAt(i + 1) === SPACE);
  }

  private push(indent: number, kind: Kind): boolean {
    if (this.depth >= MAX_DEPTH) return false;
    const d = this.depth++;
    this.indents[d] = indent;
    this.kinds[d] = kind;
    if (this.keyLists[d] === undefined) this.keyLists[d] = [];
    this.keyCounts[d] = 0;
    this.keySets[d] = undefined;
    return true;
  }

  /** Records the last key in the innermost mapping; false when it is already there. */
  private addKey(): boolean {
    const d = this.depth - 1;
    const set = this.keySets[d];
    if (set !== undefined) {
      const key = this.t.slice(this.keyStart, this.keyEnd);
      if (set.has(key)) return false;
      set.add(key);
      return true;
    }
    const list = this.keyLists[d];
    const n = this.keyCounts[d];
    const start = this.keyStart;
    const length = this.keyEnd - start;
    // Spans compared in place: no string is made for the few keys of a typical mapping.
    for (let k = 0; k < n; k += 2) if (list[k + 1] - list[k] === length && this.sameText(list[k], start, length)) return false;
    list[n] = start;
    list[n + 1] = this.keyEnd;
    this.keyCounts[d] = n + 2;
    if (n + 2 > 2 * SMALL_MAP) {
      const all = new Set<string>();
      for (let k = 0; k < n + 2; k += 2) all.add(this.t.slice(list[k], list[k + 1]));
      this.keySets[d] = all;
    }
    return true;
  }

  private sameText(a: number, b: number, length: number): boolean {
    const t = this.t;
    for (let k = 0; k < length; k++) if (t.charCodeAt(a + k) !== t.charCodeAt(b + k)) return false;
    return true;
  }

  /** A node that starts a line of its own, deeper than the collection (at `owner`) whose entry it is the value of. */
  private child(i: number, end: number, indent: number, owner: number): boolean {
    if (this.isSeqItem(i, end)) return this.push(indent, Kind.Seq) && this.item(i, end, indent);
    const after = this.key(i, end);
    if (after >= 0) return this.push(indent, Kind.Map) && this.addKey() && this.afterKey(after, end, indent);
    // A scalar alone on its line: plain or quoted (a block scalar or flow collection here is left to the parser).
    if (this.typeNext) this.noteTypeValue(i, end);
    const c = this.t.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) return this.quotedValue(i, end, owner);
    return this.plain(i, end, owner);
  }

  /** A line at the indentation of an open collection: its next entry. */
  private entry(i: number, end: number, indent: number): boolean {
    while (this.depth > 0 && this.indents[this.depth - 1] > indent) this.depth--;
    if (this.depth === 0) {
      // The document's first node, a mapping or sequence at the left margin (a root scalar is left to the parser).
      if (indent !== 0) return false;
      if (this.isSeqItem(i, end)) return this.push(0, Kind.Seq) && this.item(i, end, 0);
      const after = this.key(i, end);
      return after >= 0 && this.push(0, Kind.Map) && this.addKey() && this.afterKey(after, end, 0);
    }
    if (this.indents[this.depth - 1] !== indent) return false;
    const kind = this.kinds[this.depth - 1];
    if (this.isSeqItem(i, end)) return kind !== Kind.Map && this.item(i, end, indent);
    if (kind === Kind.IndentlessSeq) {
      this.depth--;
      if (this.depth === 0 || this.indents[this.depth - 1] !== indent) return false;
    }
    if (this.kinds[this.depth - 1] !== Kind.Map) return false;
    const after = this.key(i, end);
    return after >= 0 && this.addKey() && this.afterKey(after, end, indent);
  }

  /** A sequence entry: `-` at column `col` (offset `i`), then nothing, a nested entry, a compact mapping or a value. */
  private item(i: number, end: number, col: number): boolean {
    const t = this.t;
    for (;;) {
      let m = i + 1;
      while (m < end && t.charCodeAt(m) === SPACE) m++;
      if (m === end || t.charCodeAt(m) === HASH) return this.pend(col, false);
      const c = t.charCodeAt(m);
      if (c === TAB) return false;
      const col2 = col + (m - i);
      if (this.isSeqItem(m, end)) {
        if (!this.push(col2, Kind.Seq)) return false;
        i = m;
        col = col2;
        continue;
      }
      const after = this.key(m, end);
      if (after >= 0) return this.push(col2, Kind.Map) && this.addKey() && this.afterKey(after, end, col2);
      return this.value(m, end, col);
    }
  }

  private pend(indent: number, inMap: boolean): boolean {
    this.mode = Mode.Pending;
    this.pendingIndent = indent;
    this.pendingInMap = inMap;
    return true;
  }

  /** After `key:` (offset `after` is past the colon) in the mapping at indentation `mapIndent`. */
  private afterKey(after: number, end: number, mapIndent: number): boolean {
    const t = this.t;
    let m = after;
    while (m < end && t.charCodeAt(m) === SPACE) m++;
    if (m === end || t.charCodeAt(m) === HASH) return this.pend(mapIndent, true);
    if (t.charCodeAt(m) === TAB || this.isSeqItem(m, end)) return false;
    if (this.typeNext) this.noteTypeValue(m, end);
    return this.value(m, end, mapIndent);
  }

  /**
   * Reads an implicit key at `i`: returns the offset past its `:` (which a space or the line end follows) and sets
   * its span, or -1 when the line does not start with a key of the subset.
   */
  private key(i: number, end: number): number {
    const t = this.t;
    const c = t.charCodeAt(i);
    let close: number;
    if (c === DQUOTE || c === SQUOTE) {
      close = i + 1;
      while (close < end) {
        const q = t.charCodeAt(close);
        if (q === c || q === BACKSLASH || q === TAB) break;
        close++;
      }
      if (close >= end || t.charCodeAt(close) !== c) return -1;
      if (close + 1 < end && t.charCodeAt(close + 1) === c) return -1; // '' escape: left to the parser
      this.keyStart = i + 1;
      this.keyEnd = close;
      close++;
    } else {
      close = this.plainKey(i, end, true);
      if (close < 0) return -1;
    }
    if (close - i > MAX_KEY || close >= end || t.charCodeAt(close) !== COLON) return -1;
    if (close + 1 < end && t.charCodeAt(close + 1) !== SPACE) return -1;
    this.noteKey();
    return close + 1;
  }

  /** A value on the line of its key or `-`; `owner` is the indentation of the collection holding the entry. */
  private value(i: number, end: number, owner: number): boolean {
    const t = this.t;
    const c = t.charCodeAt(i);
    switch (c) {
      case DQUOTE:
      case SQUOTE:
        return this.quotedValue(i, end, owner);
      case LBRACKET:
      case LBRACE: {
        const e = this.flow(i, end, 0);
        return e >= 0 && this.tail(e, end);
      }
      case PIPE:
      case GREATER: {
        let h = i + 1;
        const k = t.charCodeAt(h);
        if (h < end && (k === DASH || k === PLUS)) h++;
        if (h < end && t.charCodeAt(h) !== SPACE) return false; // explicit indentation, or stray characters
        if (!this.tail(h, end)) return false;
        this.mode = Mode.Block;
        this.blockParent = owner;
        this.blockIndent = -1;
        this.blockLeadingBlank = 0;
        return true;
      }
      default:
        return this.plain(i, end, owner);
    }
  }

  /** A quoted scalar starting at `i`, closed on this line or continued on the next ones. */
  private quotedValue(i: number, end: number, owner: number): boolean {
    const q = this.t.charCodeAt(i);
    const e = this.quoted(i + 1, end, q);
    if (e === OPEN) {
      this.mode = Mode.Quoted;
      this.quote = q;
      this.scalarOwner = owner;
      return true;
    }
    return e >= 0 && this.tail(e, end);
  }

  /** What may follow a token on its line: spaces, then the end or a comment. */
  private tail(i: number, end: number): boolean {
    const t = this.t;
    let m = i;
    while (m < end && t.charCodeAt(m) === SPACE) m++;
    return m === end || (m > i && t.charCodeAt(m) === HASH);
  }

  /** A plain scalar in block context starting at `i`, which deeper lines may continue. */
  private plain(i: number, end: number, owner: number): boolean {
    const t = this.t;
    const c = t.charCodeAt(i);
    if (c < 128 && INDICATOR[c] === 1) return false;
    if (c === DASH && (i + 1 === end || t.charCodeAt(i + 1) === SPACE)) return false;
    this.mode = Mode.Plain;
    this.scalarOwner = owner;
    return this.plainLine(i, end);
  }

  /**
   * One line of a plain scalar, to the end of the line or to a comment (which ends the scalar: the mode goes back
   * to Entry). Its first character may be anything but `#` on a continuation line.
   */
  private plainLine(i: number, end: number): boolean {
    const t = this.t;
    for (let j = i; j < end; j++) {
      const k = t.charCodeAt(j);
      if (k > COLON) continue; // the common case first: none of the characters below
      if (k === COLON) {
        // `: ` or a final `:` would make this a mapping key.
        if (j + 1 === end || t.charCodeAt(j + 1) === SPACE) return false;
      } else if (k === TAB) {
        return false;
      } else if (k === SPACE && j + 1 < end && t.charCodeAt(j + 1) === HASH) {
        this.mode = Mode.Entry;
        return true;
      }
    }
    return true;
  }

  /**
   * Scans quoted-scalar content from `i` (just past the opening quote, or the first character of a continuation
   * line): the offset past the closing quote `q`, OPEN when the line ends first (a double-quoted line may end in
   * an escaped line break), or -1 for what the subset refuses (a tab, an invalid escape).
   */
  private quoted(i: number, end: number, q: number): number {
    const t = this.t;
    for (let j = i; j < end; j++) {
      const c = t.charCodeAt(j);
      if (c !== q && c !== BACKSLASH && c !== TAB) continue;
      if (c === TAB) return -1;
      if (q === SQUOTE) {
        if (c !== SQUOTE) continue;
        // '' is a quote inside a single-quoted scalar.
        if (j + 1 < end && t.charCodeAt(j + 1) === SQUOTE) j++;
        else return j + 1;
        continue;
      }
      if (c === DQUOTE) return j + 1;
      if (++j === end) return OPEN; // an escaped line break
      const e = t.charCodeAt(j);
      if (e < 128 && SIMPLE_ESCAPE[e] === 1) continue;
      const digits = e === 0x78 ? 2 : e === 0x75 ? 4 : 0; // \xXX, \uXXXX (\U is left to the parser)
      if (digits === 0 || j + digits >= end) return -1;
      for (let d = 1; d <= digits; d++) if (!isHex(t.charCodeAt(j + d))) return -1;
      j += digits;
    }
    return OPEN;
  }

  /** Offset past a single-line flow sequence or mapping at `i`, or -1. */
  private flow(i: number, end: number, depth: number): number {
    if (depth >= 16) return -1;
    const t = this.t;
    const isMap = t.charCodeAt(i) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    let keys: Set<string> | undefined;
    let j = this.skipSpaces(i + 1, end);
    // Flow mappings are rare in flows: their keys go in a Set as strings.
    if (j < end && t.charCodeAt(j) === close) return j + 1;
    for (;;) {
      if (isMap) {
        j = this.flowKey(j, end);
        if (j < 0) return -1;
        const key = t.slice(this.keyStart, this.keyEnd);
        if (keys === undefined) keys = new Set();
        else if (keys.has(key)) return -1;
        keys.add(key);
        j = this.skipSpaces(j, end);
      }
      j = this.flowItem(j, end, depth);
      if (j < 0) return -1;
      j = this.skipSpaces(j, end);
      if (j >= end) return -1;
      const c = t.charCodeAt(j);
      if (c === close) return j + 1;
      if (c !== COMMA) return -1;
      j = this.skipSpaces(j + 1, end);
      if (j >= end || t.charCodeAt(j) === close) return -1;
    }
  }

  /** A flow mapping key and its `:` at `i` (plain keys take a space after it): offset past the colon, or -1. */
  private flowKey(i: number, end: number): number {
    const t = this.t;
    const c = t.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) {
      let close = i + 1;
      while (close < end) {
        const q = t.charCodeAt(close);
        if (q === c || q === BACKSLASH || q === TAB) break;
        close++;
      }
      if (close + 1 >= end || t.charCodeAt(close) !== c || t.charCodeAt(close + 1) !== COLON) return -1;
      if (close - i > MAX_KEY) return -1;
      this.keyStart = i + 1;
      this.keyEnd = close;
      this.noteKey();
      return close + 2;
    }
    const close = this.plainKey(i, end, false);
    if (close < 0 || close + 1 >= end || t.charCodeAt(close) !== COLON || t.charCodeAt(close + 1) !== SPACE) return -1;
    this.noteKey();
    return close + 1;
  }

  /**
   * A plain key at `i` (with inner spaces when `spaces`): the offset where it ends, or -1. Sets the key's span:
   * the whole key when the core schema resolves it to a string, the digits without leading zeros for a key of at
   * most 15 digits (an integer, exact in a double: two such keys are equal exactly when these digits are).
   */
  private plainKey(i: number, end: number, spaces: boolean): number {
    const t = this.t;
    const c = t.charCodeAt(i);
    if (c >= 128 || KEY_CHAR[c] === 0) return -1;
    let close = i + 1;
    while (close < end) {
      const k = t.charCodeAt(close);
      if (k < 128 && (KEY_CHAR[k] !== 0 || (spaces && k === SPACE))) close++;
      else break;
    }
    if (t.charCodeAt(close - 1) === SPACE || close - i > MAX_KEY) return -1;
    // Hashing every key for a Set lookup costs more than this test of length and first two characters.
    if (close - i >= 4 && close - i <= 5 && WORD_START[(c << 7) | t.charCodeAt(i + 1)] === 1 && NON_STRING_KEYS.has(t.slice(i, close))) return -1;
    this.keyStart = i;
    this.keyEnd = close;
    if (KEY_CHAR[c] === 1) return close;
    if (c === DOT || c === SLASH) {
      // `/path` and `.name` are strings; `.5`, `.inf` and the like are not.
      const k = t.charCodeAt(i + 1);
      return close - i > 1 && k < 128 && KEY_CHAR[k] === 1 ? close : -1;
    }
    if (close - i > 15) return -1;
    for (let k = i; k < close; k++) if (t.charCodeAt(k) < 0x30 || t.charCodeAt(k) > 0x39) return -1;
    while (this.keyStart < close - 1 && t.charCodeAt(this.keyStart) === 0x30) this.keyStart++;
    return close;
  }

  private flowItem(i: number, end: number, depth: number): number {
    if (i >= end) return -1;
    const t = this.t;
    const c = t.charCodeAt(i);
    // A `type` value in a flow collection is on this line: noted once its end is known.
    const typeValue = this.typeNext;
    this.typeNext = false;
    if (c === LBRACKET || c === LBRACE) return this.flow(i, end, depth + 1);
    if (c === DQUOTE || c === SQUOTE) {
      const e = this.quoted(i + 1, end, c);
      if (e === OPEN) return -1;
      if (typeValue && e >= 0) this.noteQuotedType(i, e, c);
      return e;
    }
    if (c < 128 && INDICATOR[c] === 1) return -1;
    if (c === DASH) {
      const k = t.charCodeAt(i + 1);
      if (!(i + 1 < end && k < 128 && KEY_CHAR[k] !== 0 && k !== DASH)) return -1;
    }
    let j = i;
    while (j < end) {
      const k = t.charCodeAt(j);
      if (k < 128 && FLOW_STOP[k] === 1) break;
      j++;
    }
    if (j >= end) return -1;
    const k = t.charCodeAt(j);
    if (k !== COMMA && k !== RBRACKET && k !== RBRACE) return -1;
    if (typeValue) this.noteType(i, j);
    return j;
  }

  private skipSpaces(i: number, end: number): number {
    while (i < end && this.t.charCodeAt(i) === SPACE) i++;
    return i;
  }
}

/**
 * True only when `text` is in the simple YAML subset described above, which the `yaml` package parses without an
 * error; false means "not vouched for" (the caller parses), never "invalid". Linear in the text's length.
 */
export function vouchForYaml(text: string, notes?: YamlNotes): boolean {
  if (MAYBE_OUTSIDE_SUBSET.test(text) && OUTSIDE_SUBSET.test(text)) return false;
  return new Checker(text, notes).run();
}
