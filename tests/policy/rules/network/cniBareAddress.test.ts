/**
 * egress-kubernetes-metadata-networks on Cilium and Calico destinations written as a bare address: both accept a
 * single IP where a CIDR goes (Cilium toCIDR/toCIDRSet, Calico nets/notNets, read as /32 or /128), so
 * `toCIDR: ["169.254.169.254"]` opens IMDS as "169.254.169.254/32" does. NetworkPolicy ipBlock is unchanged: the
 * API server rejects a bare address there.
 */
import * as assert from "node:assert/strict";
import { kubernetesNamespaceMetadataEgress as rule } from "../../../../policy/rules/network/kubernetesMetadataEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared } from "../helpers";

const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });
const CNP = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
const CALICO = "kubernetes:projectcalico.org/v3:NetworkPolicy";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const workload = [
  res("kubernetes:core/v1:Namespace", "jobs", { metadata: { name: "jobs" } }),
  res("kubernetes:apps/v1:Deployment", "w", { metadata: { name: "w", namespace: "jobs" }, spec: { template: { spec: {} } } }),
  res(NP, "deny", { metadata: { name: "deny", namespace: "jobs" }, spec: { podSelector: {}, policyTypes: ["Egress"] } }),
];
const found = (p: ResourceInput) => checkDeclared(rule, [...workload, p], { config: {} }).map((f) => [f.urn, f.property]);
const cnp = (egress: unknown[]) => res(CNP, "c", { metadata: { name: "c", namespace: "jobs" }, spec: { endpointSelector: {}, egress } });
const calico = (egress: unknown[]) => res(CALICO, "k", { metadata: { name: "k", namespace: "jobs" }, spec: { egress } });

describe("egress-kubernetes-metadata-networks: bare addresses in Cilium and Calico policies", () => {
  it("reports toCIDR, toCIDRSet and Calico nets naming the IMDS address without a prefix", () => {
    for (const p of [
      cnp([{ toCIDR: ["169.254.169.254"] }]),
      cnp([{ toCIDRSet: [{ cidr: "fd00:ec2::254" }] }]),
      calico([{ action: "Allow", destination: { nets: ["169.254.169.254"] } }]),
    ]) {
      assert.deepEqual(found(p), [[p.urn, "spec.egress[0]"]], p.type);
    }
  });
  it("positive controls: a bare public address opens nothing; a bare address in except or notNets closes it", () => {
    assert.deepEqual(found(cnp([{ toCIDR: ["203.0.113.7"] }])), []);
    assert.deepEqual(found(calico([{ action: "Allow", destination: { nets: ["169.254.169.254/32"], notNets: ["169.254.169.254"] } }])), []);
    assert.deepEqual(found(cnp([{ toCIDRSet: [{ cidr: "169.254.169.254/32", except: ["169.254.169.254"] }] }])), []);
  });
});
