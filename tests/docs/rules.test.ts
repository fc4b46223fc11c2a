import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { parseAuditConfig } from "../../policy/audit";
import { COMMON_OPTIONS } from "../../policy/options";
import { rules, typesOf } from "../../policy/registry";
import { ORG_CONFIG, POLICY_README, renderOrgPolicyConfig, renderRuleTables, withRuleTables } from "../../scripts/ruleDocs";

/** The generated section of one rule: from its heading to the next heading. */
function sectionOf(doc: string, id: string): string {
  const start = doc.indexOf(`### \`${id}\``);
  assert.ok(start >= 0, `${id} has a section`);
  const next = doc.indexOf("\n### ", start + 1);
  return doc.slice(start, next < 0 ? undefined : next);
}

describe("policy/README.md rule documentation", () => {
  it("is exactly what scripts/ruleDocs.ts generates from the registry", () => {
    const committed = fs.readFileSync(POLICY_README, "utf8");
    assert.ok(
      committed === withRuleTables(committed),
      "policy/README.md's rule documentation is out of date with policy/registry.ts; run: npm run docs:rules",
    );
  });

  it("gives every rule a section: description, every type it binds, its options with defaults, remediation, exemption and scope keys", () => {
    const doc = renderRuleTables();
    for (const r of rules) {
      const s = sectionOf(doc, r.id);
      assert.ok(s.includes(r.description), `${r.id}: description`);
      assert.ok(s.includes(`**Default level:** ${r.enforcementLevel}`), `${r.id}: level`);
      for (const t of typesOf(r)) assert.ok(s.includes(`\`${t}\``), `${r.id}: type ${t}`);
      for (const [name, option] of Object.entries(r.options ?? {})) {
        assert.ok(s.includes(`| \`${name}\``) && s.includes(`\`${JSON.stringify(option.default)}\``), `${r.id}.${name}`);
      }
      assert.ok(s.includes(r.remediation ?? "none automatic"), `${r.id}: remediation`);
      assert.ok(s.includes(`hardening:exempt: "${r.id}: <reason>"`) && s.includes("`scopeTags`"), `${r.id}: exemption and scope keys`);
    }
    for (const name of Object.keys(COMMON_OPTIONS)) assert.ok(doc.includes(`| \`${name}\` |`), `common option ${name}`);
  });
});

describe("policy/org-policy-config.json", () => {
  it("is exactly what scripts/ruleDocs.ts generates, names every rule, and is a valid policy config", () => {
    const committed = fs.readFileSync(ORG_CONFIG, "utf8");
    assert.equal(committed, renderOrgPolicyConfig(), "policy/org-policy-config.json is out of date; run: npm run docs:rules");
    const parsed = parseAuditConfig(ORG_CONFIG, committed);
    assert.deepEqual(Object.keys(parsed).sort(), rules.map((r) => r.id).sort());
    for (const r of rules) assert.equal(parsed[r.id].honourExemptTags, false, r.id);
  });
});
