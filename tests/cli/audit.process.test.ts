/**
 * `hardening audit` as a real process (bin/hardening.js with its node flags) over a folder of good, corrupt and
 * gzip state files: the exit code is 0 for clean, 1 for blocking findings, and 2 as soon as one file could not be
 * audited, while the others are still audited and reported.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";

const BIN = path.join(__dirname, "..", "..", "bin", "hardening.js");
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const template = (stack: string, name: string, httpTokens: string) => ({
  urn: `urn:pulumi:${stack}::kestra::${LT}::${name}`,
  type: LT,
  inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens, httpPutResponseHopLimit: 1 } },
});
const checkpoint = (stack: string, httpTokens: string) => JSON.stringify({ version: 3, checkpoint: { stack, latest: { resources: [template(stack, "w", httpTokens)] } } });

describe("hardening audit (real process): a folder of good, corrupt and gzip files", function () {
  this.timeout(120_000);
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-proc-"))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  };
  const run = (...argv: string[]) => spawnSync(process.execPath, [BIN, "audit", ...argv], { cwd: dir, encoding: "utf8", timeout: 60_000 });
  const stacks = (stdout: string) => (JSON.parse(stdout) as { stacks: { stack: string }[] }).stacks.map((s) => s.stack);

  it("exit 0: good JSON and a good gzip checkpoint, both audited", () => {
    write("clean/a.json", checkpoint("a", "required"));
    write("clean/b.json.gz", gzipSync(checkpoint("b", "required")));
    const r = run("--format", "json", "clean");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(stacks(r.stdout), ["a", "b"]);
    assert.equal(r.stderr, "");
  });

  it("exit 1: a blocking finding inside the gzip checkpoint", () => {
    write("weak/a.json", checkpoint("a", "required"));
    write("weak/b.json.gz", gzipSync(checkpoint("b", "optional")));
    const r = run("--format", "json", "weak");
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { violations: { urn: string }[] }).violations.map((v) => v.urn), [`urn:pulumi:b::kestra::${LT}::w`]);
  });

  it("exit 2: a corrupt JSON file, a corrupt gzip file and an unreadable file are named, the others audited and reported", () => {
    write("mixed/a.json", checkpoint("a", "required"));
    write("mixed/b.json.gz", gzipSync(checkpoint("b", "optional")));
    write("mixed/c.json", '{"version":3,"checkpoint":{"stack":"c","latest":{"resources":[');
    write("mixed/d.json.gz", Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02, 0x03]));
    fs.symlinkSync(path.join(dir, "gone.json"), path.join(dir, "mixed/e.json")); // unreadable, whoever runs the test
    const r = run("--format", "json", "mixed");
    assert.equal(r.status, 2, "an unreadable file decides the exit code even with blocking findings");
    assert.deepEqual(stacks(r.stdout), ["a", "b"]);
    const report = JSON.parse(r.stdout) as { violations: unknown[]; errors: { source: string; message: string }[] };
    assert.equal(report.violations.length, 1);
    assert.deepEqual(report.errors.map((e) => e.source), ["mixed/c.json", "mixed/d.json.gz", "mixed/e.json"]);
    assert.deepEqual(r.stderr.split("\n"), [
      "hardening audit: mixed/c.json: is not valid JSON (unexpected end of input)",
      "hardening audit: mixed/d.json.gz: is not a readable gzip file (truncated)",
      "hardening audit: cannot read mixed/e.json: no such file or directory",
      "hardening audit: 3 file(s) could not be audited; the report covers the others",
      "",
    ]);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  });

  it("exit 2 on a --config error naming the key, the value and the allowed values", () => {
    write("cfg.yaml", "metadata-endpoint-aws-imds:\n  enforcementLevel: mandatroy\n");
    const r = run("--config", "cfg.yaml", "clean");
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, 'hardening audit: --config cfg.yaml: metadata-endpoint-aws-imds.enforcementLevel is "mandatroy"; allowed: "advisory", "mandatory", "remediate", "disabled"; did you mean "mandatory"?\n');
  });
});
