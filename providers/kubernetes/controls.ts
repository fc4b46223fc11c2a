/**
 * The Kubernetes controls report, built from plans alone (pure), so tests and `hardening plan` print exactly
 * what the components apply, and what they deliberately do not rely on (`effective: false`).
 */
import { ControlFamily, ControlReport } from "../../components/controls";
import { EgressMode, SandboxMode } from "../../components/spec";
import { egressProxyControlsFor } from "./egressProxyPlan";
import type { KestraWorkerPlan } from "./kestraWorkerPlan";
import type { WorkerNamespacePlan } from "./workerNamespacePlan";

const CLOUD = "kubernetes";

const SRC = {
  pss: "kubernetes.io/docs/concepts/security/pod-security-standards: restricted is the \"Heavily restricted policy, following current Pod hardening best practices\"; checks in kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy (check_hostNamespaces.go, check_restrictedVolumes.go, check_capabilities_restricted.go, check_runAsNonRoot.go, check_seccompProfile_restricted.go)",
  netpol:
    "kubernetes.io/docs/concepts/services-networking/network-policies: \"Network policies are implemented by the network plugin\"; ipBlock \"should be cluster-external IPs\"; \"it is not defined whether [rewriting] happens before or after NetworkPolicy processing\"; policies \"are additive\"",
  hostNetwork: "NetworkPolicy behaviour for hostNetwork pods is \"undefined\" (Kubernetes docs, as quoted by several CNI tools) [secondary]; PSS baseline: \"Sharing the host namespaces must be disallowed\" (spec.hostNetwork must be unset or false)",
  cilium: "docs.cilium.io security/policy/deny: \"Deny policies take precedence over allow policies, regardless of whether they are a Cilium Network Policy, a Clusterwide Cilium Network Policy or even a Kubernetes Network Policy\"",
  fqdn: "docs.cilium.io policy language, DNS based: \"shares all limitations of the CIDR based rules... DNS information is acquired by routing DNS traffic via a proxy\"; toFQDNs needs the port-53 DNS rule (cilium/cilium#32567)",
  token: "kubernetes.io/docs/tasks/configure-pod-container/configure-service-account: \"opt out of automounting API credentials... by setting automountServiceAccountToken: false\"",
  runtimeClass: "kubernetes.io/docs/concepts/containers/runtime-class: \"RuntimeClass is a feature for selecting the container runtime configuration\"; GKE sandbox-pods (gVisor), AKS Pod Sandboxing (Kata)",
  quota: "kubernetes.io/docs/concepts/policy/resource-quotas and limit-range: per-namespace totals and per-container defaults and ceilings",
  kestraRunner:
    "kestra.io/plugins/plugin-ee-kubernetes io.kestra.plugin.ee.kubernetes.runner.Kubernetes: \"Task runner that executes a task inside a pod\"; the runner's service account needs \"pods: get, create, delete, watch, list; pods/log: get, watch; pods/exec: get, watch\"",
  admission:
    "kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy: ValidatingAdmissionPolicy \"offers a declarative, in-process alternative to validating admission webhooks\", GA (admissionregistration.k8s.io/v1) in 1.30; validations are CEL over the object after mutating admission; failurePolicy Fail refuses on evaluation errors",
  docker: "Kestra's Docker task runner needs a Docker daemon (a privileged Docker-in-Docker sidecar or the node's docker.sock hostPath); PSS baseline forbids privileged containers and hostPath volumes",
};

function control(c: Omit<ControlReport, "cloud">): ControlReport {
  return { cloud: CLOUD, ...c };
}

/**
 * The controls a {@link WorkerNamespacePlan} applies, with the logical names of the resources that carry them,
 * given the component's name. Stable order.
 */
