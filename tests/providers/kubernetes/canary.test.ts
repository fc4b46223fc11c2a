/**
 * The canary CronJob of KubernetesWorkerNamespace, under mocks: its pod is exactly a Kestra task pod of the
 * namespace, it passes the whole policy pack (its ConfigMap by a reasoned exemption, which is shown to be needed),
 * and bad canary arguments register nothing, reported with the namespace's own problems.
 */
import * as assert from "node:assert/strict";
import { auditResources } from "../../../policy/rules";
import type { ResourceInput } from "../../../policy/rules/types";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import type { AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { admit, compileErrors } from "./cel";
import { KubernetesWorkerNamespace } from "../../../providers/kubernetes/workerNamespace";
import { kestraTaskRunnerFor } from "../../../providers/kubernetes/kestraWorkerPlan";
import { planWorkerNamespace } from "../../../providers/kubernetes/workerNamespacePlan";
import { namespaceControlsFor } from "../../../providers/kubernetes/controls";
import { planCanaryCronJob } from "../../../providers/kubernetes/canaryPlan";
import { pssFindings } from "./pss";

type Obj = Record<string, unknown>;
const IMAGE = "python:3.13-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000";
const asInputs = (resources: RecordedResource[]): ResourceInput[] =>
  resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }));
const one = (resources: RecordedResource[], type: string) => {
  const found = resources.filter((r) => r.type === type);
  assert.equal(found.length, 1, `exactly one ${type}`);
  return found[0];
};
const show = (vs: { policy: string; name?: string; urn: string; property: string; message: string }[]) =>
  vs.map((v) => `${v.policy} ${v.urn.split("::").pop()} ${v.property}: ${v.message}`).join("\n");

