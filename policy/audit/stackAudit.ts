/** What the audit of one stack yields; the reports (report.ts) render a list of them. */
import type { Violation } from "../rules/types";

/** One stack's audit: its source, name, resource count and violations. */
export interface StackAudit {
  readonly source: string;
  readonly stack: string;
  readonly resourcesChecked: number;
  readonly violations: Violation[];
}
