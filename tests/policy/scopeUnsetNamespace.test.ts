/**
 * Worker scope by namespace: a Kubernetes resource that names no namespace lands wherever its provider's default
 * namespace (or the kubeconfig's context) puts it, which the stack's resources do not show. Counting it as
 * "default" and so out of a `scopeNamespaces: ["workers"]` scope let a workload drop to advisory by omitting
 * metadata.namespace; it counts in scope with a note instead. Named namespaces are decided as before.
 */
import * as assert from "node:assert/strict";
import { auditResources } from "../../policy/evaluate";
import type { ResourceInput } from "../../policy/rules/types";

const RULE = "metadata-endpoint-kubernetes-host-namespaces";
const deployment = (metadata: Record<string, unknown>): ResourceInput => ({
  type: "kubernetes:apps/v1:Deployment",
  name: "worker",
  urn: "urn:pulumi:dev::p::kubernetes:apps/v1:Deployment::worker",
  props: { metadata, spec: { template: { spec: { hostNetwork: true } } } },
});
const levels = (r: ResourceInput, config: Record<string, unknown>) =>
  auditResources([r], { [RULE]: config }).filter((v) => v.policy === RULE).map((v) => [v.enforcementLevel, v.message]);

describe("policy/core scope: a resource with no namespace", () => {
  it("is enforced under scopeNamespaces, with a note saying why", () => {
    const out = levels(deployment({}), { scopeNamespaces: ["workers"] });
    assert.equal(out.length, 1);
    assert.equal(out[0][0], "mandatory");
    assert.match(String(out[0][1]), /metadata\.namespace is not set/);
  });
  it("is enforced under scopeNamespaceLabels too", () => {
    assert.deepEqual(levels(deployment({}), { scopeNamespaceLabels: ["app.kubernetes.io/component=worker-namespace"] }).map((x) => x[0]), ["mandatory"]);
  });
  it("positive controls: a named namespace outside the scope advises; one inside is enforced; default still matches \"default\"", () => {
    assert.deepEqual(levels(deployment({ namespace: "web" }), { scopeNamespaces: ["workers"] }).map((x) => x[0]), ["advisory"]);
    assert.deepEqual(levels(deployment({ namespace: "workers" }), { scopeNamespaces: ["workers"] }).map((x) => x[0]), ["mandatory"]);
    const inDefault = levels(deployment({}), { scopeNamespaces: ["default"] });
    assert.deepEqual(inDefault.map((x) => x[0]), ["mandatory"]);
    assert.doesNotMatch(String(inDefault[0][1]), /not set/);
  });
});
