/**
 * The GCP and Azure host types workload-subnet-public-ip and egress-open-to-internet read since issue 19: GCE
 * instances from templates, AKS node pools (inline and separate), GCP firewall policy rules.
 */
import * as assert from "node:assert/strict";
import { openEgressRule, publicIpRule } from "../../../../policy/rules/network/cloudNetwork";
import { EGRESS_WHY, runCheck, UNKNOWN } from "../helpers";

const WHY = "a worker with a public address is reachable from the internet and can bypass the egress filter";
const AKS_FIX = "set it to false and reach the nodes through the API server or a bastion";

describe("workload-subnet-public-ip: instances from templates and AKS pools", () => {
  const FROM = "gcp:compute/instanceFromTemplate:InstanceFromTemplate";
  const CLUSTER = "azure-native:containerservice:ManagedCluster";
  const POOL = "azure-native:containerservice:AgentPool";
  const passing: [string, Record<string, unknown>][] = [
    [FROM, { sourceInstanceTemplate: "t" }],
    [FROM, { networkInterfaces: [{ network: "n" }] }],
    [CLUSTER, { agentPoolProfiles: [{ name: "system", mode: "System" }, { name: "user", enableNodePublicIP: false }] }],
    [POOL, { enableNodePublicIP: false }],
    [POOL, {}],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(publicIpRule, type, props), []));
  const failing: [string, Record<string, unknown>, string, string][] = [
    [
      FROM,
      { sourceInstanceTemplate: "t", networkInterfaces: [{ network: "n", accessConfigs: [{ natIp: "" }] }] },
      "networkInterfaces[0].accessConfigs",
      `networkInterfaces[0].accessConfigs has 1 entry; remove it and use Cloud NAT for egress: each access config gives the VM an external IP, and ${WHY}.`,
    ],
    [CLUSTER, { agentPoolProfiles: [{ name: "system" }, { name: "user", enableNodePublicIP: true }] }, "agentPoolProfiles[1].enableNodePublicIP", `agentPoolProfiles[1].enableNodePublicIP is true; ${AKS_FIX}: ${WHY}.`],
    [POOL, { enableNodePublicIP: true }, "enableNodePublicIP", `enableNodePublicIP is true; ${AKS_FIX}: ${WHY}.`],
  ];
  for (const [type, props, property, message] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(publicIpRule, type, props), [{ property, message }]));
  }
  it("is indeterminate on unknown inline pools", () => {
    assert.deepEqual(runCheck(publicIpRule, CLUSTER, { agentPoolProfiles: UNKNOWN }).map((f) => [f.property, f.indeterminate]), [["agentPoolProfiles", true]]);
  });
});

describe("egress-open-to-internet: GCP firewall policy rules", () => {
  const NETWORK = "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule";
  const REGION = "gcp:compute/regionNetworkFirewallPolicyRule:RegionNetworkFirewallPolicyRule";
  const HIERARCHICAL = "gcp:compute/firewallPolicyRule:FirewallPolicyRule";
  const rule = (over: Record<string, unknown>, match: Record<string, unknown>) => ({ direction: "EGRESS", action: "allow", priority: 1000, ...over, match });
  const passing: [string, Record<string, unknown>][] = [
    [NETWORK, rule({}, { destFqdns: ["pypi.org"], layer4Configs: [{ ipProtocol: "tcp", ports: ["443"] }] })],
    [NETWORK, rule({}, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "tcp", ports: ["443"] }] })],
    [NETWORK, rule({ action: "deny" }, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] })],
    [REGION, rule({ disabled: true }, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] })],
    [HIERARCHICAL, rule({ direction: "INGRESS" }, { srcIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] })],
    [HIERARCHICAL, rule({}, { destIpRanges: ["10.0.0.0/8"], layer4Configs: [{ ipProtocol: "all" }] })],
    [HIERARCHICAL, rule({ action: "goto_next" }, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] })],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(openEgressRule, type, props), []));
  const failing: [string, Record<string, unknown>, string, string][] = [
    [
      NETWORK,
      rule({}, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] }),
      "match.layer4Configs[0]",
      `match.layer4Configs[0] ("all") is allowed out to "0.0.0.0/0" on every port by action "allow"; ${EGRESS_WHY}.`,
    ],
    [
      REGION,
      rule({}, { destIpRanges: ["10.0.0.0/8", "::/0"], layer4Configs: [{ ipProtocol: "udp", ports: ["53"] }, { ipProtocol: "tcp" }] }),
      "match.layer4Configs[1]",
      `match.layer4Configs[1] ("tcp") is allowed out to "::/0" on every port by action "allow"; ${EGRESS_WHY}.`,
    ],
    [
      HIERARCHICAL,
      rule({ action: "apply_security_profile_group" }, { layer4Configs: [{ ipProtocol: "tcp", ports: ["0-65535"] }] }),
      "match.layer4Configs[0]",
      `match.layer4Configs[0] ("tcp" ports ["0-65535"]) is allowed out to every destination (no destination in match) on every port by action "apply_security_profile_group"; ${EGRESS_WHY}.`,
    ],
  ];
  for (const [type, props, property, message] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(openEgressRule, type, props), [{ property, message }]));
  }
  it("reads the rules inline in a policy (...FirewallPolicyWithRules)", () => {
    const props = {
      rules: [
        rule({}, { destFqdns: ["pypi.org"], layer4Configs: [{ ipProtocol: "tcp", ports: ["443"] }] }),
        rule({}, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "udp", ports: ["1-65535"] }] }),
      ],
    };
    for (const type of ["gcp:compute/networkFirewallPolicyWithRules:NetworkFirewallPolicyWithRules", "gcp:compute/regionNetworkFirewallPolicyWithRules:RegionNetworkFirewallPolicyWithRules", "gcp:compute/firewallPolicyWithRules:FirewallPolicyWithRules"]) {
      assert.deepEqual(runCheck(openEgressRule, type, props), [
        {
          property: "rules[1].match.layer4Configs[0]",
          message: `rules[1].match.layer4Configs[0] ("udp" ports ["1-65535"]) is allowed out to "0.0.0.0/0" on every port by action "allow"; ${EGRESS_WHY}.`,
        },
      ]);
    }
    assert.deepEqual(runCheck(openEgressRule, "gcp:compute/networkFirewallPolicyWithRules:NetworkFirewallPolicyWithRules", { rules: [props.rules[0]] }), []);
  });
  it("honours scope: workers", () => {
    const open = rule({}, { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "all" }] });
    assert.deepEqual(runCheck(openEgressRule, NETWORK, open, { scope: "workers" }, "shared-egress"), []);
    assert.equal(runCheck(openEgressRule, NETWORK, open, { scope: "workers" }, "workers-egress").length, 1);
  });
  it("is indeterminate on an unknown match", () => {
    assert.deepEqual(runCheck(openEgressRule, NETWORK, { direction: "EGRESS", action: "allow", match: UNKNOWN }).map((f) => f.indeterminate), [true]);
  });
});
