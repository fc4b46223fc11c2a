/**
 * The checks every planner runs on what a user wrote: objects, whole numbers in a range, ports, min/max pairs and
 * networks. Each appends one line `<field> <value> <fix>` per problem to an {@link IssueSink} and carries on, so
 * the caller throws every problem at once.
 */
import { Cidr, parseCidr } from "../cidr";
import { Issues, IssueSink, issueLine } from "./issues";
import { show } from "./show";

/** True for a plain object: not null, not an array. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Appends one problem to `issues`: as a structured entry when it is an {@link Issues} collector, else as its line
 * `<field> <value> <fix>`.
 */
export function report(issues: IssueSink, field: string, value: unknown, fix: string): void {
  if (issues instanceof Issues) issues.add(field, value, fix);
  else issues.push(issueLine({ field, value, fix }));
}

/** Appends a problem with the field itself (unknown, missing), which prints no value: `<field> <fix>`. */
export function reportField(issues: IssueSink, field: string, fix: string): void {
  if (issues instanceof Issues) issues.add(field, fix);
  else issues.push(issueLine({ field, fix }));
}

/** True when `v` is a whole number from `min` to `max` (both included). */
export function isWholeNumber(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** How a whole-number problem is worded. */
export interface WholeNumberOptions {
  /**
   * What the number counts, said after "a whole number of" (`hours`, `seconds`).
   * @default nothing: "a whole number from ..."
   */
  readonly unit?: string;
  /**
   * A short reason, printed in parentheses after the range (`0 is root`).
   * @default none
   */
  readonly hint?: string;
}

/**
 * The fix for a number out of its range: `must be a whole number[ of <unit>] from <min> to <max>[ (<hint>)].`, or
 * `... of at least <min>` when `max` is Infinity.
 */
export function wholeNumberFix(min: number, max: number, options: WholeNumberOptions = {}): string {
  const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
  return `must be a whole number ${options.unit !== undefined ? `of ${options.unit} ` : ""}${range}${options.hint !== undefined ? ` (${options.hint})` : ""}.`;
}

/** Checks that `v` is a whole number from `min` to `max`; appends the problem otherwise. */
export function checkWholeNumber(issues: IssueSink, field: string, v: unknown, min: number, max: number, options: WholeNumberOptions = {}): v is number {
  if (isWholeNumber(v, min, max)) return true;
  report(issues, field, v, wholeNumberFix(min, max, options));
  return false;
}

/**
 * An optional whole number: `fallback` when `v` is undefined, `v` when it is a whole number from `min` to `max`,
 * else `fallback` with the problem appended.
 */
export function wholeNumberOr(issues: IssueSink, field: string, v: unknown, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  return checkWholeNumber(issues, field, v, min, max) ? v : fallback;
}

/** The highest TCP/UDP port. */
export const MAX_PORT = 65535;

/** Checks that `v` is a TCP/UDP port (a whole number from 1 to 65535); appends the problem otherwise. */
export function checkPort(issues: IssueSink, field: string, v: unknown): v is number {
  return checkWholeNumber(issues, field, v, 1, MAX_PORT);
}

/** One end of a min/max pair: the field's name, what was given, the value in force, and the smallest allowed. */
export interface RangeEnd {
  /** The field as the user wrote it (`minNodeCount`). */
  readonly field: string;
  /** What the user gave (undefined when left out). */
  readonly given: unknown;
  /** The value in force: `given`, or the default when left out. */
  readonly value: number;
  /** The smallest value allowed for this end. */
  readonly lowest: number;
}

/**
 * Checks a min/max pair: each a whole number from its `lowest` to `highest`, and max not below min. Appends one
 * line per problem.
 */
export function checkMinMax(issues: IssueSink, min: RangeEnd, max: RangeEnd, highest: number): void {
  const minOk = isWholeNumber(min.value, min.lowest, highest);
  if (!minOk) report(issues, min.field, min.given, wholeNumberFix(min.lowest, highest));
  if (!isWholeNumber(max.value, max.lowest, highest)) report(issues, max.field, max.given, wholeNumberFix(max.lowest, highest));
  else if (minOk && max.value < min.value) {
    report(issues, max.field, max.value, `is below ${min.field} ${min.value}; raise ${max.field} or lower ${min.field}.`);
  }
}

/**
 * Parses a network the user wrote (`"10.0.0.0/8"`, case and surrounding space ignored). A string that is no
 * network appends `<field> <value> <why>` (the reason may be a did-you-mean); anything else appends
 * `<field> <value> must be a network such as <example>.`
 */
export function checkCidr(issues: IssueSink, field: string, raw: unknown, example: string): Cidr | undefined {
  if (typeof raw !== "string") {
    report(issues, field, raw, `must be a network such as ${show(example)}.`);
    return undefined;
  }
  const parsed = parseCidr(raw.trim().toLowerCase());
  if (parsed.ok) return parsed.cidr;
  report(issues, field, raw, `${parsed.reason}${parsed.reason.endsWith("?") ? "" : "."}`);
  return undefined;
}
