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
import { CONTROL_CATALOGUE, catalogueEntry } from "../components/controlCatalogue";

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
  // AWS Network Firewall enforces domain rules only with TLS inspection (or an explicit acceptSniSpoofing).
  if (cloud === "aws" && (spec.egress as { tier?: string } | undefined)?.tier === "firewall" && egress?.allow?.some((r) => r.domain)) {
    return { aws: { networkFirewall: { certificateAuthorityArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" } } };
  }
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

/**
 * Finds the first planned resource of a type (whose logical name contains `name`, when given), and returns a copy of
 * the plan with `change` applied to its inputs.
 */
function weaken(resources: readonly PlannedResource[], type: string, change: (inputs: Record<string, unknown>) => void, name?: string, every = false): PlannedResource[] {
  const matches = (r: PlannedResource) => r.type === type && (name === undefined || r.name.includes(name));
  const i = resources.findIndex(matches);
  assert.ok(i >= 0, `no ${type}${name === undefined ? "" : ` named *${name}*`} in the plan`);
  const copy = resources.map((r) => ({ ...r, inputs: structuredClone(r.inputs) }));
  if (every) copy.filter(matches).forEach((r) => change(r.inputs));
  else change(copy[i].inputs);
  return copy;
}

interface Weakening {
  readonly cloud: CloudName;
  readonly spec: Record<string, unknown>;
  /** `hardening:<cloud>` settings the control needs. @default {} */
  readonly settings?: Record<string, unknown>;
  readonly what: string;
  /** The control whose setting is weakened: the plan must report it, and one of its catalogue rules must fail. */
  readonly control: string;
  readonly type: string;
  /** Part of the logical name, where the plan has several resources of the type. @default the first of the type */
  readonly name?: string;
  /** Apply the change to every matching resource (where several guard the control together). @default false */
  readonly every?: boolean;
  readonly change: (inputs: Record<string, unknown>) => void;
  /** The rule that must fail, where the case names it; otherwise the control's catalogue rules decide. */
  readonly rule?: string;
}

type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): Json =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value) as Json;
const L7 = SPECS["L7 firewall allow-list"];
const OPEN_CIDR = SPECS["tokens, private subnet, basic CIDR allow-list, no sandbox"];
const PROXY = Object.fromEntries(PROXY_CHOICES.map((c) => [c.cloud, c.settings[c.cloud] as Json]));
const GKE = { serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com", gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" } };
const AKS = { aks: { resourceGroupName: "a", clusterName: "c", vnetSubnetId: "/s" } };
const ALLOW_ALL_NSG_RULE = {
  name: "open", priority: 100, direction: "Outbound", access: "Allow", protocol: "*",
  sourceAddressPrefix: "*", sourcePortRange: "*", destinationAddressPrefix: "*", destinationPortRange: "*",
};
/** Removes `except` from every ipBlock of a NetworkPolicy's egress rules. */
const dropExcept = (i: Json) => {
  for (const rule of at(i, "spec").egress as Json[]) for (const peer of (rule.to ?? []) as Json[]) if (peer.ipBlock) delete (peer.ipBlock as Json).except;
};

