/**
 * The Kubernetes egress proxy as plain data: what {@link planEgressProxy} decides before anything is created.
 * A Squid Deployment (the configuration rendered by components/egressProxy from the spec's allow-list) whose pods
 * meet Pod Security restricted with a read-only root filesystem, its ConfigMap, Service and ServiceAccount, and
 * NetworkPolicies that let only the worker namespaces reach it and let it reach only the internet, minus every
 * metadata network and every range that is not globally reachable (the same list Squid refuses after resolving),
 * on the listed ports, plus DNS. The component (egressProxy.ts) only creates what this plan says.
 *
 * Why both layers: Squid refuses a name that resolves to a metadata address before connecting, and connects to the
 * addresses it checked; the NetworkPolicy `except` makes the kernel refuse the same addresses should a cache entry
 * ever expire between Squid's check and its connect, or the proxy be compromised.
 * Workers' own namespace (KubernetesWorkerNamespace with `egressProxy: proxy.target`) lets them reach only the
 * proxy, so the proxy is the only way out for names.
 */
import { createHash } from "node:crypto";
import { ControlFamily, ControlReport } from "../../components/controls";
import { checkFields, InvalidArgsError, isRecord, show, wholeNumberOr } from "../../components/validation";
import { planSquidConfig, SquidConfigPlan } from "../../components/egressProxy/squidConfig";
import { javaProxyOptionsFor, proxyEnvFor, ProxyEnvVar } from "../../components/egressProxy/proxyEnv";
import { HardeningSpec } from "../../components/spec";
import { checkDnsSelectors, DEFAULT_POD_SECURITY_VERSION } from "./checks";
import { DnsTarget, EgressProxyTarget, Labels, PlannedNetworkPolicy } from "./networkPolicies";
import { hardenPodSpec, PodSpec, ResourceDefaults } from "./podSecurity";

/** Arguments of {@link KubernetesEgressProxy}. */
export interface KubernetesEgressProxyArgs {
  /**
   * The hardening contract; the proxy enforces `egress.allow` (its TCP rules). Needs at least one TCP rule.
   * @default {}
   */
  hardening?: HardeningSpec;
  /**
   * A Squid 5 or newer image that has `squid` on its PATH and runs as a non-root uid (for example Canonical's
   * `ubuntu/squid`), pinned by digest. The image's own configuration is not used.
   */
  image: string;
  /** Namespaces whose pods may use the proxy (their `kubernetes.io/metadata.name` label). At least one. */
  workerNamespaces: string[];
  /**
   * Namespace of the proxy.
   * @default the component's name
   */
  namespaceName?: string;
  /**
   * Create the namespace (Pod Security restricted, enforced and pinned) rather than use an existing one.
   * @default true
   */
  createNamespace?: boolean;
  /**
   * Proxy pods; two or more keep workers online through a node drain.
   * @default 2
   */
  replicas?: number;
  /**
   * The port Squid listens on, in the pod and on the Service.
   * @default 3128
   */
  port?: number;
  /**
   * Non-root uid (and gid) Squid runs as. 13 is `proxy` in Debian and Ubuntu images.
   * @default 13
   */
  runAsUser?: number;
  /**
   * Pod networks allowed to use the proxy, checked by Squid itself (the NetworkPolicy checks namespaces). Widen it
   * for pods with global IPv6 addresses (EKS IPv6 clusters).
   * @default ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
   */
  clients?: string[];
  /**
   * The cluster resolver the proxy may query (and nothing else on port 53).
   * @default { namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "kube-dns" } }
   */
  dns?: DnsTarget;
  /**
   * The cluster's DNS domain, for the proxy URL given to workers.
   * @default "cluster.local"
   */
  clusterDomain?: string;
  /**
   * Hosts and domains workers reach without the proxy (NO_PROXY), besides loopback.
   * @default []
   */
  noProxy?: string[];
  /**
   * Requests and limits of the Squid container.
   * @default { requests: { cpu: "100m", memory: "128Mi", ephemeralStorage: "64Mi" }, limits: { cpu: "1", memory: "512Mi", ephemeralStorage: "256Mi" } }
   */
  resources?: ResourceDefaults;
}

