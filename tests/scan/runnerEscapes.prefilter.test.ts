/**
 * The runner-escape parse prefilter (mayHaveRunnerEscape) never hides an escape: whatever YAML spelling a flow uses
 * for the runner type and the setting's key (plain, any case for the type, quoted, one character `\u`-escaped, a
 * double-quoted key split by an escaped line break, an anchored key used through an alias), a flow in which findRunnerEscapes finds something passes the prefilter. Every generated flow
 * must really hold an escape (the positive control: the spellings are ones the YAML parser reads as the key).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { findRunnerEscapes, mayHaveRunnerEscape } from "../../scan/runnerEscapes";
import { KESTRA_FLOWS_DIR } from "../corpus";
import { FIXTURES } from "./helpers";

const escapeAt = (s: string, at: number): string => s.slice(0, at) + `\\u${s.charCodeAt(at).toString(16).padStart(4, "0")}` + s.slice(at + 1);

/** [runner type, key, value] of one escape each. */
const SETTINGS: readonly [string, string, string][] = [
  ["io.kestra.plugin.scripts.runner.docker.Docker", "networkMode", "host"],
  ["io.kestra.plugin.scripts.runner.docker.Docker", "privileged", "true"],
  ["io.kestra.plugin.scripts.runner.docker.DockerTaskRunner", "pidMode", "host"],
  ["io.kestra.plugin.docker.Run", "volumes", "[/var/run/docker.sock:/var/run/docker.sock]"],
  ["io.kestra.plugin.docker.Run", "capAdd", "[SYS_ADMIN]"],
  ["io.kestra.plugin.ee.kubernetes.runner.Kubernetes", "serviceAccountName", "admin"],
  ["io.kestra.plugin.ee.kubernetes.runner.Kubernetes", "namespace", "kube-system"],
  ["io.kestra.plugin.kubernetes.runner.Kubernetes", "podSpec", "{hostNetwork: true}"],
  ["io.kestra.plugin.kubernetes.core.PodCreate", "spec", "{hostPID: true}"],
  ["io.kestra.plugin.kubernetes.PodCreate", "spec", "{volumes: [{name: r, hostPath: {path: /}}]}"],
];

const TYPE_SPELLINGS = ["plain", "upper", "double", "escaped"] as const;
const KEY_SPELLINGS = ["plain", "double", "escaped", "folded", "alias"] as const;

function typeText(type: string, how: (typeof TYPE_SPELLINGS)[number], at: number): string {
  if (how === "upper") return type.toUpperCase();
  if (how === "double") return `"${type}"`;
  if (how === "escaped") return `"${escapeAt(type, at % type.length)}"`;
  return type;
}

/** A flow whose task runner holds `key: value`, both spelled as asked. */
function flow(setting: [string, string, string], typeHow: (typeof TYPE_SPELLINGS)[number], keyHow: (typeof KEY_SPELLINGS)[number], n: number): string {
  const [type, key, value] = setting;
  const t = typeText(type, typeHow, n);
  const at = 1 + (n % (key.length - 1));
  const head = ["id: f", "namespace: company.team"];
  const task = ["tasks:", "  - id: t", "    type: io.kestra.plugin.scripts.shell.Commands", "    commands: [echo]", "    taskRunner:", `      type: ${t}`];
  switch (keyHow) {
    case "double": return [...head, ...task, `      "${key}": ${value}`, ""].join("\n");
    case "escaped": return [...head, ...task, `      "${escapeAt(key, at)}": ${value}`, ""].join("\n");
    // An escaped line break joins the two halves with nothing between them.
    case "folded": return [...head, ...task, `      "${key.slice(0, at)}\\`, `        ${key.slice(at)}": ${value}`, ""].join("\n");
    case "alias": return [...head, `labels: {k: &k ${key}}`, ...task, `      *k : ${value}`, ""].join("\n");
    default: return [...head, ...task, `      ${key}: ${value}`, ""].join("\n");
  }
}

describe("scan: runner-escape prefilter", () => {
  it("passes every flow that holds an escape, however the type and key are spelled (property)", () => {
    fc.assert(fc.property(fc.constantFrom(...SETTINGS), fc.constantFrom(...TYPE_SPELLINGS), fc.constantFrom(...KEY_SPELLINGS), fc.nat(), (setting, typeHow, keyHow, n) => {
      const text = flow(setting, typeHow, keyHow, n);
      assert.ok(findRunnerEscapes(text).length > 0, `positive control: no escape found in\n${text}`);
      assert.ok(mayHaveRunnerEscape(text), `the prefilter passed over an escape in\n${text}`);
    }), { numRuns: 400 });
  });

  it("passes every fixture and corpus flow in which an escape is found", () => {
    const dirs = [path.join(FIXTURES, "runners"), KESTRA_FLOWS_DIR];
    let withEscapes = 0;
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
        const text = fs.readFileSync(path.join(dir, f), "utf8");
        if (findRunnerEscapes(text).length === 0) continue;
        withEscapes++;
        assert.ok(mayHaveRunnerEscape(text), `the prefilter passed over ${f}`);
      }
    }
    assert.ok(withEscapes >= 3, `expected the runner fixtures and the corpus's flagged blueprints, found ${withEscapes}`);
  });
});
