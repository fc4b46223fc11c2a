/**
 * Property: the plugin-control parse prefilter never changes a verdict, whatever YAML spelling a flow uses for
 * its plugin types (plain, quoted, escaped, flow maps, anchors and aliases, legacy names).
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ScanContext, scanText } from "../../scan/scanner";

const TYPES = [
  "io.kestra.plugin.scripts.shell.Commands", "io.kestra.core.tasks.scripts.Bash", "io.kestra.plugin.core.log.Log",
  "io.kestra.core.tasks.flows.Subflow", "io.kestra.plugin.core.flow.Subflow", "io.kestra.plugin.scripts.python.Script",
  "io.kestra.plugin.scripts.runner.docker.Docker", "io.kestra.plugin.scripts.runner.docker.DockerTaskRunner",
];

const escapeOne = (s: string, at: number) => s.slice(0, at) + `\\u${s.charCodeAt(at).toString(16).padStart(4, "0")}` + s.slice(at + 1);

const spelled = fc.tuple(fc.constantFrom(...TYPES), fc.nat(), fc.constantFrom("plain", "single", "double", "escaped", "escapedKey"))
  .map(([type, n, how]) => {
    const at = n % type.length;
    switch (how) {
      case "plain": return { key: "type", value: type };
      case "single": return { key: "type", value: `'${type}'` };
      case "double": return { key: "type", value: `"${type}"` };
      case "escaped": return { key: "type", value: `"${escapeOne(type, at)}"` };
      default: return { key: `"typ\\u0065"`, value: `"${type}"` };
    }
  });

const flow = fc.tuple(fc.array(spelled, { minLength: 1, maxLength: 4 }), fc.boolean(), fc.constantFrom("company.team", "platform.ops"))
  .map(([tasks, viaAnchor, ns]) => {
    const lines = ["id: f", `namespace: ${ns}`, "tasks:"];
    tasks.forEach((t, i) => {
      if (viaAnchor && i === 0) lines.splice(2, 0, "variables:", `  base: &t0 {id: a0, ${t.key}: ${t.value}}`);
      if (viaAnchor && i === 0) lines.push("  - *t0");
      else lines.push(`  - id: t${i}`, `    ${t.key}: ${t.value}`, `    taskRunner: {${t.key}: ${t.value}}`);
    });
    return `${lines.join("\n")}\n`;
  });

const configs = fc.constantFrom(
  { plugins: { deny: ["io.kestra.plugin.scripts.shell.*"] } },
  { plugins: { deny: ["io.kestra.plugin.core.flow.Subflow", "io.kestra.plugin.scripts.runner.*"] } },
  { plugins: { deny: ["io.kestra.plugin.scripts.*"], namespaces: [{ namespace: "platform.*", deny: ["io.kestra.plugin.core.*"] }] } },
);

describe("scan: parse prefilter (property)", () => {
  it("reports the same denied types with and without the prefilter", () => {
    fc.assert(fc.property(flow, configs, (text, config) => {
      const fast = new ScanContext(() => [], config);
      const full = new ScanContext(() => [], config);
      full.prefilter = false;
      const denied = (ctx: ScanContext) => scanText(text, "f.yml", ctx).findings.filter((f) => f.ruleId === "denied-task-type");
      assert.deepEqual(denied(fast), denied(full));
    }), { numRuns: 300 });
  });
});