/** Everything the egress-proxy component creates, as plain data. */
export interface EgressProxyPlan {
  readonly namespaceName: string;
  readonly createNamespace: boolean;
  /** Labels of the created namespace (Pod Security restricted, pinned). */
  readonly namespaceLabels: Labels;
  /** Labels of the proxy pods, and the Service's and policies' selector. */
  readonly podLabels: Labels;
  readonly name: string;
  readonly port: number;
  readonly replicas: number;
  /** The rendered Squid configuration and what it allows. */
  readonly squid: SquidConfigPlan;
  /** SHA-256 of the configuration, on the pod template so a new configuration rolls the pods. */
  readonly configHash: string;
  /** The hardened pod spec (`spec.template.spec`). */
  readonly podSpec: PodSpec;
  readonly networkPolicies: PlannedNetworkPolicy[];
  /** What KubernetesWorkerNamespace's `egressProxy` takes. */
  readonly target: EgressProxyTarget;
  /** `http://<service>.<namespace>.svc.<clusterDomain>:<port>`. */
  readonly proxyUrl: string;
  /** The variables workers need: see {@link proxyEnvFor}. */
  readonly env: ProxyEnvVar[];
  /** The same for JVM programs, as `JAVA_TOOL_OPTIONS`: see {@link javaProxyOptionsFor}. */
  readonly javaToolOptions: string;
}

// Re-exported: they were defined here before the AWS proxy group needed them too.
export { javaProxyOptionsFor, proxyEnvFor };
export type { ProxyEnvVar };

/** Where the rendered configuration is mounted in the proxy pod. */
export const SQUID_CONFIG_DIR = "/etc/squid-hardening";
/** Squid's runtime directory (pid file, core dumps): the pod's only writable path besides its logs on stdout. */
export const SQUID_RUN_DIR = "/var/run/squid";
/** The ConfigMap holding `squid.conf` for the proxy named `name`. */
export function configMapNameOf(name: string): string {
  return `${name}-squid`;
}

/** The uid of `proxy` in Debian and Ubuntu. */
export const DEBIAN_PROXY_UID = 13;

const ARG_FIELDS = [
  "hardening", "image", "workerNamespaces", "namespaceName", "createNamespace", "replicas", "port", "runAsUser", "clients", "dns", "clusterDomain", "noProxy", "resources",
];
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const SERVICE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DOMAIN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;
const NO_PROXY_ENTRY = /^[A-Za-z0-9.*:[\]/-]+$/;
const PSA = "pod-security.kubernetes.io/";
const DEFAULT_RESOURCES: ResourceDefaults = {
  requests: { cpu: "100m", memory: "128Mi", ephemeralStorage: "64Mi" },
  limits: { cpu: "1", memory: "512Mi", ephemeralStorage: "256Mi" },
};

function planDns(issues: string[], raw: unknown): Required<Pick<DnsTarget, "namespaceLabels" | "podLabels">> & Pick<DnsTarget, "nodeLocalAddress"> {
  const { dns, given } = checkDnsSelectors(issues, raw);
  if (given?.nodeLocalAddress !== undefined) {
    // The proxy's resolver must be one Squid can reach: a node-local cache sits on a link-local address, which the
    // proxy's egress policy refuses with every other metadata-adjacent range.
    issues.push("dns.nodeLocalAddress is not supported for the proxy: it is link-local, which the proxy's egress excludes; point Squid at the cluster resolver.");
  }
  return dns;
}

function ipBlocks(forbidden: readonly string[]): Record<string, unknown>[] {
  const v4 = forbidden.filter((c) => !c.includes(":"));
  const v6 = forbidden.filter((c) => c.includes(":"));
  // The API rejects an `except` outside its `cidr`; every refused network lies inside 0.0.0.0/0 or ::/0.
  return [
    { ipBlock: { cidr: "0.0.0.0/0", except: v4 } },
    { ipBlock: { cidr: "::/0", except: v6 } },
  ];
}

