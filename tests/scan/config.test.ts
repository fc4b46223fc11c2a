import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidConfigError, parseScanConfig } from "../../scan/config";
import { FIXTURES } from "./helpers";

function issues(text: string, source = "scan.yml"): readonly string[] {
  try {
    parseScanConfig(text, source);
  } catch (e) {
    assert.ok(e instanceof InvalidConfigError);
    return e.issues;
  }
  assert.fail("expected InvalidConfigError");
}

describe("scan: config", () => {
  it("reads the YAML and JSON fixtures", () => {
    const yml = parseScanConfig(fs.readFileSync(path.join(FIXTURES, "configs/deny-shell.yml"), "utf8"), "deny-shell.yml");
    assert.deepEqual(yml.plugins?.deny, ["io.kestra.plugin.scripts.shell.*"]);
    assert.deepEqual(yml.plugins?.namespaces, [{ namespace: "platform.*", deny: [] }]);
    const json = parseScanConfig(fs.readFileSync(path.join(FIXTURES, "configs/allow-core.json"), "utf8"), "allow-core.json");
    assert.equal(json.exceptions?.[0].ruleId, "denied-task-type");
  });

  it("treats an empty file as an empty config", () => {
    assert.deepEqual(parseScanConfig("", "scan.yml"), {});
  });

  it("lists every problem with the field and the value", () => {
    assert.deepEqual(issues([
      "plugins:",
      "  deny: [42, \"\"]",
      "  denny: []",
      "  namespaces:",
      "    - allow: [\"x\"]",
      "exceptions:",
      "  - file: \"**\"",
      "    ruleId: metadata-endpont",
      "    reason: \"  \"",
      "inlineIgnores: \"no\"",
    ].join("\n")), [
      "plugins: unknown field \"denny\"",
      "plugins.deny[0] 42 must be string",
      "plugins.deny[1] \"\" must not be empty",
      "plugins.namespaces[0]: missing field \"namespace\"",
      "exceptions[0].ruleId \"metadata-endpont\" is not one of metadata-endpoint, link-local-address, denied-task-type, invalid-yaml, invalid-ignore, not-scanned, kestra-runner-escape",
      "exceptions[0].reason \"  \" must not be blank",
      "inlineIgnores \"no\" must be boolean",
    ]);
  });

  it("requires a reason on every config exception", () => {
    assert.deepEqual(issues("exceptions:\n  - file: a.yml\n    ruleId: metadata-endpoint\n"), [
      "exceptions[0]: missing field \"reason\"",
    ]);
  });

  it("reports invalid JSON and YAML with the source name", () => {
    assert.throws(() => parseScanConfig("{", "c.json"), (e: Error) => e.message.startsWith("c.json: invalid JSON:"));
    assert.throws(() => parseScanConfig("a: [", "c.yml"), (e: Error) => e.message.startsWith("c.yml: invalid YAML:"));
  });

  it("rejects a config that is not a map", () => {
    assert.deepEqual(issues("- a\n- b\n"), ["(top level) [\"a\",\"b\"] must be object"]);
  });
});
