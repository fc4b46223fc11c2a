import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import { openEgressRule } from "../../../../policy/rules/network/cloudNetwork";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, EGRESS_WHY, res, runCheck, UNKNOWN } from "../helpers";

const NSG = "azure-native:network:NetworkSecurityGroup";
const RULE = "azure-native:network:SecurityRule";
const check = (rs: ResourceInput[], config: Record<string, unknown> = {}) =>
  checkDeclared(splitEgressRule, rs, { config: resolveConfig(splitEgressRule.id, config) });
const out = (protocol: string, port: string, dest = "Internet", extra: Record<string, unknown> = {}) => ({
  direction: "Outbound",
  access: "Allow",
  protocol,
  sourceAddressPrefix: "*",
  sourcePortRange: "*",
  destinationAddressPrefix: dest,
  destinationPortRange: port,
  ...extra,
});

describe("egress-open-to-internet-combined: Azure NSGs (stack)", () => {
  it("passes: one partial range, ranges with a gap, ranges to a private range, a denied half, a single rule that opens every port (the resource rule's finding)", () => {
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "1-32767")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "1-32767"), out("Tcp", "32769-65535")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "1-32767"), out("Tcp", "32768-65535", "10.0.0.0/8")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "1-32767"), out("Tcp", "32768-65535", "Internet", { access: "Deny" })] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "*"), out("Udp", "*")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("*", "*"), out("Tcp", "1-100")] })]), []);
  });

  it("leaves Tcp * plus Udp * to egress-open-to-internet, which fails each rule alone", () => {
    const props = { securityRules: [out("Tcp", "*"), out("Udp", "*", "0.0.0.0/0"), out("Udp", "53")] };
    assert.deepEqual(runCheck(openEgressRule, NSG, props), [
      { property: "securityRules[0].destinationAddressPrefix", message: `securityRules[0].destinationAddressPrefix "Internet" is allowed outbound for every TCP port; ${EGRESS_WHY}.` },
      { property: "securityRules[1].destinationAddressPrefix", message: `securityRules[1].destinationAddressPrefix "0.0.0.0/0" is allowed outbound for every UDP port; ${EGRESS_WHY}.` },
    ]);
  });

  it("fails TCP ranges split over two inline rules", () => {
    const nsg = res(NSG, "workers-nsg", { securityRules: [out("Tcp", "1-32767"), out("Tcp", "32768-65535", "0.0.0.0/0")] });
    assert.deepEqual(runCheck(openEgressRule, NSG, nsg.props), [], "neither rule opens every port alone");
    assert.deepEqual(check([nsg]), [
      {
        urn: nsg.urn,
        type: NSG,
        property: "securityRules",
        message:
          'securityRules[0] ("Tcp" ports "1-32767" to "Internet"), securityRules[1] ("Tcp" ports "32768-65535" to "0.0.0.0/0") together allow every TCP port ' +
          `outbound in NSG "workers-nsg"; ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails an inline rule plus a separate rule linked by property dependency", () => {
    const nsg = res(NSG, "nsg", { securityRules: [out("Udp", "1-1023")] });
    const udp = res(RULE, "udp-out", { ...out("Udp", "1024-65535"), networkSecurityGroupName: UNKNOWN, resourceGroupName: "rg" }, { networkSecurityGroupName: [nsg.urn] });
    assert.deepEqual(check([nsg, udp]), [
      {
        urn: nsg.urn,
        type: NSG,
        property: "securityRules",
        message: `securityRules[0] ("Udp" ports "1-1023" to "Internet"), security rule "udp-out" ("Udp" ports "1024-65535" to "Internet") together allow every UDP port outbound in NSG "nsg"; ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails separate rules of an NSG outside the stack, every port of each protocol split over ranges", () => {
    const a = res(RULE, "a", { ...out("*", "0-32767"), networkSecurityGroupName: "shared", resourceGroupName: "rg" });
    const b = res(RULE, "b", { ...out("*", undefined as unknown as string), destinationPortRanges: ["32768-60000", "60001-65535"], networkSecurityGroupName: "shared", resourceGroupName: "rg" });
    const parts = 'security rule "a" ("*" ports "0-32767" to "Internet"), security rule "b" ("*" ports ["32768-60000","60001-65535"] to "Internet")';
    assert.deepEqual(check([a, b]), [
      { urn: a.urn, type: RULE, property: "destinationPortRange", message: `${parts} together allow every TCP port outbound; ${EGRESS_WHY}.` },
      { urn: a.urn, type: RULE, property: "destinationPortRange", message: `${parts} together allow every UDP port outbound; ${EGRESS_WHY}.` },
    ]);
  });

  it("keeps NSGs apart: a rule of another NSG (by name) does not complete this one", () => {
    const nsg = res(NSG, "nsg", { networkSecurityGroupName: "one", resourceGroupName: "rg", securityRules: [out("Tcp", "1-32767")] });
    const other = res(RULE, "high", { ...out("Tcp", "32768-65535"), networkSecurityGroupName: "two", resourceGroupName: "rg" });
    assert.deepEqual(check([nsg, other]), []);
    const same = res(RULE, "high", { ...out("Tcp", "32768-65535"), networkSecurityGroupName: "one", resourceGroupName: "rg" });
    assert.equal(check([nsg, same]).length, 1);
  });

  it("honours scope: workers", () => {
    const nsg = res(NSG, "shared-nsg", { securityRules: [out("Tcp", "1-32767"), out("Tcp", "32768-65535")] });
    assert.deepEqual(check([nsg], { scope: "workers" }), []);
    assert.equal(check([res(NSG, "workers-nsg", nsg.props)], { scope: "workers" }).length, 1);
  });
});
