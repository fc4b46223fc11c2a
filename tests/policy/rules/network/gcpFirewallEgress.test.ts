import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import { openEgressRule } from "../../../../policy/rules/network/cloudNetwork";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, EGRESS_WHY, res, runCheck, UNKNOWN } from "../helpers";

const FW = "gcp:compute/firewall:Firewall";
const NET = "gcp:compute/network:Network";
const check = (rs: ResourceInput[], config: Record<string, unknown> = {}) =>
  checkDeclared(splitEgressRule, rs, { config: resolveConfig(splitEgressRule.id, config) });
const egress = (name: string, allows: unknown[], extra: Record<string, unknown> = {}) =>
  res(FW, name, { network: "workers", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allows, ...extra });

describe("egress-open-to-internet-combined: GCP firewalls (stack)", () => {
  it("passes: one partial range, ranges with a gap, private destinations, disabled or INGRESS rules, other networks, other targets", () => {
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }])]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: ["32769-65535"] }])]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: ["32768-65535"] }], { destinationRanges: ["10.0.0.0/8"] })]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: ["32768-65535"] }], { disabled: true })]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: ["32768-65535"] }], { direction: "INGRESS" })]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: ["32768-65535"] }], { network: "other" })]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }], { targetTags: ["web"] }), egress("b", [{ protocol: "tcp", ports: ["32768-65535"] }], { targetTags: ["db"] })]), []);
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "udp", ports: ["32768-65535"] }])]), []);
  });

  it("does not report again what one entry opens alone (egress-open-to-internet's finding)", () => {
    const fw = egress("all-tcp", [{ protocol: "tcp" }, { protocol: "tcp", ports: ["443"] }]);
    assert.deepEqual(check([fw]), []);
    assert.equal(runCheck(openEgressRule, FW, fw.props).length, 1);
  });

  it("fails two firewalls on one network that together open every TCP port, naming both entries", () => {
    const a = egress("low", [{ protocol: "tcp", ports: ["1-32767"] }]);
    const b = egress("high", [{ protocol: "6", ports: ["32768-65535"] }]);
    assert.equal(runCheck(openEgressRule, FW, a.props).length + runCheck(openEgressRule, FW, b.props).length, 0, "neither opens every port alone");
    assert.deepEqual(check([a, b]), [
      {
        urn: a.urn,
        type: FW,
        property: "allows[0]",
        message: `network "workers" lets every TCP port out to 0.0.0.0/0 from every instance through 2 allow entries together: low.allows[0] (tcp 1-32767), high.allows[0] (tcp 32768-65535); ${EGRESS_WHY}.`,
      },
    ]);
  });

  it("fails two entries of one rule, a rule with no destinationRanges, and an untargeted rule joining a targeted one", () => {
    const one = egress("split", [{ protocol: "udp", ports: ["0-40000"] }, { protocol: "udp", ports: ["40001-65535"] }], { destinationRanges: undefined });
    assert.deepEqual(check([one]).map((f) => f.message.split(" together")[0]), ['network "workers" lets every UDP port out to 0.0.0.0/0 from every instance through 2 allow entries']);
    const net = res(NET, "vpc", { name: "vpc" });
    const targeted = res(FW, "targeted", { network: "vpc-id", direction: "EGRESS", destinationRanges: ["::/0"], targetTags: ["worker"], allows: [{ protocol: "tcp", ports: ["1024-65535"] }] }, { network: [net.urn] });
    const everyone = res(FW, "everyone", { network: "vpc-id", direction: "EGRESS", destinationRanges: ["::/0"], allows: [{ protocol: "tcp", ports: ["1-1023"] }] }, { network: [net.urn] });
    assert.deepEqual(check([net, targeted, everyone]).map((f) => [f.urn, f.message.split(" together")[0]]), [
      [targeted.urn, 'network "vpc" lets every TCP port out to ::/0 from the instances with targetTags ["worker"] through 2 allow entries'],
    ]);
  });

  it("skips unknown values (the resource rule reports them as indeterminate) and honours scope: workers", () => {
    assert.deepEqual(check([egress("a", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("b", [{ protocol: "tcp", ports: UNKNOWN }])]), []);
    const pair = [egress("db-low", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("db-high", [{ protocol: "tcp", ports: ["32768-65535"] }])];
    assert.equal(check(pair).length, 1);
    assert.deepEqual(check(pair, { scope: "workers" }), []);
    const workers = [egress("worker-low", [{ protocol: "tcp", ports: ["1-32767"] }]), egress("worker-high", [{ protocol: "tcp", ports: ["32768-65535"] }])];
    assert.equal(check(workers, { scope: "workers" }).length, 1);
  });
});

describe("egress-open-to-internet-combined: GCP firewall policies (stack)", () => {
  const RULE = "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule";
  const WITH_RULES = "gcp:compute/networkFirewallPolicyWithRules:NetworkFirewallPolicyWithRules";
  const rule = (name: string, ports: string[], extra: Record<string, unknown> = {}) =>
    res(RULE, name, {
      firewallPolicy: "workers-policy",
      direction: "EGRESS",
      action: "allow",
      priority: 1000,
      match: { destIpRanges: ["0.0.0.0/0"], layer4Configs: [{ ipProtocol: "tcp", ports }] },
      ...extra,
    });

  it("fails two rules of one policy that together open every TCP port, and passes them in different policies or with a gap", () => {
    const a = rule("low", ["1-32767"]);
    const b = rule("high", ["32768-65535"]);
    assert.deepEqual(check([a, b]).map((f) => [f.urn, f.property, f.message.split(":")[0]]), [
      [a.urn, "match.layer4Configs[0]", 'firewall policy "workers-policy" lets every TCP port out to 0.0.0.0/0 from every instance through 2 allow entries together'],
    ]);
    assert.deepEqual(check([a, rule("high", ["32768-65535"], { firewallPolicy: "other" })]), []);
    assert.deepEqual(check([a, rule("high", ["32769-65535"])]), []);
    assert.deepEqual(check([a, rule("high", ["32768-65535"], { action: "deny" })]), []);
  });

  it("fails inline rules of a policy with rules, where a rule with no destination counts for both families", () => {
    const policy = res(WITH_RULES, "inline", {
      rules: [
        { direction: "EGRESS", action: "allow", priority: 1, match: { layer4Configs: [{ ipProtocol: "udp", ports: ["1-1000"] }] } },
        { direction: "EGRESS", action: "allow", priority: 2, match: { layer4Configs: [{ ipProtocol: "udp", ports: ["1001-65535"] }] } },
      ],
    });
    assert.deepEqual(check([policy]).map((f) => [f.property, f.message.split(" from ")[0]]), [
      ["rules[0].match.layer4Configs[0]", 'firewall policy "inline" lets every UDP port out to 0.0.0.0/0'],
      ["rules[0].match.layer4Configs[0]", 'firewall policy "inline" lets every UDP port out to ::/0'],
    ]);
  });
});