describe("KubernetesWorkerNamespace canary (mocks)", function () {
  this.timeout(60_000);

  it("creates a CronJob whose pod is the task runner's pod, and a ConfigMap with the probe; all pass the pack", async () => {
    const run = await runUnderMocks(() => new KubernetesWorkerNamespace("w", { canary: { image: IMAGE } }));
    const cron = one(run.resources, "kubernetes:batch/v1:CronJob");
    const cm = one(run.resources, "kubernetes:core/v1:ConfigMap");
    const spec = cron.inputs.spec as Obj;
    assert.equal(spec.schedule, "17 * * * *");
    assert.equal(spec.concurrencyPolicy, "Forbid");
    const pod = (((spec.jobTemplate as Obj).spec as Obj).template as Obj).spec as Obj;
    // Exactly the task pods' spec: what Kestra's task runner would create in this namespace, plus the probe's file.
    const runner = kestraTaskRunnerFor({ namespace: "w", serviceAccountName: "workload", runtimeClassName: "gvisor" });
    const { containers, volumes, ...podLevel } = pod as { containers: Obj[]; volumes: Obj[] } & Obj;
    const { volumes: runnerVolumes, ...runnerLevel } = runner.podSpec as { volumes: Obj[] } & Obj;
    assert.deepEqual(podLevel, { ...runnerLevel, serviceAccountName: "workload" });
    assert.equal(pod.runtimeClassName, "gvisor");
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual(volumes, [...runnerVolumes, { name: "hardening-canary", configMap: { name: "hardening-canary", defaultMode: 0o444 } }]);
    const { name: _n, image, command, volumeMounts, ...containerRest } = containers[0] as Obj & { volumeMounts: Obj[] };
    const { volumeMounts: runnerMounts, ...runnerContainer } = runner.containerDefaultSpec as Obj & { volumeMounts: Obj[] };
    assert.deepEqual(containerRest, runnerContainer);
    assert.deepEqual(volumeMounts, [...runnerMounts, { name: "hardening-canary", mountPath: "/opt/hardening-canary", readOnly: true }]);
    assert.equal(image, IMAGE);
    assert.deepEqual(command, ["python3", "/opt/hardening-canary/canary.py"]);
    assert.deepEqual(pssFindings(pod), []);
    assert.match(String((cm.inputs.data as Obj)["canary.py"]), /^#!\/usr\/bin\/env python3/);
    assert.deepEqual(show(auditResources(asInputs(run.resources))), "");
  });

  it("its Job's pod is admitted by the namespace's own admission policy (CEL), and would be refused if it asked for the host", async () => {
    const run = await runUnderMocks(() => new KubernetesWorkerNamespace("w", { canary: { image: IMAGE } }));
    const vap = one(run.resources, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
    const policy = { name: (vap.inputs.metadata as Obj).name, policySpec: vap.inputs.spec } as unknown as AdmissionPolicyPlan;
    assert.deepEqual(compileErrors(policy), []);
    const cron = one(run.resources, "kubernetes:batch/v1:CronJob");
    const pod = { spec: ((((cron.inputs.spec as Obj).jobTemplate as Obj).spec as Obj).template as Obj).spec };
    // The Job controller creates the pod.
    const jobController = "system:serviceaccount:kube-system:job-controller";
    const verdict = admit(policy, pod, jobController, { workload: false });
    assert.equal(verdict.matched, true, "the policy judges the canary's pod");
    assert.deepEqual(verdict.refusals, []);
    // Positive control: the same pod asking for the host is refused, so the admission above means something.
    const escape = { spec: { ...(pod.spec as Obj), hostNetwork: true } };
    assert.ok(admit(policy, escape, jobController, { workload: false }).refusals.length > 0);
  });

  it("the ConfigMap passes only through its reasoned exemption: without it the pack's code rule refuses the probe", async () => {
    const run = await runUnderMocks(() => new KubernetesWorkerNamespace("w", { canary: { image: IMAGE } }));
    const stripped = run.resources.map((r) =>
      r.type === "kubernetes:core/v1:ConfigMap" ? { ...r, inputs: { ...r.inputs, metadata: { ...(r.inputs.metadata as Obj), annotations: {} } } } : r,
    );
    const violations = auditResources(asInputs(stripped)).filter((v) => v.enforcementLevel === "mandatory");
    assert.ok(violations.length > 0 && violations.every((v) => v.policy === "code-metadata-reference"), show(violations));
  });

  it("takes its verdicts from the namespace's controls report", () => {
    const plan = planWorkerNamespace("w", { hardening: { sandbox: "none" } });
    const canary = planCanaryCronJob(plan, namespaceControlsFor("w", plan), { image: IMAGE });
    const byId = new Map(canary.checks.map((c) => [c.id, c]));
    assert.equal(byId.get("metadata:169.254.169.254:80")?.severity, "error");
    assert.deepEqual(byId.get("metadata:169.254.169.254:80")?.controls, ["k8s-networkpolicy-metadata-blocked"]);
    // The cluster resolver answers any name: no control of this namespace says it refuses resolution.
    assert.equal(byId.get("dns-outside")?.severity, "warning");
    assert.equal(byId.get("kubernetes-token")?.severity, "error");
    assert.equal((canary.cronJobSpec.jobTemplate as { spec: { template: { spec: Obj } } }).spec.template.spec.runtimeClassName, undefined);
  });

  it("bad canary arguments register nothing, listed with the namespace's own problems", async () => {
    const run = await runUnderMocks(() => {
      try {
        new KubernetesWorkerNamespace("w", { namespaceName: "Bad_Name", canary: { image: "python", schedule: "hourly", bogus: 1 } as never });
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    });
    assert.deepEqual(run.resources, []);
    const message = run.result as string;
    for (const part of ['namespaceName "Bad_Name"', "canary.bogus is not a field", 'canary.image "python" is not pinned', 'canary.schedule "hourly"']) {
      assert.ok(message.includes(part), `${part} in ${message}`);
    }
  });

  it("refuses an acceptance without a reason and a check that does not exist", () => {
    const plan = planWorkerNamespace("w");
    assert.throws(
      () => planCanaryCronJob(plan, namespaceControlsFor("w", plan), { image: IMAGE, accept: [{ check: "dns-outside", reason: "" }, { check: "nope", reason: "because" }] }),
      (e: Error & { issues?: string[] }) => {
        assert.deepEqual(e.issues, [
          'canary.accept[0].reason "" must say why reaching "dns-outside" is acceptable here.',
          'canary.accept[1].check "nope" is not a check of this canary; ids look like "dns-outside" or "metadata:169.254.170.2:80".',
        ]);
        return true;
      },
    );
  });
});
