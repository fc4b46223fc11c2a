/**
 * The Kubernetes rules: metadata access (host namespaces), the Pod Security Standards `restricted` profile,
 * service-account tokens, namespace PSA labels, and NetworkPolicy egress away from the metadata networks.
 */
import type { ResourceRule, StackRule } from "../types";
import { kubernetesWorkerAdmissionPolicy } from "./admissionPolicy";
import { kubernetesHostNamespaces } from "./hostNamespaces";
import { kubernetesNamespacePodSecurity } from "./namespace";
import { kubernetesNamespaceMetadataEgress } from "./networkPolicy";
import { kubernetesPodSecurityRestricted } from "./podSecurity";
import { kubernetesServiceAccountToken, kubernetesServiceAccountTokenInherited } from "./serviceAccountToken";

export { kubernetesWorkerAdmissionPolicy } from "./admissionPolicy";
export { kubernetesHostNamespaces } from "./hostNamespaces";
export { kubernetesNamespacePodSecurity } from "./namespace";
export { kubernetesNamespaceMetadataEgress } from "./networkPolicy";
export { kubernetesPodSecurityRestricted, POD_SECURITY_CHECKS } from "./podSecurity";
export { kubernetesServiceAccountToken, kubernetesServiceAccountTokenInherited } from "./serviceAccountToken";
export { POD_SPEC_LOCATIONS, POD_SPEC_TYPES, locatePodSpec, containersOf } from "./podSpec";

/** Every Kubernetes resource rule, each bound to every type token that carries its setting. */
export const kubernetesRules: ResourceRule[] = [
  kubernetesHostNamespaces,
  kubernetesPodSecurityRestricted,
  kubernetesServiceAccountToken,
  kubernetesNamespacePodSecurity,
];

/** Every Kubernetes stack rule. */
export const kubernetesStackRules: StackRule[] = [
  kubernetesNamespaceMetadataEgress,
  kubernetesServiceAccountTokenInherited,
  kubernetesWorkerAdmissionPolicy,
];
