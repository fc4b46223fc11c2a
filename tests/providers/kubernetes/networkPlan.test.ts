import * as assert from "node:assert/strict";
import fc from "fast-check";
import { Cidr, cidrContains, formatCidr, mustParseCidr } from "../../../components/cidr";
import { INTERNAL_RANGES, nat64Of } from "../../../components/egressProxy/ranges";
import { InvalidArgsError } from "../../../components/validation";
import { resolveHardening } from "../../../components/resolve";
import { HardeningSpec } from "../../../components/spec";
import { METADATA_NETWORKS } from "../../../components/metadataNetworks";
import { metadataAllowedBy } from "../../../policy/rules/network/kubernetesMetadataEgress";
import { egressRulesFor } from "../../../providers/kubernetes/networkPolicies";
import { planEgressProxy } from "../../../providers/kubernetes/egressProxyPlan";
import { KubernetesWorkerNamespaceArgs, planWorkerNamespace } from "../../../providers/kubernetes/workerNamespacePlan";

function issuesOf(args: unknown): readonly string[] {
  try {
    planWorkerNamespace("workers", args as KubernetesWorkerNamespaceArgs);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, `expected InvalidArgsError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail("expected the arguments to be refused");
}

const DENY_ALL = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const DNS = {
  podSelector: {},
  policyTypes: ["Egress"],
  egress: [
    {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
  ],
};
const V4_EXCEPT = ["169.254.0.0/16", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32"];
const V6_EXCEPT = ["fe80::/10", "fd00:ec2::254/128", "fd00:ec2::23/128", "fd20:ce::254/128", "fd00:42::42/128"];
/** What 0.0.0.0/0 excludes: the metadata networks, then every internal range (pod, Service and node networks). */
const V4_ALL_EXCEPT = [
  "169.254.0.0/16", "168.63.129.16/32", "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "172.16.0.0/12", "192.0.0.0/24",
  "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
];
/** What ::/0 excludes: the same, with the NAT64 forms of every excluded IPv4 network. */
const V6_ALL_EXCEPT = [
  "fe80::/10", "::/128", "::1/128", "64:ff9b::/104", "64:ff9b::a00:0/104", "64:ff9b::6440:0/106", "64:ff9b::7f00:0/104",
  "64:ff9b::a83f:8110/128", "64:ff9b::a9fe:0/112", "64:ff9b::ac10:0/108", "64:ff9b::c000:0/120", "64:ff9b::c000:200/120",
  "64:ff9b::c0a8:0/112", "64:ff9b::c612:0/111", "64:ff9b::c633:6400/120", "64:ff9b::cb00:7100/120", "64:ff9b::e000:0/100",
  "64:ff9b::f000:0/100", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7", "fec0::/10", "ff00::/8",
];

describe("planWorkerNamespace", () => {
  it("denies everything but DNS to the cluster resolver by default, with pinned restricted Pod Security", () => {
    const plan = planWorkerNamespace("workers");
    assert.deepStrictEqual(plan.labels, {
      "app.kubernetes.io/managed-by": "pulumi-hardening",
      "app.kubernetes.io/component": "worker-namespace",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.34",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/audit-version": "v1.34",
      "pod-security.kubernetes.io/warn": "restricted",
      "pod-security.kubernetes.io/warn-version": "v1.34",
    });
    assert.deepStrictEqual(plan.networkPolicies, [
      { key: "default-deny", spec: DENY_ALL },
      { key: "allow-dns", spec: DNS },
    ]);
    assert.deepStrictEqual(plan.ciliumPolicies, []);
    assert.deepStrictEqual(plan.runtimeClass, { name: "gvisor", create: false });
    assert.equal(plan.serviceAccountName, "workload");
    assert.deepStrictEqual(plan.quota, {
      "requests.cpu": "8",
      "requests.memory": "16Gi",
      "limits.cpu": "16",
      "limits.memory": "32Gi",
      "limits.ephemeral-storage": "64Gi",
      pods: "50",
      "services.nodeports": "0",
      "services.loadbalancers": "0",
    });
  });

  it("turns CIDR rules into ipBlocks that except the metadata networks, the unlisted internal ranges and their NAT64 forms", () => {
    const plan = planWorkerNamespace("workers", {
      hardening: {
        workloadSubnet: "private",
        egress: {
          mode: "allowList",
          tier: "basic",
          allow: [
            { cidr: "0.0.0.0/0", ports: [443] },
            { cidr: "::/0", ports: [443] },
            { cidr: "10.20.0.0/16", ports: [5432], description: "database" },
            { cidr: "169.0.0.0/8", protocol: "udp", ports: [123] },
          ],
        },
      },
    });
    assert.deepStrictEqual(plan.networkPolicies[2], {
      key: "allow-egress",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: V4_ALL_EXCEPT } }], ports: [{ protocol: "TCP", port: 443 }] },
          { to: [{ ipBlock: { cidr: "::/0", except: V6_ALL_EXCEPT } }], ports: [{ protocol: "TCP", port: 443 }] },
          { to: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 5432 }] },
          { to: [{ ipBlock: { cidr: "169.0.0.0/8", except: ["169.254.0.0/16"] } }], ports: [{ protocol: "UDP", port: 123 }] },
        ],
      },
    });
    assert.equal(plan.networkPolicies.length, 3);
  });

  it("excepts the cluster networks the caller lists outside the internal ranges, and refuses a bad one with the fix", () => {
    const plan = planWorkerNamespace("workers", {
      clusterNetworks: ["34.118.224.0/20"],
      hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "0.0.0.0/0", ports: [5432] }, { cidr: "34.118.0.0/16", ports: [443] }] } },
    });
    const blocks = (plan.networkPolicies[2].spec.egress as { to: { ipBlock: { cidr: string; except?: string[] } }[] }[]).map((r) => r.to[0].ipBlock);
    assert.ok(blocks[0].except?.includes("34.118.224.0/20"), JSON.stringify(blocks[0]));
    assert.deepEqual(blocks[1].except, ["34.118.224.0/20"]);
    assert.deepEqual(issuesOf({ clusterNetworks: ["pods"] }), ['clusterNetworks[0] "pods" must be a network such as "34.118.224.0/20".']);
  });

  it("refuses a node-local DNS address that is a catalogued metadata endpoint (the pack would refuse the policy it writes)", () => {
    assert.deepEqual(issuesOf({ dns: { nodeLocalAddress: "169.254.169.254" } }), [
      'dns.nodeLocalAddress "169.254.169.254" is a cloud metadata endpoint address; allowing it would open that endpoint on port 53: use the NodeLocal DNSCache address ("169.254.20.10" by default).',
    ]);
  });

  it("sends domain rules through Cilium toFQDNs and denies the metadata networks above every allow", () => {
    const plan = planWorkerNamespace("workers", {
      cilium: true,
      dns: { nodeLocalAddress: "169.254.20.10" },
      hardening: {
        workloadSubnet: "private",
        egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org", ports: [443, 8443] }] },
      },
    });
    assert.deepStrictEqual(plan.networkPolicies.map((p) => p.key), ["default-deny", "allow-dns"]);
    assert.deepStrictEqual((plan.networkPolicies[1].spec.egress as { to: unknown[] }[])[0].to[1], { ipBlock: { cidr: "169.254.20.10/32" } });
    assert.deepStrictEqual(plan.ciliumPolicies, [
      {
        key: "deny-metadata",
        spec: {
          endpointSelector: {},
          egressDeny: [
            {
              toCIDRSet: [
                { cidr: "169.254.0.0/16", except: ["169.254.20.10/32"] },
                ...[...V4_EXCEPT.slice(1), ...V6_EXCEPT].map((cidr) => ({ cidr })),
                // The NAT64 forms of the IPv4 metadata networks, as the ipBlocks and the proxy exclude them.
                ...["64:ff9b::a9fe:0/112", "64:ff9b::a83f:8110/128", "64:ff9b::6464:64c8/128", "64:ff9b::c000:c0/128"].map((cidr) => ({ cidr })),
              ],
            },
          ],
        },
      },
      {
        key: "deny-internal",
        spec: {
          endpointSelector: {},
          egressDeny: [
            {
              // Every internal range and its NAT64 form, the node-local cache excepted: toFQDNs answers never lead there.
              toCIDRSet: [
                "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
                "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128",
                "64:ff9b::/104", "64:ff9b::a00:0/104", "64:ff9b::6440:0/106", "64:ff9b::7f00:0/104", "64:ff9b::a9fe:0/112", "64:ff9b::ac10:0/108",
                "64:ff9b::c000:0/120", "64:ff9b::c000:200/120", "64:ff9b::c0a8:0/112", "64:ff9b::c612:0/111", "64:ff9b::c633:6400/120",
                "64:ff9b::cb00:7100/120", "64:ff9b::e000:0/100", "64:ff9b::f000:0/100", "64:ff9b:1::/48", "100::/64", "2001:db8::/32", "fc00::/7",
                "fe80::/10", "fec0::/10", "ff00::/8",
              ].map((cidr) => (cidr === "169.254.0.0/16" ? { cidr, except: ["169.254.20.10/32"] } : { cidr })),
            },
          ],
        },
      },
      {
        key: "allow-fqdn",
        spec: {
          endpointSelector: {},
          egress: [
            {
              toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
              toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
            },
            { toFQDNs: [{ matchName: "pypi.org" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
            {
              toFQDNs: [{ matchPattern: "*.pythonhosted.org" }],
              toPorts: [{ ports: [{ port: "443", protocol: "TCP" }, { port: "8443", protocol: "TCP" }] }],
            },
          ],
        },
      },
    ]);
  });

  it("confines domain traffic to the egress proxy when one is given", () => {
    const plan = planWorkerNamespace("workers", {
      egressProxy: { namespace: "egress", podLabels: { app: "squid" }, port: 3128 },
      hardening: { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } },
    });
    assert.deepStrictEqual(plan.networkPolicies[2], {
      key: "allow-proxy",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "egress" } }, podSelector: { matchLabels: { app: "squid" } } }],
            ports: [{ protocol: "TCP", port: 3128 }],
          },
        ],
      },
    });
    assert.deepStrictEqual(plan.ciliumPolicies, []);
  });

  describe("egressProxy.create", () => {
    const PROXIED: HardeningSpec = { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24", ports: [443] }] } };
    const IMAGE = "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000";

    it("plans the proxy with the namespace's spec and resolver, admits the namespace, and confines domain traffic to it", () => {
      const plan = planWorkerNamespace("workers", {
        hardening: PROXIED,
        dns: { podLabels: { "k8s-app": "coredns" } },
        egressProxy: { create: { image: IMAGE, otherWorkerNamespaces: ["kestra"], noProxy: [".svc"] } },
      });
      const created = plan.egressProxy;
      assert.ok(created);
      assert.equal(created.name, "workers-proxy");
      const expected = planEgressProxy("workers-proxy", {
        image: IMAGE,
        noProxy: [".svc"],
        hardening: PROXIED,
        workerNamespaces: ["workers", "kestra"],
        dns: { namespaceLabels: { "kubernetes.io/metadata.name": "kube-system" }, podLabels: { "k8s-app": "coredns" } },
      });
      assert.deepStrictEqual(created.plan, expected);
      assert.deepStrictEqual(created.args.workerNamespaces, ["workers", "kestra"]);
      assert.deepStrictEqual(plan.network.proxy, expected.target);
      assert.deepStrictEqual(plan.networkPolicies.find((p) => p.key === "allow-proxy"), {
        key: "allow-proxy",
        spec: {
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [
            {
              to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "workers-proxy" } }, podSelector: { matchLabels: expected.podLabels } }],
              ports: [{ protocol: "TCP", port: 3128 }],
            },
          ],
        },
      });
      // The CIDR rule stays a direct ipBlock rule; the proxy admits only the worker namespaces.
      assert.ok(plan.networkPolicies.some((p) => p.key === "allow-egress"));
      const admit = created.plan.networkPolicies.find((p) => p.key === "allow-workers")?.spec as { ingress: { from: unknown[] }[] };
      assert.deepStrictEqual(admit.ingress[0].from, [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "workers" } } },
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kestra" } } },
      ]);
      assert.equal(created.plan.env.find((e) => e.name === "NO_PROXY")?.value, "localhost,127.0.0.1,::1,.svc");
    });

    it("uses the given proxy name and namespace", () => {
      const plan = planWorkerNamespace("workers", { hardening: PROXIED, egressProxy: { create: { image: IMAGE, name: "egress", namespaceName: "platform-egress", port: 8080 } } });
      assert.equal(plan.egressProxy?.name, "egress");
      assert.deepStrictEqual(plan.network.proxy, { namespace: "platform-egress", podLabels: plan.egressProxy?.plan.podLabels, port: 8080 });
      assert.equal(plan.egressProxy?.plan.proxyUrl, "http://egress.platform-egress.svc.cluster.local:8080");
    });

    it("refuses a bad proxy with the namespace's other problems, each under egressProxy.create, once", () => {
      assert.deepStrictEqual(
        issuesOf({
          hardening: PROXIED,
          dns: { nodeLocalAddress: "169.254.20.10" },
          egressProxy: { create: { image: "", namespaceName: "workers", replicas: 0, otherWorkerNamespaces: ["Bad_NS"], colour: "red" } },
        }),
        [
          "egressProxy.create.colour is not a field; known fields: image, name, namespaceName, createNamespace, otherWorkerNamespaces, replicas, port, runAsUser, clients, clusterDomain, noProxy, resources.",
          'egressProxy.create.otherWorkerNamespaces[0] "Bad_NS" must be a namespace name.',
          'egressProxy.create.image "" must be a container image reference such as "ubuntu/squid@sha256:...", pinned by digest.',
          'egressProxy.create.namespaceName "workers" is also a worker namespace; run the proxy in a namespace of its own, so workers cannot reach the internet around it.',
          "egressProxy.create.replicas 0 must be a whole number from 1 to 100.",
        ],
      );
    });

    it("names the proxy's name problem and how to fix it; refuses both forms and a spec the proxy cannot enforce", () => {
      const issuesFor = (name: string, args: unknown): readonly string[] => {
        try {
          planWorkerNamespace(name, args as KubernetesWorkerNamespaceArgs);
        } catch (e) {
          assert.ok(e instanceof InvalidArgsError);
          return e.issues;
        }
        return assert.fail("expected the arguments to be refused");
      };
      assert.deepStrictEqual(issuesFor("1workers", { hardening: PROXIED, egressProxy: { create: { image: IMAGE } } }), [
        'egressProxy.create.name "1workers-proxy" names the Service, the Deployment and the ServiceAccount, so it must be a DNS-1035 label (a lower-case letter, then letters, digits, "-", at most 63). Set egressProxy.create.name.',
      ]);
      assert.deepStrictEqual(issuesOf({ hardening: PROXIED, egressProxy: { create: { image: IMAGE }, namespace: "egress", port: 3128 } }), [
        "egressProxy gives both create and namespace, port; give create (a proxy this component makes) or an existing proxy's namespace, podLabels and port, not both.",
      ]);
      // The spec's problems are the namespace's to report, once; a proxy with bad arguments is not "no proxy".
      assert.deepStrictEqual(issuesOf({ hardening: { sandbox: "maybe", workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } }, egressProxy: { create: { image: "" } } }), [
        'hardening.sandbox "maybe" is not one of "none", "runtime".',
        'egressProxy.create.image "" must be a container image reference such as "ubuntu/squid@sha256:...", pinned by digest.',
      ]);
      assert.deepStrictEqual(issuesOf({ hardening: PROXIED, egressProxy: { create: "yes" } }), ['egressProxy.create "yes" must be an object such as { image: "ubuntu/squid@sha256:..." }.']);
    });
  });

  it("creates a RuntimeClass only when asked, and none without a sandbox", () => {
    const created = planWorkerNamespace("w", { runtimeClass: { name: "kata", create: true, handler: "kata", nodeSelector: { sandbox: "kata" } } });
    assert.deepStrictEqual(created.runtimeClass, { name: "kata", create: true, handler: "kata", nodeSelector: { sandbox: "kata" } });
    assert.equal(planWorkerNamespace("w", { hardening: { sandbox: "none" } }).runtimeClass, undefined);
  });

  it("refuses bad arguments, listing every problem (the spec's own included) before anything is planned", () => {
    assert.deepStrictEqual(
      issuesOf({
        namespaceName: "Kestra_Workers",
        podSecurityVersion: "v1.30",
        hardening: { sandbox: "none", workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } },
        runtimeClass: { handler: "runsc" },
        labels: { "pod-security.kubernetes.io/enforce": "privileged" },
        quota: { limitsCpu: "lots", pods: 0 },
        dns: { podLabels: {} },
        colour: "blue",
      }),
      [
        'args.colour is not a field; known fields: namespaceName, hardening, podSecurityVersion, dns, egressProxy, cilium, clusterNetworks, runtimeClass, quota, limitRange, labels, canary, admission.',
        'namespaceName "Kestra_Workers" must be a DNS label (lower-case letters, digits, "-", at most 63); set namespaceName.',
        'podSecurityVersion "v1.30" must be a Kubernetes minor version from "v1.34" (older policies allow probes aimed at other hosts) or "latest".',
        "dns.podLabels is empty; give at least one label to select pods by.",
        "labels.pod-security.kubernetes.io/enforce would override the Pod Security labels this component pins; remove it.",
        "quota.pods 0 must be a whole number of at least 1.",
        'quota.limitsCpu "lots" is not a Kubernetes quantity such as "500m", "2" or "4Gi".',
        "runtimeClass.handler is set but runtimeClass.create is not true; it only applies to a RuntimeClass this component creates.",
        "hardening.egress.allow has domain rules (pypi.org), which a Kubernetes NetworkPolicy cannot match; set cilium: true (toFQDNs) or egressProxy, or use cidr rules.",
        'runtimeClass is set but hardening.sandbox is "none"; set sandbox to "runtime" or remove runtimeClass.',
      ],
    );
    assert.deepStrictEqual(issuesOf({ egressProxy: { namespace: "egress", podLabels: { app: "squid" }, port: 70000 } }), [
      "egressProxy.port 70000 must be a whole number from 1 to 65535.",
      "egressProxy is set but hardening.egress.allow has no domain rule to send through it; remove egressProxy or add domain rules.",
    ]);
    assert.deepStrictEqual(issuesOf({ hardening: { sandbox: "maybe" } }), ['hardening.sandbox "maybe" is not one of "none", "runtime".']);
  });

  // --- properties -------------------------------------------------------------------------------------------
  const v4 = fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 })).map(([n, p]) => {
    const masked = p === 0 ? 0n : (BigInt(n) >> BigInt(32 - p)) << BigInt(32 - p);
    return formatCidr({ version: 4, first: masked, prefix: p });
  });
  const v6 = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 })).map(([n, p]) => {
    const masked = p === 0 ? 0n : (n >> BigInt(128 - p)) << BigInt(128 - p);
    return formatCidr({ version: 6, first: masked, prefix: p });
  });
  // Bias towards the networks that matter: around the metadata ranges.
  const near = fc.constantFrom("169.254.0.0/16", "169.254.169.0/24", "168.0.0.0/8", "100.64.0.0/10", "fd00::/8", "fd00:ec2::/32", "fe80::/10", "::/0", "0.0.0.0/0");
  const cidr = fc.oneof(v4, v6, near);

  it("never lets an allowed ipBlock reach a metadata network or an unlisted internal range, and never puts an except outside its cidr", () => {
    fc.assert(
      fc.property(fc.array(cidr, { minLength: 1, maxLength: 4 }), (cidrs) => {
        const spec: HardeningSpec = { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: cidrs.map((c) => ({ cidr: c })) } };
        let resolved;
        try {
          resolved = resolveHardening(spec);
        } catch (e) {
          // Rules inside a metadata network are refused by the contract; nothing to map.
          assert.ok(e instanceof InvalidArgsError);
          return;
        }
        for (const rule of egressRulesFor(resolved.egress.allow)) {
          assert.deepStrictEqual(metadataAllowedBy(rule), [], JSON.stringify(rule));
          const block = (rule.to as { ipBlock: { cidr: string; except?: string[] } }[])[0].ipBlock;
          const outer = mustParseCidr(block.cidr);
          for (const e of block.except ?? []) assert.ok(cidrContains(outer, mustParseCidr(e)), `${e} outside ${block.cidr}`);
          const excepted = (block.except ?? []).map(mustParseCidr);
          const covered = (c: Cidr) => excepted.some((e) => cidrContains(e, c));
          for (const n of METADATA_NETWORKS) if (cidrContains(outer, n.parsed)) assert.ok(covered(n.parsed), `${n.cidr} open in ${block.cidr}`);
          const internal = INTERNAL_RANGES.map((r) => mustParseCidr(r.cidr));
          // Internal ranges strictly inside the rule are excluded (the rule does not list them); NAT64 forms too.
          for (const r of internal) if (cidrContains(outer, r) && !cidrContains(r, outer)) assert.ok(covered(r), `${formatCidr(r)} open in ${block.cidr}`);
          for (const r of internal.filter((c) => c.version === 4).map(nat64Of)) if (cidrContains(outer, r) && !cidrContains(r, outer)) assert.ok(covered(r), `${formatCidr(r)} open in ${block.cidr}`);
          // Nothing else is excluded: each except is metadata, internal or the NAT64 form of one.
          const known = [...METADATA_NETWORKS.map((n) => n.parsed), ...internal, ...[...internal, ...METADATA_NETWORKS.map((n) => n.parsed)].filter((c) => c.version === 4).map(nat64Of)];
          for (const e of excepted) assert.ok(known.some((k) => cidrContains(k, e)), `${formatCidr(e)} excluded from ${block.cidr} for no reason`);
        }
      }),
      { numRuns: 300 },
    );
  });
});
