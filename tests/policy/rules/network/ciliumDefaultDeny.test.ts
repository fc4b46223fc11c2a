/**
 * egress-kubernetes-metadata-networks: a CiliumNetworkPolicy isolates its pods for egress only when it has egress
 * rules and does not turn default deny off. `egress: []` holds no rule, and `enableDefaultDeny: { egress: false }`
 * (Cilium 1.15+) makes the policy add allows without isolating anything: neither stands for the namespace's
 * default-deny egress policy.
 */
import * as assert from "node:assert/strict";
import { kubernetesNamespaceMetadataEgress as rule } from "../../../../policy/rules/network/kubernetesMetadataEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared } from "../helpers";

const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });
const CNP = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
const ns = res("kubernetes:core/v1:Namespace", "jobs", { metadata: { name: "jobs" } });
const deploy = res("kubernetes:apps/v1:Deployment", "w", { metadata: { name: "w", namespace: "jobs" }, spec: { template: { spec: {} } } });
const cnp = (spec: Record<string, unknown>) => res(CNP, "c", { metadata: { name: "c", namespace: "jobs" }, spec: { endpointSelector: {}, ...spec } });
const found = (p: ResourceInput) => checkDeclared(rule, [ns, deploy, p], { config: {} }).map((f) => [f.urn, f.property]);

describe("egress-kubernetes-metadata-networks: Cilium policies that isolate nothing", () => {
  it("reports the namespace as not isolated with egress: [] or enableDefaultDeny.egress false", () => {
    const dns = [{ toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system" } }] }];
    for (const p of [cnp({ egress: [] }), cnp({ egress: dns, enableDefaultDeny: { egress: false } })]) {
      assert.deepEqual(found(p), [[ns.urn, "metadata.name"]], JSON.stringify(p.props));
    }
  });
  it("positive controls: the default-deny idiom egress: [{}] and a rule list with default deny on isolate the namespace", () => {
    assert.deepEqual(found(cnp({ egress: [{}] })), []);
    assert.deepEqual(found(cnp({ egress: [{ toEndpoints: [{}] }], enableDefaultDeny: { egress: true, ingress: false } })), []);
  });
});
