/**
 * KubernetesWorkerNamespace under mocks: the Kubernetes counterpart of the other clouds' worker network (the
 * namespace, its NetworkPolicies and, with egressProxy.create, the proxy the workers go through).
 */
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { auditResources } from "../../../policy/rules";
import { runUnderMocks } from "../../../program/offlineEngine";
import { KestraWorker } from "../../../providers/kubernetes/kestraWorker";
import { KubernetesWorkerNamespace } from "../../../providers/kubernetes/workerNamespace";
import { javaProxyOptionsFor, proxyEnvFor } from "../../../providers/kubernetes/egressProxyPlan";
import { asInputs, Obj, ofType, one, refused, T, WORKER_ARGS } from "./mocks";
import { pssFindings } from "./pss";
import { kestraTrustedWorkload } from "../../../providers/kubernetes/admissionPolicyPlan";

/** The worker Deployment is admitted as the root program admits it: a trusted, unsandboxed ServiceAccount. */
const TRUSTED_KESTRA = { trustedWorkloads: [kestraTrustedWorkload("kestra", "kubernetes")!] };

describe("KubernetesWorkerNamespace (mocks)", () => {
  it("default: restricted namespace, default-deny, DNS only to kube-dns, token-less ServiceAccount, all children parented", async () => {
    const run = await runUnderMocks(() => new KubernetesWorkerNamespace("w"));
    const component = one(run.resources, "w");
    for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn, `${r.name} is a child of the component`);
    assert.deepStrictEqual(one(run.resources, "w-namespace").inputs, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "w",
        annotations: { "hardening.pulumi.io/sandbox-runtime-class": "gvisor" },
        labels: {
          "app.kubernetes.io/managed-by": "pulumi-hardening",
          "app.kubernetes.io/component": "worker-namespace",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "v1.34",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/audit-version": "v1.34",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": "v1.34",
        },
      },
    });
    assert.deepStrictEqual(
      ofType(run.resources, T.netpol).map((r) => [r.name, r.inputs.spec]),
      [
        ["w-default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }],
        [
          "w-allow-dns",
          {
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
          },
        ],
      ],
    );
    assert.deepStrictEqual(one(run.resources, "w-workload").inputs, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "workload", namespace: "w" },
      automountServiceAccountToken: false,
    });
    assert.deepStrictEqual(ofType(run.resources, T.cnp), []);
    assert.deepStrictEqual(ofType(run.resources, T.runtimeClass), []);
    assert.deepStrictEqual(ofType(run.resources, T.roleBinding), []);
  });

  it("allowList on Cilium: ipBlock carve-outs, metadata egressDeny and toFQDNs, as CustomResources", async () => {
    const run = await runUnderMocks(
      () =>
        new KubernetesWorkerNamespace("w", {
          namespaceName: "tasks",
          cilium: true,
          hardening: { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ cidr: "0.0.0.0/0", ports: [443] }, { domain: "pypi.org" }] } },
        }),
    );
    assert.deepStrictEqual(one(run.resources, "w-allow-egress").inputs.spec, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [
            "169.254.0.0/16", "168.63.129.16/32", "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "172.16.0.0/12", "192.0.0.0/24",
            "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
          ] } }],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    });
    const deny = one(run.resources, "w-deny-metadata").inputs;
    assert.equal(deny.apiVersion, "cilium.io/v2");
    assert.equal(deny.kind, "CiliumNetworkPolicy");
    assert.deepStrictEqual(deny.metadata, { name: "deny-metadata", namespace: "tasks" });
    assert.deepStrictEqual(
      ((deny.spec as Obj).egressDeny as { toCIDRSet: { cidr: string }[] }[])[0].toCIDRSet.map((c) => c.cidr),
      [
        "169.254.0.0/16", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32", "fe80::/10", "fd00:ec2::254/128", "fd00:ec2::23/128", "fd20:ce::254/128",
        "fd00:42::42/128", "64:ff9b::a9fe:0/112", "64:ff9b::a83f:8110/128", "64:ff9b::6464:64c8/128", "64:ff9b::c000:c0/128",
      ],
    );
    assert.deepStrictEqual(((one(run.resources, "w-allow-fqdn").inputs.spec as Obj).egress as Obj[])[1], {
      toFQDNs: [{ matchName: "pypi.org" }],
      toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }],
    });
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
  });

  it("creates the sandbox RuntimeClass when asked", async () => {
    const run = await runUnderMocks(() => new KubernetesWorkerNamespace("w", { runtimeClass: { name: "gvisor", create: true, nodeSelector: { sandbox: "gvisor" } } }));
    assert.deepStrictEqual(one(run.resources, "w-runtime-class").inputs, {
      apiVersion: "node.k8s.io/v1",
      kind: "RuntimeClass",
      metadata: { name: "gvisor" },
      handler: "runsc",
      scheduling: { nodeSelector: { sandbox: "gvisor" } },
    });
  });

  it("an invalid spec registers no resource at all, not even the component", async () => {
    const { error, resources } = await refused(
      () => new KubernetesWorkerNamespace("w", { podSecurityVersion: "v1.2", hardening: { sandbox: "maybe" as never } }),
    );
    assert.deepStrictEqual(resources, []);
    assert.equal(
      error.message,
      'KubernetesWorkerNamespace "w": invalid arguments:\n - hardening.sandbox "maybe" is not one of "none", "runtime".\n - podSecurityVersion "v1.2" must be a Kubernetes minor version from "v1.34" (older policies allow probes aimed at other hosts) or "latest".',
    );
  });
});

