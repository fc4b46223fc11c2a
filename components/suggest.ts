/**
 * Did-you-mean for names a user typed: flags, commands, settings keys and enum values. A case slip
 * (`allowlist` for `allowList`) or a small typo (`hardenning`) names the intended word; anything further off
 * names nothing, so the message lists the choices instead.
 */

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

/**
 * The hint to append to "X is not a ...": `did you mean "y"?` when one known word is close, else the list of
 * known words.
 */
export function suggestion(typed: string, known: readonly string[], quote = true): string {
  const near = closestMatch(typed, known);
  const q = (s: string) => (quote ? `"${s}"` : s);
  return near !== undefined ? `did you mean ${q(near)}?` : `known: ${known.map(q).join(", ")}.`;
}
