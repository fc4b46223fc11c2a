/** The JSON report of `hardening plan` (ARCHITECTURE.md contract), which the text and JSON outputs render. */
import type { CloudPlan } from "../../program/plan";
import type { Violation } from "../../policy/rules/types";

/** One cloud's section of the JSON report. */
export interface PlanReportCloud extends CloudPlan {
  readonly violations: Violation[];
}

/** The JSON report: `{"version":1,"clouds":[...]}`. */
export interface PlanReport {
  readonly version: 1;
  readonly clouds: PlanReportCloud[];
}
