/**
 * The evaluation core's exemption and scope decisions, as every caller (pack, audit, plan) sees them through
 * `evaluateResources`: exact messages, levels and exemption records.
 */
import * as assert from "node:assert/strict";
import { auditResources, evaluateResources } from "../../policy/evaluate";
import { scopeFor, stackOfUrn } from "../../policy/core/scope";
import type { ResourceInput } from "../../policy/rules/types";
import { UNKNOWN } from "./rules/helpers";

const res = (type: string, name: string, props: Record<string, unknown>, stack = "dev"): ResourceInput => ({
  type, name, urn: `urn:pulumi:${stack}::p::${type}::${name}`, props,
});
const INSTANCE = "aws:ec2/instance:Instance";
const PUBLIC_IP = "associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: a worker with a public address is reachable from the internet and can bypass the egress filter.";
const instance = (name: string, tags: Record<string, string> = {}, stack = "dev") =>
  res(INSTANCE, name, { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }, associatePublicIpAddress: true, tags }, stack);
const HOST_NETWORK = "spec.template.spec.hostNetwork is true; remove it or set it to false: a host-network pod uses the node's network namespace, so NetworkPolicy does not reliably apply to it and it reaches the node's metadata endpoint with the node's credentials.";
const deployment = (ns: string | undefined, name = "nginx") =>
  res("kubernetes:apps/v1:Deployment", name, { metadata: ns === undefined ? {} : { namespace: ns }, spec: { template: { spec: { hostNetwork: true } } } });
const namespace = (name: string, labels: Record<string, string> = {}) => res("kubernetes:core/v1:Namespace", name, { metadata: { name, labels } });
const only = (policy: string) => <T extends { policy: string }>(xs: readonly T[]) => xs.filter((x) => x.policy === policy);

describe("policy/core: exemptions are listed, never silent", () => {
  it("an `all:` tag suppresses every finding and each one is listed with its source and reason", () => {
    const tag = "all: legacy bastion, tracked in OPS-12";
    const r = instance("bastion", { "hardening:exempt": tag });
    const { violations, exemptions } = evaluateResources([r]);
    assert.deepEqual(violations, []);
    assert.deepEqual(exemptions, [
      {
        policy: "workload-subnet-public-ip",
        urn: r.urn,
        type: INSTANCE,
        property: "associatePublicIpAddress",
        message: PUBLIC_IP,
        exemption: { source: "tag", key: "hardening:exempt", value: tag, reason: "legacy bastion, tracked in OPS-12" },
      },
    ]);
  });

  const table: [string, Record<string, unknown>, ResourceInput, unknown][] = [
    ["exemptUrns", { exemptUrns: [instance("w").urn] }, instance("w"), { source: "exemptUrns", key: "exemptUrns", value: instance("w").urn, reason: "URN listed in exemptUrns of the policy config" }],
    ["exemptNames", { exemptNames: ["x-*", "bast*"] }, instance("bastion"), { source: "exemptNames", key: "exemptNames", value: "bast*", reason: "name matches exemptNames of the policy config" }],
    ["a GCP label", {}, res("gcp:compute/instance:Instance", "g", { labels: { "hardening-exempt": "workload-subnet-public-ip__build_cache" }, networkInterfaces: [{ accessConfigs: [{}] }] }), { source: "label", key: "hardening-exempt", value: "workload-subnet-public-ip__build_cache", reason: "build cache" }],
  ];
  for (const [name, config, r, exemption] of table) {
    it(`by ${name}: listed with where it came from`, () => {
      const out = evaluateResources([r], { "workload-subnet-public-ip": config });
      assert.deepEqual(only("workload-subnet-public-ip")(out.violations), []);
      assert.deepEqual(out.exemptions.map((e) => e.exemption), [exemption]);
    });
  }

  it("a Kubernetes annotation exempts too, and is listed", () => {
    const r = res("kubernetes:apps/v1:Deployment", "agent", { metadata: { annotations: { "hardening/exempt": "metadata-endpoint-kubernetes-host-namespaces: node agent" } }, spec: { template: { spec: { hostNetwork: true } } } });
    const out = evaluateResources([r]);
    assert.deepEqual(only("metadata-endpoint-kubernetes-host-namespaces")(out.violations), []);
    assert.deepEqual(out.exemptions.map((e) => [e.policy, e.property, e.exemption.source, e.exemption.reason]), [
      ["metadata-endpoint-kubernetes-host-namespaces", "spec.template.spec.hostNetwork", "annotation", "node agent"],
    ]);
  });

  it("honourExemptTags: false turns tag exemptions off for that rule only, and the finding says so", () => {
    const r = instance("bastion", { "hardening:exempt": "all: legacy bastion" });
    const out = evaluateResources([{ ...r, props: { ...r.props, metadataOptions: { httpTokens: "optional" } } }], { "workload-subnet-public-ip": { honourExemptTags: false } });
    assert.deepEqual(out.violations, [
      {
        policy: "workload-subnet-public-ip",
        urn: r.urn,
        type: INSTANCE,
        enforcementLevel: "mandatory",
        property: "associatePublicIpAddress",
        message: `${PUBLIC_IP} The hardening:exempt tag "all: legacy bastion" is not honoured: this policy's config turns resource exemptions off for workload-subnet-public-ip (honourExemptTags: false); ask its administrators to list the resource in exemptUrns or exemptNames.`,
      },
    ]);
    assert.deepEqual([...new Set(out.exemptions.map((e) => e.policy))], ["metadata-endpoint-aws-imds"], "the other rule still honours the tag");
  });

  it("a stack rule's exemption is listed too", () => {
    const subnet = res("aws:ec2/subnet:Subnet", "workload-a", { id: "subnet-1" });
    const rt = res("aws:ec2/routeTable:RouteTable", "rt", { id: "rtb-1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-1" }] });
    const assoc = res("aws:ec2/routeTableAssociation:RouteTableAssociation", "a", { subnetId: "subnet-1", routeTableId: "rtb-1" });
    const out = evaluateResources([subnet, rt, assoc], { "workload-subnet-internet-route": { exemptUrns: [rt.urn] } });
    assert.deepEqual(out.violations, []);
    assert.deepEqual(out.exemptions.map((e) => [e.policy, e.urn, e.property, e.exemption.source]), [["workload-subnet-internet-route", rt.urn, "routes[0].gatewayId", "exemptUrns"]]);
  });
});

