/**
 * Validation of the whole-number sizes both GCP planners take (disk sizes, group and node-pool counts), so the two
 * say the same thing the same way.
 */
import { show } from "../../components/validation";

/** True when `v` is a whole number from `min` to `max`. */
export function isWhole(v: unknown, min: number, max: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
}

/** One end of a size range: the field's name, what was given, the default, and the smallest value allowed. */
export interface RangeEnd {
  readonly field: string;
  readonly given: unknown;
  readonly value: number;
  readonly lowest: number;
}

/**
 * Checks a min/max pair (each a whole number from its `lowest` to `highest`, and max not below min), appending
 * one message per problem to `issues`.
 */
export function checkRange(issues: string[], min: RangeEnd, max: RangeEnd, highest: number): void {
  const minOk = isWhole(min.value, min.lowest, highest);
  if (!minOk) issues.push(`${min.field} ${show(min.given)} must be a whole number from ${min.lowest} to ${highest}.`);
  if (!isWhole(max.value, max.lowest, highest)) issues.push(`${max.field} ${show(max.given)} must be a whole number from ${max.lowest} to ${highest}.`);
  else if (minOk && max.value < min.value) {
    issues.push(`${max.field} ${max.value} is below ${min.field} ${min.value}; raise ${max.field} or lower ${min.field}.`);
  }
}
