/**
 * The control catalogue: one line per control id any component's controls report can produce, naming the policy
 * rules (policy/registry.ts) that check the control's setting on any stack, or saying why none does. It is how a
 * reader gets from what a component claims to what the pack checks: every hardening component's `controls` output,
 * `hardening plan` and docs/efficacy.md carry it in each report entry (`enforcedBy`).
 *
 * Rules are named by id only, so this file imports nothing outside components/; tests/components/controlCatalogue
 * checks that every id here is a registered rule, that every control a cloud reports has a line, and that ids are
 * unique. A rule is listed when a stack that weakens the control's setting fails it, even where the rule checks
 * only part of the setting (the conformance test weakens each such control and expects one of its rules to fail).
 */
import type { ControlEnforcement, ControlReport } from "./controls";

/** One catalogue line: a control id and what enforces it. */
export interface CatalogueEntry {
  /** The control id, as the controls reports give it (`aws-imds-sealed-after-boot`). */
  readonly id: string;
  /** The rules that check it, or why none does. */
  readonly enforcedBy: ControlEnforcement;
}

/** The reason on the line of a control that is never effective: it is reported so that nobody relies on it. */
export const NOT_EFFECTIVE =
  "nothing to enforce: the control is not effective, and is reported so that nobody relies on it";

// Reasons shared by several lines.
const HOST_BOOT =
  "a boot-time host setting leaves no resource property the pack can read beyond the user data / startup script, which code-metadata-reference reads for endpoint references, not for this setting";
const NOT_A_RESTRICTION =
  "a path or a convenience the other controls filter, not a restriction a weakened stack would lose";
const DETECTION = "detection, not prevention: no rule requires logs";
const NO_RULE = (what: string) => `no rule of the pack reads ${what} yet`;
const SQUID =
  "Squid's configuration is in the proxy's user data or ConfigMap, which no rule parses (code-metadata-reference reads it for endpoint references only)";

const rules = (...ids: string[]): ControlEnforcement => ({ rules: ids });
const none = (reason: string): ControlEnforcement => ({ rules: [], none: reason });

