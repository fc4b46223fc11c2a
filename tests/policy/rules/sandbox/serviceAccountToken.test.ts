import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import {
  kubernetesServiceAccountToken as rule,
  kubernetesServiceAccountTokenInherited as inherited,
} from "../../../../policy/rules/sandbox/serviceAccountToken";
import type { Finding, ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared } from "../helpers";

const ctx = { config: {} };
const SA = "kubernetes:core/v1:ServiceAccount";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const WHY =
  "a mounted token lets code in the pod call the Kubernetes API as its service account, beside any cloud credential it can reach";

describe("sandbox-service-account-token", () => {
  const passing: [string, string, Record<string, unknown>][] = [
    ["a pod spec with automount false", DEPLOYMENT, { spec: { template: { spec: { automountServiceAccountToken: false } } } }],
    ["a pod spec that leaves it to its service account", "kubernetes:core/v1:Pod", { spec: { containers: [] } }],
    ["a ServiceAccount with automount false", SA, { metadata: { name: "worker" }, automountServiceAccountToken: false }],
    ["a ServiceAccountPatch that does not touch it", `${SA}Patch`, { metadata: { name: "default" } }],
  ];
  for (const [what, type, props] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), []));

  const failing: [string, string, Record<string, unknown>, Finding[]][] = [
    ["a Job asking for the token", "kubernetes:batch/v1:Job", { spec: { template: { spec: { automountServiceAccountToken: true } } } }, [
      { property: "spec.template.spec.automountServiceAccountToken", message: `spec.template.spec.automountServiceAccountToken is true; set it to false: ${WHY}.` },
    ]],
    ["a ServiceAccount that does not say", SA, { metadata: { name: "worker" } }, [
      {
        property: "automountServiceAccountToken",
        message: `automountServiceAccountToken is not set (Kubernetes then mounts the token); set it to false, and let a pod that needs the API opt in with its own automountServiceAccountToken: ${WHY}.`,
      },
    ]],
    ["a ServiceAccount that mounts it", SA, { automountServiceAccountToken: true }, [
      {
        property: "automountServiceAccountToken",
        message: `automountServiceAccountToken is true; set it to false, and let a pod that needs the API opt in with its own automountServiceAccountToken: ${WHY}.`,
      },
    ]],
    ["a ServiceAccountPatch turning it on", `${SA}Patch`, { automountServiceAccountToken: true }, [
      {
        property: "automountServiceAccountToken",
        message: `automountServiceAccountToken is true; set it to false, and let a pod that needs the API opt in with its own automountServiceAccountToken: ${WHY}.`,
      },
    ]],
  ];
  for (const [what, type, props, expected] of failing) {
    it(`reports ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), expected));
  }

  it("remediates an absent setting to false, idempotently, and keeps an explicit true", () => {
    const fixPod = rule.remediations![DEPLOYMENT];
    const props = { metadata: { name: "d" }, spec: { replicas: 1, template: { spec: { containers: [{ name: "a" }] } } } };
    const fixed = fixPod(props, ctx)!;
    assert.deepStrictEqual(fixed, {
      metadata: { name: "d" },
      spec: { replicas: 1, template: { spec: { containers: [{ name: "a" }], automountServiceAccountToken: false } } },
    });
    assert.equal(fixPod(fixed, ctx), undefined);
    assert.equal(fixPod({ spec: { template: { spec: { automountServiceAccountToken: true } } } }, ctx), undefined);
    const fixSa = rule.remediations![SA];
    assert.deepStrictEqual(fixSa({ metadata: { name: "w" } }, ctx), { metadata: { name: "w" }, automountServiceAccountToken: false });
    assert.equal(fixSa({ automountServiceAccountToken: false }, ctx), undefined);
  });
});

describe("sandbox-service-account-token-inherited", () => {
  const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    props,
  });
  const sa = (name: string, namespace?: string) =>
    res(SA, `sa-${name}-${namespace ?? "none"}`, { metadata: { name, ...(namespace ? { namespace } : {}) }, automountServiceAccountToken: false });
  const deploy = (name: string, pod: Record<string, unknown>, namespace?: string) =>
    res(DEPLOYMENT, name, { metadata: { name, ...(namespace ? { namespace } : {}) }, spec: { template: { spec: pod } } });
  const P = "spec.template.spec.automountServiceAccountToken";

  const passing: [string, ResourceInput[]][] = [
    ["a pod that sets automount itself", [deploy("a", { automountServiceAccountToken: false })]],
    ["a pod whose named account is in the stack", [sa("worker", "jobs"), deploy("a", { serviceAccountName: "worker" }, "jobs")]],
    ["a pod on the default account, which the stack defines", [sa("default"), deploy("a", {})]],
    ["a patch, which changes nothing it leaves out", [res(`${DEPLOYMENT}Patch`, "p", { spec: { template: { spec: {} } } })]],
  ];
  for (const [what, resources] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(checkDeclared(inherited, resources, ctx), []));

  const failing: [string, ResourceInput[], string[]][] = [
    ["a pod on the default account Kubernetes creates", [deploy("a", {})], [
      `${P} is not set and service account "default" of namespace "default" is not in this stack, so Kubernetes mounts its token unless that account sets automountServiceAccountToken: false; set ${P} to false.`,
    ]],
    ["a pod whose account lives in another namespace", [sa("worker", "other"), deploy("a", { serviceAccountName: "worker" }, "jobs")], [
      `${P} is not set and service account "worker" of namespace "jobs" is not in this stack, so Kubernetes mounts its token unless that account sets automountServiceAccountToken: false; set ${P} to false.`,
    ]],
    ["a pod naming its account with the deprecated serviceAccount field", [deploy("a", { serviceAccount: "legacy" }, "jobs")], [
      `${P} is not set and service account "legacy" of namespace "jobs" is not in this stack, so Kubernetes mounts its token unless that account sets automountServiceAccountToken: false; set ${P} to false.`,
    ]],
  ];
  for (const [what, resources, messages] of failing) {
    it(`reports ${what}`, () => {
      const pod = resources[resources.length - 1];
      assert.deepStrictEqual(
        checkDeclared(inherited, resources, ctx),
        messages.map((message) => ({ urn: pod.urn, type: pod.type, property: P, message })),
      );
    });
  }

  it("sets a pod aside with an indeterminate finding when its account name is unknown during preview", () => {
    const unknownString = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const pod = { ...deploy("a", {}), props: unknownCheckingProxy({ spec: { template: { spec: { serviceAccountName: unknownString } } } }) };
    assert.deepStrictEqual(checkDeclared(inherited, [pod], ctx), [
      {
        urn: pod.urn,
        type: pod.type,
        property: "spec.template.spec.serviceAccountName",
        message: "spec.template.spec.serviceAccountName is not known during preview, so whether this pod gets a service-account token is checked when the stack is updated.",
        indeterminate: true,
      },
    ]);
  });
});
