import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, EGRESS_WHY, res, UNKNOWN } from "../helpers";

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
  it("passes: Tcp * alone, Tcp * and Udp 53, Tcp * and Udp * to a private range, a single * rule (the resource rule's finding)", () => {
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "*")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "*"), out("Udp", "53")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "*"), out("Udp", "*", "10.0.0.0/8")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("*", "*"), out("Tcp", "*")] })]), []);
    assert.deepEqual(check([res(NSG, "nsg", { securityRules: [out("Tcp", "*"), out("Udp", "*", "Internet", { access: "Deny" })] })]), []);
  });

  it("fails Tcp * plus Udp * inline", () => {
    const nsg = res(NSG, "workers-nsg", { securityRules: [out("Tcp", "*"), out("Udp", "*", "0.0.0.0/0")] });
    assert.deepEqual(check([nsg]), [
      {
        urn: nsg.urn,
        type: NSG,
        property: "securityRules",
        message:
          'securityRules[0] ("Tcp" ports "*" to "Internet"), securityRules[1] ("Udp" ports "*" to "0.0.0.0/0") together allow every TCP and UDP port ' +
          `outbound in NSG "workers-nsg"; ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails an inline Tcp * plus a separate Udp * rule linked by property dependency", () => {
    const nsg = res(NSG, "nsg", { securityRules: [out("Tcp", "*")] });
    const udp = res(RULE, "udp-out", { ...out("Udp", "*"), networkSecurityGroupName: UNKNOWN, resourceGroupName: "rg" }, { networkSecurityGroupName: [nsg.urn] });
    assert.deepEqual(check([nsg, udp]), [
      {
        urn: nsg.urn,
        type: NSG,
        property: "securityRules",
        message: `securityRules[0] ("Tcp" ports "*" to "Internet"), security rule "udp-out" ("Udp" ports "*" to "Internet") together allow every TCP and UDP port outbound in NSG "nsg"; ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails separate rules of an NSG outside the stack, and every port split over ranges", () => {
    const a = res(RULE, "a", { ...out("*", "0-32767"), networkSecurityGroupName: "shared", resourceGroupName: "rg" });
    const b = res(RULE, "b", { ...out("*", undefined as unknown as string), destinationPortRanges: ["32768-60000", "60001-65535"], networkSecurityGroupName: "shared", resourceGroupName: "rg" });
    assert.deepEqual(check([a, b]), [
      {
        urn: a.urn,
        type: RULE,
        property: "destinationPortRange",
        message: `security rule "a" ("*" ports "0-32767" to "Internet"), security rule "b" ("*" ports ["32768-60000","60001-65535"] to "Internet") together allow every TCP and UDP port outbound; ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("keeps NSGs apart: a Udp * rule of another NSG (by name) does not complete this one", () => {
    const nsg = res(NSG, "nsg", { networkSecurityGroupName: "one", resourceGroupName: "rg", securityRules: [out("Tcp", "*")] });
    const other = res(RULE, "udp", { ...out("Udp", "*"), networkSecurityGroupName: "two", resourceGroupName: "rg" });
    assert.deepEqual(check([nsg, other]), []);
    const same = res(RULE, "udp", { ...out("Udp", "*"), networkSecurityGroupName: "one", resourceGroupName: "rg" });
    assert.equal(check([nsg, same]).length, 1);
  });

  it("honours scope: workers", () => {
    const nsg = res(NSG, "shared-nsg", { securityRules: [out("Tcp", "*"), out("Udp", "*")] });
    assert.deepEqual(check([nsg], { scope: "workers" }), []);
    assert.equal(check([res(NSG, "workers-nsg", nsg.props)], { scope: "workers" }).length, 1);
  });
});