/** One weakening per control the catalogue says a rule guards; the rule to expect comes from the catalogue. */
const DERIVED_WEAKENINGS: Weakening[] = [
    {
      cloud: "aws", spec: { sandbox: "none" }, what: "a public IP on the launch template", control: "aws-no-public-ip", type: "aws:ec2/launchTemplate:LaunchTemplate",
      change: (i) => void (at(i, "networkInterfaces", 0).associatePublicIpAddress = "true"),
    },
    {
      cloud: "aws", spec: { sandbox: "none", metadataEndpoint: "tokenRequired" }, what: "hop limit 2 on the launch template", control: "aws-imds-v2-hop-limit-1",
      type: "aws:ec2/launchTemplate:LaunchTemplate", change: (i) => void (at(i, "metadataOptions").httpPutResponseHopLimit = 2),
    },
    {
      cloud: "aws", spec: {}, what: "an allow-all egress rule on the worker security group", control: "aws-security-group-egress-allow-list",
      type: "aws:ec2/securityGroup:SecurityGroup", name: "workers-sg",
      change: (i) => void (i.egress = [...((i.egress ?? []) as Json[]), { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]),
    },
    {
      cloud: "aws", spec: { sandbox: "none" }, settings: { accountMetadataDefaults: true }, what: "IMDSv1 allowed by the account defaults", control: "aws-account-imds-defaults",
      type: "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults", change: (i) => void (i.httpTokens = "optional"),
    },
    {
      cloud: "aws", spec: {}, what: "host network mode on the Fargate task definition", control: "aws-fargate-no-imds", type: "aws:ecs/taskDefinition:TaskDefinition",
      change: (i) => void (i.networkMode = "host"),
    },
    {
      cloud: "aws", spec: {}, what: "a privileged container in the task definition", control: "aws-task-least-privilege", type: "aws:ecs/taskDefinition:TaskDefinition",
      change: (i) => {
        const containers = JSON.parse(i.containerDefinitions as string) as Json[];
        containers[0].privileged = true;
        i.containerDefinitions = JSON.stringify(containers);
      },
    },
    {
      cloud: "aws", spec: L7, settings: PROXY.aws, what: "IMDSv1 on the egress proxy hosts", control: "aws-egress-proxy-host",
      type: "aws:ec2/launchTemplate:LaunchTemplate", name: "proxy-launch-template", change: (i) => void (at(i, "metadataOptions").httpTokens = "optional"),
    },
    {
      cloud: "gcp", spec: {}, what: "the default compute service account on the template", control: "gcp-no-service-account", type: "gcp:compute/instanceTemplate:InstanceTemplate",
      change: (i) => void (i.serviceAccount = { email: "123456789012-compute@developer.gserviceaccount.com", scopes: ["cloud-platform"] }),
    },
    {
      cloud: "gcp", spec: { metadataEndpoint: "tokenRequired" }, what: "legacy endpoints, which answer without the header", control: "gcp-metadata-flavor-header",
      type: "gcp:compute/instanceTemplate:InstanceTemplate", change: (i) => void (at(i, "metadata")["disable-legacy-endpoints"] = "false"),
    },
    {
      cloud: "gcp", spec: {}, what: "the deny-all egress firewall turned into an allow-all", control: "gcp-egress-deny-all", type: "gcp:compute/firewall:Firewall", name: "deny-all",
      change: (i) => {
        delete i.denies;
        i.allows = [{ protocol: "all" }];
      },
    },
    {
      cloud: "gcp", spec: OPEN_CIDR, what: "an allow-list firewall opened to everything", control: "gcp-egress-allow-list", type: "gcp:compute/firewall:Firewall", name: "allow-1",
      change: (i) => {
        i.destinationRanges = ["0.0.0.0/0"];
        i.allows = [{ protocol: "all" }];
      },
    },
    {
      cloud: "gcp", spec: { hostIdentity: "minimal" }, settings: GKE, what: "GCE_METADATA on the GKE node pool", control: "gke-workload-metadata-gke-metadata",
      type: "gcp:container/nodePool:NodePool", change: (i) => void (at(i, "nodeConfig").workloadMetadataConfig = { mode: "GCE_METADATA" }),
    },
    {
      cloud: "gcp", spec: { hostIdentity: "minimal" }, settings: GKE, what: "legacy endpoints on the GKE node pool", control: "gke-legacy-metadata-endpoints-disabled",
      type: "gcp:container/nodePool:NodePool", change: (i) => void (at(i, "nodeConfig", "metadata")["disable-legacy-endpoints"] = "false"),
    },
    {
      cloud: "azure", spec: {}, what: "a public IP on the scale set's NIC", control: "azure-vmss-no-public-ip", type: "azure-native:compute:VirtualMachineScaleSet",
      change: (i) => void (at(i, "virtualMachineProfile", "networkProfile", "networkInterfaceConfigurations", 0, "ipConfigurations", 0).publicIPAddressConfiguration = { name: "pip" }),
    },
    {
      cloud: "azure", spec: {}, what: "an allow-all outbound NSG rule", control: "azure-nsg-deny-all-outbound", type: "azure-native:network:NetworkSecurityGroup",
      change: (i) => void (i.securityRules = [...(i.securityRules as Json[]), ALLOW_ALL_NSG_RULE]),
    },
    {
      cloud: "azure", spec: { workloadSubnet: "private" }, what: "an allow-all outbound NSG rule on the private subnet", control: "azure-egress-deny-all",
      type: "azure-native:network:NetworkSecurityGroup", change: (i) => void (i.securityRules = [...(i.securityRules as Json[]), ALLOW_ALL_NSG_RULE]),
    },
    {
      cloud: "azure", spec: {}, what: "the Metadata Security Protocol in audit mode", control: "azure-metadata-security-protocol", type: "azure-native:compute:VirtualMachineScaleSet",
      change: (i) => void (at(i, "virtualMachineProfile", "securityProfile", "proxyAgentSettings").imds = { mode: "Audit" }),
    },
    {
      cloud: "gcp", spec: {}, what: "project-wide SSH keys let onto the template", control: "gcp-os-login", type: "gcp:compute/instanceTemplate:InstanceTemplate",
      change: (i) => void (at(i, "metadata")["block-project-ssh-keys"] = "FALSE"),
    },
    {
      cloud: "gcp", spec: { hostIdentity: "minimal" }, settings: GKE, what: "the default compute service account on the GKE node pool", control: "gke-node-service-account",
      type: "gcp:container/nodePool:NodePool", change: (i) => void (at(i, "nodeConfig").serviceAccount = "default"),
    },
    {
      cloud: "gcp", spec: L7, what: "an FQDN allow rule of the firewall policy opened to the world", control: "gcp-ngfw-fqdn-egress",
      type: "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule", name: "fqdn",
      change: (i) => void (i.match = { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] }),
    },
    {
      cloud: "azure", spec: {}, what: "default outbound access on the worker subnet", control: "azure-subnet-no-default-outbound", type: "azure-native:network:Subnet",
      name: "workload", change: (i) => void (i.defaultOutboundAccess = true),
    },
    {
      cloud: "azure", spec: {}, settings: AKS, what: "public node IPs on the AKS pool", control: "azure-aks-no-node-public-ip",
      type: "azure-native:containerservice:AgentPool", change: (i) => void (i.enableNodePublicIP = true),
    },
    {
      cloud: "azure", spec: {}, what: "Tcp * plus Udp * outbound NSG rules", control: "azure-nsg-deny-all-outbound", type: "azure-native:network:NetworkSecurityGroup",
      change: (i) => void (i.securityRules = [...(i.securityRules as Json[]), { ...ALLOW_ALL_NSG_RULE, name: "tcp", protocol: "Tcp" }, { ...ALLOW_ALL_NSG_RULE, name: "udp", priority: 101, protocol: "Udp" }]),
    },
    {
      cloud: "azure", spec: {}, what: "the Metadata Security Protocol auditing WireServer", control: "azure-metadata-security-protocol", type: "azure-native:compute:VirtualMachineScaleSet",
      change: (i) => void (at(i, "virtualMachineProfile", "securityProfile", "proxyAgentSettings").wireServer = { mode: "Audit" }),
    },
    {
      cloud: "kubernetes", spec: {}, what: "the namespace enforcing baseline", control: "k8s-pod-security-restricted", type: "kubernetes:core/v1:Namespace",
      change: (i) => void (at(i, "metadata", "labels")["pod-security.kubernetes.io/enforce"] = "baseline"),
    },
    {
      cloud: "kubernetes", spec: {}, what: "the default-deny policy allowing all egress", control: "k8s-networkpolicy-default-deny", type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name: "default-deny", change: (i) => void (at(i, "spec").egress = [{}]),
    },
    {
      cloud: "kubernetes", spec: {}, what: "DNS allowed to any resolver", control: "k8s-networkpolicy-dns-cluster-resolver", type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      name: "allow-dns", change: (i) => void delete at(i, "spec", "egress", 0).to,
    },
    {
      cloud: "kubernetes", spec: OPEN_CIDR, what: "the metadata networks no longer carved out of 0.0.0.0/0", control: "k8s-networkpolicy-metadata-blocked",
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "allow-egress", change: dropExcept,
    },
    {
      cloud: "kubernetes", spec: OPEN_CIDR, what: "an allow-list rule to 0.0.0.0/0 without the carve-outs", control: "k8s-networkpolicy-egress-allow-list",
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "allow-egress",
      change: (i) => void (at(i, "spec", "egress") as unknown as Json[]).push({ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }),
    },
    {
      cloud: "kubernetes", spec: L7, settings: PROXY.kubernetes, what: "the proxy policy allowing any destination", control: "k8s-egress-proxy",
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "allow-proxy", change: (i) => void delete at(i, "spec", "egress", 0).to,
    },
    {
      cloud: "kubernetes", spec: L7, settings: PROXY.kubernetes, what: "the proxy's upstream policy without its refused networks", control: "k8s-egress-proxy-networkpolicy",
      type: "kubernetes:networking.k8s.io/v1:NetworkPolicy", name: "proxy-allow-upstream", change: dropExcept,
    },
    {
      cloud: "kubernetes", spec: L7, settings: PROXY.kubernetes, what: "privilege escalation in the proxy", control: "k8s-egress-proxy-pod-security", type: "kubernetes:apps/v1:Deployment",
      name: "proxy-deployment", change: (i) => void (at(i, "spec", "template", "spec", "containers", 0, "securityContext").allowPrivilegeEscalation = true),
    },
    {
      // The process runner runs user code in the worker itself, so the worker is sandboxed and not trusted.
      cloud: "kubernetes", spec: {}, settings: { kestra: { runner: "process" } }, what: "the process-runner worker without the sandbox RuntimeClass",
      control: "k8s-runtimeclass-sandbox", type: "kubernetes:apps/v1:Deployment", name: "kestra-deployment",
      change: (i) => void delete at(i, "spec", "template", "spec").runtimeClassName,
    },
    {
      cloud: "kubernetes", spec: {}, what: "the workload ServiceAccount mounting its token", control: "k8s-serviceaccount-no-token", type: "kubernetes:core/v1:ServiceAccount",
      name: "workload", change: (i) => void (i.automountServiceAccountToken = true),
    },
    {
      // The namespace's policy and the Kestra task pods' policy both cover the worker namespace: one alone still denies.
      cloud: "kubernetes", spec: {}, what: "every admission binding only warning", control: "k8s-admission-run-time-pods", every: true,
      type: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", change: (i) => void (at(i, "spec").validationActions = ["Warn"]),
    },
    {
      cloud: "kubernetes", spec: {}, what: "every admission binding only auditing", control: "k8s-kestra-task-pod-admission", every: true,
      type: "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", name: "admission-binding", change: (i) => void (at(i, "spec").validationActions = ["Audit"]),
    },
];

