/**
 * The hardened worker namespace as plain data: what {@link planWorkerNamespace} decides, before anything is
 * created. The component (workerNamespace.ts) only turns this plan into resources.
 */
import { NO_RUN_TIME_PODS_ANNOTATION, SANDBOX_RUNTIME_CLASS_ANNOTATION, SANDBOX_TRUSTED_ANNOTATION } from "../../components/kubernetesSandbox";
import { checkFields, checkPort, checkWholeNumber, InvalidArgsError, isRecord, show } from "../../components/validation";
import { formatCidr, hostCidr, isIpAddress, parseCidr } from "../../components/cidr";
import { metadataAddresses } from "../../components/endpoints";
import { resolveHardeningInto } from "../../components/resolve";
import { EgressMode, HardeningSpec, ResolvedHardening, SandboxMode } from "../../components/spec";
import { checkDnsSelectors, checkLabels, DEFAULT_POD_SECURITY_VERSION } from "./checks";
import { EgressProxyPlan, KubernetesEgressProxyArgs, planEgressProxy } from "./egressProxyPlan";
import type { KubernetesCanaryArgs } from "./canaryArgs";
import { planWorkerAdmission, WorkerAdmissionArgs, WorkerAdmissionPlan } from "./admissionPolicyPlan";
import type { ResourceDefaults } from "./podSecurity";
import {
  DnsTarget,
  EgressProxyTarget,
  Labels,
  NetworkPlanOptions,
  PlannedCiliumPolicy,
  PlannedNetworkPolicy,
  ciliumPoliciesFor,
  networkPoliciesFor,
} from "./networkPolicies";

/** A RuntimeClass for sandboxed pods: an existing one by name, or one this component creates. */
export interface RuntimeClassArgs {
  /**
   * Name of the RuntimeClass pods use. GKE Sandbox provides `gvisor`; AKS Pod Sandboxing provides
   * `kata-vm-isolation` [verify name on your AKS version].
   * @default "gvisor"
   */
  name?: string;
  /**
   * Create the RuntimeClass (cluster-scoped) instead of using an existing one.
   * @default false
   */
  create?: boolean;
  /**
   * CRI handler of a created RuntimeClass: `runsc` (gVisor) or a Kata handler such as `kata`, as configured in the
   * nodes' containerd. Only with `create`.
   * @default "runsc"
   */
  handler?: string;
  /**
   * Node labels of the nodes that have the handler installed; the scheduler adds them to every pod using the class.
   * Only with `create`.
   * @default {}
   */
  nodeSelector?: Labels;
}

/** Namespace-wide compute limits (ResourceQuota `spec.hard`). */
export interface QuotaArgs {
  /** @default "8" */
  requestsCpu?: string;
  /** @default "16Gi" */
  requestsMemory?: string;
  /** @default "16" */
  limitsCpu?: string;
  /** @default "32Gi" */
  limitsMemory?: string;
  /** @default "64Gi" */
  limitsEphemeralStorage?: string;
  /** @default 50 */
  pods?: number;
}

/** Per-container defaults and ceilings (LimitRange, type Container). */
export interface LimitRangeArgs {
  /** Limit of a container that sets none. @default "1" */
  defaultCpu?: string;
  /** @default "1Gi" */
  defaultMemory?: string;
  /** Request of a container that sets none. @default "100m" */
  defaultRequestCpu?: string;
  /** @default "256Mi" */
  defaultRequestMemory?: string;
  /** Largest limit any container may set. @default "4" */
  maxCpu?: string;
  /** @default "8Gi" */
  maxMemory?: string;
}

/**
 * The worker namespace's egress proxy: either an existing proxy (`namespace`, `podLabels` and `port`, all three) or
 * `create`, never both.
 */
