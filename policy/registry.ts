/**
 * The registry of every rule in the pack: resource rules and stack rules of all clouds. The pack
 * (policy/index.ts), the offline auditor and `hardening plan` all read these two lists, so a rule added here is
 * enforced everywhere at once.
 */
import { ecsTaskRule } from "./rules/aws/ecs";
import { awsImdsRule } from "./rules/aws/imds";
import { azureIdentityRule, azureMspRule } from "./rules/azure/compute";
import { gcpLegacyEndpointsRule, gcpServiceAccountRule } from "./rules/gcp/compute";
import { gkeMetadataRule } from "./rules/gcp/gke";
import { adminGrantRule } from "./rules/hostIdentity";
import { internetRouteRule, openEgressRule, publicIpRule } from "./rules/network";
import type { ResourceCheck, ResourceRule, StackRule } from "./rules/types";
import { canonicalType } from "./rules/values";

// ---------------------------------------------------------------------------------------------------------------
// >>> KUBERNETES AND CODE RULES: their author appends the imports and list entries in this block only. <<<
// e.g. import { kubernetesRules, kubernetesStackRules } from "./rules/kubernetes";
//      import { codeRules } from "./rules/code";
import { codeRules } from "./rules/code";
import { kubernetesRules, kubernetesStackRules } from "./rules/kubernetes";
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


let checksByType: Map<string, { rule: ResourceRule; check: ResourceCheck }[]> | undefined;

/** The resource checks bound to a type token (any version of it: `canonicalType`), indexed once. */
export function checksFor(type: string): readonly { rule: ResourceRule; check: ResourceCheck }[] {
  if (!checksByType) {
    checksByType = new Map();
    for (const rule of resourceRules) {
      for (const [t, check] of Object.entries(rule.checks)) {
        const list = checksByType.get(t) ?? [];
        list.push({ rule, check });
        checksByType.set(t, list);
      }
    }
  }
  return checksByType.get(canonicalType(type)) ?? [];
}
