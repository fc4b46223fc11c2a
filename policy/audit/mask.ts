/**
 * Masking plaintext secrets (from `--show-secrets` exports) wherever they occur. {@link SecretMasker} masks whole
 * occurrences, for what rules see: one pass over a string finds every occurrence of every secret at once
 * (Aho-Corasick over UTF-16 code units), so the cost is linear in the text however many secrets there are.
 * {@link SecretPieceMasker} masks any six-character piece of a secret, for what is written. Masking works on values, not on serialized output, so a secret that equals a
 * stack name or a number can never break a report's JSON: strings are masked before anything is written, numbers
 * and keys are left alone.
 */
import { SECRET_MARKER } from "./secretMarker";

/**
 * Secrets at least this long are masked wherever they occur inside a string; shorter ones only where a whole
 * string equals them (a four-character secret such as `prod` occurs by chance in names and URNs).
 * @default 6
 */
export const MIN_SUBSTRING_SECRET = 6;

interface Node {
  readonly next: Map<number, number>;
  fail: number;
  /** Length of the longest secret ending here (0: none), found through the fail links too. */
  out: number;
}

/** Masks a fixed set of plaintext secrets in strings. */
export class SecretMasker {
  private readonly nodes: Node[] = [{ next: new Map(), fail: 0, out: 0 }];
  private readonly whole: ReadonlySet<string>;

  constructor(secrets: Iterable<string>) {
    const whole = new Set<string>();
    for (const s of secrets) {
      if (s.length === 0) continue;
      whole.add(s);
      if (s.length >= MIN_SUBSTRING_SECRET) this.add(s);
    }
    this.whole = whole;
    this.link();
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.whole.size === 0;
  }

  private add(s: string): void {
    let at = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let to = this.nodes[at].next.get(c);
      if (to === undefined) {
        to = this.nodes.length;
        this.nodes.push({ next: new Map(), fail: 0, out: 0 });
        this.nodes[at].next.set(c, to);
      }
      at = to;
    }
    this.nodes[at].out = Math.max(this.nodes[at].out, s.length);
  }

  /** Breadth-first fail links, as Aho and Corasick build them. */
  private link(): void {
    const queue: number[] = [];
    for (const to of this.nodes[0].next.values()) queue.push(to);
    for (let q = 0; q < queue.length; q++) {
      const at = queue[q];
      for (const [c, to] of this.nodes[at].next) {
        let f = this.nodes[at].fail;
        while (f !== 0 && !this.nodes[f].next.has(c)) f = this.nodes[f].fail;
        const target = this.nodes[f].next.get(c);
        this.nodes[to].fail = target !== undefined && target !== to ? target : 0;
        this.nodes[to].out = Math.max(this.nodes[to].out, this.nodes[this.nodes[to].fail].out);
        queue.push(to);
      }
    }
  }

  /** `text` with every secret replaced by {@link SECRET_MARKER}; overlapping occurrences are masked as one span. */
  mask(text: string): string {
    if (this.whole.has(text)) return SECRET_MARKER;
    if (this.nodes.length === 1 || text.length < MIN_SUBSTRING_SECRET) return text;
    // Spans [start, end) to mask, merged as they are found (they arrive ordered by end).
    const starts: number[] = [];
    const ends: number[] = [];
    let at = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (at !== 0 && !this.nodes[at].next.has(c)) at = this.nodes[at].fail;
      at = this.nodes[at].next.get(c) ?? 0;
      const len = this.nodes[at].out;
      if (len === 0) continue;
      let start = i + 1 - len;
      let end = i + 1;
      while (starts.length > 0 && ends[ends.length - 1] >= start) {
        start = Math.min(start, starts.pop()!);
        end = Math.max(end, ends.pop()!);
      }
      starts.push(start);
      ends.push(end);
    }
    if (starts.length === 0) return text;
    let out = "";
    let from = 0;
    for (let k = 0; k < starts.length; k++) {
      out += text.slice(from, starts[k]) + SECRET_MARKER;
      from = ends[k];
    }
    return out + text.slice(from);
  }

  /** Masks every string inside `value` in place (see {@link maskStrings}). */
  maskDeep<T>(value: T): T {
    return this.empty ? value : maskStrings(value, (s) => this.mask(s));
  }
}

/**
 * Masks every string inside `value` in place with `mask` (object keys are left as they are), without recursion so
 * no nesting depth can overflow the stack. Returns the value, or the masked string when `value` is one.
 */
export function maskStrings<T>(value: T, mask: (s: string) => string): T {
  if (typeof value === "string") return mask(value) as T;
  if (typeof value !== "object" || value === null) return value;
  const stack: object[] = [value as object];
  while (stack.length > 0) {
    const container = stack.pop() as Record<string, unknown>;
    for (const k of Object.keys(container)) {
      const v = container[k];
      if (typeof v === "string") {
        const m = mask(v);
        if (m !== v) container[k] = m;
      } else if (typeof v === "object" && v !== null) stack.push(v);
    }
  }
  return value;
}

/**
 * The output's masker: masks every run of text that shares a {@link MIN_SUBSTRING_SECRET}-character piece with a
 * secret, so no part of a secret that long can appear in a report, whether a message quoted the secret whole, cut
 * it off, or it reached the message some other way; and a string that equals a shorter secret. It may also mask
 * innocent text that happens to share six characters with a secret: in a security report that is the right way
 * to err. Linear in the text: one window slides over it, looked up in a set of every secret's pieces.
 */
export class SecretPieceMasker {
  private readonly pieces = new Set<string>();
  private readonly whole: ReadonlySet<string>;

  constructor(secrets: Iterable<string>) {
    const whole = new Set<string>();
    for (const s of secrets) {
      if (s.length === 0) continue;
      whole.add(s);
      for (let i = 0; i + MIN_SUBSTRING_SECRET <= s.length; i++) this.pieces.add(s.slice(i, i + MIN_SUBSTRING_SECRET));
    }
    this.whole = whole;
  }

  /** True when there is nothing to mask. */
  get empty(): boolean {
    return this.whole.size === 0;
  }

  /** `text` with every run covered by secret pieces replaced by {@link SECRET_MARKER}. */
  mask(text: string): string {
    if (this.whole.has(text)) return SECRET_MARKER;
    if (this.pieces.size === 0 || text.length < MIN_SUBSTRING_SECRET) return text;
    let out = "";
    let from = 0; // text before this is written out or masked
    let spanEnd = -1; // end of the masked run being built
    let spanStart = 0;
    for (let i = 0; i + MIN_SUBSTRING_SECRET <= text.length; i++) {
      if (!this.pieces.has(text.slice(i, i + MIN_SUBSTRING_SECRET))) continue;
      if (i > spanEnd) {
        if (spanEnd >= 0) {
          out += text.slice(from, spanStart) + SECRET_MARKER;
          from = spanEnd;
        }
        spanStart = i;
      }
      spanEnd = i + MIN_SUBSTRING_SECRET;
    }
    if (spanEnd < 0) return text;
    return out + text.slice(from, spanStart) + SECRET_MARKER + text.slice(spanEnd);
  }

  /** Masks every string inside `value` in place (see {@link maskStrings}). */
  maskDeep<T>(value: T): T {
    return this.empty ? value : maskStrings(value, (s) => this.mask(s));
  }
}
