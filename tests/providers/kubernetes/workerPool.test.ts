/** KestraWorker under mocks: the Kubernetes counterpart of the other clouds' worker pool (the Kestra workers). */
import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { auditResources } from "../../../policy/rules";
import { runUnderMocks } from "../../../program/offlineEngine";
import { KestraWorker } from "../../../providers/kubernetes/kestraWorker";
import { KubernetesWorkerNamespace } from "../../../providers/kubernetes/workerNamespace";
import { SCRATCH_VOLUME, TOKEN_PATH, TOKEN_VOLUME } from "../../../providers/kubernetes/podSecurity";
import { asInputs, Obj, one, refused, WORKER_ARGS } from "./mocks";
import { pssFindings } from "./pss";
import { kestraTrustedWorkload } from "../../../providers/kubernetes/admissionPolicyPlan";

/** The worker Deployment is admitted as the root program admits it: a trusted, unsandboxed ServiceAccount. */
const TRUSTED_KESTRA = { trustedWorkloads: [kestraTrustedWorkload("kestra", "kubernetes")!] };

describe("KestraWorker (mocks)", () => {
  it("Kubernetes runner: hardened Deployment with a projected token, Role limited to task pods, PDB; the stack passes the pack", async () => {
    const run = await runUnderMocks(() => {
      const ns = new KubernetesWorkerNamespace("w", { admission: TRUSTED_KESTRA });
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