const WEAKENINGS: Weakening[] = [
  {
    cloud: "aws", spec: { sandbox: "none" }, what: "IMDSv1 re-enabled on the launch template", control: "aws-imds-sealed-after-boot", type: "aws:ec2/launchTemplate:LaunchTemplate",
    change: (i) => void (i.metadataOptions = { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 2 }),
    rule: "metadata-endpoint-aws-imds",
  },
  {
    cloud: "aws", spec: { sandbox: "none" }, what: "a worker subnet mapping public IPs", control: "aws-workload-subnet-isolated", type: "aws:ec2/subnet:Subnet",
    change: (i) => void (i.mapPublicIpOnLaunch = true), rule: "workload-subnet-public-ip",
  },
  {
    cloud: "gcp", spec: {}, what: "an external IP on the instance template", control: "gcp-no-external-ip", type: "gcp:compute/instanceTemplate:InstanceTemplate",
    change: (i) => void ((i.networkInterfaces as Record<string, unknown>[])[0].accessConfigs = [{}]), rule: "workload-subnet-public-ip",
  },
  {
    cloud: "gcp", spec: {}, what: "legacy metadata endpoints re-enabled", control: "gcp-legacy-metadata-endpoints-disabled", type: "gcp:compute/instanceTemplate:InstanceTemplate",
    change: (i) => void ((i.metadata as Record<string, unknown>)["disable-legacy-endpoints"] = "false"), rule: "metadata-endpoint-gcp-legacy-endpoints",
  },
  {
    cloud: "azure", spec: {}, what: "a system-assigned identity on the scale set", control: "azure-vmss-no-managed-identity", type: "azure-native:compute:VirtualMachineScaleSet",
    change: (i) => void (i.identity = { type: "SystemAssigned" }), rule: "host-identity-azure-vm",
  },
  {
    cloud: "kubernetes", spec: {}, what: "hostNetwork on the Kestra worker", control: "k8s-networkpolicy-hostnetwork-pods", type: "kubernetes:apps/v1:Deployment",
    change: (i) => void (((i.spec as Record<string, Record<string, Record<string, unknown>>>).template.spec).hostNetwork = true),
    rule: "metadata-endpoint-kubernetes-host-namespaces",
  },
  {
    cloud: "kubernetes", spec: {}, what: "privilege escalation allowed in the Kestra worker", control: "k8s-kestra-worker-restricted-pod", type: "kubernetes:apps/v1:Deployment",
    change: (i) => {
      const pod = (i.spec as Record<string, Record<string, Record<string, unknown>>>).template.spec;
      (pod.containers as Record<string, Record<string, unknown>>[])[0].securityContext.allowPrivilegeEscalation = true;
    },
    rule: "sandbox-pod-security-restricted",
  },
  // The cases below name no rule: the control catalogue says which rules guard each control.
  ...DERIVED_WEAKENINGS,
];

