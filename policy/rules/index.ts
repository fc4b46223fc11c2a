/**
 * pulumi-hardening/policy: the pack's rules as data and the offline audit over plain resources. The rules
 * themselves are listed in policy/registry.ts.
 */
export { resourceRules, stackRules } from "../registry";
export { canonicalType } from "./values";
export { auditResources } from "../evaluate";
export type { AuditConfig } from "../evaluate";
export type { EnforcementLevel, Finding, ResourceInput, CheckContext, ResourceCheck, ResourceRemediation, ResourceRule, StackFinding, StackRule, Violation } from "./types";
