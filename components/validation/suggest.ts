/**
 * Did-you-mean for names a user typed: flags, commands, settings keys and enum values. A case slip
 * (`allowlist` for `allowList`) or a small typo (`hardenning`) names the intended word; anything further off
 * names nothing, so the message lists the choices instead.
 */
import { report, reportField } from "./checks";
import type { IssueSink } from "./issues";

/** Levenshtein distance between two strings. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = keep;
    }
  }
  return row[b.length];
}

/**
 * The known word `typed` most likely meant: one that differs only in case, else the closest within a distance of
 * 2 (1 for words of up to 4 letters), compared case-insensitively. Undefined when none is that close.
 */
export function closestMatch(typed: string, known: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  const sameCase = known.find((k) => k.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const limit = typed.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** `words` joined by ", ", each in double quotes when `quote` is set. */
function listed(words: readonly string[], quote: boolean): string {
  return words.map((w) => (quote ? `"${w}"` : w)).join(", ");
}

/**
 * The hint to append to "X is not a ...": `did you mean "y"?` when one known word is close, else the list of
 * known words. `quote` (default true) puts each word in double quotes.
 */
export function suggestion(typed: string, known: readonly string[], quote = true): string {
  const near = closestMatch(typed, known);
  return near !== undefined ? `did you mean ${listed([near], quote)}?` : `known: ${listed(known, quote)}.`;
}

/** How {@link checkEnum} lists the choices. */
export interface EnumOptions {
  /**
   * Quote each choice in the list (`"a", "b"`) rather than print it bare (`a, b`).
   * @default true
   */
  readonly quote?: boolean;
}

/**
 * Checks that `value` is one of `allowed`; otherwise appends `<field> <value> is not one of <choices>` ending in
 * `; did you mean "<choice>"?` when a choice differs only in case or by a small typo, else in ".".
 */
export function checkEnum<T extends string>(issues: IssueSink, field: string, value: unknown, allowed: readonly T[], options: EnumOptions = {}): value is T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return true;
  const near = typeof value === "string" ? closestMatch(value, allowed) : undefined;
  report(issues, field, value, `is not one of ${listed(allowed, options.quote ?? true)}${near !== undefined ? `; did you mean "${near}"?` : "."}`);
  return false;
}

/** What {@link checkFields} calls the keys it checks. */
export interface FieldsOptions {
  /**
   * The noun for one key, in "is not a <noun>; known <noun>s: ...".
   * @default "field"
   */
  readonly noun?: string;
}

/**
 * Appends `<path>.<key> is not a field; did you mean "<known>"?` (or `known fields: ...` when none is close) for
 * every key of `value` that is set and not in `known`. An empty `path` names the key alone.
 */
export function checkFields(issues: IssueSink, path: string, value: object, known: readonly string[], options: FieldsOptions = {}): void {
  const noun = options.noun ?? "field";
  for (const [key, v] of Object.entries(value)) {
    if (known.includes(key) || v === undefined) continue;
    const near = closestMatch(key, known);
    const hint = near !== undefined ? `did you mean "${near}"?` : `known ${noun}s: ${known.join(", ")}.`;
    const fix = `is not a${/^[aeiou]/.test(noun) ? "n" : ""} ${noun}; ${hint}`;
    reportField(issues, path === "" ? key : `${path}.${key}`, fix);
  }
}
