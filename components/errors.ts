/**
 * The one error pure code throws for bad input: it carries every problem found, so a user fixes them all in one
 * pass instead of one per run. Each issue names the field path, the value seen and the fix.
 */
export class InvalidArgsError extends Error {
  /** One line per problem, in the order the fields were checked. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid arguments:\n - ${issues.join("\n - ")}`);
    this.name = "InvalidArgsError";
    this.issues = issues;
  }
}

/** Throws an {@link InvalidArgsError} when `issues` is not empty; returns otherwise. */
export function throwIfIssues(issues: readonly string[]): void {
  if (issues.length > 0) throw new InvalidArgsError(issues);
}

/** Renders a value for an error message: strings quoted, everything else as JSON, long values cut. */
export function show(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
