/**
 * Service-account tokens: no pod gets a Kubernetes API token it was not explicitly meant to have.
 *
 * Kubernetes mounts a token when neither the pod nor its service account says otherwise (the pod's
 * `automountServiceAccountToken` wins over the service account's). How the two rules split the cases:
 * - `sandbox-service-account-token` (per resource): a pod spec that sets `automountServiceAccountToken: true`,
 *   and a ServiceAccount that does not set it to false. Its remediation sets false where the field is absent.
 * - `sandbox-service-account-token-inherited` (stack): a pod spec that leaves the field out relies on its
 *   service account. When that account is in the stack, the resource rule above judges it (false passes, anything
 *   else is reported there once, not again on every pod). When it is not in the stack (the `default` account
 *   Kubernetes creates, or one managed elsewhere), the pod is reported: nothing in the stack shows that the token is
 *   off.
 */
import type { Finding, ResourceCheck, ResourceRemediation, ResourceRule, StackFinding, StackRule } from "../types";
import { bindPodCheck, dig, locatePodSpec, namespaceOf, POD_SPEC_LOCATIONS, POD_SPEC_TYPES, type LocatedPodSpec } from "../kubernetes/podSpec";
import { bindPodRemediation } from "./podSecurityRestricted";
import { containsUnknown, findingsOrUnknown, guardUnknowns, tryKnown, whenKnown } from "../kubernetes/unknown";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const WHY =
  "a mounted token lets code in the pod call the Kubernetes API as its service account, beside any cloud credential it can reach";

function checkPodAutomount(pod: LocatedPodSpec): Finding[] {
  const path = `${pod.path}.automountServiceAccountToken`;
  return pod.spec.automountServiceAccountToken === true
    ? [{ property: path, message: `${path} is true; set it to false: ${WHY}.` }]
    : [];
}

function checkServiceAccountFor(patch: boolean): ResourceCheck {
  return (raw) => findingsOrUnknown(() => {
    const props = guardUnknowns(raw);
    const value = props.automountServiceAccountToken;
    if (value === false || (patch && (value === undefined || value === null))) return [];
    const shown =
      value === undefined || value === null ? "not set (Kubernetes then mounts the token)" : JSON.stringify(value);
    return [
      {
        property: "automountServiceAccountToken",
        message: `automountServiceAccountToken is ${shown}; set it to false, and let a pod that needs the API opt in with its own automountServiceAccountToken: ${WHY}.`,
      },
    ];
  });
}

function remediatePodAutomount(pod: LocatedPodSpec): Record<string, unknown> | undefined {
  const value = pod.spec.automountServiceAccountToken;
  return value === undefined || value === null ? { ...pod.spec, automountServiceAccountToken: false } : undefined;
}

const remediateServiceAccount: ResourceRemediation = (props) => {
  if (containsUnknown(props)) return undefined;
  const value = props.automountServiceAccountToken;
  return value === undefined || value === null ? { ...props, automountServiceAccountToken: false } : undefined;
};

/**
 * `sandbox-service-account-token`: a passing pod spec does not ask for an API token, and a passing
 * ServiceAccount does not hand one to pods by default.
 */
export const kubernetesServiceAccountToken: ResourceRule = {
  id: "sandbox-service-account-token",
  description:
    "Pods do not ask for a Kubernetes API token and ServiceAccounts set automountServiceAccountToken to false, so workload code gets no API credential by default.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: "Pods and workloads: `automountServiceAccountToken` not true; ServiceAccounts: it is false.",
  remediation: "Sets `automountServiceAccountToken: false` where it is left out.",
  checks: {
    ...bindPodCheck(checkPodAutomount),
    [SERVICE_ACCOUNT]: checkServiceAccountFor(false),
    [`${SERVICE_ACCOUNT}Patch`]: checkServiceAccountFor(true),
  },
  remediations: { ...bindPodRemediation(remediatePodAutomount), [SERVICE_ACCOUNT]: remediateServiceAccount },
};

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * `sandbox-service-account-token-inherited`: every pod spec that leaves `automountServiceAccountToken` out uses a
 * service account defined in the stack (whose own setting the resource rule checks). Patches are skipped: a patch
 * that leaves the field out changes nothing about it.
 */
export const kubernetesServiceAccountTokenInherited: StackRule = {
  id: "sandbox-service-account-token-inherited",
  description:
    "Pods that leave automountServiceAccountToken out use a ServiceAccount defined in the stack, so whether they get an API token is visible and checked.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: "Pods that leave `automountServiceAccountToken` out name a ServiceAccount defined in the stack.",
  types: [SERVICE_ACCOUNT, ...POD_SPEC_TYPES],
  check: (resources) => {
    const accounts = new Set<string>();
    for (const r of resources) {
      if (r.type !== SERVICE_ACCOUNT) continue;
      const id = whenKnown(() => {
        const props = guardUnknowns(r.props);
        const name = dig(props, ["metadata", "name"]);
        return typeof name === "string" ? key(namespaceOf(props), name) : undefined;
      });
      if (id) accounts.add(id);
    }
    const findings: StackFinding[] = [];
    for (const r of resources) {
      const location = POD_SPEC_LOCATIONS[r.type];
      if (!location || location.patch) continue;
      const finding = tryKnown((): StackFinding | undefined => {
        const props = guardUnknowns(r.props);
        const pod = locatePodSpec(r.type, props);
        if (!pod) return undefined;
        const automount = pod.spec.automountServiceAccountToken;
        if (automount !== undefined && automount !== null) return undefined;
        const named = pod.spec.serviceAccountName ?? pod.spec.serviceAccount;
        const account = typeof named === "string" && named !== "" ? named : "default";
        const namespace = namespaceOf(props);
        if (accounts.has(key(namespace, account))) return undefined;
        const path = `${pod.path}.automountServiceAccountToken`;
        return {
          urn: r.urn,
          type: r.type,
          property: path,
          message: `${path} is not set and service account "${account}" of namespace "${namespace}" is not in this stack, so Kubernetes mounts its token unless that account sets automountServiceAccountToken: false; set ${path} to false.`,
        };
      });
      if (!finding.known) {
        findings.push({
          urn: r.urn,
          type: r.type,
          property: finding.path,
          message: `${finding.path} is not known during preview, so whether this pod gets a service-account token is checked when the stack is updated.`,
          indeterminate: true,
        });
      } else if (finding.value) findings.push(finding.value);
    }
    return findings;
  },
};

