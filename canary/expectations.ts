/**
 * What a reached check means in this environment, read from its controls report (../controls.ts): a check that an
 * effective control promises to refuse is an error when reached (the control does not hold); one that only
 * controls the report honestly calls not effective speak for is a warning (a known gap, seen happening); one that no
 * control speaks for is a warning too (the report promised nothing). A check the operator accepted, with a reason,
 * is reported but never fails the run. Pure.
 */
import { ControlReport } from "../components/controls";
import { CanaryCheck } from "./checks";

/** How a reached check is judged. */
export type CanarySeverity = "error" | "warning" | "accepted";

/** A reached check the operator accepts in this environment, with the reason reviewers read. */
export interface CanaryAcceptance {
  /** The check's id (`dns-outside`, `metadata:169.254.170.2:80`, ...). */
  check: string;
  /** Why reaching it is acceptable here. */
  reason: string;
}

/** A check with its verdict-if-reached filled in from the controls report. */
export interface ExpectedCheck extends CanaryCheck {
  /** How the check is judged when the refusal fails (for a positive control: when it is refused). */
  readonly severity: CanarySeverity;
  /** Ids of the controls that speak for it: effective ones for an error, not-effective ones for a warning. */
  readonly controls: readonly string[];
  /** One sentence: why this severity. */
  readonly why: string;
}

/**
 * Which controls of a family speak for a check. Most checks are the family's whole promise; resolving a name
 * outside the allow-list is refused only by a DNS filter, so only controls that say they stop resolution or DNS
 * tunnelling speak for it (a CIDR allow-list stops the connection, not the lookup).
 */
function speaksFor(check: CanaryCheck, control: ControlReport): boolean {
  if (control.family !== check.family) return false;
  if (check.kind === "resolve") return /\bresol(?:ution|ving)\b|\bdns tunnel/i.test(control.protects);
  return true;
}

/**
 * Each check with its severity: `error` when an effective control of the report speaks for it, `warning` when only
 * not-effective ones do or none does, `accepted` when `accept` names it. A positive control refused is always an
 * error: with the network down every refusal would be a false comfort.
 *
 * @throws Error when `accept` names a check that does not exist or gives no reason.
 */
export function canaryExpectations(
  checks: readonly CanaryCheck[],
  controls: readonly ControlReport[],
  accept: readonly CanaryAcceptance[] = [],
): ExpectedCheck[] {
  const accepted = new Map(accept.map((a) => [a.check, a.reason]));
  return checks.map((check): ExpectedCheck => {
    if (check.expect === "reached") {
      return { ...check, severity: "error", controls: [], why: "positive control: if it is refused, the refusals prove nothing" };
    }
    const reason = accepted.get(check.id);
    if (reason !== undefined) return { ...check, severity: "accepted", controls: [], why: `accepted: ${reason}` };
    const mine = controls.filter((c) => speaksFor(check, c));
    const effective = mine.filter((c) => c.effective).map((c) => c.id);
    if (effective.length > 0) {
      return { ...check, severity: "error", controls: effective, why: `the controls report promises it is refused (${effective.join(", ")})` };
    }
    const gaps = mine.map((c) => c.id);
    if (gaps.length > 0) {
      return { ...check, severity: "warning", controls: gaps, why: `the controls report says this is not effective here (${gaps.join(", ")})` };
    }
    return { ...check, severity: "warning", controls: [], why: `no control in the report speaks for ${check.family}` };
  });
}
