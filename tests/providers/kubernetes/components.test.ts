import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { auditResources } from "../../../policy/rules";
import type { ResourceInput } from "../../../policy/rules/types";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { cloudModule } from "../../../program/clouds/kubernetes";
import { KestraWorker } from "../../../providers/kubernetes/kestraWorker";
import { KubernetesWorkerNamespace } from "../../../providers/kubernetes/workerNamespace";
import { SCRATCH_VOLUME, TOKEN_PATH, TOKEN_VOLUME } from "../../../providers/kubernetes/podSecurity";
import { javaProxyOptionsFor, proxyEnvFor } from "../../../providers/kubernetes/egressProxyPlan";
import { pssFindings } from "./pss";

const T = {
  namespace: "kubernetes:core/v1:Namespace",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  cnp: "kubernetes:cilium.io/v2:CiliumNetworkPolicy",
  sa: "kubernetes:core/v1:ServiceAccount",
  runtimeClass: "kubernetes:node.k8s.io/v1:RuntimeClass",
  deployment: "kubernetes:apps/v1:Deployment",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
} as const;

type Obj = Record<string, unknown>;
const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};
const asInputs = (resources: RecordedResource[]): ResourceInput[] =>
  resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }));

/** Runs a program that is expected to throw while constructing; returns the error and what got registered. */
async function refused(program: () => unknown): Promise<{ error: Error; resources: RecordedResource[] }> {
  const run = await runUnderMocks(() => {
    try {
      program();
    } catch (e) {
      return e as Error;
    }
    return undefined;
  });
  assert.ok(run.result instanceof Error, "expected construction to throw");
  return { error: run.result, resources: run.resources };
}

const WORKER_ARGS = {
  image: "kestra/kestra:v1.1.6",
  configurationSecretName: "kestra-configuration",
  backendEgress: [{ namespace: "kestra", ports: [5432] }],
};

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

describe("KestraWorker (mocks)", () => {
  it("Kubernetes runner: hardened Deployment with a projected token, Role limited to task pods, PDB; the stack passes the pack", async () => {
    const run = await runUnderMocks(() => {
      const ns = new KubernetesWorkerNamespace("w");
      return new KestraWorker("kestra", { ...WORKER_ARGS, namespace: ns.namespaceName, apiServerCidrs: ["10.0.0.0/28"] });
    });
    const component = one(run.resources, "kestra");
    for (const r of run.resources.filter((x) => x.name.startsWith("kestra-"))) assert.equal(r.parent, component.urn);
    const deployment = one(run.resources, "kestra-deployment").inputs as { spec: { template: { spec: Obj } } };
    const pod = deployment.spec.template.spec;
    assert.deepStrictEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, "kestra-worker");
    const worker = (pod.containers as Obj[])[0];
    assert.deepStrictEqual(worker.securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.deepStrictEqual(
      (worker.volumeMounts as Obj[]).map((m) => m.mountPath),
      ["/app/confs/application.yml", "/tmp", TOKEN_PATH],
    );
    assert.deepStrictEqual((pod.volumes as Obj[]).map((v) => v.name), ["kestra-configuration", SCRATCH_VOLUME, TOKEN_VOLUME]);
    assert.deepStrictEqual(pssFindings(pod), []);
    assert.deepStrictEqual(one(run.resources, "kestra-worker").inputs, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kestra-worker", namespace: "w" },
      automountServiceAccountToken: false,
    });
    assert.deepStrictEqual(one(run.resources, "kestra-task-runner-binding").inputs, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "kestra-task-runner", namespace: "w" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kestra-task-runner" },
      subjects: [{ kind: "ServiceAccount", name: "kestra-worker", namespace: "w" }],
    });
    assert.deepStrictEqual(one(run.resources, "kestra-pdb").inputs.spec, {
      maxUnavailable: 1,
      selector: { matchLabels: { "app.kubernetes.io/name": "kestra-worker", "app.kubernetes.io/instance": "kestra" } },
    });
    const taskRunner = await new Promise<string>((resolve) => run.result.taskRunner.apply(resolve));
    const parsed = parse(taskRunner) as Obj;
    assert.equal(parsed.type, "io.kestra.plugin.ee.kubernetes.runner.Kubernetes");
    assert.equal(parsed.namespace, "w");
    assert.equal((parsed.podSpec as Obj).automountServiceAccountToken, false);
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
  });

  it("an invalid worker registers no resource at all", async () => {
    const { error, resources } = await refused(() => new KestraWorker("kestra", { ...WORKER_ARGS, namespace: "w", image: "kestra/kestra" }));
    assert.deepStrictEqual(resources, []);
    assert.match(error.message, /^KestraWorker "kestra": invalid arguments:\n - image "kestra\/kestra" is not pinned/);
  });
});

