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
export { hardenPodSpec, RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SCRATCH_VOLUME, TOKEN_VOLUME, TOKEN_PATH } from "./podSecurity";
export type { PodSpec, ResourceQuantities, ResourceDefaults, HardenPodSpecOptions } from "./podSecurity";
export { egressRulesFor, networkPoliciesFor, ciliumPoliciesFor, isMetadataAddress, DEFAULT_DNS, NODE_LOCAL_DNS_DEFAULT } from "./networkPolicies";
export type { Labels, DnsTarget, EgressProxyTarget, PlannedNetworkPolicy, PlannedCiliumPolicy, NetworkPlanOptions } from "./networkPolicies";
export { planWorkerNamespace, checkLabels, DEFAULT_POD_SECURITY_VERSION, WORKLOAD_SERVICE_ACCOUNT } from "./workerNamespacePlan";
export type { RuntimeClassArgs, QuotaArgs, LimitRangeArgs, WorkerNamespaceEgressProxyArgs, WorkerNamespaceProxyCreateArgs, CreatedEgressProxyPlan, KubernetesWorkerNamespaceArgs, RuntimeClassPlan, WorkerNamespacePlan } from "./workerNamespacePlan";
export { kestraTaskRunnerFor, proxyContainerEnv, withContainerEnv, withTaskEnv, taskRunnerYaml, taskJobSpecFor, planKestraWorker, KestraRunner, KESTRA_K8S_TASK_RUNNER, TASK_RUNNER_ROLE_RULES } from "./kestraWorkerPlan";
export type { KestraBackendDestination, KestraTaskPodArgs, KestraWorkerArgs, KestraTaskRunnerSettings, KestraWorkerPlan } from "./kestraWorkerPlan";
export { namespaceControlsFor, kestraWorkerControlsFor } from "./controls";
export { kestraTrustedWorkload, planWorkerAdmission } from "./admissionPolicyPlan";
export type { TrustedWorkloadArgs, WorkerAdmissionArgs, WorkerAdmissionPlan } from "./admissionPolicyPlan";
export { KubernetesWorkerNamespace } from "./workerNamespace";
export { KestraWorker } from "./kestraWorker";
export { configMapNameOf, planEgressProxy, egressProxyControlsFor, javaProxyOptionsFor, proxyEnvFor, SQUID_CONFIG_DIR, SQUID_RUN_DIR, DEBIAN_PROXY_UID } from "./egressProxyPlan";
export type { KubernetesEgressProxyArgs, EgressProxyPlan, ProxyEnvVar } from "./egressProxyPlan";
export { KubernetesEgressProxy } from "./egressProxy";