function networkPoliciesFor(plan: {
  podLabels: Labels;
  port: number;
  workerNamespaces: string[];
  dns: Required<Pick<DnsTarget, "namespaceLabels" | "podLabels">>;
  squid: SquidConfigPlan;
}): PlannedNetworkPolicy[] {
  const proxyPods = { matchLabels: { ...plan.podLabels } };
  return [
    { key: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      key: "allow-workers",
      spec: {
        podSelector: proxyPods,
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: plan.workerNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } })),
            ports: [{ protocol: "TCP", port: plan.port }],
          },
        ],
      },
    },
    {
      key: "allow-dns",
      spec: {
        podSelector: proxyPods,
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { ...plan.dns.namespaceLabels } }, podSelector: { matchLabels: { ...plan.dns.podLabels } } }],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
    {
      key: "allow-upstream",
      spec: {
        podSelector: proxyPods,
        policyTypes: ["Egress"],
        egress: [{ to: ipBlocks(plan.squid.forbidden), ports: plan.squid.upstreamPorts.map((port) => ({ protocol: "TCP", port })) }],
      },
    },
  ];
}

/**
 * Decides the egress proxy: namespace, rendered configuration, hardened pod spec, Service target, NetworkPolicies
 * and the workers' proxy variables. Creates nothing.
 *
 * @throws InvalidArgsError listing every problem in the spec and the arguments (field path, value, fix).
 */
