/**
 * Conformance: every cloud's environment, built by its components under mocks for a range of specs, passes the
 * whole policy pack; and a copy with one control weakened fails the rule that guards that control. This ties the
 * two halves of the package together: what the components build is what the pack demands.
 */
import * as assert from "node:assert/strict";
import { auditResources } from "../policy/evaluate";
import type { Violation } from "../policy/rules/types";
import { CLOUDS, CloudName } from "../program/environment";
import { planCloud, PlannedResource } from "../program/plan";
import { toResourceInputs } from "../cli/verdicts";

const SPECS: Record<string, Record<string, unknown>> = {
  "the strictest defaults": {},
  "tokens, private subnet, basic CIDR allow-list, no sandbox": {
    metadataEndpoint: "tokenRequired",
    sandbox: "none",
    workloadSubnet: "private",
    egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24", ports: [443] }, { cidr: "0.0.0.0/0", ports: [443] }] },
  },
  "DNS allow-list": {
    workloadSubnet: "private",
    egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "files.pythonhosted.org" }] },
  },
  "L7 firewall allow-list": {
    workloadSubnet: "private",
    sandbox: "none",
    egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "github.com", ports: [443, 80] }] },
  },
};

/** Cloud settings a spec needs beyond the plan's defaults (Kubernetes enforces domain rules only with Cilium). */
function settingsFor(cloud: CloudName, spec: Record<string, unknown>): Record<string, unknown> {
  const egress = spec.egress as { allow?: { domain?: string }[] } | undefined;
  if (cloud === "kubernetes" && egress?.allow?.some((r) => r.domain)) return { kubernetes: { cilium: true } };
  return {};
}

const blocking = (vs: Violation[]) => vs.filter((v) => v.enforcementLevel === "mandatory");
const show = (vs: Violation[]) => vs.map((v) => `${v.policy} ${v.urn.split("::").pop()} ${v.property}: ${v.message}`).join("\n");

describe("conformance: every component passes the whole pack", function () {
  this.timeout(120_000);
  for (const cloud of CLOUDS) {
    for (const [label, spec] of Object.entries(SPECS)) {
      it(`${cloud}: ${label}`, async () => {
        const plan = await planCloud(cloud, { spec, ...settingsFor(cloud, spec) });
        assert.ok(plan.resources.length > 0);
        const violations = auditResources(toResourceInputs(plan.resources));
        assert.deepEqual(show(violations), "", `${cloud} (${label}) fails the pack`);
      });
    }
  }
});

/** The egress-proxy alternatives to a managed L7 filter, each a setting of its cloud's environment. */
const PROXY_CHOICES: { cloud: CloudName; what: string; settings: Record<string, unknown>; proxyType: string }[] = [
  {
    cloud: "kubernetes",
    what: "the worker namespace creates its egress proxy (no Cilium)",
    settings: {
      kubernetes: {
        egressProxy: { create: { image: "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000" } },
        kestra: { apiServerCidrs: ["10.0.0.1/32"] },
      },
    },
    proxyType: "hardening:index:KubernetesEgressProxy",
  },
  {
    cloud: "aws",
    what: "the network builds the egress proxy group instead of Network Firewall",
    settings: { aws: { l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } } },
    proxyType: "aws:autoscaling/group:Group",
  },
];

describe("conformance: the egress-proxy choices pass the whole pack", function () {
  this.timeout(120_000);
  for (const c of PROXY_CHOICES) {
    it(`${c.cloud}: ${c.what}`, async () => {
      const plan = await planCloud(c.cloud, { spec: SPECS["L7 firewall allow-list"], ...c.settings });
      assert.ok(plan.resources.some((r) => r.type === c.proxyType), `the plan has a ${c.proxyType}`);
      assert.deepEqual(show(auditResources(toResourceInputs(plan.resources))), "", `${c.cloud} (${c.what}) fails the pack`);
    });
  }
});

/** Finds the first planned resource of a type, and returns a copy of the plan with `change` applied to its inputs. */
function weaken(resources: readonly PlannedResource[], type: string, change: (inputs: Record<string, unknown>) => void): PlannedResource[] {
  const i = resources.findIndex((r) => r.type === type);
  assert.ok(i >= 0, `no ${type} in the plan`);
  const copy = resources.map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
  change(copy[i].inputs);
  return copy;
}

interface Weakening {
  readonly cloud: CloudName;
  readonly spec: Record<string, unknown>;
  readonly what: string;
  readonly type: string;
  readonly change: (inputs: Record<string, unknown>) => void;
  readonly rule: string;
}

const WEAKENINGS: Weakening[] = [
  {
    cloud: "aws", spec: { sandbox: "none" }, what: "IMDSv1 re-enabled on the launch template", type: "aws:ec2/launchTemplate:LaunchTemplate",
    change: (i) => void (i.metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 }),
    rule: "metadata-endpoint-aws-imds",
  },
  {
    cloud: "aws", spec: { sandbox: "none" }, what: "a worker subnet mapping public IPs", type: "aws:ec2/subnet:Subnet",
    change: (i) => void (i.mapPublicIpOnLaunch = true), rule: "workload-subnet-public-ip",
  },
  {
    cloud: "gcp", spec: {}, what: "an external IP on the instance template", type: "gcp:compute/instanceTemplate:InstanceTemplate",
    change: (i) => void ((i.networkInterfaces as Record<string, unknown>[])[0].accessConfigs = [{}]), rule: "workload-subnet-public-ip",
  },
  {
    cloud: "gcp", spec: {}, what: "legacy metadata endpoints re-enabled", type: "gcp:compute/instanceTemplate:InstanceTemplate",
    change: (i) => void ((i.metadata as Record<string, unknown>)["disable-legacy-endpoints"] = "false"), rule: "metadata-endpoint-gcp-legacy-endpoints",
  },
  {
    cloud: "azure", spec: {}, what: "a system-assigned identity on the scale set", type: "azure-native:compute:VirtualMachineScaleSet",
    change: (i) => void (i.identity = { type: "SystemAssigned" }), rule: "host-identity-azure-vm",
  },
  {
    cloud: "kubernetes", spec: {}, what: "hostNetwork on the Kestra worker", type: "kubernetes:apps/v1:Deployment",
    change: (i) => void (((i.spec as Record<string, Record<string, Record<string, unknown>>>).template.spec).hostNetwork = true),
    rule: "metadata-endpoint-kubernetes-host-namespaces",
  },
  {
    cloud: "kubernetes", spec: {}, what: "privilege escalation allowed in the Kestra worker", type: "kubernetes:apps/v1:Deployment",
    change: (i) => {
      const pod = (i.spec as Record<string, Record<string, Record<string, unknown>>>).template.spec;
      (pod.containers as Record<string, Record<string, unknown>>[])[0].securityContext.allowPrivilegeEscalation = true;
    },
    rule: "sandbox-pod-security-restricted",
  },
];

describe("conformance: a weakened copy fails the matching rule", function () {
  this.timeout(120_000);
  for (const w of WEAKENINGS) {
    it(`${w.cloud}: ${w.what} -> ${w.rule}`, async () => {
      const plan = await planCloud(w.cloud, { spec: w.spec });
      assert.deepEqual(show(blocking(auditResources(toResourceInputs(plan.resources)))), "", "the unweakened plan must pass first");
      const weakened = weaken(plan.resources, w.type, w.change);
      const violations = blocking(auditResources(toResourceInputs(weakened)));
      assert.ok(violations.some((v) => v.policy === w.rule), `expected ${w.rule}, got:\n${show(violations)}`);
    });
  }
});
