/** The JSON report of `hardening plan` (ARCHITECTURE.md contract), which the text and JSON outputs render. */
import type { CloudPlan } from "../../program/plan";
import type { ExemptionRecord } from "../../policy/core/evaluate";
import type { Violation } from "../../policy/rules/types";

/** One cloud's section of the JSON report. */
export interface PlanReportCloud extends CloudPlan {
  readonly violations: Violation[];
  /**
   * Findings an exemption kept from being enforced, each with where the exemption came from and its reason.
   * @default []
   */
  readonly exemptions?: ExemptionRecord[];
}

/** The JSON report: `{"version":1,"clouds":[...]}`. */
export interface PlanReport {
  readonly version: 1;
  readonly clouds: PlanReportCloud[];
}