export interface WorkerNamespaceEgressProxyArgs {
  /**
   * Namespace of an existing proxy's pods (with `podLabels` and `port`; a KubernetesEgressProxy's `target`).
   * @default undefined
   */
  namespace?: string;
  /**
   * Labels of the existing proxy's pods (NetworkPolicies select pods, not Services).
   * @default undefined
   */
  podLabels?: Labels;
  /**
   * The existing proxy's listening port (the pod's port, which policies see after the Service rewrite).
   * @default undefined
   */
  port?: number;
  /**
   * Create a KubernetesEgressProxy for this namespace, as a child of the component: it enforces the namespace's
   * `hardening.egress` allow-list, admits this namespace's pods (and `otherWorkerNamespaces`), and the component
   * exposes its `proxyUrl`, `proxyEnv` and `javaToolOptions` for the workers.
   * @default undefined
   */
  create?: WorkerNamespaceProxyCreateArgs;
}

/**
 * The proxy a worker namespace creates: the KubernetesEgressProxy arguments that are not the namespace's own
 * (the spec, the resolver and the admitted namespace come from the namespace component).
 */
export interface WorkerNamespaceProxyCreateArgs {
  /**
   * A Squid 5 or newer image that has `squid` on its PATH and runs as a non-root uid (for example Canonical's
   * `ubuntu/squid`), pinned by digest.
   */
  image: string;
  /**
   * Name of the proxy: its Service, Deployment and ServiceAccount, and the prefix of its children's names.
   * @default "<component name>-proxy"
   */
  name?: string;
  /**
   * Namespace of the proxy; never the worker namespace itself.
   * @default the proxy's name
   */
  namespaceName?: string;
  /**
   * Create the proxy's namespace (Pod Security restricted) rather than use an existing one.
   * @default true
   */
  createNamespace?: boolean;
  /**
   * Other namespaces whose pods may use the proxy too (the Kestra workers' namespace, when tasks run here). Their
   * own egress policies must allow the proxy (KubernetesWorkerNamespace `egressProxy` with the proxy's target).
   * @default []
   */
  otherWorkerNamespaces?: string[];
  /**
   * Proxy pods; two or more keep workers online through a node drain.
   * @default 2
   */
  replicas?: number;
  /**
   * The port Squid listens on.
   * @default 3128
   */
  port?: number;
  /**
   * Non-root uid (and gid) Squid runs as. 13 is `proxy` in Debian and Ubuntu images.
   * @default 13
   */
  runAsUser?: number;
  /**
   * Pod networks allowed to use the proxy, checked by Squid itself.
   * @default ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
   */
  clients?: string[];
  /**
   * The cluster's DNS domain, for the proxy URL.
   * @default "cluster.local"
   */
  clusterDomain?: string;
  /**
   * Hosts and domains workers reach without the proxy (NO_PROXY), besides loopback: in-cluster services such as
   * `.svc` and the API server's address, which the proxy refuses as private.
   * @default []
   */
  noProxy?: string[];
  /**
   * Requests and limits of the Squid container.
   * @default { requests: { cpu: "100m", memory: "128Mi", ephemeralStorage: "64Mi" }, limits: { cpu: "1", memory: "512Mi", ephemeralStorage: "256Mi" } }
   */
  resources?: ResourceDefaults;
}

/** The proxy a worker namespace creates, planned: the child component's name, its arguments and its plan. */
export interface CreatedEgressProxyPlan {
  /** The KubernetesEgressProxy child's name. */
  readonly name: string;
  /** The arguments the child is constructed with. */
  readonly args: KubernetesEgressProxyArgs;
  /** What the child will create. */
  readonly plan: EgressProxyPlan;
}

