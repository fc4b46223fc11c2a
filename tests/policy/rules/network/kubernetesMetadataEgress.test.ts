import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { metadataCidrs } from "../../../../components/metadataNetworks";
import {
  kubernetesNamespaceMetadataEgress as rule,
  metadataAllowedBy,
  parseIpBlockCidr,
} from "../../../../policy/rules/network/kubernetesMetadataEgress";
import type { ResourceInput, StackFinding } from "../../../../policy/rules/types";
import { checkDeclared } from "../helpers";

const ctx = { config: {} };
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({
  type,
  name,
  urn: `urn:pulumi:dev::p::${type}::${name}`,
  props,
});
const ns = (name: string) => res("kubernetes:core/v1:Namespace", name, { metadata: { name } });
const deploy = (name: string, namespace?: string) =>
  res("kubernetes:apps/v1:Deployment", name, { metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { template: { spec: {} } } });
const policy = (name: string, namespace: string | undefined, spec: Record<string, unknown>) =>
  res(NP, name, { metadata: { name, ...(namespace ? { namespace } : {}) }, spec });
const V4 = metadataCidrs(4);
const V6 = metadataCidrs(6);
/** The carve-out the components write: all of IPv4 and IPv6 except every metadata network. */
const carved = {
  to: [{ ipBlock: { cidr: "0.0.0.0/0", except: V4 } }, { ipBlock: { cidr: "::/0", except: V6 } }],
};
const dns = {
  to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
  ports: [{ port: 53, protocol: "UDP" }],
};
const denyAll = (namespace?: string) => policy(`deny-${namespace ?? "default"}`, namespace, { podSelector: {}, policyTypes: ["Egress"] });
const noPolicy = (namespace: string, subject: ResourceInput): StackFinding => ({
  urn: subject.urn,
  type: subject.type,
  property: subject.type === "kubernetes:core/v1:Namespace" ? "metadata.name" : "metadata.namespace",
  message: `namespace "${namespace}" has no NetworkPolicy with podSelector {} and policyTypes ["Egress"]; add one whose egress allows only what workloads need (e.g. 0.0.0.0/0 except the metadata ranges), so that no pod there can reach the cloud metadata endpoints.`,
});
const opening = (p: ResourceInput, i: number, what: string, networks: string[]): StackFinding => ({
  urn: p.urn,
  type: p.type,
  property: `spec.egress[${i}]`,
  message: `spec.egress[${i}] has ${what}, which allows ${networks.join(", ")}; policies union, so this reopens the metadata endpoints to every pod it selects: list them in the ipBlock's except, or name the destinations.`,
});