export function planEgressProxy(name: string, args: KubernetesEgressProxyArgs): EgressProxyPlan {
  if (!isRecord(args as unknown)) throw new InvalidArgsError([`args ${show(args)} must be an object with at least image and workerNamespaces.`]);
  const issues: string[] = [];
  checkFields(issues, "args", args, ARG_FIELDS);
  const port = wholeNumberOr(issues, "port", args.port, 3128, 1, 65535);
  let squid: SquidConfigPlan | undefined;
  try {
    squid = planSquidConfig(args.hardening, { port, ...(args.clients !== undefined ? { clients: args.clients } : {}) });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.filter((i) => !i.startsWith("port ")));
  }
  if (squid !== undefined && squid.upstreamPorts.length === 0) {
    issues.push('hardening.egress has no TCP rule for the proxy to allow; set mode to "allowList" and add domain or cidr rules.');
  }
  if (typeof args.image !== "string" || args.image.trim() === "" || /\s/.test(args.image)) {
    issues.push(`image ${show(args.image)} must be a container image reference such as "ubuntu/squid@sha256:...", pinned by digest.`);
  }
  const workerNamespaces = Array.isArray(args.workerNamespaces) ? args.workerNamespaces : [];
  if (workerNamespaces.length === 0) issues.push(`workerNamespaces ${show(args.workerNamespaces)} must list at least one namespace whose pods may use the proxy.`);
  workerNamespaces.forEach((ns, i) => {
    if (typeof ns !== "string" || !DNS_LABEL.test(ns)) issues.push(`workerNamespaces[${i}] ${show(ns)} must be a namespace name.`);
  });
  const namespaceName = args.namespaceName ?? name;
  if (typeof namespaceName !== "string" || !DNS_LABEL.test(namespaceName)) {
    issues.push(`namespaceName ${show(namespaceName)} must be a DNS label (lower-case letters, digits, "-", at most 63); set namespaceName.`);
  } else if (workerNamespaces.includes(namespaceName)) {
    issues.push(`namespaceName ${show(namespaceName)} is also a worker namespace; run the proxy in a namespace of its own, so workers cannot reach the internet around it.`);
  }
  const createNamespace = args.createNamespace ?? true;
  if (typeof createNamespace !== "boolean") issues.push(`createNamespace ${show(createNamespace)} must be true or false.`);
  const replicas = wholeNumberOr(issues, "replicas", args.replicas, 2, 1, 100);
  const runAsUser = wholeNumberOr(issues, "runAsUser", args.runAsUser, DEBIAN_PROXY_UID, 1, 2147483647);
  const dns = planDns(issues, args.dns);
  const clusterDomain = args.clusterDomain ?? "cluster.local";
  if (typeof clusterDomain !== "string" || !DOMAIN.test(clusterDomain)) issues.push(`clusterDomain ${show(clusterDomain)} must be a DNS domain such as "cluster.local".`);
  const noProxy = Array.isArray(args.noProxy) ? args.noProxy : [];
  if (args.noProxy !== undefined && !Array.isArray(args.noProxy)) issues.push(`noProxy ${show(args.noProxy)} must be a list of hosts or domains.`);
  noProxy.forEach((h, i) => {
    if (typeof h !== "string" || !NO_PROXY_ENTRY.test(h)) issues.push(`noProxy[${i}] ${show(h)} must be one host, domain (".example.com") or address, without commas or spaces.`);
  });

  const podLabels: Labels = { "app.kubernetes.io/name": "egress-proxy", "app.kubernetes.io/instance": name, "app.kubernetes.io/managed-by": "pulumi-hardening" };
  if (!SERVICE_NAME.test(name)) issues.push(`name ${show(name)} names the Service, the Deployment and the ServiceAccount, so it must be a DNS-1035 label (a lower-case letter, then letters, digits, "-", at most 63).`);
  let podSpec: PodSpec | undefined;
  try {
    podSpec = hardenPodSpec(
      {
        serviceAccountName: name,
        containers: [
          {
            name: "squid",
            image: args.image,
            // Foreground, so the kubelet sees Squid's exit; the image's own configuration is never read.
            command: ["squid", "-N", "-f", `${SQUID_CONFIG_DIR}/squid.conf`],
            ports: [{ name: "proxy", containerPort: port, protocol: "TCP" }],
            volumeMounts: [{ name: "squid-config", mountPath: SQUID_CONFIG_DIR, readOnly: true }],
            readinessProbe: { tcpSocket: { port: "proxy" }, periodSeconds: 10 },
            livenessProbe: { tcpSocket: { port: "proxy" }, initialDelaySeconds: 10, periodSeconds: 20 },
          },
        ],
        volumes: [{ name: "squid-config", configMap: { name: configMapNameOf(name) } }],
        topologySpreadConstraints: [
          { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { ...podLabels } } },
        ],
      },
      {
        runAsUser,
        runAsGroup: runAsUser,
        fsGroup: runAsUser,
        // The scratch emptyDir is Squid's runtime directory: pid file and core dumps, nothing else is written.
        scratchPath: SQUID_RUN_DIR,
        scratchSizeLimit: "64Mi",
        resources: args.resources ?? DEFAULT_RESOURCES,
        path: "spec.template.spec",
      },
    );
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || squid === undefined || podSpec === undefined) throw new InvalidArgsError(issues);

  const proxyUrl = `http://${name}.${namespaceName}.svc.${clusterDomain}:${port}`;
  return {
    namespaceName,
    createNamespace,
    namespaceLabels: {
      "app.kubernetes.io/managed-by": "pulumi-hardening",
      [`${PSA}enforce`]: "restricted",
      [`${PSA}enforce-version`]: DEFAULT_POD_SECURITY_VERSION,
      [`${PSA}audit`]: "restricted",
      [`${PSA}audit-version`]: DEFAULT_POD_SECURITY_VERSION,
      [`${PSA}warn`]: "restricted",
      [`${PSA}warn-version`]: DEFAULT_POD_SECURITY_VERSION,
    },
    podLabels,
    name,
    port,
    replicas,
    squid,
    configHash: createHash("sha256").update(squid.config).digest("hex"),
    podSpec,
    networkPolicies: networkPoliciesFor({ podLabels, port, workerNamespaces, dns, squid }),
    target: { namespace: namespaceName, podLabels: { ...podLabels }, port },
    proxyUrl,
    env: proxyEnvFor(proxyUrl, noProxy),
    javaToolOptions: javaProxyOptionsFor(proxyUrl, noProxy),
  };
}

// squid.conf.documented (Debian's /etc/squid/squid.conf, squid 5.7), the ACL types the configuration relies on.
const SQUID_DST = 'squid.conf.documented: "acl aclname dst [-n] ip-address/mask ... # URL host\'s IP address [slow]"';
const SQUID_N =
  'squid.conf.documented: "-n Disable lookups and address type conversions. If lookup or conversion is required because the parameter type (IP or domain name) does not match the message address type (domain name or IP), then the ACL would immediately declare a mismatch"';
const K8S_NETPOL =
  'kubernetes.io, Network Policies: "IP blocks (exception: traffic to and from the node where a Pod is running is always allowed, regardless of the IP address of the Pod or the node)"';

