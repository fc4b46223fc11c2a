/**
 * The offline audit: every rule of the pack over the resources of `pulumi stack export` files, with the pack's
 * config, levels and exemptions. What preview-time checks would say of the state as it is recorded now.
 */
import { auditResources, AuditConfig } from "../evaluate";
import type { Violation } from "../rules/types";
import type { StackSnapshot } from "./read";

export * from "./read";
export * from "./config";
export * from "./report";

/** One stack's audit: its source, name, resource count and violations. */
export interface StackAudit {
  readonly source: string;
  readonly stack: string;
  readonly resourcesChecked: number;
  readonly violations: Violation[];
}

/** Audits each snapshot on its own (stack rules relate resources of one stack only). */
export function auditSnapshots(snapshots: readonly StackSnapshot[], config: AuditConfig = {}): StackAudit[] {
  return snapshots.map((s) => ({
    source: s.source,
    stack: s.stack,
    resourcesChecked: s.resources.length,
    violations: auditResources(s.resources, config),
  }));
}