describe("egress-kubernetes-metadata-networks", () => {
  const passing: [string, ResourceInput[]][] = [
    ["a stack with no workloads and no namespaces", [res("kubernetes:core/v1:ConfigMap", "c", {})]],
    ["a namespace with default-deny egress and a carved allow-all", [
      ns("jobs"),
      deploy("w", "jobs"),
      policy("egress", "jobs", { podSelector: {}, policyTypes: ["Egress"], egress: [carved, dns] }),
    ]],
    ["the default namespace (workload with no namespace) with deny-all, plus a narrower allow for some pods", [
      deploy("w"),
      denyAll(),
      policy("web", undefined, { podSelector: { matchLabels: { app: "web" } }, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }] }),
    ]],
    ["an ipBlock whose except lists a wider range than needed", [
      deploy("w", "jobs"),
      policy("p", "jobs", { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["128.0.0.0/1", "0.0.0.0/1"] } }] }] }),
    ]],
  ];
  for (const [what, resources] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(checkDeclared(rule, resources, ctx), []));

  it("reports a namespace the stack creates but runs nothing in (Kestra's task pods appear only at run time)", () => {
    const n = ns("tasks");
    assert.deepStrictEqual(checkDeclared(rule, [n], ctx), [noPolicy("tasks", n)]);
  });

  it("reports a workload namespace whose only policy selects some pods, on the first workload", () => {
    const w1 = deploy("w1", "jobs");
    const resources = [w1, deploy("w2", "jobs"), policy("p", "jobs", { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Egress"] })];
    assert.deepStrictEqual(checkDeclared(rule, resources, ctx), [noPolicy("jobs", w1)]);
  });

  it("reports an all-pods policy that governs ingress only", () => {
    const n = ns("jobs");
    const resources = [n, deploy("w", "jobs"), policy("p", "jobs", { podSelector: {}, policyTypes: ["Ingress"], egress: [carved] })];
    assert.deepStrictEqual(checkDeclared(rule, resources, ctx), [noPolicy("jobs", n)]);
  });

  it("reports an egress rule with no `to`, even beside a default deny (policies union)", () => {
    const allowAll = policy("allow-dns-anywhere", "jobs", { podSelector: {}, policyTypes: ["Egress"], egress: [dns, { ports: [{ port: 53, protocol: "UDP" }] }] });
    const resources = [ns("jobs"), deploy("w", "jobs"), denyAll("jobs"), allowAll];
    assert.deepStrictEqual(checkDeclared(rule, resources, ctx), [opening(allowAll, 1, "no `to` (every destination)", ["every metadata network"])]);
  });

  it("reports an ipBlock that carves out only the IMDS address, and one missing the IPv6 networks", () => {
    const p = policy("p", "jobs", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] },
        { to: [{ podSelector: {} }, { ipBlock: { cidr: "::/0" } }] },
      ],
    });
    assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), p], ctx), [
      opening(p, 0, `to[0].ipBlock "0.0.0.0/0"`, V4),
      opening(p, 1, `to[1].ipBlock "::/0"`, V6),
    ]);
  });

  it("reports an ipBlock that names a metadata address itself, in a policy of another kind (extensions/v1beta1)", () => {
    const p = res("kubernetes:extensions/v1beta1:NetworkPolicy", "old", {
      metadata: { namespace: "jobs" },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "169.254.169.254/32" } }] }] },
    });
    assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), p], ctx), [
      {
        urn: p.urn,
        type: p.type,
        property: "spec.egress[0]",
        message: `spec.egress[0] has to[0].ipBlock "169.254.169.254/32", a catalogued metadata endpoint address, which allows 169.254.169.254/32 (inside 169.254.0.0/16); policies union, so this reopens the metadata endpoints to every pod it selects: allow a link-local address only as a node-local DNS cache (one address, port 53 only), or name the destinations.`,
      },
    ]);
  });

  it("ignores policies of namespaces that run nothing of this stack", () => {
    const p = policy("p", "elsewhere", { podSelector: {}, egress: [{}] });
    assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), denyAll("jobs"), p], ctx), []);
  });

  it("sets aside what is unknown during preview with an indeterminate finding, instead of failing the whole stack", () => {
    const unknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"; // @pulumi/policy's unknown-string sentinel
    const known = deploy("w", "jobs");
    const unknownNs = { ...deploy("u"), props: unknownCheckingProxy({ metadata: { namespace: unknownString }, spec: {} }) };
    assert.deepStrictEqual(checkDeclared(rule, [unknownNs, known, denyAll("jobs")], ctx), [
      {
        urn: unknownNs.urn,
        type: unknownNs.type,
        property: "metadata.namespace",
        message: "metadata.namespace is not known during preview, so whether its namespace isolates it from the metadata networks is checked when the stack is updated.",
        indeterminate: true,
      },
    ]);
    const unknownPolicy = { ...policy("p", "jobs", {}), props: unknownCheckingProxy({ metadata: { namespace: "jobs" }, spec: unknownString }) };
    // The unknown policy may be the one isolating "jobs": the namespace is not judged.
    assert.deepStrictEqual(checkDeclared(rule, [known, unknownPolicy], ctx), [
      {
        urn: unknownPolicy.urn,
        type: unknownPolicy.type,
        property: "spec",
        message: "spec is not known during preview, so whether this policy isolates pods from the metadata networks is checked when the stack is updated.",
        indeterminate: true,
      },
    ]);
  });

  describe("a node-local DNS cache (the package's own dns.nodeLocalAddress option)", () => {
    const nodeLocalDns = (cidr: string, ports: unknown[]) =>
      policy("allow-dns", "jobs", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [dns.to[0], { ipBlock: { cidr } }], ports }] });
    const DNS_PORTS = [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }];

    it("passes port 53 to 169.254.20.10/32, as KubernetesWorkerNamespace writes it (a /32 does not allow the /16)", () => {
      assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), denyAll("jobs"), nodeLocalDns("169.254.20.10/32", DNS_PORTS)], ctx), []);
    });
    it("passes the IPv6 form on port 53 (a single fe80:: host that is no catalogued endpoint)", () => {
      assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), denyAll("jobs"), nodeLocalDns("fe80::20:10/128", [{ port: 53 }])], ctx), []);
    });
    const failing: [string, string, unknown[], string][] = [
      ["every port to the cache's address", "169.254.20.10/32", [], `to[1].ipBlock "169.254.20.10/32" on every port, which allows 169.254.20.10/32 (inside 169.254.0.0/16)`],
      ["port 80 to the cache's address", "169.254.20.10/32", [{ protocol: "TCP", port: 80 }], `to[1].ipBlock "169.254.20.10/32" on TCP 80, which allows 169.254.20.10/32 (inside 169.254.0.0/16)`],
      ["a port range that starts at 53", "169.254.20.10/32", [{ protocol: "UDP", port: 53, endPort: 1024 }], `to[1].ipBlock "169.254.20.10/32" on UDP 53-1024, which allows 169.254.20.10/32 (inside 169.254.0.0/16)`],
      ["a named port", "169.254.20.10/32", [{ protocol: "UDP", port: "dns" }], `to[1].ipBlock "169.254.20.10/32" on UDP "dns", which allows 169.254.20.10/32 (inside 169.254.0.0/16)`],
      ["port 53 to a /24 of link-local", "169.254.20.0/24", DNS_PORTS, `to[1].ipBlock "169.254.20.0/24", which allows 169.254.20.0/24 (inside 169.254.0.0/16)`],
      ["port 53 to the instance metadata address itself", "169.254.169.254/32", DNS_PORTS, `to[1].ipBlock "169.254.169.254/32", a catalogued metadata endpoint address, which allows 169.254.169.254/32 (inside 169.254.0.0/16)`],
    ];
    for (const [what, cidr, ports, seen] of failing) {
      it(`reports ${what}`, () => {
        const p = nodeLocalDns(cidr, ports);
        assert.deepStrictEqual(checkDeclared(rule, [deploy("w", "jobs"), denyAll("jobs"), p], ctx), [
          {
            urn: p.urn,
            type: p.type,
            property: "spec.egress[0]",
            message: `spec.egress[0] has ${seen}; policies union, so this reopens the metadata endpoints to every pod it selects: allow a link-local address only as a node-local DNS cache (one address, port 53 only), or name the destinations.`,
          },
        ]);
      });
    }
  });

  describe("helpers", () => {
    it("parses ipBlock CIDRs as the API server does (host bits ignored)", () => {
      assert.deepStrictEqual(parseIpBlockCidr("10.1.2.3/8"), { version: 4, first: 10n << 24n, prefix: 8 });
      for (const bad of ["10.0.0.0", "10.0.0.0/33", "x/8", 7, "::/129"]) assert.equal(parseIpBlockCidr(bad), undefined, String(bad));
    });
    it("finds no metadata network behind pod and namespace selectors", () => {
      assert.deepStrictEqual(metadataAllowedBy({ to: [{ podSelector: {} }, { namespaceSelector: {} }] }), []);
      assert.deepStrictEqual(metadataAllowedBy({ to: [{ ipBlock: { cidr: "10.0.0.0/8" } }] }), []);
    });
  });
});