/** The rules of a control's catalogue line. */
function guardingRules(control: string): readonly string[] {
  const entry = catalogueEntry(control);
  assert.ok(entry, `${control} has no line in components/controlCatalogue.ts`);
  return entry.enforcedBy.rules;
}

describe("conformance: a weakened copy fails the matching rule", function () {
  this.timeout(120_000);
  for (const w of WEAKENINGS) {
    it(`${w.cloud}: ${w.what} -> ${w.rule ?? guardingRules(w.control).join(" | ")}`, async () => {
      const plan = await planCloud(w.cloud, { spec: w.spec, ...(w.settings ? { [w.cloud]: w.settings } : {}) });
      assert.deepEqual(show(blocking(auditResources(toResourceInputs(plan.resources)))), "", "the unweakened plan must pass first");
      const rules = guardingRules(w.control);
      assert.ok(plan.controls.some((c) => c.id === w.control), `the plan does not report ${w.control}`);
      assert.ok(w.rule === undefined || rules.includes(w.rule), `${w.rule} does not guard ${w.control} in the catalogue (it names ${rules.join(", ") || "none"})`);
      // Every level counts for the control's own rules (the MSP rule is advisory), and none of them fails before.
      const before = auditResources(toResourceInputs(plan.resources)).filter((v) => rules.includes(v.policy));
      assert.deepEqual(show(before), "", `the unweakened plan already fails a rule of ${w.control}`);
      const weakened = weaken(plan.resources, w.type, w.change, w.name, w.every);
      if (w.rule !== undefined) {
        const violations = blocking(auditResources(toResourceInputs(weakened)));
        assert.ok(violations.some((v) => v.policy === w.rule), `expected ${w.rule}, got:\n${show(violations)}`);
      }
      const all = auditResources(toResourceInputs(weakened));
      const failed = [...new Set(all.filter((v) => rules.includes(v.policy)).map((v) => v.policy))];
      assert.equal(failed.length, 1, `weakening ${w.control} must fail exactly one of its rules (${rules.join(", ")}); failed: ${failed.join(", ") || "none"}\n${show(all)}`);
    });
  }
});

