/**
 * The issues collector and the one error pure code throws for bad input: it carries every problem found, so a user
 * fixes them all in one pass instead of one per run. Each issue names the field path, the value seen and the fix.
 */
import { show } from "./show";

/** One problem with the input: the field as the user wrote it, the value seen, and what to do about it. */
export interface Issue {
  /** The field path as the user wrote it (`egress.allow[2].ports`); empty when the line names its own subject. */
  readonly field: string;
  /**
   * The value seen, printed with {@link show}; absent when the field itself is the problem (unknown, missing).
   * @default absent: the line is `<field> <fix>`
   */
  readonly value?: unknown;
  /** The rest of the line: what is wrong and the fix (`must be a whole number from 1 to 65535.`). */
  readonly fix: string;
}

/** Anything a check can append a problem line to: a `string[]` or an {@link Issues} collector. */
export interface IssueSink {
  push(line: string): unknown;
}

/** The line an issue prints as: `<field> <value> <fix>`, each part left out when empty. */
export function issueLine(issue: Issue): string {
  const parts = [issue.field];
  if ("value" in issue) parts.push(show(issue.value));
  parts.push(issue.fix);
  return parts.filter((p) => p !== "").join(" ");
}

/**
 * Gathers every problem found in one input, then throws them together with {@link Issues.throwIfAny}, so
 * checks go on after the first problem instead of stopping there.
 */
export class Issues implements IssueSink {
  /** The problems, in the order they were found. */
  readonly entries: Issue[] = [];

  /** The problems as the lines they print as. */
  get list(): string[] {
    return this.entries.map(issueLine);
  }

  /** `field` is wrong as it stands (unknown, missing, contradicts another): `<field> <fix>`. */
  add(field: string, fix: string): void;
  /** `field` holds `value`, which is wrong: `<field> <show(value)> <fix>`. */
  add(field: string, value: unknown, fix: string): void;
  add(field: string, ...rest: [string] | [unknown, string]): void {
    this.entries.push(rest.length === 1 ? { field, fix: rest[0] } : { field, value: rest[0], fix: rest[1] });
  }

  /** Appends a line that already names its field and value. */
  push(line: string): void {
    this.entries.push({ field: "", fix: line });
  }

  /** Throws an {@link InvalidArgsError} with every problem when there is one; `subject` names the component. */
  throwIfAny(subject?: string): void {
    if (this.entries.length > 0) throw new InvalidArgsError(this.list, { subject });
  }
}

/** Marks an {@link InvalidArgsError} across copies of this package (a user's program loads its own copy). */
const BRAND = Symbol.for("pulumi-hardening.InvalidArgsError");

/** Where an {@link InvalidArgsError} came from. */
export interface InvalidArgsErrorOptions {
  /**
   * What was given the arguments, printed before the list (`AwsWorkerNetwork "main"`).
   * @default none: the message starts with "invalid arguments:"
   */
  readonly subject?: string;
  /**
   * The error this one restates.
   * @default none
   */
  readonly cause?: unknown;
}

/**
 * The one error for invalid arguments, thrown by every component's and planner's validation before anything is
 * created. Its message is `[<subject>: ]invalid arguments:` and then one problem a line (` - <problem>`).
 * `instanceof InvalidArgsError` holds for an error from another copy of the package too (it checks a
 * `Symbol.for` brand, not the prototype), so the CLI recognises a user program's errors.
 */
export class InvalidArgsError extends Error {
  /** True for an InvalidArgsError from any copy of this package. */
  static [Symbol.hasInstance](value: unknown): value is InvalidArgsError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** One line per problem, in the order the fields were checked. */
  readonly issues: readonly string[];
  /**
   * What was given the arguments (`AwsWorkerNetwork "main"`), as the message names it.
   * @default undefined: a planner's error, which its component names when it rethrows
   */
  readonly subject?: string;

  constructor(issues: readonly string[], options: InvalidArgsErrorOptions = {}) {
    super(`${options.subject !== undefined ? `${options.subject}: ` : ""}invalid arguments:\n - ${issues.join("\n - ")}`);
    Object.defineProperty(this, BRAND, { value: true });
    // Set as ES2022's Error constructor would; the policy pack compiles this file for an older library.
    if (options.cause !== undefined) Object.defineProperty(this, "cause", { value: options.cause, writable: true, configurable: true });
    this.name = "InvalidArgsError";
    this.issues = issues;
    if (options.subject !== undefined) this.subject = options.subject;
  }
}

/** Throws an {@link InvalidArgsError} when `issues` is not empty; returns otherwise. */
export function throwIfIssues(issues: readonly string[]): void {
  if (issues.length > 0) throw new InvalidArgsError(issues);
}