/** Arguments of {@link KubernetesWorkerNamespace}. */
export interface KubernetesWorkerNamespaceArgs {
  /**
   * Name of the namespace to create.
   * @default the component's name
   */
  namespaceName?: string;
  /**
   * The hardening contract; every omitted field takes the strictest setting.
   * @default {}
   */
  hardening?: HardeningSpec;
  /**
   * Pod Security Standards version pinned in the `*-version` labels, so a cluster upgrade never changes what is
   * admitted without a reviewed change here. A version newer than the cluster is evaluated as the cluster's latest
   * [inference from the PSA docs].
   * `latest` is accepted but tracks the cluster, and the controls report says so.
   * @default "v1.34"
   */
  podSecurityVersion?: string;
  /**
   * The cluster resolver that pods may query (and nothing else on port 53).
   * @default { namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "kube-dns" } }
   */
  dns?: DnsTarget;
  /**
   * Egress only through a forward proxy that enforces the domain allow-list: an existing one (`namespace`,
   * `podLabels`, `port`, which a KubernetesEgressProxy's `target` gives) or one this component creates (`create`).
   * When set, domain rules are reached only through the proxy; CIDR rules stay direct ipBlock rules, since a proxy
   * cannot carry arbitrary TCP/UDP.
   * @default undefined (no proxy)
   */
  egressProxy?: WorkerNamespaceEgressProxyArgs;
  /**
   * The cluster runs Cilium with its CRDs: adds an `egressDeny` of the metadata networks that no other policy can
   * reopen, and enforces domain rules with `toFQDNs` when there is no proxy.
   * @default false
   */
  cilium?: boolean;
  /**
   * The cluster's pod, Service and node networks where they lie outside the private and shared ranges (which every
   * CIDR rule already excepts unless it names them): each CIDR rule's ipBlock excepts them too, so `0.0.0.0/0` on a
   * port never reaches the cluster's own addresses. List them only if the cluster uses public ranges.
   * @default []
   */
  clusterNetworks?: string[];
  /**
   * The RuntimeClass used when `hardening.sandbox` is `runtime`.
   * @default { name: "gvisor", create: false }
   */
  runtimeClass?: RuntimeClassArgs;
  /**
   * Namespace ResourceQuota.
   * @default { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", limitsEphemeralStorage: "64Gi", pods: 50 }
   */
  quota?: QuotaArgs;
  /**
   * Container LimitRange.
   * @default { defaultCpu: "1", defaultMemory: "1Gi", defaultRequestCpu: "100m", defaultRequestMemory: "256Mi", maxCpu: "4", maxMemory: "8Gi" }
   */
  limitRange?: LimitRangeArgs;
  /**
   * Extra namespace labels. Pod Security labels cannot be overridden here.
   * @default {}
   */
  labels?: Labels;
  /**
   * Also run the canary (docs/runbook.md, The canary): a CronJob whose pod is a Kestra task pod of this namespace,
   * probing every metadata endpoint and control from a task's seat against this namespace's controls report.
   * @default undefined (no canary)
   */
  canary?: KubernetesCanaryArgs;
  /**
   * The ValidatingAdmissionPolicy that holds every pod created here at run time (Kestra's task pods) to the sandbox
   * RuntimeClass, no token, the allowed ServiceAccounts and a deadline (admissionPolicyPlan.ts). Needs Kubernetes
   * 1.30 or later.
   * @default { create: true }
   */
  admission?: WorkerAdmissionArgs;
}

/** The resolved RuntimeClass decision. */
export interface RuntimeClassPlan {
  readonly name: string;
  readonly create: boolean;
  /** Set when `create`. */
  readonly handler?: string;
  /** Set when `create` and non-empty. */
  readonly nodeSelector?: Labels;
}

