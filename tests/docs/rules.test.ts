import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { rules } from "../../policy/registry";
import { POLICY_README, renderRuleTables, withRuleTables } from "../../scripts/ruleDocs";

describe("policy/README.md rule tables", () => {
  it("are exactly what scripts/ruleDocs.ts generates from the registry", () => {
    const committed = fs.readFileSync(POLICY_README, "utf8");
    assert.ok(
      committed === withRuleTables(committed),
      "policy/README.md's rule tables are out of date with policy/registry.ts; run: npm run docs:rules",
    );
  });

  it("name every rule and every option with its default", () => {
    const tables = renderRuleTables();
    for (const r of rules) {
      assert.ok(tables.includes(`| \`${r.id}\``), r.id);
      for (const [name, option] of Object.entries(r.options ?? {}))
        assert.ok(
          tables.includes(`| \`${r.id}\` | \`${name}\``) && tables.includes(JSON.stringify(option.default)),
          `${r.id}.${name}`,
        );
    }
  });
});
