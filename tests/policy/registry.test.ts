import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ControlFamily } from "../../components";
import { COMMON_OPTIONS, configSchemaFor, resolveConfig } from "../../policy/options";
import { isResourceRule, resourceRules, ruleById, rules, stackRules, typesOf } from "../../policy/registry";

const RULES_DIR = path.join(__dirname, "..", "..", "policy", "rules");
// Each family folder and the control families its rules may belong to ("network" holds the subnet and egress rules,
// which share the resource index and the worker marking).
const FOLDER_FAMILIES: Readonly<Record<string, readonly string[]>> = {
  metadataEndpoint: [ControlFamily.MetadataEndpoint],
  hostIdentity: [ControlFamily.HostIdentity],
  network: [ControlFamily.WorkloadSubnet, ControlFamily.Egress],
  sandbox: [ControlFamily.Sandbox],
};

describe("policy/registry", () => {
  it("lists every rule once, by a unique kebab-case id, resource rules and stack rules in registry order", () => {
    const ids = rules.map((r) => r.id);
    assert.equal(
      new Set(ids).size,
      ids.length,
      `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(", ")}`,
    );
    for (const id of ids) assert.match(id, /^[a-z0-9]+(-[a-z0-9]+)+$/);
    assert.deepEqual([...resourceRules, ...stackRules].map((r) => r.id).sort(), [...ids].sort());
    for (const r of rules) assert.equal(ruleById(r.id), r);
  });

  it("has every rule describe itself: family, docs, types, and each option with a JSON schema, default and description", () => {
    const families = new Set<string>(Object.values(ControlFamily));
    for (const r of rules) {
      assert.ok(families.has(r.family), `${r.id}: family ${r.family} is not a ControlFamily`);
      assert.ok(r.docs.length > 20 && r.description.length > 20, `${r.id}: docs and description`);
      assert.ok(typesOf(r).length > 0, `${r.id}: reads no type`);
      assert.equal(
        r.remediation !== undefined,
        isResourceRule(r) && r.remediations !== undefined,
        `${r.id}: remediation text iff remediations`,
      );
      for (const [name, option] of Object.entries(r.options ?? {})) {
        assert.ok(typeof option.type === "string", `${r.id}.${name}: schema type`);
        assert.notEqual(option.default, undefined, `${r.id}.${name}: default`);
        assert.ok(option.description.length > 0, `${r.id}.${name}: description`);
      }
    }
  });

  it("builds each rule's config schema and defaults from the rule's own options and nothing else", () => {
    for (const r of rules) {
      const schema = configSchemaFor(r);
      assert.deepEqual(
        Object.keys(schema.properties).sort(),
        [...Object.keys(COMMON_OPTIONS), ...Object.keys(r.options ?? {})].sort(),
        r.id,
      );
      const resolved = resolveConfig(r, undefined);
      for (const [name, option] of Object.entries(r.options ?? {}))
        assert.deepEqual(resolved[name], option.default, `${r.id}.${name}`);
      assert.equal(configSchemaFor(r.id), schema, `${r.id}: by id and by object the same schema`);
    }
  });

  it("keeps each rule's file in the folder of its family", () => {
    // Every rule file under a family folder, and which rule ids it declares.
    const declared = new Map<string, string>();
    for (const folder of fs.readdirSync(RULES_DIR, { withFileTypes: true })) {
      if (!folder.isDirectory() || !(folder.name in FOLDER_FAMILIES)) continue;
      for (const file of fs.readdirSync(path.join(RULES_DIR, folder.name))) {
        const text = fs.readFileSync(path.join(RULES_DIR, folder.name, file), "utf8");
        for (const m of text.matchAll(/^\s*id: "([a-z0-9-]+)",$/gm))
          if (ruleById(m[1])) declared.set(m[1], folder.name);
      }
    }
    for (const r of rules) {
      const folder = declared.get(r.id);
      assert.ok(folder, `${r.id} is not declared in a family folder under policy/rules/`);
      assert.ok(
        FOLDER_FAMILIES[folder].includes(r.family),
        `${r.id} (family ${r.family}) sits in policy/rules/${folder}/`,
      );
    }
  });
});
