/**
 * The runner-escape parse prefilters never hide an escape: whatever YAML spelling a flow uses for the runner type
 * and the setting's key (plain, any case for the type, a Kelvin sign for its `k`, quoted, one character
 * `\u`-escaped, on the next line, as a block scalar, a double-quoted key split by an escaped line break, an anchored
 * key used through an alias), a flow in which findRunnerEscapes finds something passes both the text gate
 * (mayHaveRunnerEscape) and, when the fast validity check vouches for the flow, the gate on what that check noted
 * (mayHaveRunnerEscapeNoted). Every generated flow must really hold an escape (the positive control: the spellings
 * are ones the YAML parser reads as the key). And a scan with the gates reports exactly what one without them
 * reports, on the corpus and the fixtures (differential).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { findRunnerEscapes, mayHaveRunnerEscape, mayHaveRunnerEscapeNoted, RUNNER_KEY_WATCH } from "../../scan/runnerEscapes";
import { ScanContext, scanPaths, scanPathsWith, scanText } from "../../scan/scanner";
import { vouchForYaml, YamlNotes } from "../../scan/yamlVouch";
import { KESTRA_FLOWS_DIR } from "../corpus";
import { FIXTURES, literalDetect, scanFlowsWithToggle } from "./helpers";

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

const TYPE_SPELLINGS = ["plain", "upper", "kelvin", "double", "single", "escaped", "padded", "comment", "nextLine", "block", "continued", "quotedBreak"] as const;
/** Spellings a single-line flow mapping cannot hold: it gets the type written plainly. */
const MULTI_LINE_TYPES: readonly string[] = ["comment", "nextLine", "block", "continued", "quotedBreak"];
const KEY_SPELLINGS = ["plain", "double", "single", "escaped", "folded", "alias", "flow"] as const;

/** The type as written after `type:` on a line indented by 6 (continuation lines by 8). */
function typeText(type: string, how: (typeof TYPE_SPELLINGS)[number], at: number): string {
  switch (how) {
    case "upper": return type.toUpperCase();
    // U+212A lower-cases to `k`, in JavaScript as in Java.
    case "kelvin": return type.replace(/k/g, "\u212a");
    case "double": return `"${type}"`;
    case "single": return `'${type}'`;
    case "escaped": return `"${escapeAt(type, at % type.length)}"`;
    // White space String.prototype.trim drops (typeOf trims): a no-break space, an ideographic space, a space.
    case "padded": return `"\u00a0${type}\u3000 "`;
    case "comment": return `${type}  # the runner`;
    case "nextLine": return `\n        ${type}`;
    case "block": return `|-\n        ${type}`;
    // A plain scalar whose first line is a no-break space, which String.prototype.trim drops.
    case "continued": return `\u00a0\n        ${type}`;
    // A double-quoted scalar starting with a line break (folded to a space, which trim drops).
    case "quotedBreak": return `"\n        ${type}"`;
    default: return type;
  }
}

/** A flow whose task runner holds `key: value`, both spelled as asked. */
function flow(setting: [string, string, string], typeHow: (typeof TYPE_SPELLINGS)[number], keyHow: (typeof KEY_SPELLINGS)[number], n: number): string {
  const [type, key, value] = setting;
  const t = typeText(type, typeHow, n);
  const at = 1 + (n % (key.length - 1));
  const head = ["id: f", "namespace: company.team"];
  const task = ["tasks:", "  - id: t", "    type: io.kestra.plugin.scripts.shell.Commands", "    commands: [echo]", "    taskRunner:", `      type: ${t}`];
  // The type and the setting in one single-line flow mapping (a type spelled over lines is written plainly there).
  if (keyHow === "flow") return [...head, ...task.slice(0, -2), `    taskRunner: {type: ${MULTI_LINE_TYPES.includes(typeHow) ? type : t}, ${key}: ${value}}`, ""].join("\n");
  switch (keyHow) {
    case "double": return [...head, ...task, `      "${key}": ${value}`, ""].join("\n");
    case "single": return [...head, ...task, `      '${key}': ${value}`, ""].join("\n");
    case "escaped": return [...head, ...task, `      "${escapeAt(key, at)}": ${value}`, ""].join("\n");
    // An escaped line break joins the two halves with nothing between them.
    case "folded": return [...head, ...task, `      "${key.slice(0, at)}\\`, `        ${key.slice(at)}": ${value}`, ""].join("\n");
    case "alias": return [...head, `labels: {k: &k ${key}}`, ...task, `      *k : ${value}`, ""].join("\n");
    default: return [...head, ...task, `      ${key}: ${value}`, ""].join("\n");
  }
}

