/** What the audit of one stack yields; the reports (report.ts) render a list of them. */
import type { ExemptionRecord } from "../core/evaluate";
import type { Violation } from "../rules/types";

/** One stack's audit: its source, name, resource count, violations and the exemptions that took effect. */
export interface StackAudit {
  readonly source: string;
  readonly stack: string;
  readonly resourcesChecked: number;
  readonly violations: Violation[];
  /** Findings an exemption kept from being enforced, with the exemption. */
  readonly exemptions: ExemptionRecord[];
}