export function namespaceControlsFor(name: string, plan: WorkerNamespacePlan): ControlReport[] {
  const ns = `${name}-namespace`;
  const policy = (key: string) => `${name}-${key}`;
  const h = plan.hardening;
  const latest = plan.podSecurityVersion === "latest";
  const out: ControlReport[] = [
    control({
      id: "k8s-pod-security-restricted",
      family: ControlFamily.Sandbox,
      appliedBy: `Namespace labels pod-security.kubernetes.io/{enforce,audit,warn}=restricted, *-version=${plan.podSecurityVersion}`,
      protects: "privileged, root, host-namespace, hostPath and host-port pods; hostNetwork pods, which would bypass NetworkPolicy and reach the node's metadata endpoint",
      effective: true,
      limits: `admission only: pods admitted before the label stay until replaced; other namespaces are not covered${latest ? "; version \"latest\" changes what is admitted on every cluster upgrade" : ""}`,
      resources: [ns],
      source: SRC.pss,
    }),
    control({
      id: "k8s-networkpolicy-default-deny",
      family: ControlFamily.Egress,
      appliedBy: "NetworkPolicy podSelector {} policyTypes [Ingress, Egress] with no rules",
      protects: "every connection in or out of the namespace's pods that no other rule allows",
      effective: true,
      limits: "needs a CNI that enforces NetworkPolicy (Calico, Cilium, Antrea, cloud CNIs with policy enabled; not kubenet or plain flannel); pods started before the CNI programs a policy may run unprotected",
      resources: [policy("default-deny")],
      source: SRC.netpol,
    }),
    control({
      id: "k8s-networkpolicy-dns-cluster-resolver",
      family: ControlFamily.Egress,
      appliedBy: `NetworkPolicy egress UDP/TCP 53 to pods ${JSON.stringify(plan.network.dns.podLabels)} in namespaces ${JSON.stringify(plan.network.dns.namespaceLabels)}${plan.network.dns.nodeLocalAddress ? ` and ${plan.network.dns.nodeLocalAddress} (NodeLocal DNSCache)` : ""}`,
      protects: "DNS to any other resolver, including the metadata server's resolver on 169.254.169.254:53",
      effective: true,
      limits: "lookups through the cluster resolver can still carry data out (DNS tunnelling); the resolver answers any name",
      resources: [policy("allow-dns")],
      source: SRC.netpol,
    }),
  ];
  const cidrRules = h.egress.mode === EgressMode.AllowList ? h.egress.allow.filter((r) => r.kind === "cidr") : [];
  const carved = [...new Set(cidrRules.flatMap((r) => r.except))];
  out.push(
    control({
      id: "k8s-networkpolicy-metadata-blocked",
      family: ControlFamily.MetadataEndpoint,
      appliedBy:
        cidrRules.length === 0
          ? "no NetworkPolicy allows any address outside the cluster resolver: metadata addresses are unreachable from pod-network pods"
          : `NetworkPolicy ipBlock rules whose except lists the metadata networks inside each cidr (${carved.join(", ") || "none inside the allowed networks"})`,
      protects: "pod-network pods reaching cloud metadata and credential endpoints (169.254.169.254, fd00:ec2::254, 168.63.129.16, 100.100.100.200, ...)",
      effective: true,
      limits: "policies union: another NetworkPolicy selecting these pods that allows 0.0.0.0/0 reopens the endpoints (a Cilium egressDeny does not have this gap); whether DNAT happens before policy is undefined; hostNetwork pods bypass it",
      resources: cidrRules.length === 0 ? [policy("default-deny"), policy("allow-dns")] : [policy("default-deny"), policy("allow-egress")],
      source: SRC.netpol,
    }),
    control({
      id: "k8s-networkpolicy-hostnetwork-pods",
      family: ControlFamily.MetadataEndpoint,
      appliedBy: "not relied on: NetworkPolicy for hostNetwork pods",
      protects: "nothing: hostNetwork pods use the node's network namespace and reach the node's metadata endpoint with the node's identity",
      effective: false,
      limits: "this is why the namespace enforces Pod Security restricted, which refuses hostNetwork pods",
      resources: [],
      source: SRC.hostNetwork,
    }),
  );
  if (cidrRules.length > 0) {
    out.push(
      control({
        id: "k8s-networkpolicy-egress-allow-list",
        family: ControlFamily.Egress,
        appliedBy: `NetworkPolicy ipBlock rules: ${cidrRules.map((r) => `${r.cidr} ${r.protocol}/${r.ports.join(",")}`).join("; ")}; each excepts the metadata networks, the internal ranges (pod, Service, node networks, loopback) it does not name, and their NAT64 forms`,
        protects: "connections to any address and port outside the allow-list; a broad rule (0.0.0.0/0 on one port) reaching pods, Services, nodes or peered private networks",
        effective: true,
        limits: "addresses only: an allowed network shared with other tenants (a CDN, a cloud range) is open to all of them",
        resources: [policy("allow-egress")],
        source: SRC.netpol,
      }),
    );
  }
  const domains = h.egress.mode === EgressMode.AllowList ? h.egress.allow.filter((r) => r.kind === "domain") : [];
  if (plan.network.cilium) {
    out.push(
      control({
        id: "k8s-cilium-metadata-deny",
        family: ControlFamily.MetadataEndpoint,
        appliedBy: "CiliumNetworkPolicy egressDeny toCIDRSet of every catalogued metadata network, endpointSelector {}",
        protects: "metadata endpoints, even when another policy (Kubernetes or Cilium) allows 0.0.0.0/0",
        effective: true,
        limits: "needs Cilium with its CRDs (GKE Dataplane V2 does not serve CiliumNetworkPolicy); hostNetwork pods are outside pod policy",
        resources: [policy("deny-metadata")],
        source: SRC.cilium,
      }),
    );
  }
  if (domains.length > 0 && plan.network.proxy !== undefined) {
    const p = plan.network.proxy;
    out.push(
      control({
        id: "k8s-egress-proxy",
        family: ControlFamily.Egress,
        appliedBy: `NetworkPolicy egress only to proxy pods ${JSON.stringify(p.podLabels)} in namespace ${p.namespace} on TCP ${p.port}, for ${domains.map((d) => d.domain).join(", ")}`,
        protects: "direct connections to any domain: pods reach named destinations only through the proxy",
        effective: true,
        limits: plan.egressProxy
          ? `the proxy this component creates (${plan.egressProxy.name}, controls below) enforces the allow-list; pods must be given its proxyEnv, or their requests fail closed`
          : "the proxy itself must enforce the domain allow-list (SNI/Host) and deny the metadata networks; this component only confines pods to it",
        resources: [policy("allow-proxy")],
        source: SRC.netpol,
      }),
      control({
        id: "k8s-egress-proxy-cdn-fronting",
        family: ControlFamily.Egress,
        appliedBy: "not closed: a forward proxy checks the CONNECT authority and Host, not what is sent inside the TLS tunnel",
        protects: "nothing: an allowed name served by a shared CDN, with another site of that CDN named inside the tunnel",
        effective: false,
        limits: "The proxy connects to the allowed name's own addresses, so SNI spoofing to an arbitrary address is closed; a CDN that routes by the inner Host still serves any of its customers.",
        resources: [],
        source: SRC.netpol,
      }),
    );
  } else if (domains.length > 0) {
    out.push(
      control({
        id: "k8s-cilium-fqdn-allow-list",
        family: ControlFamily.Egress,
        appliedBy: `CiliumNetworkPolicy toFQDNs ${domains.map((d) => d.domain).join(", ")} plus the DNS rule to the cluster resolver`,
        protects: "connections to addresses that no allowed name resolved to",
        effective: true,
        limits: "DNS-based: an allowed name's addresses are open to every site sharing them (CDNs); \"*.\" patterns are matched by Cilium's own wildcard rules [verify multi-label matching on your Cilium version]",
        resources: [policy("allow-fqdn")],
        source: SRC.fqdn,
      }),
      control({
        id: "k8s-cilium-internal-deny",
        family: ControlFamily.Egress,
        appliedBy: "CiliumNetworkPolicy deny-internal: egressDeny toCIDRSet of every range that is not globally reachable and its NAT64 form, except the networks the cidr rules list",
        protects: "an allowed name that resolves (or rebinds) to a private, loopback, link-local or reserved address: toFQDNs would allow it",
        effective: true,
        limits: "Cilium's CIDR selectors do not apply to endpoints Cilium manages (pods, nodes): the deny does not cut the cluster resolver off, nor does it stop a name resolving to another pod's address. A cidr rule listed inside an internal range is reachable by name too.",
        resources: [policy("deny-internal")],
        source: SRC.cilium,
      }),
      control({
        id: "k8s-cilium-fqdn-cdn",
        family: ControlFamily.Egress,
        appliedBy: "not closed: toFQDNs allows the addresses the allowed names resolve to, whoever else is served there",
        protects: "nothing: domain fronting on a CDN an allowed name shares",
        effective: false,
        limits: "Layer 3 after resolution: the SNI and Host are never checked. An egress proxy (egressProxy) checks the requested name and connects to that name's addresses, but cannot see inside the TLS tunnel either.",
        resources: [],
        source: SRC.fqdn,
      }),
    );
  }
  out.push(
    control({
      id: "k8s-dns-tunnelling",
      family: ControlFamily.Egress,
      appliedBy: "not closed: pods may query the cluster resolver (allow-dns), which forwards names outside the cluster upstream",
      protects: "nothing: data tunnelled out in DNS queries for names under a domain the attacker's name server answers",
      effective: false,
      limits: "NetworkPolicy sees port 53 to the resolver, never the names. Restrict what CoreDNS forwards (its forward plugin) or, on Cilium, narrow the DNS rule's matchPattern; the package does not.",
      resources: [],
      source: SRC.netpol,
    }),
  );
  out.push(
    control({
      id: "k8s-serviceaccount-no-token",
      family: ControlFamily.HostIdentity,
      appliedBy: `ServiceAccount ${plan.serviceAccountName} automountServiceAccountToken=false, no RoleBinding; hardened pods also set automountServiceAccountToken=false`,
      protects: "untrusted code calling the Kubernetes API with the pod's token",
      effective: true,
      limits: plan.admission.policy
        ? "node-level identity (instance role, node service account) is the cloud node pool's setting; pods with another ServiceAccount or a token are refused by the admission policy below"
        : "the namespace's default ServiceAccount still automounts for pods that do not opt out (no admission policy here); node-level identity is the cloud node pool's setting",
      resources: [`${name}-workload`],
      source: SRC.token,
    }),
  );
  if (plan.runtimeClass !== undefined) {
    const rc = plan.runtimeClass;
    out.push(
      control({
        id: "k8s-runtimeclass-sandbox",
        family: ControlFamily.Sandbox,
        appliedBy: rc.create ? `RuntimeClass ${rc.name} (handler ${rc.handler}) created; hardened pods set runtimeClassName` : `existing RuntimeClass ${rc.name}; hardened pods set runtimeClassName`,
        protects: "container escapes into the node kernel: each pod gets its own (gVisor user-space or Kata VM) kernel",
        effective: true,
        limits: plan.admission.policy
          ? "the handler must be installed on the nodes; pods without this runtimeClassName are refused by the admission policy below (trusted controller-managed workloads listed there excepted)"
          : "the handler must be installed on the nodes; Pod Security Admission does not require runtimeClassName and this namespace has no admission policy, so only pods built by these helpers are sandboxed",
        resources: rc.create ? [`${name}-runtime-class`] : [],
        source: SRC.runtimeClass,
      }),
    );
  } else if (h.sandbox === SandboxMode.None) {
    out.push(
      control({
        id: "k8s-no-sandbox",
        family: ControlFamily.Sandbox,
        appliedBy: "hardening.sandbox is \"none\": ordinary containers",
        protects: "nothing beyond Pod Security restricted: pods share the node kernel",
        effective: false,
        limits: "a kernel exploit in untrusted code reaches the node and its identity; set sandbox to \"runtime\"",
        resources: [],
        source: SRC.runtimeClass,
      }),
    );
  }
  const ap = plan.admission.policy;
  if (ap) {
    const r = ap.rules;
    out.push(
      control({
        id: "k8s-admission-run-time-pods",
        family: ControlFamily.Sandbox,
        appliedBy: `ValidatingAdmissionPolicy ${ap.name} (failurePolicy Fail) bound with Deny to namespace ${plan.namespaceName}: pods must${r.runtimeClassName ? ` set runtimeClassName ${r.runtimeClassName},` : ""} use ServiceAccount ${r.serviceAccounts.join(" or ")}, mount no token, set activeDeadlineSeconds <= ${r.maxActiveDeadlineSeconds}, and have no hostPath, host namespace or privileged container`,
        protects: "pods created at run time (Kestra's task runner, whatever a flow's podSpec asks for) escaping the sandbox, borrowing an API identity or running forever",
        effective: true,
        limits: `needs Kubernetes 1.30+ (admissionregistration.k8s.io/v1); judges pods on create and ephemeral containers, not pods that existed before it${r.trusted.length > 0 ? `; trusted controller-managed workloads (${r.trusted.map((t) => `${t.serviceAccountName}: ${t.reason}`).join("; ")}) skip the deadline and ServiceAccount rules${r.trusted.some((t) => t.token) ? ", and may mount a token" : ""}` : ""}`,
        resources: [`${name}-admission`, `${name}-admission-binding`],
        source: SRC.admission,
      }),
    );
  } else {
    out.push(
      control({
        id: "k8s-admission-run-time-pods",
        family: ControlFamily.Sandbox,
        appliedBy: `not applied: admission.create is false (${plan.admission.reason ?? ""})`,
        protects: "nothing beyond Pod Security restricted for pods created at run time",
        effective: false,
        limits: "run-time pods are sandboxed, token-less and bounded only if whoever creates them says so (Kestra: the forced runner configuration); upgrade to Kubernetes 1.30+ and remove admission.create: false",
        resources: [],
        source: SRC.admission,
      }),
    );
  }
  out.push(
    control({
      id: "k8s-resource-limits",
      family: ControlFamily.Sandbox,
      appliedBy: `ResourceQuota ${JSON.stringify(plan.quota)}; LimitRange container defaults and ceilings`,
      protects: "one run exhausting the node or the namespace (CPU, memory, ephemeral storage, pod count); NodePort and LoadBalancer Services",
      effective: true,
      limits: "the quota counts requests and limits, not actual use; containers that set none get the LimitRange defaults",
      resources: [`${name}-quota`, `${name}-limits`],
      source: SRC.quota,
    }),
    control({
      id: "k8s-node-lifetime",
      family: ControlFamily.Ephemeral,
      appliedBy: `not applied by a namespace: replacing nodes within ${h.ephemeral.maxLifetimeHours} h is the node pool's setting`,
      protects: "nothing here: a namespace cannot replace the nodes its pods run on",
      effective: false,
      limits: "set node lifetime on the cloud's node pool (EKS managed node group / Karpenter expiry, GKE node auto-upgrade or recreation, AKS node image upgrade); task pods are bounded by activeDeadlineSeconds",
      resources: [],
      source: "kubernetes.io/docs/concepts/architecture/nodes: nodes are registered and replaced by the cluster's infrastructure, not by namespaced objects",
    }),
  );
  // The proxy this namespace created reports its own controls, under its own children's names.
  if (plan.egressProxy) out.push(...egressProxyControlsFor(plan.egressProxy.name, plan.egressProxy.plan));
  return out;
}