describe("KubernetesWorkerNamespace with egressProxy.create, and KestraWorker behind it (mocks)", () => {
  const IMAGE = "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000";
  const HARDENING = { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } } as const;
  const URL = "http://tasks-proxy.tasks-proxy.svc.cluster.local:3128";
  const value = <T>(o: import("@pulumi/pulumi").Output<T> | undefined) => new Promise<T>((resolve) => (o as import("@pulumi/pulumi").Output<T>).apply(resolve));

  it("creates the proxy as its child, admits only itself to it, exposes its variables; the workers get them; the stack passes the pack", async () => {
    const run = await runUnderMocks(() => {
      const ns = new KubernetesWorkerNamespace("tasks", { hardening: { ...HARDENING, egress: { ...HARDENING.egress, allow: [...HARDENING.egress.allow] } }, egressProxy: { create: { image: IMAGE, noProxy: [".svc"] } } });
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

  it("the environment gives the Kestra workers the proxy's variables when the namespace creates it", async () => {
    const run = await runUnderMocks(
      () =>
        cloudModule.createEnvironment({
          cloud: "kubernetes",
          name: "kestra-workers",
          hardening: { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } },
          networkCidr: "10.42.0.0/16",
          zoneCount: 2,
          settings: { ...(cloudModule.planSettings ?? {}), egressProxy: { create: { image: IMAGE } } },
        }),
      { calls: cloudModule.offlineCalls },
    );
    const pod = (one(run.resources, "kestra-workers-kestra-deployment").inputs as { spec: { template: { spec: { containers: Obj[] } } } }).spec.template.spec;
    const names = (pod.containers[0].env as { name: string }[]).map((e) => e.name);
    assert.deepStrictEqual(names, ["HOME", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "JAVA_TOOL_OPTIONS"]);
    assert.ok(Object.keys(run.result.outputs).includes("proxyUrl"));
    const registered = new Set(run.resources.map((r) => r.name));
    for (const c of run.result.controls) for (const r of c.resources) assert.ok(registered.has(r), `${c.id} names ${r}, which was not registered`);
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
  });
});

describe("cloudModule (kubernetes)", () => {
  it("defaults to the Kubernetes task runner, which needs the API server's address, and says so", async () => {
    const { error, resources } = await refused(() =>
      cloudModule.createEnvironment({ cloud: "kubernetes", name: "kestra-workers", hardening: {}, networkCidr: "10.42.0.0/16", zoneCount: 2, settings: {} }),
    );
    assert.deepStrictEqual(resources, []);
    assert.match(error.message, /hardening:kubernetes\.kestra\.runner "kubernetes" needs the worker to reach the API server/);
  });

  it("builds the whole environment offline, with no provider function answered", async () => {
    const run = await runUnderMocks(
      () =>
        cloudModule.createEnvironment({
          cloud: "kubernetes",
          name: "kestra-workers",
          hardening: {},
          networkCidr: "10.42.0.0/16",
          zoneCount: 2,
          settings: cloudModule.planSettings ?? {},
        }),
      { calls: cloudModule.offlineCalls },
    );
    const types = new Set(run.resources.map((r) => r.type));
    for (const t of [T.namespace, T.netpol, T.sa, T.deployment]) assert.ok(types.has(t), `registers a ${t}`);
    const ids = run.result.controls.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, "control ids are unique");
    assert.deepStrictEqual(
      run.result.controls.filter((c) => !c.effective).map((c) => c.id),
      ["k8s-networkpolicy-hostnetwork-pods", "k8s-dns-tunnelling", "k8s-node-lifetime", "k8s-kestra-docker-runner"],
    );
    // Every resource a control names is one the environment registered.
    const names = new Set(run.resources.map((r) => r.name));
    for (const c of run.result.controls) for (const r of c.resources) assert.ok(names.has(r), `${c.id} names ${r}, which was not registered`);
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
  });

  it("a bad settings block registers nothing and reports every problem", async () => {
    const { error, resources } = await refused(() =>
      cloudModule.createEnvironment({
        cloud: "kubernetes",
        name: "kestra-workers",
        hardening: { sandbox: "maybe" as never },
        networkCidr: "10.42.0.0/16",
        zoneCount: 2,
        settings: { colour: "blue", podSecurityVersion: "v1.20", kestra: { runner: "kubernetes", image: "kestra/kestra:latest" } },
      }),
    );
    assert.deepStrictEqual(resources, []);
    assert.deepStrictEqual(error.message.split("\n - ").slice(1), [
      'hardening:kubernetes.colour is not a setting; known settings: namespace, podSecurityVersion, cilium, egressProxy, dns, runtimeClass, quota, limitRange, kestra.',
      'hardening.sandbox "maybe" is not one of "none", "runtime".',
      'hardening:kubernetes.podSecurityVersion "v1.20" must be a Kubernetes minor version from "v1.34" (older policies allow probes aimed at other hosts) or "latest".',
      'hardening:kubernetes.kestra.image "kestra/kestra:latest" is not pinned; give a version tag or a digest so every worker runs the same code.',
      'hardening:kubernetes.kestra.runner "kubernetes" needs the worker to reach the API server, which a default-deny namespace blocks: set apiServerCidrs to the API server endpoint networks (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or cilium: true.',
    ]);
  });
});
