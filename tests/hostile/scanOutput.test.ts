/**
 * Hostile input against the scan's output: more findings than a call's arguments can hold, reports larger than a
 * string may be in V8 (written in pieces), a reader that goes away (`| head -1`), a full disk, and links that lead
 * out of the scanned tree. Run through the real binary where the process's own streams matter.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeScanCommand } from "../../cli/scan";
import { captureIO } from "../cli/helpers";
import { literalDetect, tempTree } from "../scan/helpers";

const REPO = path.join(__dirname, "..", "..");
const BIN = path.join(REPO, "bin", "hardening.js");

describe("hostile input: scan output never crashes", function () {
  this.timeout(300_000);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reports 150,000 findings of one file in every format (push(...spread) overflowed the stack)", async () => {
    dir = tempTree({ "many.txt": "169.254.169.254\n".repeat(150_000) });
    const scan = makeScanCommand(literalDetect);
    for (const format of ["json", "sarif", "text"]) {
      const io = captureIO({ cwd: dir });
      const code = await scan(["many.txt", "--format", format], io);
      assert.equal(io.err(), "", format);
      assert.equal(code, 1, format);
      if (format === "json") assert.equal(JSON.parse(io.out()).findings.length, 150_000);
      if (format === "sarif") assert.equal(JSON.parse(io.out()).runs[0].results.length, 150_000);
      if (format === "text") assert.match(io.out(), /150000 errors, 0 warnings in 1 file/);
    }
  });

  it("a closed pipe ends the output quietly with the run's status; a full disk is one line and exit 2", function () {
    if (!fs.existsSync("/dev/full")) this.skip();
    dir = tempTree({ "many.txt": "169.254.169.254\n".repeat(20_000), "clean.txt": "nothing here\n".repeat(20_000) });
    for (const [file, status] of [["many.txt", 1], ["clean.txt", 0]] as const) {
      // `head -c 1` exits after one byte; the scan still has megabytes to write.
      const piped = spawnSync("bash", ["-c", `node "${BIN}" scan ${file} --format sarif | head -c 1 >/dev/null; exit \${PIPESTATUS[0]}`], {
        cwd: dir, encoding: "utf8", timeout: 240_000,
      });
      assert.equal(piped.stderr, "", file);
      assert.equal(piped.status, status, file);
    }
    const full = spawnSync("bash", ["-c", `node "${BIN}" scan many.txt --format json >/dev/full`], { cwd: dir, encoding: "utf8", timeout: 240_000 });
    assert.equal(full.status, 2);
    assert.equal(full.stderr, "hardening: cannot write standard output: no space left on device\n");
  });

  it("a symbolic link out of the scanned tree fails the gate as not scanned; one inside is counted (positive control)", async () => {
    dir = tempTree({ "root/a.sh": "echo hi\n", "outside/b.sh": "curl 169.254.169.254\n" });
    fs.symlinkSync(path.join(dir, "outside/b.sh"), path.join(dir, "root/b.sh"));
    fs.symlinkSync(path.join(dir, "root/a.sh"), path.join(dir, "root/again.sh"));
    const io = captureIO({ cwd: dir });
    const code = await makeScanCommand(literalDetect)(["root", "--format", "json"], io);
    assert.equal(code, 1);
    const json = JSON.parse(io.out());
    assert.deepEqual(json.findings.map((f: { file: string; ruleId: string; severity: string }) => `${f.file} ${f.ruleId} ${f.severity}`), ["root/b.sh not-scanned error"]);
    assert.equal(json.symlinksSkipped, 1);
  });
});
