/**
 * The planned ValidatingAdmissionPolicy and binding, validated against the Kubernetes OpenAPI schema for
 * admissionregistration.k8s.io/v1 (as compiled by kubernetes-models, generated from the API server's OpenAPI
 * spec), and the `admission` argument's checks.
 */
import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components/validation";
import { kestraTaskAdmissionPolicyFor, kestraTrustedWorkload, type AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { planWorkerNamespace, type KubernetesWorkerNamespaceArgs } from "../../../providers/kubernetes/namespacePlan";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;
// kubernetes-models is ESM-only; a plain import() would be rewritten to require() by the CommonJS transform.
const importEsm = new Function("s", "return import(s)") as (s: string) => Promise<Record<string, ModelClass>>;

function manifests(plan: AdmissionPolicyPlan): { policy: unknown; binding: unknown } {
  return {
    policy: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: plan.name }, spec: plan.policySpec },
    binding: { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: plan.name }, spec: plan.bindingSpec },
  };
}

function issuesOf(args: KubernetesWorkerNamespaceArgs): readonly string[] {
  try {
    planWorkerNamespace("workers", args);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError);
    return e.issues;
  }
  return [];
}

describe("admission policy plan", () => {
  let Policy: ModelClass;
  let Binding: ModelClass;
  before(async () => {
    Policy = (await importEsm("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy")).ValidatingAdmissionPolicy;
    Binding = (await importEsm("kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding")).ValidatingAdmissionPolicyBinding;
  });

  const plans: [string, AdmissionPolicyPlan][] = [
    ["the worker namespace's policy", planWorkerNamespace("workers").admission.policy as AdmissionPolicyPlan],
    [
      "the namespace's policy with a trusted worker and sandbox none",
      planWorkerNamespace("workers", { hardening: { sandbox: "none" }, admission: { trustedWorkloads: [kestraTrustedWorkload("kestra", "kubernetes")!] } }).admission.policy as AdmissionPolicyPlan,
    ],
    [
      "a KestraWorker's task-pod policy",
      kestraTaskAdmissionPolicyFor({
        workerName: "kestra", workerNamespace: "kestra", taskNamespace: "tasks", workerServiceAccountName: "kestra-worker",
        taskServiceAccountName: "workload", runtimeClassName: "gvisor", activeDeadlineSeconds: 3600,
      }),
    ],
  ];
  for (const [what, plan] of plans) {
    it(`${what} and its binding are valid admissionregistration.k8s.io/v1 objects`, () => {
      const { policy, binding } = manifests(plan);
      new Policy(policy).validate();
      new Binding(binding).validate();
    });
  }

  it("the schema check refuses a broken policy (positive control)", () => {
    const { policy } = manifests(plans[0][1]);
    const broken = structuredClone(policy) as { spec: { failurePolicy: string; validations: { expression?: string }[] } };
    broken.spec.failurePolicy = "Sometimes";
    delete broken.spec.validations[0].expression;
    assert.throws(() => new Policy(broken).validate(), /failurePolicy must be equal to one of the allowed values.*validations\/0 must have required property expression/s);
  });

  it("binds by the namespace's name label, denies, and fails closed", () => {
    const plan = plans[0][1];
    assert.equal(plan.name, "hardening-worker-pods-workers");
    assert.deepStrictEqual(plan.bindingSpec, {
      policyName: "hardening-worker-pods-workers",
      validationActions: ["Deny"],
      matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "workers" } } },
    });
    assert.equal(plan.policySpec.failurePolicy, "Fail");
    assert.deepStrictEqual(plan.policySpec.matchConstraints.resourceRules, [
      { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
      { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
    ]);
  });

  it("refuses bad admission arguments, naming each field, value and fix", () => {
    assert.deepStrictEqual(issuesOf({ admission: { create: false } }), [
      'admission.create is false but admission.reason is missing; say why run-time pods go without the admission policy (e.g. "cluster is 1.29, no admissionregistration.k8s.io/v1").',
    ]);
    assert.deepStrictEqual(
      issuesOf({
        admission: {
          colour: 1,
          serviceAccounts: ["Bad_Name"],
          trustedWorkloads: [{ serviceAccountName: "workload", reason: "", token: "yes" }, 7],
        } as never,
      }),
      [
        "admission.colour is not a field; known fields: create, reason, serviceAccounts, trustedWorkloads.",
        'admission.serviceAccounts[0] "Bad_Name" must be a ServiceAccount name (lower-case DNS subdomain).',
        'admission.trustedWorkloads[0].reason "" must say why these pods run without the task-pod rules.',
        'admission.trustedWorkloads[0].token "yes" must be true or false.',
        'admission.trustedWorkloads[0].serviceAccountName "workload" is the namespace\'s workload ServiceAccount, which untrusted pods use; give the trusted workload a ServiceAccount of its own.',
        'admission.trustedWorkloads[1] 7 must be an object such as { serviceAccountName: "kestra-worker", reason: "the Kestra worker" }.',
      ],
    );
    const off = planWorkerNamespace("workers", { admission: { create: false, reason: "1.29" } });
    assert.deepStrictEqual(off.admission, { create: false, reason: "1.29" });
  });

  it("bounds the deadline by the spec's host lifetime", () => {
    const plan = planWorkerNamespace("workers", { hardening: { ephemeral: { maxLifetimeHours: 2 } } }).admission.policy as AdmissionPolicyPlan;
    assert.equal(plan.rules.maxActiveDeadlineSeconds, 7200);
  });
});
