import * as assert from "node:assert/strict";
import { openEgressRule } from "../../../../policy/rules/network/cloudNetwork";
import { anywhereIn } from "../../../../policy/rules/values";
import { runCheck } from "../helpers";

const HALVES = ["0.0.0.0/1", "128.0.0.0/1"];
const LABEL = "0.0.0.0/0 (0.0.0.0/1 + 128.0.0.0/1)";

describe("anywhere split into parts (0.0.0.0/1 + 128.0.0.0/1)", () => {
  it("anywhereIn names a family covered by parts, and nothing for a gap, one part or non-CIDRs", () => {
    assert.deepEqual(anywhereIn(HALVES), [LABEL]);
    assert.deepEqual(anywhereIn(["::/1", "8000::/1", "10.0.0.0/8"]), ["::/0 (::/1 + 8000::/1)"]);
    assert.deepEqual(anywhereIn(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"]), ["0.0.0.0/0 (0.0.0.0/2 + 64.0.0.0/2 + 128.0.0.0/1)"]);
    assert.deepEqual(anywhereIn(["0.0.0.0/0", ...HALVES]), ["0.0.0.0/0"], "a literal is enough");
    assert.deepEqual(anywhereIn(["0.0.0.0/1", "128.0.0.0/2"]), [], "a gap: 192.0.0.0/2 is not covered");
    assert.deepEqual(anywhereIn(["0.0.0.0/1"]), []);
    assert.deepEqual(anywhereIn(["pypi.org", 443, undefined]), []);
  });

  it("egress-open-to-internet fails the split on AWS, GCP and Azure as it fails 0.0.0.0/0, and passes a gap", () => {
    const aws = (cidrBlocks: string[]) =>
      runCheck(openEgressRule, "aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks }] });
    assert.equal(aws(HALVES).length, 1);
    assert.match(aws(HALVES)[0].message, /0\.0\.0\.0\/0 \(0\.0\.0\.0\/1 \+ 128\.0\.0\.0\/1\)/);
    assert.deepEqual(aws(["0.0.0.0/1", "128.0.0.0/2"]), []);

    const gcp = (destinationRanges: string[]) =>
      runCheck(openEgressRule, "gcp:compute/firewall:Firewall", { direction: "EGRESS", destinationRanges, allows: [{ protocol: "all" }] });
    assert.equal(gcp(HALVES).length, 1);
    assert.deepEqual(gcp(["0.0.0.0/1"]), []);

    const azure = (destinationAddressPrefixes: string[]) =>
      runCheck(openEgressRule, "azure-native:network:SecurityRule", {
        direction: "Outbound",
        access: "Allow",
        protocol: "*",
        destinationAddressPrefixes,
        destinationPortRange: "*",
      });
    assert.equal(azure(HALVES).length, 1);
    assert.deepEqual(azure(["0.0.0.0/1", "128.0.0.0/2"]), []);
  });
});
