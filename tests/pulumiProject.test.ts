/**
 * Every Pulumi project file in this repository against the rules the Pulumi CLI applies when it loads one: the
 * project JSON schema the CLI publishes (vendored in tests/fixtures/pulumi, see SOURCE.md there) and the
 * namespacing rule of `Project.Validate` (sdk/go/common/workspace/project.go), which the schema cannot express.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";

const ROOT = path.join(__dirname, "..");
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/pulumi/project.schema.json"), "utf8"));
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);

/**
 * Restates `Project.Validate`'s config checks: a key is the project's own when it has no namespace or the
 * namespace is the project's name (`configKeyIsNamespacedByProject`); any other key must not declare `type` or
 * `default` and must give `value`; no key has both `default` and `value`.
 */
export function namespacingProblems(project: { name: string; config?: Record<string, unknown> | null }): string[] {
  const problems: string[] = [];
  for (const [key, decl] of Object.entries(project.config ?? {})) {
    const d = decl !== null && typeof decl === "object" ? (decl as Record<string, unknown>) : { value: decl };
    if ("default" in d && "value" in d) problems.push(`project config '${key}' cannot have both a 'default' and 'value' attribute`);
    const own = !key.includes(":") || key.startsWith(`${project.name}:`);
    if (own) continue;
    if ("type" in d) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a type`);
    if ("default" in d) problems.push(`Configuration key '${key}' is not namespaced by the project and should not define a default value.`);
    if (!("value" in d)) problems.push(`Configuration key '${key}' is namespaced and must provide an attribute 'value'`);
  }
  return problems;
}

function projectFiles(): string[] {
  return ["Pulumi.yaml", "docs/examples/yaml/Pulumi.yaml", "docs/examples/python/Pulumi.yaml"].filter((f) => fs.existsSync(path.join(ROOT, f)));
}

describe("Pulumi project files hold to the Pulumi CLI's project rules", () => {
  for (const file of projectFiles()) {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, file), "utf8"));
    it(`${file} passes the CLI's project JSON schema`, () => {
      assert.ok(validate(project), JSON.stringify(validate.errors, null, 2));
    });
    it(`${file} passes Project.Validate's namespacing rule`, () => {
      assert.deepEqual(namespacingProblems(project), []);
    });
  }

  it("the root project's name is the program's config namespace", () => {
    const project = parseYaml(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
    const source = fs.readFileSync(path.join(ROOT, "program/rootProgram.ts"), "utf8");
    assert.match(source, new RegExp(`new pulumi\\.Config\\("${project.name}"\\)`));
  });

  it("refuses what the CLI refuses (controls: the old root project, a typo in the schema's fields)", () => {
    const old = {
      name: "pulumi-hardening",
      runtime: "nodejs",
      config: { "hardening:cloud": { type: "string" }, "hardening:name": { type: "string", default: "x" } },
    };
    assert.deepEqual(namespacingProblems(old), [
      "Configuration key 'hardening:cloud' is not namespaced by the project and should not define a type",
      "Configuration key 'hardening:cloud' is namespaced and must provide an attribute 'value'",
      "Configuration key 'hardening:name' is not namespaced by the project and should not define a type",
      "Configuration key 'hardening:name' is not namespaced by the project and should not define a default value.",
      "Configuration key 'hardening:name' is namespaced and must provide an attribute 'value'",
    ]);
    assert.equal(validate({ name: "x", runtime: "nodejs", config: { k: { type: "string", defualt: 1 } } }), false);
    assert.equal(validate({ name: "x", runtime: "nodejs", config: { k: { type: "map" } } }), false);
    assert.equal(validate({ name: "x" }), false);
  });
});
