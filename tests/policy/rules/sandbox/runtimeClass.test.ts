import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { kubernetesRuntimeClass as rule } from "../../../../policy/rules/sandbox/runtimeClass";
import { resolveConfig } from "../../../../policy/options";
import type { ResourceInput, StackFinding } from "../../../../policy/rules/types";
import { checkDeclared, UNKNOWN } from "../helpers";

const ctxWith = (config: Record<string, unknown> = {}) => ({ config: resolveConfig(rule.id, config) });
const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });
const RC = "hardening.pulumi.io/sandbox-runtime-class";
const TRUSTED = "hardening.pulumi.io/sandbox-trusted-service-accounts";
const sandboxed = (name = "jobs", trusted?: string) =>
  res("kubernetes:core/v1:Namespace", name, { metadata: { name, annotations: { [RC]: "gvisor", ...(trusted ? { [TRUSTED]: trusted } : {}) } } });

/** Every pod-template carrier, with where it keeps the pod spec. */
const CARRIERS: [string, string[]][] = [
  ["kubernetes:core/v1:Pod", ["spec"]],
  ["kubernetes:apps/v1:Deployment", ["spec", "template", "spec"]],
  ["kubernetes:apps/v1:StatefulSet", ["spec", "template", "spec"]],
  ["kubernetes:apps/v1:DaemonSet", ["spec", "template", "spec"]],
  ["kubernetes:apps/v1:ReplicaSet", ["spec", "template", "spec"]],
  ["kubernetes:batch/v1:Job", ["spec", "template", "spec"]],
  ["kubernetes:batch/v1:CronJob", ["spec", "jobTemplate", "spec", "template", "spec"]],
];
const nest = (path: string[], leaf: Record<string, unknown>): Record<string, unknown> =>
  path.reduceRight<Record<string, unknown>>((inner, key) => ({ [key]: inner }), leaf);
const workload = (type: string, path: string[], pod: Record<string, unknown>, namespace: string | null = "jobs", name = "w") => {
  const props = nest(path, { containers: [{ name: "c", image: "x" }], ...pod });
  return res(type, name, { ...props, metadata: { name, ...(namespace ? { namespace } : {}) } });
};
const missing = (w: ResourceInput, path: string[], seen: string, source = `its Namespace's annotation ${RC}`, namespace = "jobs", want = "gvisor"): StackFinding => ({
  urn: w.urn,
  type: w.type,
  property: `${path.join(".")}.runtimeClassName`,
  message: `${path.join(".")}.runtimeClassName is ${seen}; set it to ${JSON.stringify(want)}: namespace "${namespace}" asks for the sandbox RuntimeClass (${source}), and a pod outside the sandbox runs untrusted code on the node's own kernel.`,
});

