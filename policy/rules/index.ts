/**
 * The registry of every rule in the pack: resource rules and stack rules of all clouds. The pack
 * (policy/index.ts), the offline auditor and `hardening plan` all read these two lists, so a rule added here is
 * enforced everywhere at once.
 */
import { ecsTaskRule } from "./aws/ecs";
import { awsImdsRule } from "./aws/imds";
import { azureIdentityRule, azureMspRule } from "./azure/compute";
import { gcpLegacyEndpointsRule, gcpServiceAccountRule } from "./gcp/compute";
import { gkeMetadataRule } from "./gcp/gke";
import { adminGrantRule } from "./hostIdentity";
import { internetRouteRule, openEgressRule, publicIpRule } from "./network";
import type { ResourceRule, StackRule } from "./types";

// ---------------------------------------------------------------------------------------------------------------
// >>> KUBERNETES AND CODE RULES: their author appends the imports and list entries in this block only. <<<
// e.g. import { kubernetesRules, kubernetesStackRules } from "./kubernetes";
//      import { codeRules } from "./code";
import { codeRules } from "./code";
import { kubernetesRules, kubernetesStackRules } from "./kubernetes";
const contributedResourceRules: readonly (readonly ResourceRule[])[] = [
  // kubernetesRules, codeRules,
  kubernetesRules,
  codeRules,
];
const contributedStackRules: readonly (readonly StackRule[])[] = [
  // kubernetesStackRules,
  kubernetesStackRules,
];
// <<< END OF THE KUBERNETES AND CODE RULES BLOCK >>>
// ---------------------------------------------------------------------------------------------------------------

/** Every resource rule, each with a unique id. */
export const resourceRules: readonly ResourceRule[] = [
  awsImdsRule,
  ecsTaskRule,
  gcpServiceAccountRule,
  gcpLegacyEndpointsRule,
  gkeMetadataRule,
  azureIdentityRule,
  azureMspRule,
  publicIpRule,
  openEgressRule,
  ...contributedResourceRules.flat(),
];

/** Every stack rule, each with a unique id. */
export const stackRules: readonly StackRule[] = [internetRouteRule, adminGrantRule, ...contributedStackRules.flat()];

export { canonicalType } from "./values";
export { auditResources } from "../evaluate";
export type { AuditConfig } from "../evaluate";
export type { EnforcementLevel, Finding, ResourceInput, CheckContext, ResourceCheck, ResourceRemediation, ResourceRule, StackFinding, StackRule, Violation } from "./types";