/**
 * The proxy's controls report: the allow-list Squid enforces, the resolved-address refusal, the NetworkPolicies
 * around the proxy and its pod hardening, each with what it does not stop. Logical names are the component's
 * children's.
 */
export function egressProxyControlsFor(name: string, plan: EgressProxyPlan): ControlReport[] {
  const domains = plan.squid.domainRules.map((r) => `${r.domain}:${r.ports.join(",")}`);
  const networks = plan.squid.cidrRules.map((r) => `${r.cidr}:${r.ports.join(",")}`);
  const squid = [`${name}-squid`, `${name}-deployment`];
  return [
    {
      id: "k8s-egress-proxy-allow-list",
      family: ControlFamily.Egress,
      cloud: "kubernetes",
      appliedBy: `Squid http_access (ConfigMap ${name}-squid): HTTP and CONNECT only to ${[...domains, ...networks].join(", ")}; everything else 403 and logged`,
      protects: "connections through the proxy to domains, addresses and ports the allow-list does not name",
      effective: true,
      limits:
        "matches the requested name (Host, CONNECT authority), not the TLS SNI inside a tunnel (domain fronting on a shared CDN stays possible); TCP only; pods that ignore HTTP(S)_PROXY are stopped by their namespace's policies, not by the proxy",
      resources: squid,
      source: `${SQUID_N}; behaviour checked against squid 5.7 by tests/components/egressProxy/squid.real.test.ts`,
    },
    {
      id: "k8s-egress-proxy-resolved-address",
      family: ControlFamily.MetadataEndpoint,
      cloud: "kubernetes",
      appliedBy: `Squid dst ACLs checked on the resolved addresses before any allow: forbidden_dst (${plan.squid.forbiddenForNames.length} networks: metadata, link-local, loopback, private, reserved, NAT64 forms, the proxy's own) for every named host whatever cidr rules list, forbidden_literal_dst (${plan.squid.forbidden.length} networks: the same minus the listed networks) for IP literals`,
      protects:
        "allowed-looking names that resolve to a metadata or internal address (169.254.169.254.nip.io, rebinding names) and raw IP spellings (decimal, hex, octal, IPv4-mapped IPv6)",
      effective: true,
      limits: "Squid connects to the addresses it checked (a TTL-0 rebinding name is served its first answer); an entry expiring between check and connect would be caught by the NetworkPolicy below, not by Squid",
      resources: squid,
      source: `${SQUID_DST}; tests/components/egressProxy/squid.real.test.ts`,
    },
    {
      id: "k8s-egress-proxy-networkpolicy",
      family: ControlFamily.Egress,
      cloud: "kubernetes",
      appliedBy: `NetworkPolicy ${name}-allow-upstream (0.0.0.0/0 and ::/0 except the refused networks, TCP ${plan.squid.upstreamPorts.join(", ")}), ${name}-allow-dns, ${name}-allow-workers (only from the worker namespaces), ${name}-default-deny`,
      protects: "the proxy pods reaching metadata or internal addresses even if a name rebinds between Squid's check and its connect; pods outside the worker namespaces using the proxy",
      effective: true,
      limits: "only where the CNI enforces NetworkPolicy; traffic to the proxy pod's own node is always allowed",
      resources: plan.networkPolicies.map((p) => `${name}-${p.key}`),
      source: K8S_NETPOL,
    },
    {
      id: "k8s-egress-proxy-pod-security",
      family: ControlFamily.Sandbox,
      cloud: "kubernetes",
      appliedBy: `Deployment ${name}: Pod Security restricted (uid ${(plan.podSpec.securityContext as { runAsUser?: number }).runAsUser}, all capabilities dropped, RuntimeDefault seccomp), read-only root filesystem, no service-account token${plan.createNamespace ? `, namespace ${plan.namespaceName} enforcing restricted` : ""}`,
      protects: "a compromised proxy process gaining privileges, writing to its image or calling the Kubernetes API",
      effective: true,
      limits: "the proxy shares the node's kernel (no sandbox runtime)",
      resources: [`${name}-deployment`, ...(plan.createNamespace ? [`${name}-namespace`] : [])],
      source: "Pod Security Standards, restricted profile (kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy)",
    },
  ];
}
