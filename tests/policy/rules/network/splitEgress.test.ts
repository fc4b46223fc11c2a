/** Issue 19 miss: security-group egress split across rules that together open every port to the world. */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { EGRESS_WHY } from "../../../../policy/rules/network/cloudNetwork";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const RULE = "aws:ec2/securityGroupRule:SecurityGroupRule";
const EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule";
const check = (rs: ResourceInput[], config: Record<string, unknown> = {}) =>
  checkDeclared(splitEgressRule, rs, { config: resolveConfig(splitEgressRule.id, config) });
const tcp = (from: number, to: number, cidrBlocks = ["0.0.0.0/0"]) => ({ protocol: "tcp", fromPort: from, toPort: to, cidrBlocks });

describe("egress-open-to-internet-combined (stack)", () => {
  it("passes an allow-list, and a group whose world-open ranges leave a gap (positive controls)", () => {
    assert.deepEqual(check([res(SG, "web", { egress: [tcp(443, 443), tcp(53, 53, ["10.0.0.2/32"])] })]), []);
    assert.deepEqual(check([res(SG, "gap", { egress: [tcp(0, 1023), tcp(1025, 65535)] })]), []);
    // Two halves, but one of them to a private range: not the world.
    assert.deepEqual(check([res(SG, "half", { egress: [tcp(0, 32767), tcp(32768, 65535, ["10.0.0.0/8"])] })]), []);
  });

  it("stays silent where one rule alone opens every port (egress-open-to-internet reports that one)", () => {
    assert.deepEqual(check([res(SG, "all", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, tcp(443, 443)] })]), []);
  });

  it("fails inline egress blocks that together cover every TCP port", () => {
    const sg = res(SG, "split", { egress: [tcp(0, 1023), tcp(1024, 65535)] });
    assert.deepEqual(check([sg]), [
      {
        urn: sg.urn,
        type: SG,
        property: "egress",
        message: `security group "split" allows every TCP port out to 0.0.0.0/0 through 2 rules together: egress[0].cidrBlocks (tcp 0-1023), egress[1].cidrBlocks (tcp 1024-65535); ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails SecurityGroupRule and vpc.SecurityGroupEgressRule resources on one group (preview: linked by dependency)", () => {
    const sg = res(SG, "workers", { egress: [tcp(443, 443)] });
    const low = res(RULE, "low", { type: "egress", securityGroupId: UNKNOWN, protocol: "udp", fromPort: 1, toPort: 40000, cidrBlocks: ["0.0.0.0/0"] }, { securityGroupId: [sg.urn] });
    const high = res(EGRESS, "high", { securityGroupId: UNKNOWN, ipProtocol: "udp", fromPort: 30000, toPort: 65535, cidrIpv4: "0.0.0.0/0" }, { securityGroupId: [sg.urn] });
    assert.deepEqual(check([sg, low, high]), [
      {
        urn: sg.urn,
        type: SG,
        property: "egress",
        message: `security group "workers" allows every UDP port out to 0.0.0.0/0 through 2 rules together: low.cidrBlocks (udp 1-40000), high.cidrIpv4 (udp 30000-65535); ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails IPv6 rules on a group outside the stack, reported on the first rule", () => {
    const a = res(EGRESS, "a", { securityGroupId: "sg-123", ipProtocol: "tcp", fromPort: 1, toPort: 30000, cidrIpv6: "::/0" });
    const b = res(EGRESS, "b", { securityGroupId: "sg-123", ipProtocol: "tcp", fromPort: 30001, toPort: 65535, cidrIpv6: "::/0" });
    const other = res(EGRESS, "c", { securityGroupId: "sg-999", ipProtocol: "tcp", fromPort: 30001, toPort: 65535, cidrIpv6: "::/0" });
    assert.deepEqual(check([a, b, other]), [
      {
        urn: a.urn,
        type: EGRESS,
        property: "cidrIpv6",
        message: `security group "sg-123" allows every TCP port out to ::/0 through 2 rules together: a.cidrIpv6 (tcp 1-30000), b.cidrIpv6 (tcp 30001-65535); ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("with scope workers, checks only worker-marked groups", () => {
    const plain = res(SG, "bastion", { egress: [tcp(0, 1023), tcp(1024, 65535)] });
    const worker = res(SG, "worker-sg", { egress: [tcp(0, 1023), tcp(1024, 65535)] });
    assert.deepEqual(check([plain, worker], { scope: "workers" }).map((f) => f.urn), [worker.urn]);
  });

  it("is indeterminate for a world-open rule whose group is unknown", () => {
    const r = res(RULE, "r", { type: "egress", securityGroupId: UNKNOWN, ...tcp(0, 100) });
    assert.deepEqual(check([r]).map((f) => [f.urn, f.property, f.indeterminate]), [[r.urn, "securityGroupId", true]]);
  });
});