describe("sandbox-kubernetes-runtime-class", () => {
  for (const [type, path] of CARRIERS) {
    const kind = type.split(":").pop();
    it(`reports a ${kind} without runtimeClassName in a namespace whose Namespace asks for gvisor`, () => {
      const w = workload(type, path, {});
      assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), w], ctxWith()), [missing(w, path, "not set")]);
    });
    it(`reports a ${kind} with another runtimeClassName`, () => {
      const w = workload(type, path, { runtimeClassName: "runc" });
      assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), w], ctxWith()), [missing(w, path, '"runc"')]);
    });
    it(`passes a ${kind} with runtimeClassName gvisor`, () => {
      assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), workload(type, path, { runtimeClassName: "gvisor" })], ctxWith()), []);
    });
  }

  it("passes pods in namespaces that do not ask (no annotation, another namespace, no Namespace in the stack)", () => {
    const plain = res("kubernetes:core/v1:Namespace", "web", { metadata: { name: "web", labels: { [RC]: "gvisor" } } });
    const resources = [plain, sandboxed(), workload("kubernetes:apps/v1:Deployment", ["spec", "template", "spec"], {}, "web")];
    assert.deepStrictEqual(checkDeclared(rule, resources, ctxWith()), []);
  });

  it("advises on a workload with no namespace while a namespace asks (the provider's default namespace decides), unless it sets the sandbox class", () => {
    const bare = workload("kubernetes:core/v1:Pod", ["spec"], {}, null);
    const findings = checkDeclared(rule, [sandboxed(), bare], ctxWith());
    assert.deepStrictEqual(
      findings.map((f) => [f.urn, f.property, f.indeterminate]),
      [[bare.urn, "metadata.namespace", true]],
    );
    assert.match(findings[0].message, /^metadata\.namespace is not set, so the Kubernetes provider's default namespace decides where this workload runs, and "[^"]+" ask for the sandbox RuntimeClass/);
    const sandboxedPod = workload("kubernetes:core/v1:Pod", ["spec"], { runtimeClassName: "gvisor" }, null);
    assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), sandboxedPod], ctxWith()), []);
    assert.deepStrictEqual(checkDeclared(rule, [bare], ctxWith()), [], "no namespace asks: nothing to say");
  });

  it("passes the trusted ServiceAccount's Deployment and StatefulSet, but not its bare Pod or Job", () => {
    const ns = sandboxed("jobs", "kestra-worker, other");
    const dep = workload("kubernetes:apps/v1:Deployment", ["spec", "template", "spec"], { serviceAccountName: "kestra-worker" }, "jobs", "dep");
    const sts = workload("kubernetes:apps/v1:StatefulSet", ["spec", "template", "spec"], { serviceAccountName: "other" }, "jobs", "sts");
    const pod = workload("kubernetes:core/v1:Pod", ["spec"], { serviceAccountName: "kestra-worker" }, "jobs", "pod");
    const job = workload("kubernetes:batch/v1:Job", ["spec", "template", "spec"], { serviceAccountName: "kestra-worker" }, "jobs", "job");
    const untrusted = workload("kubernetes:apps/v1:Deployment", ["spec", "template", "spec"], { serviceAccountName: "workload" }, "jobs", "untrusted");
    assert.deepStrictEqual(checkDeclared(rule, [ns, dep, sts, pod, job, untrusted], ctxWith()), [
      missing(pod, ["spec"], "not set"),
      missing(job, ["spec", "template", "spec"], "not set"),
      missing(untrusted, ["spec", "template", "spec"], "not set"),
    ]);
  });

  it("asks through the rule's options for namespaces the stack does not create (default included), and the options win", () => {
    const config = { runtimeClassName: "kata", namespaces: ["default", "jobs"] };
    const pod = workload("kubernetes:core/v1:Pod", ["spec"], {}, null, "p");
    const dep = workload("kubernetes:apps/v1:Deployment", ["spec", "template", "spec"], { runtimeClassName: "gvisor" }, "jobs", "d");
    const source = "the rule's namespaces option";
    assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), pod, dep], ctxWith(config)), [
      missing(pod, ["spec"], "not set", source, "default", "kata"),
      missing(dep, ["spec", "template", "spec"], '"gvisor"', source, "jobs", "kata"),
    ]);
    // Without a class the namespaces option asks nothing.
    assert.deepStrictEqual(checkDeclared(rule, [pod], ctxWith({ namespaces: ["default"] })), []);
  });

  it("judges a patch only on a runtimeClassName it sets", () => {
    const path = ["spec", "template", "spec"];
    const silent = workload("kubernetes:apps/v1:DeploymentPatch", path, {}, "jobs", "silent");
    const wrong = workload("kubernetes:apps/v1:DeploymentPatch", path, { runtimeClassName: "runc" }, "jobs", "wrong");
    assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), silent, wrong], ctxWith()), [missing(wrong, path, '"runc"')]);
  });

  it("sets aside a pod whose runtimeClassName is unknown during preview", () => {
    const w = { ...workload("kubernetes:core/v1:Pod", ["spec"], {}), props: unknownCheckingProxy({ metadata: { namespace: "jobs" }, spec: { runtimeClassName: UNKNOWN } }) };
    assert.deepStrictEqual(checkDeclared(rule, [sandboxed(), w], ctxWith()), [
      {
        urn: w.urn,
        type: w.type,
        property: "spec.runtimeClassName",
        message: "spec.runtimeClassName is not known during preview, so whether this pod runs under the sandbox RuntimeClass is checked when the stack is updated.",
        indeterminate: true,
      },
    ]);
  });
});