/** Everything the namespace component creates, as plain data. */
export interface WorkerNamespacePlan {
  readonly namespaceName: string;
  readonly hardening: ResolvedHardening;
  readonly podSecurityVersion: string;
  readonly labels: Labels;
  /**
   * Namespace annotations: with `hardening.sandbox: runtime`, {@link SANDBOX_RUNTIME_CLASS_ANNOTATION} names the
   * RuntimeClass every pod here must set and {@link SANDBOX_TRUSTED_ANNOTATION} lists the trusted workloads'
   * ServiceAccounts that run without it (the admission policy's `unsandboxed` ones); the pack's
   * `sandbox-kubernetes-runtime-class` rule reads both. With `admission.create: false`,
   * {@link NO_RUN_TIME_PODS_ANNOTATION} holds its reason, for `sandbox-kubernetes-worker-admission`.
   * @default {} (no sandbox asked for, admission policy created)
   */
  readonly annotations: Labels;
  readonly networkPolicies: PlannedNetworkPolicy[];
  readonly ciliumPolicies: PlannedCiliumPolicy[];
  readonly network: NetworkPlanOptions;
  /** The workload ServiceAccount: no token mounted, no role bound. */
  readonly serviceAccountName: string;
  /** ResourceQuota `spec.hard`. */
  readonly quota: Labels;
  /** LimitRange `spec`. */
  readonly limitRange: Record<string, unknown>;
  /** Undefined when `hardening.sandbox` is `none`. */
  readonly runtimeClass?: RuntimeClassPlan;
  /** Set when the component creates its egress proxy (`egressProxy.create`). */
  readonly egressProxy?: CreatedEgressProxyPlan;
  /** The admission policy for pods created at run time, or why there is none. */
  readonly admission: WorkerAdmissionPlan;
}

// Re-exported: callers have imported these from here.
export { checkLabels, DEFAULT_POD_SECURITY_VERSION };
/** The name of the workload ServiceAccount in the namespace. */
export const WORKLOAD_SERVICE_ACCOUNT = "workload";
export { NO_RUN_TIME_PODS_ANNOTATION, SANDBOX_RUNTIME_CLASS_ANNOTATION, SANDBOX_TRUSTED_ANNOTATION };

const ARG_FIELDS = [
  "namespaceName", "hardening", "podSecurityVersion", "dns", "egressProxy", "cilium", "clusterNetworks", "runtimeClass", "quota", "limitRange", "labels",
  // Planned by canaryPlan.ts (KubernetesWorkerNamespace plans it with this plan).
  "canary",
  "admission",
];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const PSA_PREFIX = "pod-security.kubernetes.io/";

function quantity(issues: string[], path: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !QUANTITY.test(value)) {
    issues.push(`${path} ${show(value)} is not a Kubernetes quantity such as "500m", "2" or "4Gi".`);
    return fallback;
  }
  return value;
}

function planRuntimeClass(issues: string[], raw: unknown): RuntimeClassPlan {
  const args = raw === undefined ? {} : raw;
  if (!isRecord(args)) {
    issues.push(`runtimeClass ${show(raw)} must be an object such as { name: "gvisor" }.`);
    return { name: "gvisor", create: false };
  }
  checkFields(issues, "runtimeClass", args, ["name", "create", "handler", "nodeSelector"]);
  const name = args.name ?? "gvisor";
  if (typeof name !== "string" || !DNS_SUBDOMAIN.test(name)) issues.push(`runtimeClass.name ${show(name)} is not a valid RuntimeClass name (lower-case DNS subdomain).`);
  const create = args.create ?? false;
  if (typeof create !== "boolean") issues.push(`runtimeClass.create ${show(create)} must be true or false.`);
  if (create !== true) {
    for (const key of ["handler", "nodeSelector"]) {
      if (args[key] !== undefined) issues.push(`runtimeClass.${key} is set but runtimeClass.create is not true; it only applies to a RuntimeClass this component creates.`);
    }
    return { name: String(name), create: false };
  }
  const handler = args.handler ?? "runsc";
  if (typeof handler !== "string" || !DNS_LABEL.test(handler)) issues.push(`runtimeClass.handler ${show(handler)} must be a CRI handler name such as "runsc" or "kata".`);
  const nodeSelector = checkLabels(issues, "runtimeClass.nodeSelector", args.nodeSelector);
  return {
    name: String(name),
    create: true,
    handler: String(handler),
    ...(Object.keys(nodeSelector).length > 0 ? { nodeSelector: { ...nodeSelector } } : {}),
  };
}

