/**
 * The planned ValidatingAdmissionPolicy and binding, validated against the Kubernetes OpenAPI schema for
 * admissionregistration.k8s.io/v1: the API server's own OpenAPI v3 documents (tests/fixtures/kubernetes-openapi/,
 * 1.30 where the kinds went GA and 1.35) with unknown fields refused as strict field validation refuses them, and
 * kubernetes-models' compiled schema, which adds the enums the OpenAPI document leaves to Go validation but lets
 * unknown fields through. Then the `admission` argument's checks.
 */
import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components/validation";
import { kestraTaskAdmissionPolicyFor, kestraTrustedWorkload, type AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { planWorkerNamespace, type KubernetesWorkerNamespaceArgs } from "../../../providers/kubernetes/workerNamespacePlan";
import { describeErrors, openApiValidator, type OpenApiValidator } from "./openapi";

/** The API server's OpenAPI documents for admissionregistration.k8s.io/v1 (see the fixtures' README). */
const OPENAPI_FILES = ["apis__admissionregistration.k8s.io__v1_openapi.1.30.json", "apis__admissionregistration.k8s.io__v1_openapi.1.35.json"];

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
  let openApi: OpenApiValidator[];
  before(async () => {
    openApi = OPENAPI_FILES.map(openApiValidator);
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
      for (const v of openApi) {
        assert.deepStrictEqual(describeErrors(v.validate("ValidatingAdmissionPolicy", policy)), [], `policy against ${v.file}`);
        assert.deepStrictEqual(describeErrors(v.validate("ValidatingAdmissionPolicyBinding", binding)), [], `binding against ${v.file}`);
      }
    });
  }

  it("the OpenAPI check refuses unknown fields, at every depth, in the policy and the binding (positive control)", () => {
    const { policy, binding } = manifests(plans[0][1]);
    type Spec = { spec: Record<string, unknown> & { validations: Record<string, unknown>[]; matchConstraints: Record<string, unknown> } };
    const misspelt = structuredClone(policy) as Spec;
    misspelt.spec.validation = misspelt.spec.validations;
    delete (misspelt.spec as Record<string, unknown>).validations;
    const deep = structuredClone(policy) as Spec;
    deep.spec.validations[0].messageExpresion = deep.spec.validations[0].messageExpression;
    deep.spec.matchConstraints.namespaceSelecter = {};
    const badBinding = structuredClone(binding) as { spec: Record<string, unknown> };
    badBinding.spec.validationAction = badBinding.spec.validationActions;
    for (const v of openApi) {
      assert.deepStrictEqual(describeErrors(v.validate("ValidatingAdmissionPolicy", misspelt)), ['/spec: must NOT have additional properties "validation"'], v.file);
      assert.deepStrictEqual(
        describeErrors(v.validate("ValidatingAdmissionPolicy", deep)),
        ['/spec/matchConstraints: must NOT have additional properties "namespaceSelecter"', '/spec/validations/0: must NOT have additional properties "messageExpresion"'],
        v.file,
      );
      assert.deepStrictEqual(describeErrors(v.validate("ValidatingAdmissionPolicyBinding", badBinding)), ['/spec: must NOT have additional properties "validationAction"'], v.file);
      assert.deepStrictEqual(describeErrors(v.validate("ValidatingAdmissionPolicy", { ...policy as object, metadata: { nmae: "x" } })), ['/metadata: must NOT have additional properties "nmae"'], v.file);
    }
    // Why the OpenAPI check is needed beside kubernetes-models: its schema lets the misspelt field through.
    assert.doesNotThrow(() => new Policy(misspelt).validate());
  });

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
