import * as assert from "node:assert/strict";
import { exemptionFor, parseExemptTag } from "../../policy/config";
import { configSchemaFor, resolveConfig } from "../../policy/options";
import { resourceRules, stackRules } from "../../policy/rules";

const r = (props: Record<string, unknown>, name = "vm", urn = "urn:pulumi:dev::p::t::vm") => ({ urn, name, props });

describe("policy/config", () => {
  it("gives every rule a schema without enforcementLevel, with a default for each property", () => {
    for (const rule of [...resourceRules, ...stackRules]) {
      const schema = configSchemaFor(rule.id);
      assert.equal("enforcementLevel" in schema.properties, false, rule.id);
      for (const [k, s] of Object.entries(schema.properties)) assert.notEqual(s.default, undefined, `${rule.id}.${k}`);
    }
  });
  it("fills defaults the CLI would fill, keeps given values, drops enforcementLevel", () => {
    const common = { exemptUrns: [], exemptNames: [], honourExemptTags: true, scopeStacks: [], scopeTags: [], scopeNamespaces: [], scopeNamespaceLabels: [] };
    assert.deepEqual(resolveConfig("metadata-endpoint-aws-imds", undefined), { ...common, maxHopLimit: 1 });
    assert.deepEqual(resolveConfig("metadata-endpoint-aws-imds", { maxHopLimit: 2, enforcementLevel: "advisory" }), { ...common, maxHopLimit: 2 });
  });
  describe("exemptions", () => {
    const cfg = resolveConfig("host-identity-azure-vm", { exemptUrns: ["urn:x"], exemptNames: ["bastion-*"] });
    it("by URN and by name glob", () => {
      assert.deepEqual(exemptionFor("host-identity-azure-vm", r({}, "vm", "urn:x"), cfg), {
        exempt: true,
        reason: "URN listed in exemptUrns",
        exemption: { source: "exemptUrns", key: "exemptUrns", value: "urn:x", reason: "URN listed in exemptUrns of the policy config" },
      });
      assert.deepEqual(exemptionFor("host-identity-azure-vm", r({}, "bastion-1"), cfg), {
        exempt: true,
        reason: "name matches exemptNames",
        exemption: { source: "exemptNames", key: "exemptNames", value: "bastion-*", reason: "name matches exemptNames of the policy config" },
      });
      assert.deepEqual(exemptionFor("host-identity-azure-vm", r({}, "worker-1"), cfg), { exempt: false });
    });
    it("by a tag that names the rule and gives a reason", () => {
      const tagged = (v: string) => r({ tags: { "hardening:exempt": v } });
      const v1 = "host-identity-azure-vm: pulls images with its identity";
      assert.deepEqual(exemptionFor("host-identity-azure-vm", tagged(v1), cfg), {
        exempt: true,
        reason: "pulls images with its identity",
        exemption: { source: "tag", key: "hardening:exempt", value: v1, reason: "pulls images with its identity" },
      });
      const v2 = "all: legacy host, tracked in OPS-12";
      assert.deepEqual(exemptionFor("host-identity-azure-vm", tagged(v2), cfg), {
        exempt: true,
        reason: "legacy host, tracked in OPS-12",
        exemption: { source: "tag", key: "hardening:exempt", value: v2, reason: "legacy host, tracked in OPS-12" },
      });
      assert.deepEqual(exemptionFor("host-identity-azure-vm", tagged("egress-open-to-internet: proxy"), cfg), { exempt: false });
    });
    it("by a GCP label with a __ reason", () => {
      const labelled = r({ labels: { "hardening-exempt": "workload-subnet-public-ip__public_build_cache" } });
      assert.deepEqual(exemptionFor("workload-subnet-public-ip", labelled, cfg), {
        exempt: true,
        reason: "public build cache",
        exemption: { source: "label", key: "hardening-exempt", value: "workload-subnet-public-ip__public_build_cache", reason: "public build cache" },
      });
    });
    it("not by a tag without a reason, and says why", () => {
      for (const v of ["host-identity-azure-vm", "host-identity-azure-vm:", "host-identity-azure-vm: ?"]) {
        assert.deepEqual(exemptionFor("host-identity-azure-vm", r({ tags: { "hardening:exempt": v } }), cfg), {
          exempt: false,
          tagProblem: `The hardening:exempt tag ${JSON.stringify(v)} exempts nothing: it must give a reason, e.g. "host-identity-azure-vm: <why this resource needs it>".`,
        });
      }
    });
  });
  it("parses exempt tags", () => {
    assert.deepEqual(parseExemptTag("a, b: because"), { rules: ["a", "b"], reason: "because" });
    assert.deepEqual(parseExemptTag("a=why not"), { rules: ["a"], reason: "why not" });
    assert.deepEqual(parseExemptTag("a"), { rules: ["a"], reason: "" });
  });
});