describe("KubernetesWorkerNamespace with egressProxy.create, and KestraWorker behind it (mocks)", () => {
  const IMAGE = "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000";
  const HARDENING = { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } } as const;
  const URL = "http://tasks-proxy.tasks-proxy.svc.cluster.local:3128";
  const value = <T>(o: import("@pulumi/pulumi").Output<T> | undefined) => new Promise<T>((resolve) => (o as import("@pulumi/pulumi").Output<T>).apply(resolve));

  it("creates the proxy as its child, admits only itself to it, exposes its variables; the workers get them; the stack passes the pack", async () => {
    const run = await runUnderMocks(() => {
      const ns = new KubernetesWorkerNamespace("tasks", { hardening: { ...HARDENING, egress: { ...HARDENING.egress, allow: [...HARDENING.egress.allow] } }, egressProxy: { create: { image: IMAGE, noProxy: [".svc"] } }, admission: TRUSTED_KESTRA });
      const worker = new KestraWorker("kestra", {
        ...WORKER_ARGS,
        namespace: ns.namespaceName,
        apiServerCidrs: ["10.0.0.0/28"],
        proxyEnv: ns.proxyEnv,
        javaToolOptions: ns.javaToolOptions,
      });
      return { ns, worker };
    });
    const component = one(run.resources, "tasks");
    const proxy = one(run.resources, "tasks-proxy");
    assert.equal(proxy.type, "hardening:index:KubernetesEgressProxy");
    assert.equal(proxy.parent, component.urn);
    for (const key of ["namespace", "squid", "service-account", "deployment", "service", "pdb", "default-deny", "allow-workers", "allow-dns", "allow-upstream"]) {
      assert.equal(one(run.resources, `tasks-proxy-${key}`).parent, proxy.urn, key);
    }
    assert.deepStrictEqual((one(run.resources, "tasks-proxy-allow-workers").inputs as { spec: Obj }).spec.ingress, [
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "tasks" } } }], ports: [{ protocol: "TCP", port: 3128 }] },
    ]);
    const allowProxy = (one(run.resources, "tasks-allow-proxy").inputs as { spec: { egress: { to: Obj[] }[] } }).spec.egress[0].to[0];
    assert.deepStrictEqual(allowProxy.namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "tasks-proxy" } });

    const env = proxyEnvFor(URL, [".svc"]);
    const jto = javaProxyOptionsFor(URL, [".svc"]);
    assert.equal(await value(run.result.ns.proxyUrl), URL);
    assert.deepStrictEqual(await value(run.result.ns.proxyEnv), env);
    assert.equal(await value(run.result.ns.javaToolOptions), jto);
    const controls = (await value(run.result.ns.controls)).map((c) => c.id);
    for (const id of ["k8s-egress-proxy", "k8s-egress-proxy-allow-list", "k8s-egress-proxy-resolved-address", "k8s-egress-proxy-networkpolicy"]) assert.ok(controls.includes(id), id);

    const expected = [{ name: "HOME", value: "/tmp" }, ...env, { name: "JAVA_TOOL_OPTIONS", value: jto }];
    const pod = (one(run.resources, "kestra-deployment").inputs as { spec: { template: { spec: { containers: Obj[] } } } }).spec.template.spec;
    assert.deepStrictEqual(pod.containers[0].env, expected);
    assert.deepStrictEqual(pssFindings(pod as Obj), []);
    const taskRunner = parse(await value(run.result.worker.taskRunner)) as { containerDefaultSpec: Obj };
    assert.deepStrictEqual(taskRunner.containerDefaultSpec.env, expected);
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
  });

  it("exposes no proxy outputs with an existing proxy, and the worker's env is untouched without proxyEnv", async () => {
    const run = await runUnderMocks(() => {
      const ns = new KubernetesWorkerNamespace("tasks", { hardening: { ...HARDENING, egress: { ...HARDENING.egress, allow: [...HARDENING.egress.allow] } }, egressProxy: { namespace: "egress", podLabels: { app: "squid" }, port: 3128 } });
      new KestraWorker("kestra", { ...WORKER_ARGS, namespace: ns.namespaceName, apiServerCidrs: ["10.0.0.0/28"] });
      return ns;
    });
    assert.equal(run.result.proxyUrl, undefined);
    assert.equal(run.result.proxyEnv, undefined);
    assert.deepStrictEqual(run.resources.filter((r) => r.type === "hardening:index:KubernetesEgressProxy"), []);
    const pod = (one(run.resources, "kestra-deployment").inputs as { spec: { template: { spec: { containers: Obj[] } } } }).spec.template.spec;
    assert.deepStrictEqual(pod.containers[0].env, [{ name: "HOME", value: "/tmp" }]);
  });

  it("a bad proxy registers nothing at all, not even the namespace", async () => {
    const { error, resources } = await refused(
      () => new KubernetesWorkerNamespace("tasks", { hardening: { ...HARDENING, egress: { ...HARDENING.egress, allow: [...HARDENING.egress.allow] } }, egressProxy: { create: { image: "", replicas: 0 } } }),
    );
    assert.deepStrictEqual(resources, []);
    assert.deepStrictEqual(error.message.split("\n - ").slice(1), [
      'egressProxy.create.image "" must be a container image reference such as "ubuntu/squid@sha256:...", pinned by digest.',
      "egressProxy.create.replicas 0 must be a whole number from 1 to 100.",
    ]);
  });

});