/** Every control id the components can report, grouped by cloud, then by family. */
export const CONTROL_CATALOGUE: readonly CatalogueEntry[] = [
  // ---- AWS ------------------------------------------------------------------------------------------------------
  { id: "aws-security-group-deny-metadata", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-nacl-deny-metadata", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-network-firewall-deny-metadata", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-fargate-no-imds", enforcedBy: rules("metadata-endpoint-ecs-task") },
  { id: "aws-imds-sealed-after-boot", enforcedBy: rules("metadata-endpoint-aws-imds") },
  { id: "aws-imds-v2-hop-limit-1", enforcedBy: rules("metadata-endpoint-aws-imds") },
  {
    id: "aws-imds-ipv6-disabled",
    enforcedBy: none(
      `${NO_RULE("metadataOptions.httpProtocolIpv6")}; metadata-endpoint-aws-imds's token and hop-limit requirements hold on the IPv6 endpoint too`,
    ),
  },
  { id: "aws-imds-tags-disabled", enforcedBy: none(NO_RULE("metadataOptions.instanceMetadataTags")) },
  { id: "aws-host-firewall", enforcedBy: none(HOST_BOOT) },
  { id: "aws-account-imds-defaults", enforcedBy: rules("metadata-endpoint-aws-imds") },
  {
    id: "aws-ecs-awsvpc-block-imds",
    enforcedBy: none(
      `${HOST_BOOT}; metadata-endpoint-ecs-task checks the task definitions' side (no host network mode, no privileged container)`,
    ),
  },
  { id: "aws-egress-proxy-resolved-address", enforcedBy: none(SQUID) },
  {
    id: "aws-workload-subnet-isolated",
    enforcedBy: rules("workload-subnet-internet-route", "workload-subnet-public-ip"),
  },
  {
    id: "aws-workload-subnet-private",
    enforcedBy: rules("workload-subnet-internet-route", "workload-subnet-public-ip"),
  },
  { id: "aws-no-public-ip", enforcedBy: rules("workload-subnet-public-ip") },
  {
    id: "aws-default-security-group-emptied",
    enforcedBy: none(
      `${NO_RULE("aws.ec2.DefaultSecurityGroup")}; egress-open-to-internet checks the security groups a stack creates`,
    ),
  },
  {
    id: "aws-security-group-egress-allow-list",
    enforcedBy: rules("egress-open-to-internet", "egress-open-to-internet-combined"),
  },
  { id: "aws-dns-firewall", enforcedBy: none(NO_RULE("Route 53 Resolver DNS Firewall resources")) },
  { id: "aws-dns-exfiltration", enforcedBy: none(NOT_EFFECTIVE) },
  {
    id: "aws-network-firewall-domain-allow-list",
    enforcedBy: none(NO_RULE("Network Firewall rule groups or policies")),
  },
  { id: "aws-s3-gateway-endpoint-policy", enforcedBy: none(NO_RULE("VPC endpoint policies")) },
  { id: "aws-interface-endpoints", enforcedBy: none(NOT_A_RESTRICTION) },
  { id: "aws-flow-logs", enforcedBy: none(DETECTION) },
  { id: "aws-egress-proxy-allow-list", enforcedBy: none(SQUID) },
  {
    id: "aws-egress-proxy-load-balancer",
    enforcedBy: none(
      `${NO_RULE("load balancers or security-group ingress")}; egress-open-to-internet reads egress only`,
    ),
  },
  { id: "aws-fargate-kernel-isolation", enforcedBy: none(NO_RULE("an ECS service's launch type")) },
  { id: "aws-task-least-privilege", enforcedBy: rules("metadata-endpoint-ecs-task") },
  { id: "aws-docker-userns-remap", enforcedBy: none(HOST_BOOT) },
  // Not effective for the package (it cannot stop another task definition using host mode), but the pack checks it.
  { id: "aws-ecs-host-network-tasks", enforcedBy: rules("metadata-endpoint-ecs-task") },
  { id: "aws-sandbox-none", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-no-instance-profile", enforcedBy: rules("host-identity-admin-grant") },
  { id: "aws-caller-instance-profile", enforcedBy: rules("host-identity-admin-grant") },
  { id: "aws-no-task-role", enforcedBy: rules("host-identity-admin-grant") },
  { id: "aws-caller-task-role", enforcedBy: rules("host-identity-admin-grant") },
  { id: "aws-egress-proxy-host", enforcedBy: rules("metadata-endpoint-aws-imds", "workload-subnet-public-ip") },
  { id: "aws-fargate-task-lifetime", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-ebs-encrypted", enforcedBy: none(NO_RULE("launch templates' block device encryption")) },
  { id: "aws-max-instance-lifetime", enforcedBy: none(NO_RULE("Auto Scaling maxInstanceLifetime")) },
  { id: "aws-instance-refresh", enforcedBy: none(NO_RULE("Auto Scaling instance refresh")) },

  // ---- GCP ------------------------------------------------------------------------------------------------------
  { id: "gcp-vpc-firewall-metadata-deny", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "gcp-host-firewall", enforcedBy: none(HOST_BOOT) },
  { id: "gcp-legacy-metadata-endpoints-disabled", enforcedBy: rules("metadata-endpoint-gcp-legacy-endpoints") },
  // The server always requires the header; the legacy endpoints are the one way around it.
  { id: "gcp-metadata-flavor-header", enforcedBy: rules("metadata-endpoint-gcp-legacy-endpoints") },
  { id: "gke-workload-metadata-gke-metadata", enforcedBy: rules("metadata-endpoint-gke-metadata-server") },
  { id: "gke-legacy-metadata-endpoints-disabled", enforcedBy: rules("metadata-endpoint-gcp-legacy-endpoints") },
  {
    id: "gcp-no-default-route",
    enforcedBy: none(
      `${NO_RULE("GCP routes or deleteDefaultRoutesOnCreate")}; workload-subnet-internet-route follows AWS route tables`,
    ),
  },
  { id: "gcp-private-google-access", enforcedBy: none(NOT_A_RESTRICTION) },
  { id: "gcp-no-external-ip", enforcedBy: rules("workload-subnet-public-ip") },
  { id: "gcp-cloud-nat", enforcedBy: none(NOT_A_RESTRICTION) },
  { id: "gke-private-nodes", enforcedBy: none(NO_RULE("GKE node pools' networkConfig.enablePrivateNodes")) },
  { id: "gcp-flow-logs", enforcedBy: none(DETECTION) },
  { id: "gcp-egress-deny-all", enforcedBy: rules("egress-open-to-internet") },
  { id: "gcp-egress-allow-list", enforcedBy: rules("egress-open-to-internet") },
  { id: "gcp-dns-allow-list", enforcedBy: none(NO_RULE("Cloud DNS response policies")) },
  { id: "gcp-ngfw-fqdn-egress", enforcedBy: rules("egress-open-to-internet") },
  { id: "gcp-docker-userns-remap", enforcedBy: none(HOST_BOOT) },
  { id: "gcp-vm-sandbox-runtime", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "gcp-vm-sandbox-none", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "gke-sandbox-gvisor", enforcedBy: none(NO_RULE("GKE node pools' sandboxConfig")) },
  { id: "gke-sandbox-none", enforcedBy: none(NOT_EFFECTIVE) },
  {
    id: "gcp-no-service-account",
    enforcedBy: rules("metadata-endpoint-gcp-service-account", "host-identity-admin-grant"),
  },
  {
    id: "gcp-dedicated-service-account",
    enforcedBy: rules("metadata-endpoint-gcp-service-account", "host-identity-admin-grant"),
  },
  { id: "gcp-os-login", enforcedBy: rules("host-identity-gcp-project-ssh-keys") },
  { id: "gcp-shielded-vm", enforcedBy: none(NO_RULE("shieldedInstanceConfig")) },
  { id: "gke-node-service-account", enforcedBy: rules("metadata-endpoint-gcp-service-account", "host-identity-admin-grant") },
  { id: "gke-shielded-nodes", enforcedBy: none(NO_RULE("shieldedInstanceConfig")) },
  { id: "gcp-max-run-duration", enforcedBy: none(NO_RULE("scheduling.maxRunDuration")) },
  { id: "gke-max-run-duration", enforcedBy: none(NO_RULE("nodeConfig.maxRunDuration")) },

  // ---- Azure ----------------------------------------------------------------------------------------------------
  {
    id: "azure-nsg-imds-service-tag-deny",
    enforcedBy: none(
      "a choice, not a requirement: the tag deny also cuts off the hosts' own agents, so the pack does not demand it; host-identity-azure-vm keeps IMDS from having a token to give",
    ),
  },
  { id: "azure-nsg-metadata-ip-deny", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-host-firewall", enforcedBy: none(HOST_BOOT) },
  // Not counted as protection, but where it is configured the pack checks that it enforces.
  { id: "azure-metadata-security-protocol", enforcedBy: rules("metadata-endpoint-azure-msp") },
  { id: "azure-aks-pod-imds-restriction", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-subnet-no-default-outbound", enforcedBy: rules("workload-subnet-azure-default-outbound") },
  { id: "azure-vmss-no-public-ip", enforcedBy: rules("workload-subnet-public-ip") },
  { id: "azure-aks-no-node-public-ip", enforcedBy: rules("workload-subnet-public-ip") },
  { id: "azure-nsg-deny-all-outbound", enforcedBy: rules("egress-open-to-internet", "egress-open-to-internet-combined") },
  { id: "azure-nat-gateway-egress", enforcedBy: none(NOT_A_RESTRICTION) },
  { id: "azure-dns-security-policy-allow-list", enforcedBy: none(NO_RULE("DNS security policies")) },
  { id: "azure-firewall-application-rules", enforcedBy: none(NO_RULE("Azure Firewall policies")) },
  { id: "azure-udr-default-via-firewall", enforcedBy: none(NO_RULE("Azure route tables")) },
  { id: "azure-egress-deny-all", enforcedBy: rules("egress-open-to-internet", "egress-open-to-internet-combined") },
  { id: "azure-docker-userns-remap", enforcedBy: none(HOST_BOOT) },
  { id: "azure-vmss-sandbox-runtime", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-aks-kata-pod-sandboxing", enforcedBy: none(NO_RULE("AKS agent pools' workloadRuntime")) },
  { id: "azure-vmss-no-managed-identity", enforcedBy: rules("host-identity-azure-vm", "host-identity-admin-grant") },
  { id: "azure-vmss-user-assigned-identity", enforcedBy: rules("host-identity-admin-grant") },
  { id: "azure-aks-workload-identity", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-trusted-launch", enforcedBy: none(NO_RULE("scale sets' securityProfile")) },
  { id: "azure-ephemeral-os-disk", enforcedBy: none(NO_RULE("scale sets' osDisk.diffDiskSettings")) },
  { id: "azure-host-lifetime", enforcedBy: none(HOST_BOOT) },
  { id: "azure-aks-ephemeral-os-disk", enforcedBy: none(NO_RULE("AKS agent pools' osDiskType")) },

  // ---- Kubernetes -----------------------------------------------------------------------------------------------
  { id: "k8s-networkpolicy-metadata-blocked", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  // NetworkPolicy does not cover hostNetwork pods; the pack keeps them out of the stack.
  { id: "k8s-networkpolicy-hostnetwork-pods", enforcedBy: rules("metadata-endpoint-kubernetes-host-namespaces") },
  // The rule reads Cilium policies (their allows open, their egressDeny closes), but demands no deny: the NetworkPolicy
  // carve-outs already keep the metadata networks closed, so a stack without this extra layer passes.
  {
    id: "k8s-cilium-metadata-deny",
    enforcedBy: none("egress-kubernetes-metadata-networks reads CiliumNetworkPolicies but does not require this deny: the NetworkPolicy carve-outs it does require already close the metadata networks"),
  },
  { id: "k8s-egress-proxy-resolved-address", enforcedBy: none(SQUID) },
  { id: "k8s-networkpolicy-default-deny", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  { id: "k8s-networkpolicy-dns-cluster-resolver", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  { id: "k8s-networkpolicy-egress-allow-list", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  { id: "k8s-egress-proxy", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  { id: "k8s-cilium-fqdn-allow-list", enforcedBy: none(NO_RULE("CiliumNetworkPolicy")) },
  { id: "k8s-egress-proxy-allow-list", enforcedBy: none(SQUID) },
  { id: "k8s-egress-proxy-networkpolicy", enforcedBy: rules("egress-kubernetes-metadata-networks") },
  { id: "k8s-pod-security-restricted", enforcedBy: rules("sandbox-namespace-pod-security") },
  // Pods of the stack in a namespace that asks for the sandbox; run-time pods are the admission policy's (below).
  { id: "k8s-runtimeclass-sandbox", enforcedBy: rules("sandbox-kubernetes-runtime-class") },
  { id: "k8s-no-sandbox", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-admission-run-time-pods", enforcedBy: rules("sandbox-kubernetes-worker-admission") },
  { id: "k8s-resource-limits", enforcedBy: none(NO_RULE("ResourceQuota or LimitRange")) },
  {
    id: "k8s-kestra-worker-restricted-pod",
    enforcedBy: rules("sandbox-pod-security-restricted", "metadata-endpoint-kubernetes-host-namespaces"),
  },
  {
    id: "k8s-kestra-task-pods",
    enforcedBy: none(
      "the task pods exist only at run time and the runner's settings are Kestra configuration, not stack resources; sandbox-kubernetes-worker-admission checks the admission policy that holds the pods to them (k8s-kestra-task-pod-admission)",
    ),
  },
  { id: "k8s-kestra-task-pod-admission", enforcedBy: rules("sandbox-kubernetes-worker-admission") },
  { id: "k8s-kestra-process-runner", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-kestra-docker-runner", enforcedBy: none(NOT_EFFECTIVE) },
  {
    id: "k8s-egress-proxy-pod-security",
    enforcedBy: rules("sandbox-pod-security-restricted", "sandbox-service-account-token"),
  },
  {
    id: "k8s-serviceaccount-no-token",
    enforcedBy: rules("sandbox-service-account-token", "sandbox-service-account-token-inherited"),
  },
  {
    id: "k8s-kestra-worker-rbac",
    enforcedBy: none(
      `${NO_RULE("what a Role grants")}; sandbox-kubernetes-worker-admission reads Roles only to find where pods are created`,
    ),
  },
  { id: "k8s-node-lifetime", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-kestra-worker-disruption-budget", enforcedBy: none(NOT_A_RESTRICTION) },
  // ---- Egress paths each tier leaves open (components/egressPaths.ts, docs/egress.md) ------------------------------
  { id: "aws-security-group-domain-ports-open", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-network-firewall-sni-spoofing", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-network-firewall-tls-inspection", enforcedBy: none(NO_RULE("Network Firewall policies' TLS inspection configurations")) },
  { id: "aws-security-group-domain-ports-vpc-local", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-egress-proxy-cdn-fronting", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "aws-interface-endpoint-policies", enforcedBy: none(NO_RULE("VPC endpoint policies")) },
  { id: "gcp-google-apis-other-project", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "gcp-private-google-access-off", enforcedBy: none(NO_RULE("subnetworks' privateIpGoogleAccess")) },
  { id: "gcp-vpc-service-controls", enforcedBy: none(NO_RULE("Access Context Manager service perimeters")) },
  { id: "gcp-egress-allow-list-name-ports", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "gcp-ngfw-fqdn-cdn", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-nsg-domain-ports-open", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "azure-firewall-sni-spoofing", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-dns-tunnelling", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-cilium-internal-deny", enforcedBy: none(NO_RULE("Cilium policies")) },
  { id: "k8s-cilium-fqdn-cdn", enforcedBy: none(NOT_EFFECTIVE) },
  { id: "k8s-egress-proxy-cdn-fronting", enforcedBy: none(NOT_EFFECTIVE) },
];

const byId = new Map<string, CatalogueEntry>(CONTROL_CATALOGUE.map((e) => [e.id, e]));

/** The catalogue line of a control id, if it has one. */
export function catalogueEntry(id: string): CatalogueEntry | undefined {
  return byId.get(id);
}

/** Ids that appear more than once in `entries` (each once, in first-seen order). */
export function duplicateIds(entries: readonly CatalogueEntry[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const e of entries) (seen.has(e.id) ? dups : seen).add(e.id);
  return [...dups];
}

/**
 * The reports with `enforcedBy` filled in from the catalogue, so every consumer (the components' `controls` outputs,
 * `hardening plan`, docs/efficacy.md) gets it from this one place. A control the catalogue does not list keeps no `enforcedBy` (the catalogue test
 * fails on it); nothing else changes. Pure: returns new objects.
 */
export function withEnforcement(reports: readonly ControlReport[]): ControlReport[] {
  return reports.map((r) => {
    const e = byId.get(r.id);
    return e
      ? {
          ...r,
          enforcedBy: {
            rules: [...e.enforcedBy.rules],
            ...(e.enforcedBy.none !== undefined ? { none: e.enforcedBy.none } : {}),
          },
        }
      : { ...r };
  });
}