const PROXY_TARGET_FIELDS = ["namespace", "podLabels", "port"];
const PROXY_CREATE_FIELDS = [
  "image", "name", "namespaceName", "createNamespace", "otherWorkerNamespaces", "replicas", "port", "runAsUser", "clients", "clusterDomain", "noProxy", "resources",
];

/** An existing proxy's target, checked. */
function planProxyTarget(issues: string[], raw: Record<string, unknown>): EgressProxyTarget {
  if (typeof raw.namespace !== "string" || !DNS_LABEL.test(raw.namespace)) {
    issues.push(`egressProxy.namespace ${show(raw.namespace)} must be a namespace name.`);
  }
  const podLabels = checkLabels(issues, "egressProxy.podLabels", raw.podLabels ?? {}, true);
  checkPort(issues, "egressProxy.port", raw.port);
  return { namespace: String(raw.namespace), podLabels: { ...podLabels }, port: Number(raw.port) };
}

/**
 * The proxy this namespace creates, planned by planEgressProxy with the namespace's spec and resolver, and this
 * namespace admitted; its issues are reported under `egressProxy.create`. `specValid` false drops the proxy's
 * complaints about the spec, which the namespace reports already.
 */
function planCreatedProxy(
  issues: string[],
  componentName: string,
  namespaceName: unknown,
  raw: unknown,
  spec: HardeningSpec | undefined,
  dns: NetworkPlanOptions["dns"],
  specValid: boolean,
): CreatedEgressProxyPlan | undefined {
  if (!isRecord(raw)) {
    issues.push(`egressProxy.create ${show(raw)} must be an object such as { image: "ubuntu/squid@sha256:..." }.`);
    return undefined;
  }
  checkFields(issues, "egressProxy.create", raw, PROXY_CREATE_FIELDS);
  const others = raw.otherWorkerNamespaces ?? [];
  const otherIssues: string[] = [];
  if (!Array.isArray(others)) otherIssues.push(`egressProxy.create.otherWorkerNamespaces ${show(others)} must be a list of namespace names.`);
  else {
    others.forEach((ns, i) => {
      if (typeof ns !== "string" || !DNS_LABEL.test(ns)) otherIssues.push(`egressProxy.create.otherWorkerNamespaces[${i}] ${show(ns)} must be a namespace name.`);
    });
  }
  issues.push(...otherIssues);
  const name = raw.name ?? `${componentName}-proxy`;
  if (typeof name !== "string") {
    issues.push(`egressProxy.create.name ${show(name)} must be a DNS-1035 label such as "egress".`);
    return undefined;
  }
  // Unknown fields were reported above; only the proxy's own fields are passed on.
  const own = Object.fromEntries(Object.entries(raw).filter(([k]) => PROXY_CREATE_FIELDS.includes(k) && k !== "otherWorkerNamespaces" && k !== "name"));
  const args = {
    ...own,
    hardening: spec,
    workerNamespaces: [String(namespaceName), ...(Array.isArray(others) ? others.map(String) : [])],
    dns: { namespaceLabels: { ...dns.namespaceLabels }, podLabels: { ...dns.podLabels } },
  } as KubernetesEgressProxyArgs;
  try {
    return { name, args, plan: planEgressProxy(name, args) };
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    for (const issue of e.issues) {
      // The namespace reports its own name, spec and resolver; the admitted namespaces were checked above.
      if (issue.startsWith("workerNamespaces") || issue.startsWith("dns")) continue;
      if (issue.startsWith("hardening")) {
        if (specValid) issues.push(issue);
        continue;
      }
      if (issue.startsWith("name ")) issues.push(`egressProxy.create.${issue}${raw.name === undefined ? " Set egressProxy.create.name." : ""}`);
      else issues.push(`egressProxy.create.${issue}`);
    }
    return undefined;
  }
}

