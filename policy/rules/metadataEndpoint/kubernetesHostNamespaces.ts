/**
 * Metadata access from Kubernetes pods: no pod shares the node's network, PID or IPC namespace.
 */
import type { Finding, ResourceRule } from "../types";
import { bindPodCheck, type LocatedPodSpec } from "../kubernetes/podSpec";
import { findingsOrUnknown } from "../kubernetes/unknown";

// Why each host namespace matters. A host-network pod is the metadata hole: it uses the node's interfaces, so the
// node's route to 169.254.169.254 (and IMDS hop limit 1) applies to it as to the node itself, and NetworkPolicy
// behaviour for host-network pods is undefined (cloud-controls.md section 5: "hostNetwork pods | Bypass").
const WHY: Readonly<Record<string, string>> = {
  hostNetwork:
    "a host-network pod uses the node's network namespace, so NetworkPolicy does not reliably apply to it and it reaches the node's metadata endpoint with the node's credentials",
  hostPID: "a pod in the node's PID namespace can see and signal every process on the node",
  hostIPC: "a pod in the node's IPC namespace can read other workloads' shared memory",
};

/**
 * The check of one pod spec: `hostNetwork`, `hostPID` and `hostIPC` are absent or false. Mirrors Pod
 * Security Admission's `hostNamespaces` check (kubernetes/kubernetes
 * staging/src/k8s.io/pod-security-admission/policy/check_hostNamespaces.go: allowed values false, undefined).
 */
export function checkHostNamespaces(pod: LocatedPodSpec): Finding[] {
  return (["hostNetwork", "hostPID", "hostIPC"] as const).flatMap((field) =>
    findingsOrUnknown(() =>
      pod.spec[field] === true
        ? [
            {
              property: `${pod.path}.${field}`,
              message: `${pod.path}.${field} is true; remove it or set it to false: ${WHY[field]}.`,
            },
          ]
        : [],
    ),
  );
}

/**
 * `metadata-endpoint-kubernetes-host-namespaces`: a passing pod or workload runs in its own network, PID and IPC
 * namespaces, so the node's metadata endpoint is reachable only as far as the namespace's NetworkPolicy allows. Together with
 * `sandbox-pod-security-restricted` it is the whole Pod Security Standards `restricted` profile.
 */
export const kubernetesHostNamespaces: ResourceRule = {
  id: "metadata-endpoint-kubernetes-host-namespaces",
  description:
    "Pods and workloads do not share the node's network, PID or IPC namespace, so they cannot use the node's route to the metadata endpoint.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "Pods and every workload kind (pod templates included): no `hostNetwork`, `hostPID` or `hostIPC`.",
  checks: bindPodCheck(checkHostNamespaces),
};
