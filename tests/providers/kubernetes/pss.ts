/**
 * Test oracle: the policy pack's own Pod Security rules (restricted profile, host namespaces, service-account
 * token), applied to a bare pod spec. Using the pack's rules, not a copy, means hardenPodSpec and the pack cannot
 * drift apart unnoticed.
 */
import { kubernetesHostNamespaces } from "../../../policy/rules/metadataEndpoint/kubernetesHostNamespaces";
import { kubernetesPodSecurityRestricted } from "../../../policy/rules/sandbox/podSecurityRestricted";
import { kubernetesServiceAccountToken } from "../../../policy/rules/sandbox/serviceAccountToken";
import type { CheckContext } from "../../../policy/rules/types";

const POD = "kubernetes:core/v1:Pod";
const CTX = { config: {} } as CheckContext;

/**
 * Every finding the pack reports on a pod with this spec, as "property: message". `metadata` adds the pod's own
 * metadata (its AppArmor annotations are checked).
 */
export function pssFindings(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): string[] {
  const props = { metadata: { name: "t", namespace: "workers", ...metadata }, spec };
  return [kubernetesPodSecurityRestricted, kubernetesHostNamespaces, kubernetesServiceAccountToken].flatMap((rule) =>
    rule.checks[POD](props, CTX).map((f) => `${f.property}: ${f.message}`),
  );
}
