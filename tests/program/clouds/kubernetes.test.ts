import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { auditResources } from "../../../policy/rules";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { cloudModule } from "../../../program/clouds/kubernetes";
import type { AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { admit, compileErrors } from "../../providers/kubernetes/cel";
import { asInputs, Obj, one, refused, T } from "../../providers/kubernetes/mocks";

const PROXY_IMAGE = "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000";
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAPB = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const asPlan = (policy: RecordedResource): AdmissionPolicyPlan =>
  ({ name: (policy.inputs.metadata as Obj).name, policySpec: policy.inputs.spec } as unknown as AdmissionPolicyPlan);

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
      'hardening:kubernetes.colour is not a setting; known: "namespace", "podSecurityVersion", "cilium", "egressProxy", "dns", "runtimeClass", "quota", "limitRange", "kestra".',
      'hardening.sandbox "maybe" is not one of "none", "runtime".',
      'hardening:kubernetes.podSecurityVersion "v1.20" must be a Kubernetes minor version from "v1.34" (older policies allow probes aimed at other hosts) or "latest".',
      'hardening:kubernetes.kestra.image "kestra/kestra:latest" is not pinned; give a version tag or a digest so every worker runs the same code.',
      'hardening:kubernetes.kestra.runner "kubernetes" needs the worker to reach the API server, which a default-deny namespace blocks: set apiServerCidrs to the API server endpoint networks (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or cilium: true.',
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
          settings: { ...(cloudModule.planSettings ?? {}), egressProxy: { create: { image: PROXY_IMAGE } } },
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

/**
 * The environment's admission policies as the components register them (Pulumi mocks), fed back to the CEL oracle: the
 * environment's own worker Deployment pod is admitted, a task pod asking for the host is refused, and the pack's
 * worker-admission rule passes the stack and fails it without the policy.
 */
describe("admission policies as the components register them", () => {
  let run: Awaited<ReturnType<typeof runUnderMocks<ReturnType<typeof cloudModule.createEnvironment>>>>;
  before(async () => {
    run = await runUnderMocks(
      () =>
        cloudModule.createEnvironment({
          cloud: "kubernetes", name: "kestra-workers", hardening: {}, networkCidr: "10.42.0.0/16", zoneCount: 2, settings: cloudModule.planSettings ?? {},
        }),
      { calls: cloudModule.offlineCalls },
    );
  });

  it("registers the namespace's and the worker's policies and bindings, parented, with Deny bindings by namespace name", () => {
    const names = run.resources.filter((r) => r.type === VAP || r.type === VAPB).map((r) => `${r.type.split(":").pop()} ${r.name}`).sort();
    assert.deepStrictEqual(names, [
      "ValidatingAdmissionPolicy kestra-workers-admission",
      "ValidatingAdmissionPolicy kestra-workers-kestra-task-admission",
      "ValidatingAdmissionPolicyBinding kestra-workers-admission-binding",
      "ValidatingAdmissionPolicyBinding kestra-workers-kestra-task-admission-binding",
    ]);
    assert.deepStrictEqual(one(run.resources, "kestra-workers-admission-binding").inputs, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: "hardening-worker-pods-kestra-workers" },
      spec: {
        policyName: "hardening-worker-pods-kestra-workers",
        validationActions: ["Deny"],
        matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kestra-workers" } } },
      },
    });
    assert.equal((one(run.resources, "kestra-workers-kestra-task-admission").inputs.metadata as Obj).name, "hardening-kestra-tasks-kestra-workers-kestra-workers-kestra");
  });

  it("admits the environment's own worker Deployment pod and refuses a task pod that asks for the host", async () => {
    const nsPolicy = asPlan(one(run.resources, "kestra-workers-admission"));
    const taskPolicy = asPlan(one(run.resources, "kestra-workers-kestra-task-admission"));
    assert.deepStrictEqual([...compileErrors(nsPolicy), ...compileErrors(taskPolicy)], []);
    const deployment = one(run.resources, "kestra-workers-kestra-deployment").inputs as { spec: { template: { spec: Obj } } };
    const workerPod = { spec: deployment.spec.template.spec };
    const rs = "system:serviceaccount:kube-system:replicaset-controller";
    const automount = { workload: false, "kestra-workers-kestra-worker": false };
    assert.deepStrictEqual(admit(nsPolicy, workerPod, rs, automount).refusals, []);
    const runnerUser = "system:serviceaccount:kestra-workers:kestra-workers-kestra-worker";
    const output = run.result.outputs.taskRunner as unknown as { apply(f: (v: string) => void): unknown };
    const taskRunner = parse(await new Promise<string>((resolve) => output.apply(resolve))) as Obj & { podSpec: Obj; containerDefaultSpec: Obj };
    const taskPod = (extra: Obj) => ({
      spec: { ...taskRunner.podSpec, serviceAccountName: taskRunner.serviceAccountName, restartPolicy: "Never", containers: [{ ...taskRunner.containerDefaultSpec, name: "main", image: "python:3.12" }], ...extra },
    });
    assert.deepStrictEqual([...admit(nsPolicy, taskPod({}), runnerUser, automount).refusals, ...admit(taskPolicy, taskPod({}), runnerUser, automount).refusals], []);
    assert.equal(admit(taskPolicy, taskPod({ hostNetwork: true, serviceAccountName: "kestra-workers-kestra-worker" }), runnerUser, automount).refusals.length, 2);
  });

  it("passes the pack, and fails its worker-admission rule once the namespace's binding is gone", () => {
    assert.deepStrictEqual(auditResources(asInputs(run.resources)), []);
    const without = asInputs(run.resources.filter((r) => r.type !== VAPB));
    const violations = auditResources(without).map((v) => `${v.policy} ${v.type.split(":").pop()}`);
    assert.deepStrictEqual(violations, ["sandbox-kubernetes-worker-admission Namespace"]);
  });
});