/**
 * Asserts that `text` holds an escape (the positive control) and that both gates let it through: the text gate, and
 * the noted gate when the fast validity check vouches for the text. True when it vouched.
 */
function bothGatesPass(text: string): boolean {
  assert.ok(findRunnerEscapes(text).length > 0, `positive control: no escape found in\n${text}`);
  assert.ok(mayHaveRunnerEscape(text), `the prefilter passed over an escape in\n${text}`);
  const notes = new YamlNotes(RUNNER_KEY_WATCH);
  if (!vouchForYaml(text, notes)) return false;
  assert.ok(mayHaveRunnerEscapeNoted(notes), `the noted gate passed over an escape in\n${text}\nnotes: ${JSON.stringify({ ...notes, watch: undefined })}`);
  return true;
}

describe("scan: runner-escape prefilter", () => {
  it("passes every flow that holds an escape, however the type and key are spelled (every combination)", function () {
    this.timeout(120_000);
    let vouched = 0;
    let total = 0;
    for (const setting of SETTINGS) {
      for (const typeHow of TYPE_SPELLINGS) {
        for (const keyHow of KEY_SPELLINGS) {
          // An escaped character at every position of the type; one key spelling per position of the key.
          const positions = typeHow === "escaped" ? setting[0].length : ["escaped", "folded"].includes(keyHow) ? setting[1].length : 1;
          for (let n = 0; n < positions; n++) {
            const text = flow(setting, typeHow, keyHow, n);
            total++;
            if (bothGatesPass(text)) vouched++;
          }
        }
      }
    }
    // The noted gate is really exercised: all but the escaped, folded and aliased keys are vouched for.
    assert.ok(vouched >= total / 3, `only ${vouched} of ${total} flows were vouched for`);
  });

  it("passes every PodCreate whose pod spec asks for the node, however the pod setting's key is spelled", () => {
    // [path under spec, in block lines indented by 6] of one escape each; the last key of each is the one spelled.
    const POD: readonly (readonly string[])[] = [
      ["hostNetwork: true"], ["hostPID: true"], ["hostIPC: true"], ["automountServiceAccountToken: true"],
      ["volumes:", "  - name: root", "    hostPath:", "      path: /"],
      ["containers:", "  - name: c", "    securityContext:", "      privileged: true"],
      ["containers:", "  - name: c", "    securityContext:", "      capabilities:", "        add: [NET_ADMIN]"],
    ];
    const spell = (line: string, how: (typeof KEY_SPELLINGS)[number], n: number): string => {
      const m = /^(\s*(?:- )?)([A-Za-z]+):(.*)$/.exec(line)!;
      const [, lead, key, rest] = m;
      const at = 1 + (n % (key.length - 1));
      switch (how) {
        case "double": return `${lead}"${key}":${rest}`;
        case "single": return `${lead}'${key}':${rest}`;
        case "escaped": return `${lead}"${escapeAt(key, at)}":${rest}`;
        case "folded": return `${lead}"${key.slice(0, at)}\\\n${" ".repeat(6 + lead.length + 2)}${key.slice(at)}":${rest}`;
        case "alias": return `${lead}*k :${rest}`;
        default: return line;
      }
    };
    let vouched = 0;
    let total = 0;
    for (const setting of POD) {
      const key = /([A-Za-z]+):/.exec(setting[setting.length - 1])![1];
      for (const how of KEY_SPELLINGS) {
        for (let n = 0; n < (["escaped", "folded"].includes(how) ? key.length : 1); n++) {
          // The flow spelling writes the whole spec as one single-line flow mapping with plain keys.
          const flowSpec = () => JSON.stringify(YAML.parse(setting.join("\n"))).replace(/"([A-Za-z]+)":/g, "$1: ").replace(/,/g, ", ");
          const lines = how === "flow" ? [] : setting.map((l, i) => "      " + (i === setting.length - 1 ? spell(l, how, n) : l));
          const text = [
            "id: f", "namespace: company.team", ...(how === "alias" ? [`labels: {k: &k ${key}}`] : []), "tasks:", "  - id: t",
            "    type: io.kestra.plugin.kubernetes.core.PodCreate", how === "flow" ? `    spec: ${flowSpec()}` : "    spec:", ...lines, "",
          ].join("\n");
          total++;
          if (bothGatesPass(text)) vouched++;
        }
      }
    }
    // The noted gate is really exercised: the plain, quoted and flow spellings (no escape, no alias) are vouched for.
    assert.ok(vouched >= POD.length * 4, `only ${vouched} of ${total} flows were vouched for`);
    // Negative control: a PodCreate with a harmless spec is not sent to the parse when the fast check vouches for it.
    const harmless = ["id: f", "namespace: company.team", "tasks:", "  - id: t", "    type: io.kestra.plugin.kubernetes.core.PodCreate",
      "    spec:", "      containers:", "        - name: c", "          image: debian", ""].join("\n");
    const notes = new YamlNotes(RUNNER_KEY_WATCH);
    assert.ok(vouchForYaml(harmless, notes) && !mayHaveRunnerEscapeNoted(notes));
  });

  it("a scan checks a runner type spelled with a Kelvin sign, whether the fast check vouches for the flow or not", () => {
    const ctx = new ScanContext(literalDetect);
    const type = "io.kestra.plugin.scripts.runner.docker.Docker".replace(/k/g, "\u212a");
    const flowText = (extra: string) => ["id: f", "namespace: company.team", "tasks:", "  - id: t", "    type: io.kestra.plugin.scripts.shell.Commands",
      `    commands: [${extra}]`, "    taskRunner:", `      type: ${type}`, "      networkMode: host", ""].join("\n");
    // Without a reference the fast check vouches and the noted gate decides; with one the file is parsed and the
    // text gate decides.
    for (const text of [flowText("echo"), flowText("curl http://169.254.169.254/")]) {
      const kinds = scanText(text, "f.yml", ctx).findings.map((f) => f.ruleId);
      assert.ok(kinds.includes("kestra-runner-escape"), `no runner escape reported in\n${text}`);
    }
  });

  it("a scan reports exactly what it reports with the gates off, on the corpus and the fixtures (differential)", function () {
    this.timeout(120_000);
    let escapes = 0;
    let files = 0;
    scanFlowsWithToggle("prefilter", (gated, ungated, flow) => {
      assert.deepEqual(gated, ungated, flow.name);
      escapes += ungated.findings.filter((x) => x.ruleId === "kestra-runner-escape").length;
      files++;
    });
    // Positive control: the runner fixtures and the corpus's flagged blueprints hold escapes.
    assert.ok(files > 800 && escapes >= 10, `${files} files, ${escapes} runner escapes`);
  });

  it("the benchmark's scan without the runner-escape check differs from the scan only by the runner escapes", function () {
    // tests/bench/scan.bench.ts reports that check's cost as the time of a scan with it off: the rest of the scan
    // must be the same work, finding exactly the same things.
    this.timeout(120_000);
    const isEscape = (x: { ruleId: string }) => x.ruleId === "kestra-runner-escape";
    let escapes = 0;
    scanFlowsWithToggle("runnerEscapeCheck", (all, rest, flow) => {
      escapes += all.findings.filter(isEscape).length;
      assert.deepEqual(rest, { findings: all.findings.filter((x) => !isEscape(x)), suppressed: all.suppressed.filter((x) => !isEscape(x)) }, flow.name);
    });
    assert.ok(escapes >= 10, `${escapes} runner escapes`);
    // The same through scanPathsWith, which the benchmark calls with that context.
    const dir = path.join(FIXTURES, "runners");
    const off = new ScanContext(literalDetect);
    off.runnerEscapeCheck = false;
    const ruleIds = (r: { findings: readonly { ruleId: string }[] }) => r.findings.map((x) => x.ruleId);
    assert.ok(ruleIds(scanPaths([dir], { cwd: dir, detect: literalDetect })).includes("kestra-runner-escape"));
    assert.ok(!ruleIds(scanPathsWith([dir], { cwd: dir, detect: literalDetect }, off)).includes("kestra-runner-escape"));
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
