/**
 * Namespaces enforce the Pod Security Standards `restricted` profile through Pod Security Admission labels, so a pod
 * created at run time (Kestra's Kubernetes task runner creates one per task) is held to the profile even though
 * it never appears in a stack.
 *
 * What is required, and what is not:
 * - `pod-security.kubernetes.io/enforce: restricted`: the only label that rejects pods.
 * - `pod-security.kubernetes.io/enforce-version`: absent, `latest`, or `v1.34` and later. Older policy versions
 *   enforce a weaker profile than `sandbox-pod-security-restricted` checks (probe and lifecycle hosts are allowed
 *   below v1.34, runAsUser is unchecked below v1.23, ...); newer pins are fine (PSA clamps them to what it knows).
 * - `audit` and `warn` are not required: they reject nothing, and `enforce` already covers every pod. Setting
 *   `warn: restricted` is still worth it, because `enforce` judges pods only and `warn` also shows a workload's
 *   template problems at apply time; it is left to the user.
 */
import type { Finding, ResourceCheck, ResourceRule } from "../types";
import { asRecord, dig } from "../kubernetes/podSpec";
import { findingsOrUnknown, guardUnknowns } from "../kubernetes/unknown";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";
/** The oldest PSA policy version at least as strict as this pack's PSS rules. */
const MIN_VERSION: readonly [number, number] = [1, 34];

function versionAcceptable(value: string): boolean {
  if (value === "latest") return true;
  const m = /^v(\d+)\.(\d+)$/.exec(value);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]);
}

function checkNamespaceFor(patch: boolean): ResourceCheck {
  return (raw) => findingsOrUnknown(() => {
    const labels = asRecord(dig(guardUnknowns(raw), ["metadata", "labels"])) ?? {};
    const findings: Finding[] = [];
    const enforce = labels[ENFORCE];
    const enforcePath = `metadata.labels["${ENFORCE}"]`;
    if (enforce === undefined || enforce === null) {
      if (!patch) {
        findings.push({
          property: enforcePath,
          message: `${enforcePath} is not set; set it to "restricted" so that Pod Security Admission rejects pods that break the restricted profile, including pods created at run time.`,
        });
      }
    } else if (enforce !== "restricted") {
      findings.push({
        property: enforcePath,
        message: `${enforcePath} is ${JSON.stringify(enforce)}; set it to "restricted".`,
      });
    }
    const version = labels[ENFORCE_VERSION];
    if (version !== undefined && version !== null && !(typeof version === "string" && versionAcceptable(version))) {
      const path = `metadata.labels["${ENFORCE_VERSION}"]`;
      findings.push({
        property: path,
        message: `${path} is ${JSON.stringify(version)}; remove it or set it to "latest" (or v1.${MIN_VERSION[1]} or later): older policy versions enforce a weaker restricted profile, e.g. probe and lifecycle hosts are allowed below v1.34.`,
      });
    }
    return findings;
  });
}

/**
 * `sandbox-namespace-pod-security`: a passing Namespace has Pod Security Admission enforce the `restricted`
 * profile at a policy version no weaker than the one this pack checks.
 */
export const kubernetesNamespacePodSecurity: ResourceRule = {
  id: "sandbox-namespace-pod-security",
  description:
    "Namespaces carry pod-security.kubernetes.io/enforce=restricted (at policy version latest or v1.34+), so Kubernetes itself rejects pods that break the restricted profile.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: "Namespaces: `pod-security.kubernetes.io/enforce=restricted` at version `latest` or v1.34+.",
  checks: {
    "kubernetes:core/v1:Namespace": checkNamespaceFor(false),
    "kubernetes:core/v1:NamespacePatch": checkNamespaceFor(true),
  },
};