describe("policy/core: worker scope (mandatory inside, advisory outside)", () => {
  const rule = "workload-subnet-public-ip";
  const levelOf = (r: ResourceInput, config: Record<string, unknown>, more: ResourceInput[] = []) =>
    only(rule)(auditResources([...more, r], { [rule]: config })).map((v) => [v.enforcementLevel, v.message]);
  const hostRule = "metadata-endpoint-kubernetes-host-namespaces";
  const k8sLevel = (r: ResourceInput, config: Record<string, unknown>, more: ResourceInput[] = []) =>
    only(hostRule)(auditResources([...more, r], { [hostRule]: config })).map((v) => [v.enforcementLevel, v.message]);

  const cases: [string, () => unknown, unknown][] = [
    ["no scope: every resource is enforced", () => levelOf(instance("bastion"), {}), [["mandatory", PUBLIC_IP]]],
    ["scopeTags: a bastion without the worker tag only advises", () => levelOf(instance("bastion"), { scopeTags: ["hardening:role=workload"] }),
      [["advisory", `${PUBLIC_IP} Reported as advisory: outside this rule's scope (the resource matches none of scopeTags).`]]],
    ["scopeTags: a tagged worker is enforced", () => levelOf(instance("w", { "hardening:role": "workload" }), { scopeTags: ["hardening:role=workload"] }), [["mandatory", PUBLIC_IP]]],
    ["scopeTags: a bare key matches any value", () => levelOf(instance("w", { team: "x" }), { scopeTags: ["team"] }), [["mandatory", PUBLIC_IP]]],
    ["scopeTags: another value does not match", () => levelOf(instance("w", { "hardening:role": "bastion" }), { scopeTags: ["hardening:role=workload"] }),
      [["advisory", `${PUBLIC_IP} Reported as advisory: outside this rule's scope (the resource matches none of scopeTags).`]]],
    ["scopeTags: tags unknown during preview count in scope", () => levelOf({ ...instance("w"), props: { associatePublicIpAddress: true, tags: UNKNOWN } }, { scopeTags: ["hardening:role=workload"] }), [["mandatory", PUBLIC_IP]]],
    ["scopeStacks: another stack only advises", () => levelOf(instance("w", {}, "dev"), { scopeStacks: ["prod-*"] }),
      [["advisory", `${PUBLIC_IP} Reported as advisory: outside this rule's scope (stack "dev" matches none of scopeStacks).`]]],
    ["scopeStacks: a matching stack is enforced", () => levelOf(instance("w", {}, "prod-eu"), { scopeStacks: ["prod-*"] }), [["mandatory", PUBLIC_IP]]],
    ["scopeStacks and scopeTags: both must hold", () => levelOf(instance("w", {}, "prod-eu"), { scopeStacks: ["prod-*"], scopeTags: ["hardening:role=workload"] }),
      [["advisory", `${PUBLIC_IP} Reported as advisory: outside this rule's scope (the resource matches none of scopeTags).`]]],
    ["scopeNamespaces: nginx in an unrelated namespace only advises", () => k8sLevel(deployment("web"), { scopeNamespaces: ["workers", "kestra-*"] }),
      [["advisory", `${HOST_NETWORK} Reported as advisory: outside this rule's scope (the resource in namespace "web" matches none of scopeNamespaces).`]]],
    ["scopeNamespaces: a worker namespace is enforced", () => k8sLevel(deployment("kestra-tasks"), { scopeNamespaces: ["workers", "kestra-*"] }), [["mandatory", HOST_NETWORK]]],
    ["scopeNamespaces: no namespace means default", () => k8sLevel(deployment(undefined), { scopeNamespaces: ["default"] }), [["mandatory", HOST_NETWORK]]],
    ["scopeNamespaceLabels: a namespace of the stack without the label only advises", () => k8sLevel(deployment("web"), { scopeNamespaceLabels: ["app.kubernetes.io/component=worker-namespace"] }, [namespace("web")]),
      [["advisory", `${HOST_NETWORK} Reported as advisory: outside this rule's scope (the resource in namespace "web" matches none of scopeNamespaceLabels).`]]],
    ["scopeNamespaceLabels: a labelled namespace of the stack is enforced", () => k8sLevel(deployment("tasks"), { scopeNamespaceLabels: ["app.kubernetes.io/component=worker-namespace"] }, [namespace("tasks", { "app.kubernetes.io/component": "worker-namespace" })]), [["mandatory", HOST_NETWORK]]],
    ["scopeNamespaceLabels: a namespace the stack does not define counts in, and says why", () => k8sLevel(deployment("elsewhere"), { scopeNamespaceLabels: ["app.kubernetes.io/component=worker-namespace"] }),
      [["mandatory", `${HOST_NETWORK} Counted in this rule's scope: namespace "elsewhere" is not defined in this stack, so its labels (scopeNamespaceLabels) are unknown; list it in scopeNamespaces to decide by name.`]]],
    ["scopeTags reads Kubernetes metadata.labels", () => k8sLevel({ ...deployment("web"), props: { metadata: { namespace: "web", labels: { "hardening-role": "workload" } }, spec: { template: { spec: { hostNetwork: true } } } } }, { scopeTags: ["hardening-role=workload"] }), [["mandatory", HOST_NETWORK]]],
  ];
  for (const [name, run, expected] of cases) it(name, () => assert.deepEqual(run(), expected));

  it("an exemption outranks the scope, and an out-of-scope finding is not an exemption", () => {
    const out = evaluateResources([instance("bastion")], { [rule]: { scopeTags: ["hardening:role=workload"] } });
    assert.deepEqual(out.exemptions, []);
  });

  it("reads the stack from the URN", () => {
    assert.equal(stackOfUrn("urn:pulumi:prod-eu::proj::aws:ec2/instance:Instance::w"), "prod-eu");
    assert.equal(stackOfUrn("not-a-urn"), undefined);
    assert.deepEqual(scopeFor({ urn: "not-a-urn", type: INSTANCE, props: {} }, { scopeStacks: ["prod"] }), { inScope: true });
  });
});
