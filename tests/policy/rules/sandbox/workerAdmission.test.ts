import * as assert from "node:assert/strict";
import { kubernetesWorkerAdmissionPolicy as rule, selects } from "../../../../policy/rules/sandbox/workerAdmission";
import { planWorkerNamespace } from "../../../../providers/kubernetes/workerNamespacePlan";
import type { ResourceInput, StackFinding } from "../../../../policy/rules/types";
import { checkDeclared, UNKNOWN } from "../helpers";

const ctx = { config: {} };
const NS = "kubernetes:core/v1:Namespace";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const VAP = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const VAPB = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });

// The package's own namespace, policy and binding, from the planner.
const plan = planWorkerNamespace("workers");
const ap = plan.admission.policy!;
const workerNs = res(NS, "workers-namespace", { metadata: { name: "workers", labels: plan.labels } });
const policy = res(VAP, "workers-admission", { metadata: { name: ap.name }, spec: ap.policySpec });
const binding = res(VAPB, "workers-admission-binding", { metadata: { name: ap.name }, spec: ap.bindingSpec });
const taskRole = res(ROLE, "k-task-runner", {
  metadata: { name: "k-task-runner", namespace: "tasks" },
  rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"] }],
});
const MSG = (ns: string, why: string) =>
  `namespace "${ns}" is a worker namespace (${why}) but no ValidatingAdmissionPolicy bound with validationActions ["Deny"] judges its pods on CREATE (failurePolicy Fail); pods created at run time there are held to nothing but Pod Security: create it with KubernetesWorkerNamespace (admission, the default) or KestraWorker, or bind your own policy to the namespace.`;
const missing = (subject: ResourceInput, ns: string, why: string, property = "metadata.labels"): StackFinding => ({
  urn: subject.urn, type: subject.type, property, message: MSG(ns, why),
});
const LABELLED = "labelled app.kubernetes.io/component=worker-namespace";
const withSpec = (r: ResourceInput, spec: Record<string, unknown>) => ({ ...r, props: { ...r.props, spec: { ...(r.props.spec as object), ...spec } } });

describe("sandbox-kubernetes-worker-admission", () => {
  const passing: [string, ResourceInput[]][] = [
    ["a stack with no worker namespace", [res(NS, "app", { metadata: { name: "app" } })]],
    ["the package's worker namespace with its policy and binding", [workerNs, policy, binding]],
    ["a task-runner Role's namespace covered by a policy bound to all namespaces", [
      taskRole, withSpec(policy, { matchConstraints: { ...ap.policySpec.matchConstraints, namespaceSelector: undefined } }), withSpec(binding, { matchResources: {} }),
    ]],
    ["a binding selecting by matchExpressions on the namespace's declared labels", [
      workerNs, withSpec(policy, { matchConstraints: { ...ap.policySpec.matchConstraints, namespaceSelector: undefined } }),
      withSpec(binding, { matchResources: { namespaceSelector: { matchExpressions: [{ key: "app.kubernetes.io/component", operator: "In", values: ["worker-namespace"] }] } } }),
    ]],
  ];
  for (const [what, resources] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(checkDeclared(rule, resources, ctx), []));

  const failing: [string, ResourceInput[], StackFinding[]][] = [
    ["a worker namespace without any policy", [workerNs], [missing(workerNs, "workers", LABELLED)]],
    ["a policy without a binding", [workerNs, policy], [missing(workerNs, "workers", LABELLED)]],
    ["a binding that only audits", [workerNs, policy, withSpec(binding, { validationActions: ["Audit", "Warn"] })], [missing(workerNs, "workers", LABELLED)]],
    ["a policy that fails open", [workerNs, withSpec(policy, { failurePolicy: "Ignore" }), binding], [missing(workerNs, "workers", LABELLED)]],
    ["a policy for Deployments, not pods", [
      workerNs, withSpec(policy, { matchConstraints: { resourceRules: [{ apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"] }] } }), binding,
    ], [missing(workerNs, "workers", LABELLED)]],
    ["a binding naming another policy", [workerNs, policy, withSpec(binding, { policyName: "other" })], [missing(workerNs, "workers", LABELLED)]],
    ["a binding for another namespace", [workerNs, policy, withSpec(binding, { matchResources: { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "elsewhere" } } } })], [missing(workerNs, "workers", LABELLED)]],
    ["a task-runner Role's namespace outside the policy's namespace", [taskRole, policy, binding], [missing(taskRole, "tasks", "Role k-task-runner lets its holders create pods at run time", "rules")]],
  ];
  for (const [what, resources, expected] of failing) it(`reports ${what}`, () => assert.deepStrictEqual(checkDeclared(rule, resources, ctx), expected));

  describe("a worker namespace with admission: { create: false, reason } (the package's own Kestra process runner)", () => {
    const processPlan = planWorkerNamespace("proc", { admission: { create: false, reason: "Kestra's process runner creates no pods" } });
    const procNs = res(NS, "proc-namespace", { metadata: { name: "proc", labels: processPlan.labels, annotations: processPlan.annotations } });
    it("passes: the namespace says why no pods are created there at run time", () => assert.deepStrictEqual(checkDeclared(rule, [procNs], ctx), []));
    it("still reports it when a Role of the stack lets its holders create pods there", () => {
      const role = res(ROLE, "r", { metadata: { name: "r", namespace: "proc" }, rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }] });
      assert.deepStrictEqual(checkDeclared(rule, [procNs, role], ctx), [missing(role, "proc", "Role r lets its holders create pods at run time", "rules")]);
    });
    it("reports an empty reason as no reason", () => {
      const empty = res(NS, "e", { metadata: { name: "e", labels: processPlan.labels, annotations: { "hardening.pulumi.io/no-run-time-pods": " " } } });
      assert.deepStrictEqual(checkDeclared(rule, [empty], ctx), [missing(empty, "e", LABELLED)]);
    });
  });

  it("sets a binding it cannot read yet aside as indeterminate instead of reporting the namespace", () => {
    const unknownBinding = withSpec(binding, { policyName: UNKNOWN });
    const got = checkDeclared(rule, [workerNs, policy, unknownBinding], ctx);
    assert.equal(got.length, 1);
    assert.equal(got[0].indeterminate, true);
    assert.equal(got[0].urn, unknownBinding.urn);
  });

  it("evaluates label selectors as the API server does", () => {
    const labels = { a: "1", b: "2" };
    assert.equal(selects(undefined, labels), true);
    assert.equal(selects({}, labels), true);
    assert.equal(selects({ matchLabels: { a: "1" } }, labels), true);
    assert.equal(selects({ matchLabels: { a: "2" } }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: "c", operator: "DoesNotExist" }] }, labels), true);
    assert.equal(selects({ matchExpressions: [{ key: "a", operator: "NotIn", values: ["1"] }] }, labels), false);
    assert.equal(selects({ matchExpressions: [{ key: "a", operator: "Exists" }, { key: "b", operator: "In", values: ["2", "3"] }] }, labels), true);
  });
});
