/**
 * Hostile input against the code rule's per-line reading: long boot-script lines with many references. The old
 * reader ran a quadratic expression once per reference on the same line (a 19 KB line took minutes); these must
 * finish well inside mocha's timeout and still report what they must. No timing is asserted here: the ratio to a
 * plain line of the same size is in tests/bench/hostile.bench.ts.
 */
import * as assert from "node:assert/strict";
import { codeMetadataReference as rule } from "../../policy/rules/metadataEndpoint/codeReference";
import { hostileFilterLine } from "./corpus";

const ctx = { config: {} };

describe("hostile input: the code rule on long lines", () => {
  it("reports a 19 KB user-data line of references that only looks like a firewall rule", () => {
    const findings = rule.checks["aws:ec2/instance:Instance"]({ userData: hostileFilterLine(19_000) }, ctx);
    assert.equal(findings.length, 1);
    assert.match(findings[0].message, /169\.254\.169\.254/);
  });
  it("still accepts the host firewall's own rule on a long line (positive control)", () => {
    const line = `iptables -A OUTPUT ${"-p tcp ".repeat(1500)}-d 169.254.169.254 -j DROP\n`;
    assert.deepEqual(rule.checks["aws:ec2/instance:Instance"]({ userData: line }, ctx), []);
  });
});
