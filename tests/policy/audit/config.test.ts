/** `hardening audit --config`: every problem names the key the user wrote, the value, and what is allowed. */
import * as assert from "node:assert/strict";
import { AuditConfigError, parseAuditConfig } from "../../../policy/audit";

const problemsOf = (text: string): readonly string[] => {
  try {
    parseAuditConfig("c.yaml", text);
  } catch (e) {
    if (e instanceof AuditConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe("policy/audit/config: --config problems", () => {
  const cases: [string, string, string][] = [
    ["a misspelt rule id", "metadata-endpoint-aws-imd: mandatory\n", '"metadata-endpoint-aws-imd" is not a rule of this pack; did you mean "metadata-endpoint-aws-imds"?'],
    ["a misspelt level", "metadata-endpoint-aws-imds: mandatroy\n", 'metadata-endpoint-aws-imds is "mandatroy"; allowed: "advisory", "mandatory", "remediate", "disabled"; did you mean "mandatory"?'],
    ["a misspelt level under all", "all: advisroy\n", '"all" is "advisroy"; allowed: "advisory", "mandatory", "remediate", "disabled"; did you mean "advisory"?'],
    ["a misspelt enforcementLevel value", "egress-open-to-internet:\n  enforcementLevel: disable\n", 'egress-open-to-internet.enforcementLevel is "disable"; allowed: "advisory", "mandatory", "remediate", "disabled"; did you mean "disabled"?'],
    ["a misspelt option", "egress-open-to-internet:\n  scopeTag: [a]\n", 'egress-open-to-internet: "scopeTag" is not a setting of egress-open-to-internet; did you mean "scopeTags"?'],
    ["an option nothing like any", "egress-open-to-internet:\n  loudness: 3\n", 'egress-open-to-internet: "loudness" is not a setting of egress-open-to-internet; settings: enforcementLevel, exemptUrns, exemptNames, honourExemptTags, scopeStacks, scopeTags, scopeNamespaces, scopeNamespaceLabels, scope, workerNames'],
    ["an enum option", "egress-open-to-internet:\n  scope: worker\n", 'egress-open-to-internet.scope is "worker"; allowed: "all", "workers"; did you mean "workers"?'],
    ["a wrong type", "metadata-endpoint-aws-imds:\n  maxHopLimit: two\n", 'metadata-endpoint-aws-imds.maxHopLimit is "two"; it must be an integer'],
    ["a string for a list", "host-identity-azure-vm:\n  exemptNames: acr-*\n", 'host-identity-azure-vm.exemptNames is "acr-*"; it must be a list'],
    ["a string for honourExemptTags", "host-identity-azure-vm:\n  honourExemptTags: \"no\"\n", 'host-identity-azure-vm.honourExemptTags is "no"; it must be a boolean'],
    ["a number in a list", "host-identity-azure-vm:\n  scopeStacks: [prod, 3]\n", "host-identity-azure-vm.scopeStacks.1 is 3; it must be a string"],
  ];
  for (const [name, text, problem] of cases) {
    it(name, () => assert.deepEqual(problemsOf(text), [problem]));
  }

  it("lists every problem at once, and accepts the new common options", () => {
    assert.equal(problemsOf("x-rule: mandatory\nall: loud\n").length, 2);
    const ok = parseAuditConfig("c.yaml", "egress-open-to-internet:\n  honourExemptTags: false\n  scopeTags: [hardening:role=workload]\n  scopeStacks: [prod-*]\n");
    assert.deepEqual(ok["egress-open-to-internet"], { honourExemptTags: false, scopeTags: ["hardening:role=workload"], scopeStacks: ["prod-*"] });
  });
});
