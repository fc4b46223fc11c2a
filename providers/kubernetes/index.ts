/**
 * pulumi-hardening/kubernetes: hardened namespaces and workloads for untrusted code on any Kubernetes cluster
 * (EKS, GKE, AKS, self-managed). The components (KubernetesWorkerNamespace, KestraWorker), the pure pod hardening
 * (`hardenPodSpec`), the NetworkPolicy and Cilium mappings, the Kestra task-runner settings and the controls
 * reports.
 *
 * Kubernetes is the one layer where a network rule does block the metadata endpoint, for pods on the pod network
 * and where the CNI enforces NetworkPolicy; hostNetwork pods bypass it, which is why the namespace enforces Pod
 * Security `restricted`.
 */
export * from "./podSecurity";
export * from "./networkPolicies";
export * from "./namespacePlan";
export * from "./kestraPlan";
export * from "./admissionPolicyPlan";
export * from "./controls";
export { KubernetesWorkerNamespace } from "./workerNamespace";
export { KestraWorker } from "./kestraWorker";
export * from "./egressProxyPlan";
export { KubernetesEgressProxy } from "./egressProxy";
