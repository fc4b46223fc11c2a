import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseScanConfig } from "../../scan/config";
import { ScanContext, scanPaths, scanText } from "../../scan/scanner";
import { UnreadablePathError } from "../../scan/walk";
import { FIXTURES, literalDetect, removeTree, tempTree } from "./helpers";

const ctx = (config = {}) => new ScanContext(literalDetect, config);
const at = (r: { findings: readonly { line: number; column: number; ruleId: string }[] }) =>
  r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`);

describe("scan: scanner", () => {
  describe("positions from the raw text", () => {
    it("maps offsets in block scalars, quoted scalars and CRLF files to 1-based line and column", () => {
      const text = [
        "id: a", "namespace: b", "tasks:", "  - id: t", "    type: io.kestra.plugin.scripts.shell.Script",
        "    script: |", "      echo start", "      curl http://169.254.169.254/latest", "    env:",
        "      X: \"\\t169.254.169.254\"",
      ].join("\r\n");
      assert.deepEqual(at(scanText(text, "f.yml", ctx())), ["8:19 metadata-endpoint", "10:13 metadata-endpoint"]);
    });

    it("counts columns in UTF-16 code units after multi-byte characters", () => {
      const r = scanText("é😀 169.254.169.254\n", "f.sh", ctx());
      assert.deepEqual(at(r), ["1:5 metadata-endpoint"]);
      assert.deepEqual(r.findings[0].end, { endLine: 1, endColumn: 20 });
    });

    it("names the innermost task of a flow in the message", () => {
      const text = fs.readFileSync(path.join(FIXTURES, "flows/nested.yml"), "utf8");
      const r = scanText(text, "nested.yml", ctx());
      assert.equal(r.findings.length, 1);
      assert.equal(r.findings[0].message,
        "references the metadata endpoint 169.254.169.254 (aws-imds, gcp-metadata, azure-imds, oci-imds, digitalocean-metadata, openstack-metadata, hetzner-metadata) as dotted-decimal IPv4, in task \"fetch\" (io.kestra.plugin.scripts.shell.Commands)");
      assert.equal(r.findings[0].line, 26);
    });
  });

  describe("plugin control", () => {
    const denyShell = parseScanConfig(fs.readFileSync(path.join(FIXTURES, "configs/deny-shell.yml"), "utf8"), "deny-shell.yml");
    const allowCore = parseScanConfig(fs.readFileSync(path.join(FIXTURES, "configs/allow-core.json"), "utf8"), "allow-core.json");

    it("reports a denied type nested in flowable tasks at its position", () => {
      const text = fs.readFileSync(path.join(FIXTURES, "flows/nested.yml"), "utf8");
      const r = scanText(text, "nested.yml", ctx(denyShell));
      const denied = r.findings.filter((f) => f.ruleId === "denied-task-type");
      assert.deepEqual(denied.map((f) => [f.line, f.column, f.severity, f.match, f.message]), [[
        22, 23, "error", "io.kestra.plugin.scripts.shell.Commands",
        "task \"fetch\" in namespace company.team is not allowed: io.kestra.plugin.scripts.shell.Commands matches deny pattern \"io.kestra.plugin.scripts.shell.*\"",
      ]]);
    });

    it("sees a type whose key or value is spelled with YAML escapes", () => {
      const text = 'id: a\nnamespace: company.team\ntasks:\n  - id: t\n    "typ\\u0065": "io.kestra.plugin.scripts.sh\\u0065ll.Commands"\n';
      assert.ok(!text.includes("type"));
      assert.deepEqual(at(scanText(text, "f.yml", ctx(denyShell))), ["5:18 denied-task-type"]);
    });

    it("applies the namespace override", () => {
      const text = fs.readFileSync(path.join(FIXTURES, "flows/nested.yml"), "utf8").replace("company.team", "platform.ops");
      assert.deepEqual(scanText(text, "nested.yml", ctx(denyShell)).findings.filter((f) => f.ruleId === "denied-task-type"), []);
    });

    it("matches legacy names by what they are", () => {
      const text = fs.readFileSync(path.join(FIXTURES, "flows/legacy.yml"), "utf8");
      const r = scanText(text, "legacy.yml", ctx(denyShell));
      assert.deepEqual(r.findings.map((f) => [f.line, f.match]), [[8, "io.kestra.core.tasks.scripts.Bash"]]);
    });

    it("checks task runners and triggers against an allow list, and applies config exceptions with their reason", () => {
      const nested = scanText(fs.readFileSync(path.join(FIXTURES, "flows/nested.yml"), "utf8"), "flows/nested.yml", ctx(allowCore));
      assert.deepEqual(nested.findings.filter((f) => f.ruleId === "denied-task-type").map((f) => f.match), [
        "io.kestra.plugin.scripts.shell.Commands", "io.kestra.plugin.scripts.runner.docker.Docker",
      ]);
      const legacy = scanText(fs.readFileSync(path.join(FIXTURES, "flows/legacy.yml"), "utf8"), "flows/legacy.yml", ctx(allowCore));
      assert.deepEqual(legacy.findings, []);
      assert.deepEqual(legacy.suppressed.map((s) => [s.line, s.suppressedBy, s.reason]), [
        [8, "config", "legacy flow, migration tracked in TICKET-12"],
      ]);
    });

    it("reports invalid YAML in every YAML file, whether or not plugin control or a finding needed the parse", () => {
      const broken = "id: x\nnamespace: y\ntasks:\n  - id: a\n   type: io.kestra.plugin.core.log.Log\n";
      // No plugin control, no finding: the fast check cannot vouch for the file, so it is parsed.
      assert.deepEqual(at(scanText(broken, "f.yml", ctx())), ["5:1 invalid-yaml"]);
      // A deny list names nothing this file could spell: plugin control does not parse it, validation does.
      assert.deepEqual(at(scanText(broken, "f.yml", ctx(denyShell))), ["5:1 invalid-yaml"]);
      assert.deepEqual(at(scanText(broken, "f.yml", ctx(allowCore))), ["5:1 invalid-yaml"]);
      assert.deepEqual(at(scanText(broken.replace("core.log.Log", "scripts.shell.Commands"), "f.yml", ctx(denyShell))), ["5:1 invalid-yaml", "5:10 denied-task-type"]);
      // Other files are not YAML.
      assert.deepEqual(scanText(broken, "f.txt", ctx()).findings, []);
    });
  });

  describe("exceptions", () => {
    it("suppresses with a reasoned inline comment on the line or the line before, and counts it", () => {
      const text = [
        "curl http://169.254.169.254/ # hardening:ignore metadata-endpoint reason: SSRF regression test",
        "# hardening:ignore metadata-endpoint reason: documented example",
        "wget 169.254.169.254",
        "curl 169.254.169.254",
      ].join("\n");
      const r = scanText(text, "t.sh", ctx());
      assert.deepEqual(at(r), ["4:6 metadata-endpoint"]);
      assert.deepEqual(r.suppressed.map((s) => [s.line, s.suppressedBy, s.reason]), [
        [1, "comment", "SSRF regression test"], [3, "comment", "documented example"],
      ]);
    });

    it("reports a bare ignore as a warning and keeps the finding", () => {
      const r = scanText("curl 169.254.169.254 # hardening:ignore metadata-endpoint\n", "t.sh", ctx());
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity]), [["metadata-endpoint", "error"], ["invalid-ignore", "warning"]]);
      assert.equal(r.findings[1].message,
        "this hardening:ignore comment gives no reason, so it suppresses nothing; write \"hardening:ignore <rule-id> reason: <why>\"");
    });

    it("honours inlineIgnores: false", () => {
      const r = scanText("curl 169.254.169.254 # hardening:ignore metadata-endpoint reason: x\n", "t.sh", ctx({ inlineIgnores: false }));
      assert.deepEqual(at(r), ["1:6 metadata-endpoint"]);
    });
  });

  describe("bad input, nothing lost", () => {
    let dir: string;
    afterEach(() => dir && removeTree(dir));

    it("reports invalid YAML as a warning with the parser's message and still scans the raw text", () => {
      dir = tempTree({ "bad.yml": "id: x\nnamespace: y\ntasks:\n  - id: a\n   type: b\n   url: http://169.254.169.254\n" });
      const r = scanPaths(["."], { cwd: dir, detect: literalDetect });
      assert.deepEqual(r.findings.map((f) => [f.line, f.column, f.ruleId, f.severity]), [
        [5, 1, "invalid-yaml", "warning"], [6, 16, "metadata-endpoint", "error"],
      ]);
      assert.match(r.findings[0].message, /^invalid YAML: Sequence item without - indicator/);
    });

    it("validates every YAML file without plugin control or findings: an alias bomb and deep nesting neither hang nor crash", () => {
      let bomb = "id: bomb\nnamespace: x\nl0: &l0 [\"lol\",\"lol\"]\n";
      for (let i = 1; i < 30; i++) bomb += `l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(",")}]\n`;
      dir = tempTree({
        "bomb.yml": bomb,
        "deep.yml": `id: d\nnamespace: x\nx: ${"[".repeat(50000)}${"]".repeat(50000)}\n`,
        "deep-block.yml": `id: d\nnamespace: x\n${Array.from({ length: 3000 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")}\n`,
        "ok.yml": "id: fine\nnamespace: x\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n",
        "dup.yaml": "id: a\nnamespace: x\nid: b\n",
      });
      const t0 = Date.now();
      const r = scanPaths(["."], { cwd: dir, detect: literalDetect });
      assert.ok(Date.now() - t0 < 20000);
      // The bomb is valid YAML (aliases are never expanded); the deep ones overflow the parser, which says so.
      assert.deepEqual(r.findings.map((f) => [f.file, f.ruleId]), [
        ["deep-block.yml", "invalid-yaml"], ["deep.yml", "invalid-yaml"], ["dup.yaml", "invalid-yaml"],
      ]);
      assert.equal(r.filesScanned, 5);
      const dup = r.findings.find((f) => f.file === "dup.yaml")!;
      assert.deepEqual([dup.line, dup.column], [3, 1]);
      assert.match(dup.message, /^invalid YAML: Map keys must be unique/);
    });

    it("says when a YAML file over the flow limit could not be validated", () => {
      const allowCore = { plugins: { allow: ["io.kestra.plugin.core.*"] } };
      const limit = (config = {}) => new ScanContext(literalDetect, config, 100);
      const plain = `id: a\nnamespace: b\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: ${"x".repeat(100)}\n`;
      const odd = plain.replace("id: t", "id: &anchor t");
      // The fast check runs on any size: what it vouches for needs no parse.
      assert.deepEqual(scanText(plain, "f.yml", limit()).findings, []);
      const messages = (text: string, config = {}) => scanText(text, "f.yml", limit(config)).findings.map((f) => `${f.ruleId}: ${f.message}`);
      assert.deepEqual(messages(odd), [
        `not-scanned: YAML of ${odd.length} characters is over the 100-character flow limit; its validity was not checked (its text was scanned)`,
      ]);
      assert.deepEqual(messages(plain, allowCore), [
        `not-scanned: YAML of ${plain.length} characters is over the 100-character flow limit; its plugin types were not checked (its text was scanned)`,
      ]);
      assert.deepEqual(messages(odd, allowCore), [
        `not-scanned: YAML of ${odd.length} characters is over the 100-character flow limit; its plugin types and its validity were not checked (its text was scanned)`,
      ]);
    });

    it("reads and counts binary-looking files, reads UTF-16 with a BOM, survives invalid UTF-8", () => {
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("Invoke-WebRequest http://169.254.169.254/\r\n", "utf16le")]);
      dir = tempTree({
        "a.bin": Buffer.concat([Buffer.from("169.254.169.254"), Buffer.from([0, 1, 2, 3])]),
        "b.ps1": utf16,
        "c.sh": Buffer.concat([Buffer.from([0xc3, 0x28, 0xff, 0x0a]), Buffer.from("curl 169.254.169.254\n")]),
      });
      const r = scanPaths(["."], { cwd: dir, detect: literalDetect });
      assert.equal(r.binaryFilesSkipped, 0);
      assert.equal(r.binaryFilesScanned, 1);
      assert.equal(r.filesScanned, 3);
      assert.deepEqual(r.findings.map((f) => `${f.file}:${f.line}:${f.column}`), ["a.bin:1:1", "b.ps1:1:26", "c.sh:2:6"]);
    });

    it("walks folders in a stable order, counts .git, reads node_modules, reports symlinks out of the roots unread", () => {
      dir = tempTree({
        "root/flows/a.yml": "x: 169.254.169.254\n",
        "root/flows/sub/b.env": "URL=http://169.254.169.254\n",
        "root/.git/config": "url = http://169.254.169.254\n",
        "root/node_modules/x/index.js": "fetch('http://169.254.169.254')\n",
        "outside/secret.txt": "169.254.169.254\n",
      });
      fs.symlinkSync(path.join(dir, "outside"), path.join(dir, "root/flows/link-out"));
      fs.symlinkSync(path.join(dir, "outside/secret.txt"), path.join(dir, "root/flows/link-file"));
      const r = scanPaths(["root"], { cwd: dir, detect: literalDetect });
      assert.deepEqual(r.findings.map((f) => `${f.file} ${f.ruleId}`), [
        "root/flows/a.yml metadata-endpoint", "root/flows/link-file not-scanned", "root/flows/link-out not-scanned",
        "root/flows/sub/b.env metadata-endpoint", "root/node_modules/x/index.js metadata-endpoint",
      ]);
      assert.ok(r.findings.every((f) => f.ruleId !== "not-scanned" || (f.severity === "error" && !f.message.includes("secret"))));
      assert.equal(r.symlinksSkipped, 0);
      assert.equal(r.ignoredFiles, 1);
      // A root named on the command line is followed, as grep -r does.
      const viaLink = scanPaths(["root/flows/link-out"], { cwd: dir, detect: literalDetect });
      assert.deepEqual(viaLink.findings.map((f) => f.file), ["root/flows/link-out/secret.txt"]);
    });

    it("names a path that does not exist, and every missing root at once", () => {
      dir = tempTree({ "a.yml": "x: 1\n" });
      assert.throws(() => scanPaths(["a.yml", "nope"], { cwd: dir, detect: literalDetect }),
        (e: Error) => e instanceof UnreadablePathError && e.message === "cannot read \"nope\": no such file or directory");
      assert.throws(() => scanPaths(["x", "y"], { cwd: dir, detect: literalDetect }),
        (e: Error) => e.message === "cannot read \"x, y\": \"x\": no such file or directory; \"y\": no such file or directory");
    });

    it("refuses a FIFO named as a root and skips one inside a tree without blocking", () => {
      dir = tempTree({ "t/a.sh": "curl 169.254.169.254\n" });
      execFileSync("mkfifo", [path.join(dir, "t/pipe")]);
      assert.throws(() => scanPaths(["t/pipe"], { cwd: dir, detect: literalDetect }), /not a regular file or directory/);
      const r = scanPaths(["t"], { cwd: dir, detect: literalDetect });
      assert.deepEqual(r.findings.map((f) => f.file), ["t/a.sh"]);
    });

    it("reports a file over the size limit instead of reading it", () => {
      dir = tempTree({ "big.txt": "169.254.169.254\n".repeat(100) });
      const r = scanPaths(["."], { cwd: dir, detect: literalDetect, maxFileBytes: 1000 });
      assert.deepEqual(r.findings.map((f) => [f.ruleId, f.severity, f.message]), [
        ["not-scanned", "error", "file of 1600 bytes is over the 1000-byte limit and was not scanned"],
      ]);
    });

    it("reads files longer than its read buffer whole, and measures one over the limit without reading it all", () => {
      // The scanner reads into a 1 MiB buffer and asks a file's size only when the file fills it.
      const filler = "# padding line of a long flow\n".repeat(120_000); // 3.6 MB
      dir = tempTree({ "long.sh": `${filler}curl 169.254.169.254\n`, "huge.sh": `${filler}${filler}` });
      const r = scanPaths(["."], { cwd: dir, detect: literalDetect, maxFileBytes: 5_000_000 });
      assert.deepEqual(r.findings.map((f) => [f.file, f.ruleId, f.line, f.message]), [
        ["huge.sh", "not-scanned", 1, `file of ${2 * filler.length} bytes is over the 5000000-byte limit and was not scanned`],
        ["long.sh", "metadata-endpoint", 120_001, r.findings[1]?.message],
      ]);
    });

    it("never writes to the scanned tree", () => {
      dir = tempTree({
        "flows/a.yml": fs.readFileSync(path.join(FIXTURES, "flows/nested.yml")),
        "flows/bad.yml": "id: x\n  - : [\n",
        "flows/b.sh": "curl 169.254.169.254 # hardening:ignore metadata-endpoint\n",
      });
      const snapshot = () => fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).sort().map((rel) => {
        const full = path.join(dir, rel);
        const st = fs.statSync(full);
        return [rel, st.mtimeMs, st.isFile() ? fs.readFileSync(full, "base64") : "dir"];
      });
      const before = snapshot();
      scanPaths(["flows"], { cwd: dir, detect: literalDetect, config: { plugins: { deny: ["*"] } } });
      assert.deepEqual(snapshot(), before);
    });
  });
});

describe("scan: roots", () => {
  it("reports each file once when roots repeat or nest", () => {
    const dir = tempTree({ "flows/a.yml": "x: 169.254.169.254\n", "flows/sub/b.yml": "y: 169.254.169.254\n" });
    try {
      const r = scanPaths(["flows/sub/b.yml", "flows", "./flows", "flows/sub"], { cwd: dir, detect: literalDetect });
      assert.deepEqual(r.findings.map((f) => f.file), ["flows/a.yml", "flows/sub/b.yml"]);
      assert.equal(r.filesScanned, 2);
    } finally {
      removeTree(dir);
    }
  });
});
