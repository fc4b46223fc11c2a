import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseFlowFile, pluginAt } from "../../scan/flow";
import { FIXTURES } from "./helpers";

describe("scan: reading Kestra flows", () => {
  it("finds plugins at any depth with their kind, id and position", () => {
    const text = fs.readFileSync(path.join(FIXTURES, "flows/nested.yml"), "utf8");
    const { flows, problems } = parseFlowFile(text);
    assert.deepEqual(problems, []);
    assert.equal(flows.length, 1);
    assert.equal(flows[0].namespace, "company.team");
    assert.equal(flows[0].id, "nested");
    assert.deepEqual(flows[0].plugins.map((p) => [p.kind, p.id, p.type]), [
      // pluginDefaults' own `type` says whom the defaults apply to; the task runner inside its values is a plugin.
      ["task runner", undefined, "io.kestra.plugin.core.runner.Process"],
      ["task", "parallel", "io.kestra.plugin.core.flow.Parallel"],
      ["task", "sequential", "io.kestra.plugin.core.flow.Sequential"],
      ["task", "check", "io.kestra.plugin.core.flow.If"],
      ["task", "fetch", "io.kestra.plugin.scripts.shell.Commands"],
      ["task runner", undefined, "io.kestra.plugin.scripts.runner.docker.Docker"],
      ["task", "say", "io.kestra.plugin.core.log.Log"],
      ["task", "on_error", "io.kestra.plugin.core.log.Log"],
      ["task", "cleanup", "io.kestra.plugin.core.log.Log"],
      ["task", "notify", "io.kestra.plugin.core.http.Request"],
      ["trigger", "nightly", "io.kestra.plugin.core.trigger.Schedule"],
      ["condition", undefined, "io.kestra.plugin.core.condition.Weekend"],
    ]);
    const fetch = flows[0].plugins.find((p) => p.id === "fetch")!;
    assert.equal(text.slice(fetch.typeStart, fetch.typeEnd), "io.kestra.plugin.scripts.shell.Commands");
    // A finding inside the env of `fetch` belongs to `fetch`, the innermost task around it.
    assert.equal(pluginAt(flows[0], text.indexOf("169.254.169.254"))?.id, "fetch");
  });

  it("reads quoted and escaped types as the parser resolves them", () => {
    const text = 'id: a\nnamespace: b\ntasks:\n  - id: t\n    type: "io.kestra.plugin.scripts.shell.\\u0043ommands"\n';
    const { flows } = parseFlowFile(text);
    assert.deepEqual(flows[0].plugins.map((p) => p.type), ["io.kestra.plugin.scripts.shell.Commands"]);
  });

  it("checks every `type` of a map with duplicate keys, and reports the duplicate", () => {
    const text = "id: a\nnamespace: b\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    type: io.kestra.plugin.scripts.shell.Commands\n";
    const { flows, problems } = parseFlowFile(text);
    assert.deepEqual(flows[0].plugins.map((p) => p.type), ["io.kestra.plugin.core.log.Log", "io.kestra.plugin.scripts.shell.Commands"]);
    assert.equal(problems.length, 1);
    assert.match(problems[0].message, /unique/);
  });

  it("sees types reached through anchors and aliases once, without expanding them", () => {
    const text = [
      "id: a", "namespace: b",
      "variables:", "  base: &shell {id: s, type: io.kestra.plugin.scripts.shell.Commands}",
      "tasks:", "  - *shell", "  - *shell",
    ].join("\n");
    const { flows } = parseFlowFile(text);
    assert.deepEqual(flows[0].plugins.map((p) => p.type), ["io.kestra.plugin.scripts.shell.Commands"]);
  });

  it("checks a pluginDefaults entry's type when an alias puts it among the tasks", () => {
    const text = [
      "id: a", "namespace: b",
      "pluginDefaults:", "  - &sh {type: io.kestra.plugin.scripts.shell.Commands, values: {}}",
      "tasks:", "  - *sh",
    ].join("\n");
    const { flows } = parseFlowFile(text);
    assert.deepEqual(flows[0].plugins.map((p) => p.type), ["io.kestra.plugin.scripts.shell.Commands"]);
    assert.deepEqual(parseFlowFile(text.split("\ntasks:")[0]).flows[0].plugins, []);
  });

  it("ignores YAML documents that are not flows and `type` values that are not class names", () => {
    const text = "kind: Pod\nmetadata: {name: x}\n---\nid: a\nnamespace: b\ninputs:\n  - id: i\n    type: STRING\ntasks: []\n";
    const { flows } = parseFlowFile(text);
    assert.equal(flows.length, 1);
    assert.deepEqual(flows[0].plugins, []);
  });

  it("survives a billion-laughs alias bomb quickly", () => {
    let bomb = 'id: a\nnamespace: b\nl0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 20; i++) bomb += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(",")}]\n`;
    const t0 = Date.now();
    const { flows } = parseFlowFile(bomb);
    assert.equal(flows.length, 1);
    assert.ok(Date.now() - t0 < 5000);
  });

  it("reports nesting past the parser's limit as a problem instead of throwing", () => {
    const deep = "id: a\nnamespace: b\nx: " + "[".repeat(20000) + "]".repeat(20000) + "\n";
    const { problems } = parseFlowFile(deep);
    assert.ok(problems.length > 0);
  });

  it("reports invalid YAML with the parser's message and offset", () => {
    const text = "id: x\nnamespace: y\ntasks:\n  - id: a\n   type: b\n";
    const { problems } = parseFlowFile(text);
    assert.equal(problems[0].message, "Sequence item without - indicator");
    assert.equal(problems[0].offset, 36);
  });
});