/**
 * Controls the catalogue says a rule guards but no case here weakens, each with why. The list only shrinks: a test
 * fails when a control with rules has neither a case nor a line here, and when a listed control gets a case.
 */
const NOT_WEAKENED: Readonly<Record<string, string>> = {
  "aws-workload-subnet-private": "the same subnet setting as aws-workload-subnet-isolated, which has a case",
  "aws-no-instance-profile": "host-identity-admin-grant needs a role, an instance profile and an attachment added: more than one resource",
  "aws-caller-instance-profile": "the caller's profile is not in the stack; host-identity-admin-grant needs it and an attachment added",
  "aws-no-task-role": "host-identity-admin-grant needs a task role and an administrator-level policy added: more than one resource",
  "aws-caller-task-role": "the caller's task role is not in the stack; host-identity-admin-grant needs it and an administrator-level policy added",
  "aws-ecs-host-network-tasks": "the ECS variant registers no task definition (the caller does)",
  "gcp-dedicated-service-account": "the same serviceAccount setting as gcp-no-service-account, which has a case",
  "azure-vmss-user-assigned-identity": "host-identity-admin-grant needs a role assignment added to the caller's identity",
};

describe("conformance: the control catalogue's guarded controls have weakened cases", () => {
  it("every control with enforcing rules is weakened above, or listed with a reason", () => {
    const weakened = new Set(WEAKENINGS.map((w) => w.control));
    const guarded = CONTROL_CATALOGUE.filter((e) => e.enforcedBy.rules.length > 0).map((e) => e.id);
    assert.deepEqual(guarded.filter((id) => !weakened.has(id) && NOT_WEAKENED[id] === undefined), [], "add a case to WEAKENINGS (or a reason to NOT_WEAKENED)");
    assert.deepEqual(Object.keys(NOT_WEAKENED).filter((id) => weakened.has(id) || !guarded.includes(id)), [], "remove these from NOT_WEAKENED");
  });
});
