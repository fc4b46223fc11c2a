import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../cli/index";
import { makeScanCommand } from "../../cli/scan";
import { FIXTURES, fakeIO, literalDetect, removeTree, tempTree } from "../scan/helpers";

const REPO = path.resolve(__dirname, "..", "..");
const scan = makeScanCommand(literalDetect);

async function run(argv: string[], cwd: string) {
  const io = fakeIO(cwd);
  const code = await scan(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("cli: hardening scan", () => {
  let dir: string;
  beforeEach(() => {
    dir = tempTree({
      "flows/clean.yaml": fs.readFileSync(path.join(FIXTURES, "flows/clean.yaml")),
      "flows/nested.yml": fs.readFileSync(path.join(FIXTURES, "flows/nested.yml")),
      "flows/legacy.yml": fs.readFileSync(path.join(FIXTURES, "flows/legacy.yml")),
      "scripts/probe.sh": "#!/bin/sh\ncurl -s http://169.254.1.1/\n",
      "deny-shell.yml": fs.readFileSync(path.join(FIXTURES, "configs/deny-shell.yml")),
      "bad-config.yml": "plugins:\n  deny: [1]\n  allow: \"x\"\n",
    });
  });
  afterEach(() => removeTree(dir));

  it("exits 0 on a clean tree and says so", async () => {
    const r = await run(["flows/clean.yaml"], dir);
    assert.equal(r.code, 0);
    assert.equal(r.out, "no findings (1 file scanned, 0 suppressed)\n");
    assert.equal(r.err, "");
  });

  it("exits 0 with warnings only", async () => {
    const r = await run(["scripts"], dir);
    assert.equal(r.code, 0);
    assert.match(r.out, /^scripts\/probe\.sh\n {2}2:16 +warning +link-local-address +references the link-local address 169\.254\.1\.1/);
  });

  it("exits 1 on an endpoint reference, text grouped by file with a summary", async () => {
    const r = await run(["flows", "scripts"], dir);
    assert.equal(r.code, 1);
    assert.equal(r.out, [
      "flows/nested.yml",
      "  26:35     error    metadata-endpoint   references the metadata endpoint 169.254.169.254 (aws-imds, gcp-metadata, azure-imds, oci-imds, digitalocean-metadata, openstack-metadata, hetzner-metadata) as dotted-decimal IPv4, in task \"fetch\" (io.kestra.plugin.scripts.shell.Commands)",
      "",
      "scripts/probe.sh",
      "  2:16      warning  link-local-address  references the link-local address 169.254.1.1 as dotted-decimal IPv4",
      "",
      "1 error, 1 warning in 2 files (4 files scanned, 0 suppressed)",
      "",
    ].join("\n"));
  });

  it("prints the JSON contract exactly", async () => {
    const r = await run(["flows", "--format", "json", "--config", "deny-shell.yml"], dir);
    assert.equal(r.code, 1);
    const json = JSON.parse(r.out);
    assert.deepEqual(Object.keys(json), [
      "version", "filesScanned", "findings", "suppressed", "suppressions", "binaryFilesSkipped", "symlinksSkipped", "binaryFilesScanned", "ignoredFiles",
    ]);
    assert.equal(json.version, 1);
    assert.equal(json.filesScanned, 3);
    for (const f of json.findings) {
      assert.deepEqual(Object.keys(f), ["file", "line", "column", "ruleId", "severity", "endpoint", "match", "message"]);
    }
    assert.deepEqual(json.findings.map((f: { file: string; line: number; ruleId: string; endpoint: string | null }) => [f.file, f.line, f.ruleId, f.endpoint]), [
      ["flows/legacy.yml", 8, "denied-task-type", null],
      ["flows/nested.yml", 22, "denied-task-type", null],
      ["flows/nested.yml", 26, "metadata-endpoint", "169.254.169.254"],
    ]);
  });

  it("counts suppressions in the JSON and the text", async () => {
    fs.appendFileSync(path.join(dir, "scripts/probe.sh"), "# hardening:ignore metadata-endpoint reason: fixture\ncurl 169.254.169.254\n");
    const json = JSON.parse((await run(["scripts", "-f", "json"], dir)).out);
    assert.equal(json.suppressed, 1);
    assert.deepEqual(json.suppressions.map((s: { line: number; reason: string; suppressedBy: string }) => [s.line, s.suppressedBy, s.reason]), [[4, "comment", "fixture"]]);
    const text = await run(["scripts"], dir);
    assert.equal(text.code, 0);
    assert.match(text.out, /suppressed:\n {2}scripts\/probe\.sh:4:6 {2}metadata-endpoint {2}by comment: fixture\n/);
    assert.match(text.out, /\(1 file scanned, 1 suppressed\)\n$/);
  });

  const usage: [string, string[], RegExp][] = [
    ["a missing path", ["flows", "missing.yml"], /^cannot read "missing\.yml": no such file or directory$/],
    ["an invalid config", ["flows", "--config", "bad-config.yml"], /^--config bad-config\.yml: plugins\.allow "x" must be array; plugins\.deny\[0\] 1 must be string$/],
    ["an unreadable config", ["flows", "--config", "nope.yml"], /^--config "nope\.yml": cannot read: no such file or directory$/],
    ["an unknown format", ["flows", "--format", "xml"], /^--format "xml" is not one of text, json, sarif \(hardening scan --help shows the options\)$/],
    ["no path", [], /^scan needs at least one path \(hardening scan --help shows the options\)$/],
    ["an unknown flag", ["flows", "--frmat", "json"], /^unknown option --frmat; did you mean --format\?/],
  ];
  for (const [what, argv, message] of usage) {
    it(`exits 2 on ${what} (through the dispatcher: one line, no stack trace)`, async () => {
      const io = fakeIO(dir);
      // The dispatcher turns the command's UsageError into exit 2; the real detector is never reached here.
      const code = await main(["scan", ...argv], io);
      assert.equal(code, 2);
      const first = io.err().split("\n")[0];
      assert.match(first.replace(/^hardening scan: /, ""), message);
      assert.doesNotMatch(io.err(), /\n\s+at /);
      assert.equal(io.out(), "");
    });
  }

  it("runs as the real binary (bin/hardening.js) and prints the contract", function () {
    this.timeout(60000);
    const r = spawnSync(process.execPath, [path.join(REPO, "bin", "hardening.js"), "scan", "flows/clean.yaml", "--format", "json"], {
      cwd: dir, encoding: "utf8", timeout: 55000,
    });
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.deepEqual(JSON.parse(r.stdout), {
      version: 1, filesScanned: 1, findings: [], suppressed: 0, suppressions: [], binaryFilesSkipped: 0, symlinksSkipped: 0,
      binaryFilesScanned: 0, ignoredFiles: 0,
    });
    const missing = spawnSync(process.execPath, [path.join(REPO, "bin", "hardening.js"), "scan", "nowhere"], { cwd: dir, encoding: "utf8", timeout: 55000 });
    assert.equal(missing.status, 2);
    assert.equal(missing.stderr, "hardening scan: cannot read \"nowhere\": no such file or directory\n");
  });
});

describe("cli: hardening scan text output", () => {
  it("escapes control characters from the scanned tree so a crafted name cannot forge log lines", async () => {
    const dir = tempTree({ "evil\n  1:1 error forged.sh": "curl 169.254.169.254\n", "flow.yml": "id: a\nnamespace: b\ntasks:\n  - id: \"x\\e[2J\"\n    type: io.kestra.plugin.core.log.Log\n    message: 169.254.169.254\n" });
    try {
      const io = fakeIO(dir);
      assert.equal(await makeScanCommand(literalDetect)(["."], io), 1);
      assert.ok(!io.out().includes("\u001b"));
      assert.match(io.out(), /^evil\\u000a {2}1:1 error forged\.sh$/m);
      assert.match(io.out(), /in task "x\\u001b\[2J"/);
    } finally {
      removeTree(dir);
    }
  });
});
