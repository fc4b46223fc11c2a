/**
 * The scanner through the real endpoint detector (detect), end to end through the `hardening` command:
 * obfuscated spellings land on the right line and column, the real Kestra corpus yields no error, and hostile
 * input neither hangs nor crashes.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../cli/index";
import { defaultDetector as defaultDetect } from "../../scan/detector";
import { ScanContext, scanPaths, scanText } from "../../scan/scanner";
import type { ScanConfig } from "../../scan/config";
import { CORPUS, FIXTURES, fakeIO, removeTree, tempTree } from "./helpers";

interface JsonFinding { file: string; line: number; column: number; ruleId: string; severity: string; endpoint: string | null; match: string; message: string }

async function scanJson(argv: string[], cwd: string) {
  const io = fakeIO(cwd);
  const code = await main(["scan", ...argv, "--format", "json"], io);
  assert.equal(io.err(), "");
  return { code, json: JSON.parse(io.out()) as { filesScanned: number; findings: JsonFinding[]; suppressed: number } };
}

describe("scan: through the endpoint detector", () => {
  it("places obfuscated references in a flow on their line and column, in their task", async () => {
    const { code, json } = await scanJson([path.join(FIXTURES, "flows/obfuscated.yml")], FIXTURES);
    assert.equal(code, 1);
    assert.deepEqual(json.findings.map((f) => [f.line, f.column, f.ruleId, f.endpoint, f.match]), [
      [6, 18, "metadata-endpoint", "169.254.169.254", "0xa9fea9fe"],
      [11, 22, "metadata-endpoint", "169.254.169.254", "[::ffff:169.254.169.254]"],
      [12, 25, "metadata-endpoint", "169.254.169.254", "169.254.169.254.nip.io"],
      [15, 26, "metadata-endpoint", "169.254.169.254", "169\\u002e254\\u002e169\\u002e254"],
    ]);
    // The spelling words are the detector's; the scanner adds the endpoint, its id and the task around it.
    assert.match(json.findings[0].message,
      /^references the metadata endpoint 169\.254\.169\.254 \(aws-imds, gcp-metadata, azure-imds, oci-imds, digitalocean-metadata, openstack-metadata, hetzner-metadata\) as .*hex.*, in task "fetch" \(io\.kestra\.plugin\.core\.http\.Request\)$/);
    // AWS DNS (169.254.169.253) and a version string on line 18 are not findings.
    assert.ok(!json.findings.some((f) => f.line === 18));
  });

  it("finds references in inline inputFiles, env and base64 user data, in their task", async () => {
    const { json } = await scanJson([path.join(FIXTURES, "flows/inputs.yml")], FIXTURES);
    assert.deepEqual(json.findings.map((f) => [f.line, f.column, f.endpoint]), [
      [9, 36, "metadata.google.internal"], [11, 19, "169.254.169.254"],
    ]);
    assert.match(json.findings[1].message, /^references the metadata endpoint 169\.254\.169\.254 \(aws-imds, gcp-metadata, azure-imds, oci-imds, digitalocean-metadata, openstack-metadata, hetzner-metadata\) as .*base64.*, in task "py" \(io\.kestra\.plugin\.scripts\.python\.Commands\)$/);
  });

  it("scans every other text file: Dockerfile, .env, Terraform, Python (and leaves AWS NTP alone)", async () => {
    const { code, json } = await scanJson(["mixed"], FIXTURES);
    assert.equal(code, 1);
    assert.equal(json.filesScanned, 4);
    assert.deepEqual(json.findings.map((f) => [f.file, f.line, f.column, f.endpoint]), [
      ["mixed/.env", 2, 21, "fd00:ec2::254"],
      ["mixed/Dockerfile", 3, 21, "169.254.169.254"],
      ["mixed/main.tf", 3, 28, "169.254.170.2"],
      ["mixed/probe.py", 3, 21, "169.254.169.254"],
    ]);
  });

  describe("the real Kestra corpus", function () {
    this.timeout(120000);
    it("has no error finding in any flow; the corpus README's quoted addresses are the only ones, suppressed by a reasoned exception", async () => {
      const dir = tempTree({
        "scan.yml": [
          // An allow list makes every flow go through the YAML parser.
          "plugins:",
          "  allow: [\"*\"]",
          "exceptions:",
          "  - file: \"**/SOURCES.md\"",
          "    ruleId: metadata-endpoint",
          "    reason: the corpus README quotes the addresses it was searched for",
          "  - file: \"**/SOURCES.md\"",
          "    ruleId: link-local-address",
          "    reason: the corpus README quotes the addresses it was searched for",
          "  - file: \"**/kestra-io__blueprints__flows_kubernetes-script-runner.yml\"",
          "    ruleId: kestra-runner-escape",
          "    reason: blueprint of a per-flow runner connection to a test cluster; workers pin the runner",
          // A true positive: the blueprint pins the Docker runner to the host's network "only for local testing".
          "runnerEscapes:",
          "  exceptions:",
          "    - namespace: system",
          "      kinds: [host-network]",
          "      reason: blueprint for local minikube testing; never run on a worker",
        ].join("\n"),
      });
      try {
        const { code, json } = await scanJson([CORPUS, "--config", path.join(dir, "scan.yml")], dir);
        assert.equal(json.filesScanned, fs.readdirSync(CORPUS).length);
        assert.deepEqual(json.findings.filter((f) => f.severity === "error"), []);
        assert.equal(code, 0);
        assert.equal(json.suppressed, 6);
        // Every flow was parsed (plugin control is on); the deliberately broken ones are warnings.
        const invalid = json.findings.filter((f) => f.ruleId === "invalid-yaml").map((f) => path.basename(f.file));
        assert.ok(invalid.includes("kestra-io__kestra__core_src_test_resources_flows_invalids_duplicate-key.yml"), invalid.join(", "));
      } finally {
        removeTree(dir);
      }
    });

    it("denies the shell tasks the corpus really uses when plugin control says so", () => {
      const report = scanPaths([CORPUS], { cwd: CORPUS, detect: defaultDetect, config: { plugins: { deny: ["io.kestra.plugin.scripts.shell.*"] } } });
      const denied = report.findings.filter((f) => f.ruleId === "denied-task-type");
      assert.ok(denied.length > 0);
      for (const f of denied) assert.match(f.match, /^io\.kestra\.(plugin\.scripts\.shell\.|core\.tasks\.scripts\.Bash)/);
    });
  });

  describe("the parse prefilter", function () {
    this.timeout(120000);
    const configs: ScanConfig[] = [
      { plugins: { deny: ["io.kestra.plugin.scripts.shell.*"] } },
      { plugins: { deny: ["io.kestra.plugin.core.flow.Subflow", "io.kestra.plugin.core.log.*"] } },
      { plugins: { deny: ["io.kestra.plugin.scripts.*"], namespaces: [{ namespace: "company.*", deny: ["io.kestra.plugin.core.flow.*"] }] } },
    ];
    for (const config of configs) {
      it(`never changes a verdict on the corpus: ${JSON.stringify(config.plugins)}`, () => {
        const fast = new ScanContext(() => [], config);
        const full = new ScanContext(() => [], config);
        full.prefilter = false;
        let denied = 0;
        for (const name of fs.readdirSync(CORPUS).filter((f) => f.endsWith(".yml"))) {
          const text = fs.readFileSync(path.join(CORPUS, name), "utf8");
          const expected = scanText(text, name, full).findings.filter((f) => f.ruleId === "denied-task-type");
          assert.deepEqual(scanText(text, name, fast).findings.filter((f) => f.ruleId === "denied-task-type"), expected, name);
          denied += expected.length;
        }
        assert.ok(denied > 0);
      });
    }
  });

  describe("hostile input", function () {
    this.timeout(60000);
    let dir: string;
    afterEach(() => dir && removeTree(dir));

    it("scans a 100 MB single line and finds the reference at its end", () => {
      dir = tempTree({});
      const size = 100 * 1024 * 1024;
      const unit = Buffer.from("value=42 name=ok; ");
      const buf = Buffer.alloc(size);
      for (let i = 0; i < size; i += unit.length) unit.copy(buf, i);
      buf.write(" http://169.254.169.254/ ", size - 40);
      fs.writeFileSync(path.join(dir, "line.txt"), buf);
      const report = scanPaths(["."], { cwd: dir, detect: defaultDetect });
      assert.deepEqual(report.findings.map((f) => [f.line, f.column, f.ruleId]), [[1, size - 40 + 9, "metadata-endpoint"]]);
      assert.ok(report.findings[0].lineText.length <= 200);
    });

    it("survives invalid UTF-8, an alias bomb and deep nesting in flows, with plugin control on", () => {
      let bomb = "id: bomb\nnamespace: x\ntasks: []\nl0: &l0 [\"169.254.169.254\",\"lol\"]\n";
      for (let i = 1; i < 30; i++) bomb += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(",")}]\n`;
      dir = tempTree({
        "utf8.yml": Buffer.concat([Buffer.from("id: a\nnamespace: b\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: \""),
          Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]), Buffer.from(" http://169.254.169.254\"\n")]),
        "bomb.yml": bomb,
        "deep.yml": "id: d\nnamespace: x\ntasks: []\nx: " + "[".repeat(50000) + "\"169.254.169.254\"" + "]".repeat(50000) + "\n",
        "deep-block.yml": "id: d\nnamespace: x\ntype: t\n" + Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + "\n",
      });
      const t0 = Date.now();
      const report = scanPaths(["."], { cwd: dir, detect: defaultDetect, config: { plugins: { allow: ["io.kestra.*"] } } });
      assert.ok(Date.now() - t0 < 30000);
      const byFile = (file: string) => report.findings.filter((f) => f.file === file).map((f) => `${f.line}:${f.column} ${f.ruleId}`);
      assert.deepEqual(byFile("utf8.yml"), ["6:29 metadata-endpoint"]); // 6 undecodable bytes became 6 U+FFFD before it
      assert.deepEqual(byFile("bomb.yml"), ["4:11 metadata-endpoint"]);
      assert.ok(byFile("deep.yml").includes("4:50005 metadata-endpoint"), byFile("deep.yml").join(", "));
      assert.ok(byFile("deep.yml").some((f) => f.endsWith("invalid-yaml")));
      assert.ok(byFile("deep-block.yml").some((f) => f.endsWith("invalid-yaml")));
    });
  });
});
