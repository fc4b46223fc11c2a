/**
 * The offline audit: every rule of the pack over the resources of `pulumi stack export` files, with the pack's
 * config, levels and exemptions. What preview-time checks would say of the state as it is recorded now.
 */
import { AuditConfig, StreamingAudit } from "../evaluate";
import type { StateFile } from "./read";
import type { StackAudit } from "./stackAudit";

export * from "./read";
export * from "./config";
export * from "./report";
export * from "./mask";
export { isJsonSpace, splitState } from "./split";
export type { ResourcesArray, ResourcesPath, SplitResult } from "./split";

export type { StackAudit } from "./stackAudit";
export type { ExemptionRecord } from "../core/evaluate";
export type { AppliedExemption } from "../config";

/**
 * Audits one opened state file while reading it: each resource is parsed, checked and dropped unless a stack rule
 * reads its type, so the audit holds the file's bytes and little else. Throws StateFileError at the first resource
 * that is not Pulumi state.
 */
export function auditStateFile(file: StateFile, config: AuditConfig = {}): StackAudit {
  const audit = new StreamingAudit(config);
  file.forEachResource((r) => audit.add(r));
  const violations = audit.finish();
  return { source: file.source, stack: file.stack, resourcesChecked: file.resourceCount, violations, exemptions: audit.exemptions };
}