/** The proxy decision: an existing proxy's target, or one to create; exactly one of the two forms. */
function planProxy(
  issues: string[],
  raw: unknown,
  context: { componentName: string; namespaceName: unknown; spec: HardeningSpec | undefined; dns: NetworkPlanOptions["dns"]; specValid: boolean },
): { target?: EgressProxyTarget; created?: CreatedEgressProxyPlan } {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    issues.push(
      `egressProxy ${show(raw)} must be an object: an existing proxy { namespace: "egress", podLabels: { app: "squid" }, port: 3128 } or { create: { image: "ubuntu/squid@sha256:..." } }.`,
    );
    return {};
  }
  checkFields(issues, "egressProxy", raw, [...PROXY_TARGET_FIELDS, "create"]);
  const targetFields = PROXY_TARGET_FIELDS.filter((k) => raw[k] !== undefined);
  if (raw.create !== undefined) {
    if (targetFields.length > 0) {
      issues.push(`egressProxy gives both create and ${targetFields.join(", ")}; give create (a proxy this component makes) or an existing proxy's namespace, podLabels and port, not both.`);
      return {};
    }
    const created = planCreatedProxy(issues, context.componentName, context.namespaceName, raw.create, context.spec, context.dns, context.specValid);
    return created ? { target: created.plan.target, created } : {};
  }
  return { target: planProxyTarget(issues, raw) };
}

function planDns(issues: string[], raw: unknown): NetworkPlanOptions["dns"] {
  const { dns, given } = checkDnsSelectors(issues, raw);
  if (given?.nodeLocalAddress !== undefined) {
    if (typeof given.nodeLocalAddress !== "string" || !isIpAddress(given.nodeLocalAddress)) {
      issues.push(`dns.nodeLocalAddress ${show(given.nodeLocalAddress)} must be a single IP address such as "169.254.20.10".`);
    } else if (metadataAddresses().some((a) => formatCidr(hostCidr(a)) === formatCidr(hostCidr(given.nodeLocalAddress as string)))) {
      // The pack's egress rule refuses such a policy: port 53 to the metadata address reaches the metadata server.
      issues.push(`dns.nodeLocalAddress ${show(given.nodeLocalAddress)} is a cloud metadata endpoint address; allowing it would open that endpoint on port 53: use the NodeLocal DNSCache address ("169.254.20.10" by default).`);
    } else return { ...dns, nodeLocalAddress: given.nodeLocalAddress };
  }
  return dns;
}

function planPodSecurityVersion(issues: string[], raw: unknown): string {
  if (raw === undefined) return DEFAULT_POD_SECURITY_VERSION;
  const m = typeof raw === "string" ? /^v1\.(\d{1,3})$/.exec(raw) : null;
  if (raw === "latest") return "latest";
  // Policy versions before v1.34 admit probes and lifecycle hooks aimed at other hosts (the kubelet then connects
  // from the node, e.g. to 169.254.169.254), which hardenPodSpec and the policy pack refuse.
  if (m === null || Number(m[1]) < 34) {
    issues.push(`podSecurityVersion ${show(raw)} must be a Kubernetes minor version from "v1.34" (older policies allow probes aimed at other hosts) or "latest".`);
    return DEFAULT_POD_SECURITY_VERSION;
  }
  return raw as string;
}

/**
 * Decides the hardened namespace: Pod Security labels, NetworkPolicies, Cilium policies, ServiceAccount, quota,
 * limits and RuntimeClass. Creates nothing.
 *
 * @throws InvalidArgsError listing every problem in the spec and the arguments (field path, value, fix).
 */
