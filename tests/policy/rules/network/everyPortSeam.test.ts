/**
 * The seam between egress-open-to-internet (one rule or entry that opens every port) and
 * egress-open-to-internet-combined (several that open every port together): the combined rule stays silent on
 * whatever it counts as one entry opening every port, so the single-rule check must report every such entry.
 * Each case below must be reported by one of the two.
 */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { openEgressRule } from "../../../../policy/rules/network/cloudNetwork";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import { checkDeclared, res, runCheck } from "../helpers";

const FW = "gcp:compute/firewall:Firewall";
const NSG = "azure-native:network:NetworkSecurityGroup";

function reported(type: string, props: Record<string, unknown>): number {
  const single = runCheck(openEgressRule, type, props).length;
  const combined = checkDeclared(splitEgressRule, [res(type, "r", props)], { config: resolveConfig(splitEgressRule.id, {}) }).length;
  return single + combined;
}

const gcp = (allows: unknown[]) => ({ network: "n", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allows });
const nsg = (rule: Record<string, unknown>) => ({
  securityRules: [{ name: "out", direction: "Outbound", access: "Allow", protocol: "*", destinationAddressPrefix: "Internet", priority: 100, ...rule }],
});

describe("egress-open-to-internet / -combined seam: one entry that opens every port is reported", () => {
  it("GCP: protocol by number with no ports, and one entry whose port list covers every port", () => {
    assert.equal(reported(FW, gcp([{ protocol: "6" }])), 1, "tcp by number, no ports");
    assert.equal(reported(FW, gcp([{ protocol: "17", ports: [] }])), 1, "udp by number, empty ports");
    assert.equal(reported(FW, gcp([{ protocol: "tcp", ports: ["1-32767", "32768-65535"] }])), 1, "one entry, split list");
    // Positive controls: the spellings already reported stay reported once; a partial range is not reported.
    assert.equal(reported(FW, gcp([{ protocol: "tcp" }])), 1);
    assert.equal(reported(FW, gcp([{ protocol: "tcp", ports: ["0-65535"] }])), 1);
    assert.equal(reported(FW, gcp([{ protocol: "tcp", ports: ["443", "1000-2000"] }])), 0);
  });
  it("Azure: every protocol on 1-65535, or on ranges that together cover every port", () => {
    assert.equal(reported(NSG, nsg({ destinationPortRange: "1-65535" })), 1);
    assert.equal(reported(NSG, nsg({ destinationPortRanges: ["1-32767", "32768-65535"] })), 1);
    // Positive controls.
    assert.equal(reported(NSG, nsg({ destinationPortRange: "*" })), 1);
    assert.equal(reported(NSG, nsg({ destinationPortRange: "443" })), 0);
  });
});
