/**
 * The registry: every rule of the pack, one line each. The pack (policy/index.ts), the offline audit, `hardening
 * plan`, the config schemas (policy/options.ts) and the rule table in policy/README.md (`npm run docs:rules`) all
 * read this list, so a rule added here is enforced and documented everywhere at once. Rules are grouped by the
 * folder of their family; the order is the order the pack lists them and the audit reports their findings.
 */
import { adminGrantRule } from "./rules/hostIdentity/adminGrant";
import { azureIdentityRule } from "./rules/hostIdentity/azureCompute";
import { gcpProjectSshKeysRule } from "./rules/hostIdentity/gcpSshKeys";
import { aksPodImdsRule } from "./rules/metadataEndpoint/aksPodImds";
import { azureMspRule } from "./rules/metadataEndpoint/azureMsp";
import { awsImdsRule } from "./rules/metadataEndpoint/awsImds";
import { codeMetadataReference } from "./rules/metadataEndpoint/codeReference";
import { ecsTaskRule } from "./rules/metadataEndpoint/ecsTask";
import { gcpLegacyEndpointsRule, gcpServiceAccountRule } from "./rules/metadataEndpoint/gcpCompute";
import { gkeMetadataRule } from "./rules/metadataEndpoint/gkeMetadataServer";
import { kubernetesHostNamespaces } from "./rules/metadataEndpoint/kubernetesHostNamespaces";
import { internetRouteRule, openEgressRule, publicIpRule } from "./rules/network/cloudNetwork";
import { kubernetesNamespaceMetadataEgress } from "./rules/network/kubernetesMetadataEgress";
import { splitEgressRule } from "./rules/network/splitEgress";
import { azureDefaultOutboundRule } from "./rules/network/azureSubnet";
import { kubernetesNamespacePodSecurity } from "./rules/sandbox/namespacePodSecurity";
import { kubernetesPodSecurityRestricted } from "./rules/sandbox/podSecurityRestricted";
import {
  kubernetesServiceAccountToken,
  kubernetesServiceAccountTokenInherited,
} from "./rules/sandbox/serviceAccountToken";
import { kubernetesWorkerAdmissionPolicy } from "./rules/sandbox/workerAdmission";
import { kubernetesRuntimeClass } from "./rules/sandbox/runtimeClass";
import type { ResourceCheck, ResourceRule, StackRule } from "./rules/types";
import { canonicalType } from "./rules/values";

/** Every rule, resource and stack rules alike, each with a unique id. */
export const rules: readonly (ResourceRule | StackRule)[] = [
  awsImdsRule,
  ecsTaskRule,
  gcpServiceAccountRule,
  gcpLegacyEndpointsRule,
  gkeMetadataRule,
  azureIdentityRule,
  azureMspRule,
  publicIpRule,
  openEgressRule,
  splitEgressRule,
  kubernetesHostNamespaces,
  kubernetesPodSecurityRestricted,
  kubernetesServiceAccountToken,
  kubernetesNamespacePodSecurity,
  codeMetadataReference,
  internetRouteRule,
  adminGrantRule,
  kubernetesNamespaceMetadataEgress,
  kubernetesServiceAccountTokenInherited,
  kubernetesWorkerAdmissionPolicy,
  kubernetesRuntimeClass,
  gcpProjectSshKeysRule,
  azureDefaultOutboundRule,
  aksPodImdsRule,
];

/** True for a rule checked one resource at a time (it has per-type `checks`). */
export function isResourceRule(rule: ResourceRule | StackRule): rule is ResourceRule {
  return "checks" in rule;
}

/** Every resource rule, in registry order. */
export const resourceRules: readonly ResourceRule[] = rules.filter(isResourceRule);

/** Every stack rule, in registry order. */
export const stackRules: readonly StackRule[] = rules.filter((r): r is StackRule => !isResourceRule(r));

const byId = new Map<string, ResourceRule | StackRule>(rules.map((r) => [r.id, r]));
/** The rule with this id, if the pack has one. */
export function ruleById(id: string): ResourceRule | StackRule | undefined {
  return byId.get(id);
}

/** The resource types a rule reads: its checks' type tokens, or a stack rule's `types`. */
export function typesOf(rule: ResourceRule | StackRule): readonly string[] {
  return isResourceRule(rule) ? Object.keys(rule.checks) : rule.types;
}

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