export function planWorkerNamespace(name: string, args: KubernetesWorkerNamespaceArgs = {}): WorkerNamespacePlan {
  const issues: string[] = [];
  if (!isRecord(args as unknown)) throw new InvalidArgsError([`args ${show(args)} must be an object.`]);
  checkFields(issues, "args", args as unknown as Record<string, unknown>, ARG_FIELDS);
  const hardening = resolveHardeningInto(args.hardening, issues);
  const namespaceName = args.namespaceName ?? name;
  if (typeof namespaceName !== "string" || !DNS_LABEL.test(namespaceName)) {
    issues.push(`namespaceName ${show(namespaceName)} must be a DNS label (lower-case letters, digits, "-", at most 63); set namespaceName.`);
  }
  const podSecurityVersion = planPodSecurityVersion(issues, args.podSecurityVersion);
  const dns = planDns(issues, args.dns);
  const { target: proxy, created: createdProxy } = planProxy(issues, args.egressProxy, {
    componentName: name,
    namespaceName,
    spec: args.hardening,
    dns,
    specValid: hardening !== undefined,
  });
  const cilium = args.cilium ?? false;
  if (typeof cilium !== "boolean") issues.push(`cilium ${show(cilium)} must be true or false.`);
  const clusterNetworks: string[] = [];
  if (args.clusterNetworks !== undefined && !Array.isArray(args.clusterNetworks)) {
    issues.push(`clusterNetworks ${show(args.clusterNetworks)} must be a list of networks such as ["34.118.224.0/20"].`);
  } else {
    (args.clusterNetworks ?? []).forEach((c, i) => {
      const parsed = typeof c === "string" ? parseCidr(c.trim().toLowerCase()) : undefined;
      if (parsed === undefined || !parsed.ok) issues.push(`clusterNetworks[${i}] ${show(c)} must be a network such as "34.118.224.0/20".`);
      else clusterNetworks.push(formatCidr(parsed.cidr));
    });
  }
  const extraLabels = checkLabels(issues, "labels", args.labels);
  for (const key of Object.keys(extraLabels)) {
    if (key.startsWith(PSA_PREFIX)) issues.push(`labels.${key} would override the Pod Security labels this component pins; remove it.`);
  }

  const q = isRecord(args.quota) ? args.quota : {};
  if (args.quota !== undefined && !isRecord(args.quota)) issues.push(`quota ${show(args.quota)} must be an object.`);
  checkFields(issues, "quota", q, ["requestsCpu", "requestsMemory", "limitsCpu", "limitsMemory", "limitsEphemeralStorage", "pods"]);
  const pods = q.pods ?? 50;
  checkWholeNumber(issues, "quota.pods", pods, 1, Infinity);
  const quota: Labels = {
    "requests.cpu": quantity(issues, "quota.requestsCpu", q.requestsCpu, "8"),
    "requests.memory": quantity(issues, "quota.requestsMemory", q.requestsMemory, "16Gi"),
    "limits.cpu": quantity(issues, "quota.limitsCpu", q.limitsCpu, "16"),
    "limits.memory": quantity(issues, "quota.limitsMemory", q.limitsMemory, "32Gi"),
    "limits.ephemeral-storage": quantity(issues, "quota.limitsEphemeralStorage", q.limitsEphemeralStorage, "64Gi"),
    pods: String(pods),
    // Nothing in a worker namespace should be published on the nodes' ports or a cloud load balancer.
    "services.nodeports": "0",
    "services.loadbalancers": "0",
  };

  const l = isRecord(args.limitRange) ? args.limitRange : {};
  if (args.limitRange !== undefined && !isRecord(args.limitRange)) issues.push(`limitRange ${show(args.limitRange)} must be an object.`);
  checkFields(issues, "limitRange", l, ["defaultCpu", "defaultMemory", "defaultRequestCpu", "defaultRequestMemory", "maxCpu", "maxMemory"]);
  const limitRange = {
    limits: [
      {
        type: "Container",
        default: { cpu: quantity(issues, "limitRange.defaultCpu", l.defaultCpu, "1"), memory: quantity(issues, "limitRange.defaultMemory", l.defaultMemory, "1Gi") },
        defaultRequest: {
          cpu: quantity(issues, "limitRange.defaultRequestCpu", l.defaultRequestCpu, "100m"),
          memory: quantity(issues, "limitRange.defaultRequestMemory", l.defaultRequestMemory, "256Mi"),
        },
        max: { cpu: quantity(issues, "limitRange.maxCpu", l.maxCpu, "4"), memory: quantity(issues, "limitRange.maxMemory", l.maxMemory, "8Gi") },
      },
    ],
  };

  const runtimeClass = planRuntimeClass(issues, args.runtimeClass);
  if (hardening !== undefined) {
    const domains = hardening.egress.mode === EgressMode.AllowList ? hardening.egress.allow.filter((r) => r.kind === "domain") : [];
    // Whether a proxy was asked for, not whether it planned: a proxy with bad arguments is reported on its own.
    if (domains.length > 0 && args.egressProxy === undefined && cilium !== true) {
      issues.push(
        `hardening.egress.allow has domain rules (${domains.map((d) => d.domain).join(", ")}), which a Kubernetes NetworkPolicy cannot match; set cilium: true (toFQDNs) or egressProxy, or use cidr rules.`,
      );
    }
    if (args.egressProxy !== undefined && domains.length === 0) {
      issues.push("egressProxy is set but hardening.egress.allow has no domain rule to send through it; remove egressProxy or add domain rules.");
    }
    if (hardening.sandbox === SandboxMode.None && args.runtimeClass !== undefined) {
      issues.push(`runtimeClass is set but hardening.sandbox is "none"; set sandbox to "runtime" or remove runtimeClass.`);
    }
  }
  const admission = planWorkerAdmission(issues, args.admission, {
    namespaceName: String(namespaceName),
    workloadServiceAccount: WORKLOAD_SERVICE_ACCOUNT,
    runtimeClassName: hardening?.sandbox === SandboxMode.Runtime ? runtimeClass.name : undefined,
    maxLifetimeHours: hardening?.ephemeral.maxLifetimeHours ?? 24,
  });
  if (issues.length > 0 || hardening === undefined) throw new InvalidArgsError(issues);

  const network: NetworkPlanOptions = { dns, ...(proxy ? { proxy } : {}), cilium: cilium === true, ...(clusterNetworks.length > 0 ? { clusterNetworks } : {}) };
  const labels: Labels = {
    ...extraLabels,
    "app.kubernetes.io/managed-by": "pulumi-hardening",
    // Marks the namespace as one where untrusted code runs; the pack's admission rule looks for it.
    "app.kubernetes.io/component": "worker-namespace",
    [`${PSA_PREFIX}enforce`]: "restricted",
    [`${PSA_PREFIX}enforce-version`]: podSecurityVersion,
    [`${PSA_PREFIX}audit`]: "restricted",
    [`${PSA_PREFIX}audit-version`]: podSecurityVersion,
    [`${PSA_PREFIX}warn`]: "restricted",
    [`${PSA_PREFIX}warn-version`]: podSecurityVersion,
  };
  const unsandboxed = (admission.policy?.rules.trusted ?? []).filter((t) => t.unsandboxed).map((t) => t.serviceAccountName);
  const annotations: Labels = {
    ...(hardening.sandbox === SandboxMode.Runtime
      ? { [SANDBOX_RUNTIME_CLASS_ANNOTATION]: runtimeClass.name, ...(unsandboxed.length > 0 ? { [SANDBOX_TRUSTED_ANNOTATION]: unsandboxed.join(",") } : {}) }
      : {}),
    ...(admission.create ? {} : { [NO_RUN_TIME_PODS_ANNOTATION]: admission.reason ?? "" }),
  };
  return {
    namespaceName: namespaceName as string,
    hardening,
    podSecurityVersion,
    labels,
    annotations,
    networkPolicies: networkPoliciesFor(hardening, network),
    ciliumPolicies: ciliumPoliciesFor(hardening, network),
    network,
    serviceAccountName: WORKLOAD_SERVICE_ACCOUNT,
    quota,
    limitRange,
    ...(hardening.sandbox === SandboxMode.Runtime ? { runtimeClass } : {}),
    ...(createdProxy ? { egressProxy: createdProxy } : {}),
    admission,
  };
}