describe("egress-kubernetes-metadata-networks: Cilium and Calico policies", () => {
  const CNP = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
  const CCNP = "kubernetes:cilium.io/v2:CiliumClusterwideNetworkPolicy";
  const CALICO_V1 = "kubernetes:crd.projectcalico.org/v1:NetworkPolicy";
  const CALICO_V3 = "kubernetes:projectcalico.org/v3:NetworkPolicy";
  const CALICO_GNP_V1 = "kubernetes:crd.projectcalico.org/v1:GlobalNetworkPolicy";
  const CALICO_GNP_V3 = "kubernetes:projectcalico.org/v3:GlobalNetworkPolicy";
  const cnp = (name: string, spec: Record<string, unknown>, type = CNP) =>
    res(type, name, { metadata: { name, ...(type === CNP ? { namespace: "jobs" } : {}) }, spec });
  const calico = (name: string, spec: Record<string, unknown>, type = CALICO_V3) =>
    res(type, name, { metadata: { name, ...(type.endsWith(":NetworkPolicy") ? { namespace: "jobs" } : {}) }, spec });
  const workload = [ns("jobs"), deploy("w", "jobs"), denyAll("jobs")];
  const CILIUM_FIX = "add an egressDeny of the metadata networks for these pods (Cilium enforces it above every allow), or use toCIDRSet with them in except.";
  const FQDN_FIX = "remove it or name the hosts: toFQDNs allows whatever address a matching name resolves to, and the names of metadata endpoints match.";
  const CALICO_FIX = "put a Deny rule with the metadata networks in destination.nets before it, or list them in destination.notNets.";
  const finding = (p: ResourceInput, property: string, what: string, shown: string, fix: string): StackFinding => ({
    urn: p.urn,
    type: p.type,
    property,
    message: `${property} has ${what}, which allows ${shown}; policies union, so this reopens the metadata endpoints to every pod it selects: ${fix}`,
  });
  /** The deny the package's KubernetesWorkerNamespace writes on Cilium clusters (networkPolicies.ts deny-metadata). */
  const denyMetadata = (type = CNP) => cnp("deny-metadata", { endpointSelector: {}, egressDeny: [{ toCIDRSet: [...V4, ...V6].map((cidr) => ({ cidr })) }] }, type);

  const failing: [string, () => ResourceInput, (p: ResourceInput) => StackFinding[]][] = [
    ["a CiliumNetworkPolicy with toEntities world", () => cnp("world", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] }),
      (p) => [finding(p, "spec.egress[0]", `toEntities[0] "world"`, "every metadata network", CILIUM_FIX)]],
    ["a CiliumNetworkPolicy with toEntities all, on port 443", () => cnp("all", { endpointSelector: { matchLabels: { app: "x" } }, egress: [{ toEntities: ["all"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }] }),
      (p) => [finding(p, "spec.egress[0]", `toEntities[0] "all"`, "every metadata network", CILIUM_FIX)]],
    ["a CiliumNetworkPolicy with toEntities world-ipv4", () => cnp("w4", { endpointSelector: {}, egress: [{ toEntities: ["cluster", "world-ipv4"] }] }),
      (p) => [finding(p, "spec.egress[0]", `toEntities[1] "world-ipv4"`, "every IPv4 metadata network", CILIUM_FIX)]],
    ["a CiliumNetworkPolicy with toCIDR 0.0.0.0/0", () => cnp("cidr", { endpointSelector: {}, egress: [{ toCIDR: ["10.0.0.0/8", "0.0.0.0/0"] }] }),
      (p) => [finding(p, "spec.egress[0]", `toCIDR[1] "0.0.0.0/0"`, V4.join(", "), CILIUM_FIX)]],
    ["a CiliumNetworkPolicy with toCIDRSet ::/0 excepting only fe80::/10", () => cnp("v6", { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: "::/0", except: ["fe80::/10"] }] }] }),
      (p) => [finding(p, "spec.egress[0]", `toCIDRSet[0] "::/0"`, V6.filter((c) => c !== "fe80::/10").join(", "), CILIUM_FIX)]],
    ["a CiliumNetworkPolicy rule with ports and no destination (L4-only allows every destination)", () => cnp("l4", { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: "80" }] }] }] }),
      (p) => [finding(p, "spec.egress[0]", "no destination selector (every destination)", "every metadata network", CILIUM_FIX)]],
    ["a CiliumNetworkPolicy in its `specs` list form", () => res(CNP, "specs", { metadata: { namespace: "jobs" }, specs: [{ endpointSelector: {}, egress: [{ toEndpoints: [{}] }] }, { endpointSelector: {}, egress: [{ toEntities: ["world"] }] }] }),
      (p) => [finding(p, "specs[1].egress[0]", `toEntities[0] "world"`, "every metadata network", CILIUM_FIX)]],
    ["a CiliumClusterwideNetworkPolicy with toEntities world (every namespace's pods)", () => cnp("cw", { endpointSelector: {}, egress: [{ toEntities: ["world"] }] }, CCNP),
      (p) => [finding(p, "spec.egress[0]", `toEntities[0] "world"`, "every metadata network", CILIUM_FIX)]],
    ["a Calico v3 NetworkPolicy Allow with no destination", () => calico("allow-all", { selector: "all()", types: ["Egress"], egress: [{ action: "Allow" }] }),
      (p) => [finding(p, "spec.egress[0]", "action Allow with no destination (every destination)", "every metadata network", CALICO_FIX)]],
    ["a Calico v1 (crd.projectcalico.org) NetworkPolicy Allow to nets 0.0.0.0/0", () => calico("nets", { egress: [{ action: "Allow", protocol: "TCP", destination: { nets: ["0.0.0.0/0"], ports: [443] } }] }, CALICO_V1),
      (p) => [finding(p, "spec.egress[0]", `destination.nets[0] "0.0.0.0/0"`, V4.join(", "), CALICO_FIX)]],
    ["a Calico GlobalNetworkPolicy Allow to nets ::/0", () => calico("gnp", { selector: "all()", egress: [{ action: "Allow", destination: { nets: ["::/0"] } }] }, CALICO_GNP_V3),
      (p) => [finding(p, "spec.egress[0]", `destination.nets[0] "::/0"`, V6.join(", "), CALICO_FIX)]],
    ["a Calico v1 GlobalNetworkPolicy Allow with ports only", () => calico("gnp1", { egress: [{ action: "Allow", protocol: "UDP", destination: { ports: [53] } }] }, CALICO_GNP_V1),
      (p) => [finding(p, "spec.egress[0]", "action Allow with no destination nets (every destination)", "every metadata network", CALICO_FIX)]],
    ["a Calico Allow whose Deny comes after it (first match wins)", () => calico("order", { egress: [{ action: "Allow", destination: { nets: ["0.0.0.0/0"] } }, { action: "Deny", destination: { nets: V4 } }] }),
      (p) => [finding(p, "spec.egress[0]", `destination.nets[0] "0.0.0.0/0"`, V4.join(", "), CALICO_FIX)]],
    ["a Calico Allow of the IMDS address itself", () => calico("imds", { egress: [{ action: "Allow", destination: { nets: ["169.254.169.254/32"] } }] }),
      (p) => [finding(p, "spec.egress[0]", `destination.nets[0] "169.254.169.254/32", a catalogued metadata endpoint address`, "169.254.169.254/32 (inside 169.254.0.0/16)", LINK_LOCAL)]],
    ["a CiliumNetworkPolicy world allow beside a deny that leaves the IPv6 networks open", () => cnp("half", { endpointSelector: {}, egress: [{ toEntities: ["world"] }], egressDeny: [{ toCIDRSet: V4.map((cidr) => ({ cidr })) }] }),
      (p) => [finding(p, "spec.egress[0]", `toEntities[0] "world"`, V6.join(", "), CILIUM_FIX)]],
    ["a CiliumNetworkPolicy toFQDNs to the GCE metadata server's name", () => cnp("fqdn", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: "pypi.org" }, { matchName: "Metadata.Google.Internal." }] }] }),
      (p) => [finding(p, "spec.egress[0]", `toFQDNs[1] matchName "Metadata.Google.Internal."`, "metadata.google.internal, a catalogued metadata host name (gcp-metadata: 169.254.169.254)", FQDN_FIX)]],
    ["a CiliumNetworkPolicy toFQDNs pattern that matches it", () => cnp("fqdn-pattern", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: "*.google.internal" }] }] }),
      (p) => [finding(p, "spec.egress[0]", `toFQDNs[0] matchPattern "*.google.internal"`, "metadata.google.internal, a catalogued metadata host name (gcp-metadata: 169.254.169.254)", FQDN_FIX)]],
    ["a CiliumNetworkPolicy toFQDNs matchPattern \"*\" (every name)", () => cnp("fqdn-all", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchPattern: "*" }] }] }),
      (p) => [finding(p, "spec.egress[0]", `toFQDNs[0] matchPattern "*" (every name)`, "every metadata network", FQDN_FIX)]],
    ["a metadata host name with a public address, which a CIDR deny cannot close", () => cnp("equinix", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: "metadata.packet.net" }] }], egressDeny: [{ toCIDRSet: [...V4, ...V6].map((cidr) => ({ cidr })) }] }),
      (p) => [finding(p, "spec.egress[0]", `toFQDNs[0] matchName "metadata.packet.net"`, "metadata.packet.net, a catalogued metadata host name (equinix-metal-metadata)", FQDN_FIX)]],
  ];
  const LINK_LOCAL = "allow a link-local address only as a node-local DNS cache (one address, port 53 only), or name the destinations.";
  for (const [what, make, expected] of failing) {
    it(`reports ${what}`, () => {
      const p = make();
      assert.deepStrictEqual(checkDeclared(rule, [...workload, p], ctx), expected(p));
    });
  }

  const passing: [string, ResourceInput[]][] = [
    ["a Cilium world allow in a namespace whose deny-metadata (egressDeny, every pod) closes the metadata networks", [
      denyMetadata(), cnp("world", { endpointSelector: { matchLabels: { app: "x" } }, egress: [{ toEntities: ["world"] }] })]],
    ["a NetworkPolicy allow-all beside a clusterwide Cilium deny of the metadata networks", [
      denyMetadata(CCNP), policy("open", "jobs", { podSelector: {}, policyTypes: ["Egress"], egress: [{}] })]],
    ["Cilium toCIDRSet 0.0.0.0/0 and ::/0 with the metadata ranges excepted", [
      cnp("carved", { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: "0.0.0.0/0", except: V4 }, { cidr: "::/0", except: V6 }] }] })]],
    ["Cilium toEntities cluster, toEndpoints and toFQDNs, and the default-deny idiom `{}`", [
      cnp("inside", { endpointSelector: {}, egress: [{ toEntities: ["cluster", "kube-apiserver"] }, { toEndpoints: [{}] }, { toFQDNs: [{ matchName: "pypi.org" }] }, {}] })]],
    ["Cilium toFQDNs to the metadata server's name, closed by the namespace's deny-metadata", [
      denyMetadata(), cnp("fqdn", { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: "metadata.google.internal" }, { matchPattern: "*.pythonhosted.org" }] }] })]],
    ["Cilium port 53 to a node-local DNS cache", [cnp("nodelocal", { endpointSelector: {}, egress: [{ toCIDR: ["169.254.20.10/32"], toPorts: [{ ports: [{ port: "53", protocol: "ANY" }] }] }] })]],
    ["a Cilium host policy (nodeSelector): the nodes' own traffic", [cnp("host", { nodeSelector: {}, egress: [{ toEntities: ["world"] }] }, CCNP)]],
    ["a Calico Deny of the metadata networks before an Allow of everything", [
      calico("ordered", { selector: "all()", types: ["Egress"], egress: [{ action: "Deny", destination: { nets: [...V4, ...V6] } }, { action: "Allow" }] })]],
    ["Calico nets 0.0.0.0/0 with the metadata ranges in notNets, and selector-picked destinations", [
      calico("carved", { egress: [{ action: "Allow", destination: { nets: ["0.0.0.0/0"], notNets: V4 } }, { action: "Allow", destination: { selector: "app == 'db'" } }, { action: "Allow", destination: { namespaceSelector: "all()" } }] })]],
    ["a Calico Deny of everything first (later rules are never reached)", [calico("deny", { egress: [{ action: "Deny" }, { action: "Allow" }] })]],
    ["a Calico Pass or Log rule with no destination", [calico("pass", { egress: [{ action: "Pass" }, { action: "Log" }] })]],
  ];
  for (const [what, resources] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(checkDeclared(rule, [...workload, ...resources], ctx), []));

  it("counts an all-pods Calico or Cilium egress policy as isolating the namespace", () => {
    for (const isolating of [
      calico("default-deny", { selector: "all()", types: ["Egress"] }),
      cnp("default-deny", { endpointSelector: {}, egress: [{}] }),
      calico("global-deny", { types: ["Egress"] }, CALICO_GNP_V3),
    ]) {
      assert.deepStrictEqual(checkDeclared(rule, [ns("jobs"), deploy("w", "jobs"), isolating], ctx), [], isolating.type);
    }
    const some = calico("some", { selector: "app == 'x'", types: ["Egress"] });
    assert.equal(checkDeclared(rule, [ns("jobs"), some], ctx).length, 1);
  });
});
