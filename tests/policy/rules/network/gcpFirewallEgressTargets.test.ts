/**
 * egress-open-to-internet-combined on GCP firewalls whose target lists overlap: a rule for targetTags ["worker",
 * "batch"] applies to every instance tagged "worker", so with a rule for ["worker"] it opens every port to them.
 */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { splitEgressRule } from "../../../../policy/rules/network/splitEgress";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res } from "../helpers";

const FW = "gcp:compute/firewall:Firewall";
const check = (rs: ResourceInput[]) => checkDeclared(splitEgressRule, rs, { config: resolveConfig(splitEgressRule.id, {}) });
const egress = (name: string, ports: string, extra: Record<string, unknown>) =>
  res(FW, name, { network: "workers", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: [ports] }], ...extra });

describe("egress-open-to-internet-combined: GCP firewalls with overlapping targets", () => {
  it("fails a rule for one tag plus a rule for that tag among others", () => {
    const low = egress("low", "1-32767", { targetTags: ["worker"] });
    const high = egress("high", "32768-65535", { targetTags: ["worker", "batch"] });
    assert.deepEqual(check([low, high]).map((f) => f.message.split(" together")[0]), [
      'network "workers" lets every TCP port out to 0.0.0.0/0 from the instances with targetTags ["worker"] through 2 allow entries',
    ]);
  });
  it("fails service-account lists that share an account", () => {
    const sa = "w@p.iam.gserviceaccount.com";
    const low = egress("low", "1-32767", { targetServiceAccounts: [sa, "x@p.iam.gserviceaccount.com"] });
    const high = egress("high", "32768-65535", { targetServiceAccounts: [sa] });
    assert.equal(check([low, high]).length, 1);
  });
  it("positive controls: disjoint tags pass; one two-tag rule whose entries cover every port is reported once", () => {
    assert.deepEqual(check([egress("low", "1-32767", { targetTags: ["worker"] }), egress("high", "32768-65535", { targetTags: ["batch", "web"] })]), []);
    const both = res(FW, "both", {
      network: "workers", direction: "EGRESS", destinationRanges: ["0.0.0.0/0"], targetTags: ["a", "b"],
      allows: [{ protocol: "tcp", ports: ["1-32767"] }, { protocol: "tcp", ports: ["32768-65535"] }],
    });
    assert.equal(check([both]).length, 1);
  });
});
