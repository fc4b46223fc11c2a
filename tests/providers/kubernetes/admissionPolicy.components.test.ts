/**
 * The admission policies as the components register them (Pulumi mocks), fed back to the CEL oracle: the
 * environment's own worker Deployment pod is admitted, a task pod asking for the host is refused, and the pack's
 * worker-admission rule passes the stack and fails it without the policy.
 */
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { auditResources } from "../../../policy/rules";
import type { ResourceInput } from "../../../policy/rules/types";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { cloudModule } from "../../../program/clouds/kubernetes";
import type { AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { admit, compileErrors } from "./cel";

type Obj = Record<string, unknown>;
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAPB = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const asInputs = (resources: RecordedResource[]): ResourceInput[] =>
  resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }));
const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};
const asPlan = (policy: RecordedResource): AdmissionPolicyPlan =>
  ({ name: (policy.inputs.metadata as Obj).name, policySpec: policy.inputs.spec } as unknown as AdmissionPolicyPlan);

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