/** The controls a {@link KestraWorkerPlan} applies, given the component's name. Stable order. */
export function kestraWorkerControlsFor(name: string, plan: KestraWorkerPlan): ControlReport[] {
  const out: ControlReport[] = [
    control({
      id: "k8s-kestra-worker-restricted-pod",
      family: ControlFamily.Sandbox,
      appliedBy: "Deployment pod template through hardenPodSpec: runAsNonRoot, no privilege escalation, drop ALL, seccomp RuntimeDefault, read-only root with an emptyDir /tmp, limits",
      protects: "the worker process gaining root or node access",
      effective: true,
      limits: "the configuration Secret is readable by the worker process",
      resources: [`${name}-deployment`],
      source: SRC.pss,
    }),
    control({
      id: "k8s-kestra-worker-disruption-budget",
      family: ControlFamily.Ephemeral,
      appliedBy: `PodDisruptionBudget maxUnavailable=1 over ${plan.replicas} replicas`,
      protects: "node replacement (the ephemeral-host rotation) taking every worker down at once",
      effective: true,
      limits: "voluntary disruptions only (drains); a node failure is not covered",
      resources: [`${name}-pdb`],
      source: "kubernetes.io/docs/concepts/workloads/pods/disruptions: a PDB \"limits the number of Pods of a replicated application that are down simultaneously from voluntary disruptions\"",
    }),
  ];
  if (plan.runner === "kubernetes") {
    out.push(
      control({
        id: "k8s-kestra-task-pods",
        family: ControlFamily.Sandbox,
        appliedBy: `task runner ${plan.taskRunner.type}: each task in its own pod in ${plan.taskNamespaceLabel}, no token, restricted security context${plan.taskRunner.podSpec.runtimeClassName ? `, runtimeClassName ${String(plan.taskRunner.podSpec.runtimeClassName)}` : ""}, activeDeadlineSeconds=${plan.taskRunner.podSpec.activeDeadlineSeconds}, deleted on completion`,
        protects: "user code reading the worker's configuration or credentials, and one task's leftovers reaching the next",
        effective: true,
        limits: "flows reach this runner through the forced plugin defaults (output forcedRunnerConfigYaml, fed to the Kestra server); whatever a flow overrides, the ValidatingAdmissionPolicy below refuses task pods that differ from these settings; Kestra's task runner is an Enterprise Edition plugin",
        resources: [],
        source: SRC.kestraRunner,
      }),
      control({
        id: "k8s-kestra-task-pod-admission",
        family: ControlFamily.Sandbox,
        appliedBy: `ValidatingAdmissionPolicy hardening-kestra-tasks-<namespace>-${name} matching pods created by ServiceAccount ${plan.workerServiceAccountName} in ${plan.taskNamespaceLabel}: ServiceAccount ${plan.taskRunner.serviceAccountName}, no token${plan.taskRunner.podSpec.runtimeClassName ? `, runtimeClassName ${String(plan.taskRunner.podSpec.runtimeClassName)}` : ""}, activeDeadlineSeconds <= ${String(plan.taskRunner.podSpec.activeDeadlineSeconds)}, no hostPath, host namespace or privileged container`,
        protects: "a flow's podSpec, serviceAccountName or namespace override giving its task pod the worker's token, the host or no sandbox, even in a task namespace without a worker-namespace policy",
        effective: true,
        limits: "needs Kubernetes 1.30+ (admissionregistration.k8s.io/v1); the Role already confines the worker to the task namespace",
        resources: [`${name}-task-admission`, `${name}-task-admission-binding`],
        source: SRC.admission,
      }),
      control({
        id: "k8s-kestra-worker-rbac",
        family: ControlFamily.HostIdentity,
        appliedBy: `ServiceAccount ${name}-worker (token only through an explicit projected volume, 1 h, rotated by the kubelet) bound to Role ${name}-task-runner in the task namespace: pods get/list/watch/create/delete, pods/log get/watch, pods/exec get/create`,
        protects: "the worker's token being usable for anything but managing task pods in one namespace",
        effective: true,
        limits: "pods/exec lets whoever holds the worker's token run commands in any pod of the task namespace: keep only task pods there",
        resources: [`${name}-worker`, `${name}-task-runner`, `${name}-task-runner-binding`],
        source: SRC.kestraRunner,
      }),
    );
  } else {
    out.push(
      control({
        id: "k8s-kestra-process-runner",
        family: ControlFamily.Sandbox,
        appliedBy: "process runner: user code runs inside the worker pod (which at least gets no API token)",
        protects: "nothing between user code and the worker: they share a process, a filesystem and the worker's credentials",
        effective: false,
        limits: "user code shares the worker's pod: it can read the Kestra configuration Secret (database and storage credentials) and other tasks' files; use the Kubernetes task runner for untrusted code",
        resources: [`${name}-deployment`],
        source: SRC.kestraRunner,
      }),
    );
  }
  out.push(
    control({
      id: "k8s-kestra-docker-runner",
      family: ControlFamily.Sandbox,
      appliedBy: "not supported: Kestra's Docker task runner",
      protects: "nothing here: it needs a privileged Docker-in-Docker sidecar or the node's docker.sock, which Pod Security restricted refuses",
      effective: false,
      limits: "use the process runner (trusted code) or the Kubernetes task runner (untrusted code)",
      resources: [],
      source: SRC.docker,
    }),
  );
  return out;
}
