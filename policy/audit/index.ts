/**
 * The offline audit: every rule of the pack over the resources of `pulumi stack export` files, with the pack's
 * config, levels and exemptions. What preview-time checks would say of the state as it is recorded now.
 */
import { AuditConfig, StreamingAudit } from "../evaluate";
import type { Violation } from "../rules/types";
import type { StateFile } from "./read";

export * from "./read";
export * from "./config";
export * from "./report";
export * from "./mask";
export { isJsonSpace, splitState } from "./split";
export type { ResourcesArray, ResourcesPath, SplitResult } from "./split";

/** One stack's audit: its source, name, resource count and violations. */
export interface StackAudit {
  readonly source: string;
  readonly stack: string;
  readonly resourcesChecked: number;
  readonly violations: Violation[];
}

/**
 * Audits one opened state file while reading it: each resource is parsed, checked and dropped unless a stack rule
 * reads its type, so the audit holds the file's bytes and little else. Throws StateFileError at the first resource
 * that is not Pulumi state.
 */
export function auditStateFile(file: StateFile, config: AuditConfig = {}): StackAudit {
  const audit = new StreamingAudit(config);
  file.forEachResource((r) => audit.add(r));
  return { source: file.source, stack: file.stack, resourcesChecked: file.resourceCount, violations: audit.finish() };
}
