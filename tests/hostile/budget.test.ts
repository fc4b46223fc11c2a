/**
 * The per-file time budget: a file whose scan never ends is stopped at its budget and reported as a `not-scanned`
 * error (exit 1); the files around it are scanned as usual, and a config exception can name it. No timing is
 * asserted: the budget here is a small fixed one, and the test checks verdicts.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { makeScanCommand } from "../../cli/scan";
import { scanPaths, hasBlockingFindings } from "../../scan";
import { prestartScanWorker, prestartedWorkerWaiting } from "../../scan/budget";
import { captureIO } from "../cli/helpers";
import { tempTree } from "../scan/helpers";
import { hangOnMarker } from "./fixtures/hangingDetector";

const detector = { module: path.join(__dirname, "fixtures", "hangingDetector"), name: "hangOnMarker" };

describe("hostile input: a per-file time budget", function () {
  this.timeout(300_000);
  let dir: string;
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("stops a file whose scan never ends, reports it as not scanned, and scans the others", async () => {
    dir = tempTree({ "a.sh": "curl 169.254.169.254\n", "b.sh": "HANG\n", "c.sh": "echo ok\n", "d.sh": "wget 169.254.169.254\n" });
    const io = captureIO({ cwd: dir });
    const code = await makeScanCommand(hangOnMarker, detector, () => 3000)([".", "--format", "json"], io);
    assert.equal(code, 1);
    const json = JSON.parse(io.out());
    assert.deepEqual(json.findings.map((f: { file: string; ruleId: string; severity: string }) => `${f.file} ${f.ruleId} ${f.severity}`), [
      "a.sh metadata-endpoint error", "b.sh not-scanned error", "d.sh metadata-endpoint error",
    ]);
    assert.match(json.findings[1].message, /longer than its 3-second budget/);
    assert.equal(json.filesScanned, 4);
  });

  it("scans many files in batches: the same findings in the same order as in-process, and a hang stops one file only", () => {
    // More files than one batch (128) holds, references spread over every batch, a file with two readings (a UTF-16
    // byte-order mark before UTF-8 text), and then a hanging file in the middle of the second batch.
    const files: Record<string, string | Buffer> = {};
    for (let i = 0; i < 700; i++) files[`f${String(i).padStart(3, "0")}.sh`] = i % 97 === 5 ? `curl 169.254.169.254 # ${i}\n` : `echo ${i}\n`;
    files["f450-bom.sh"] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("wget 169.254.169.254\n")]);
    dir = tempTree(files);
    const plain = scanPaths(["."], { cwd: dir, detect: hangOnMarker });
    const worker = scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 60_000 });
    assert.deepEqual(worker, plain);
    // Two workers taking batches in turn: still the walk's order.
    assert.deepEqual(scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector, workers: 2, fileBudgetMs: () => 60_000 }), plain);
    assert.ok(plain.findings.length >= 9, `positive control: ${plain.findings.length} findings`);
    // Two in one batch: after the first, the rest of its batch goes to a new worker, where the second stops too.
    fs.writeFileSync(path.join(dir, "f400-hang.sh"), "HANG\n");
    fs.writeFileSync(path.join(dir, "f420-hang.sh"), "HANG\n");
    const hung = scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector, workers: 2, fileBudgetMs: () => 3000 });
    assert.deepEqual(hung.findings.filter((f) => f.ruleId === "not-scanned").map((f) => f.file), ["f400-hang.sh", "f420-hang.sh"]);
    assert.deepEqual(hung.findings.filter((f) => f.ruleId !== "not-scanned"), plain.findings);
    // In walk order: each after the findings of the files sorted before it and before those after it.
    hung.findings.forEach((f, i) => assert.ok(i === 0 || hung.findings[i - 1].file <= f.file, `${hung.findings[i - 1]?.file} before ${f.file}`));
    assert.equal(hung.filesScanned, plain.filesScanned + 2);
  });

  it("takes a worker started before the scan, keeps the scan's clock for its budgets, and leaves one for another detector", () => {
    dir = tempTree({ "a.sh": "curl 169.254.169.254\n", "b.sh": "HANG\n", "c.sh": "wget 169.254.169.254\n" });
    const plain = scanPaths(["a.sh", "c.sh"], { cwd: dir, detect: hangOnMarker });
    prestartScanWorker(detector);
    // The worker waits, loaded, longer than the budget before the scan sets it up: budgets count from the scan's
    // clock, so neither the wait nor its loading is charged to a file (a.sh and c.sh are scanned, b.sh stops).
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2500);
    assert.equal(prestartedWorkerWaiting(), true);
    const hung = scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 2000 });
    assert.equal(prestartedWorkerWaiting(), false, "the scan did not take the prestarted worker");
    assert.deepEqual(hung.findings.map((f) => `${f.file} ${f.ruleId}`), ["a.sh metadata-endpoint", "b.sh not-scanned", "c.sh metadata-endpoint"]);
    assert.deepEqual(hung.findings.filter((f) => f.ruleId !== "not-scanned"), plain.findings);
    // A worker started for another detector is not taken (it would scan with the wrong one).
    prestartScanWorker({ ...detector, name: "someOtherDetector" });
    assert.deepEqual(scanPaths(["a.sh", "c.sh"], { cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 60_000 }), plain);
    assert.equal(prestartedWorkerWaiting(), true);
    prestartScanWorker(detector); // stops the other one
    assert.deepEqual(scanPaths(["a.sh", "c.sh"], { cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 60_000 }), plain);
    assert.equal(prestartedWorkerWaiting(), false);
  });

  it("scans in-process, unbudgeted, when the worker cannot load the detector (prestarted or not)", () => {
    dir = tempTree({ "a.sh": "curl 169.254.169.254\n", "c.sh": "wget 169.254.169.254\n" });
    const plain = scanPaths(["."], { cwd: dir, detect: hangOnMarker });
    const missing = { module: path.join(__dirname, "fixtures", "noSuchDetector"), name: "hangOnMarker" };
    assert.deepEqual(scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector: missing, fileBudgetMs: () => 60_000 }), plain);
    prestartScanWorker(missing);
    assert.deepEqual(scanPaths(["."], { cwd: dir, detect: hangOnMarker, detector: missing, fileBudgetMs: () => 60_000 }), plain);
    assert.equal(plain.findings.length, 2, "positive control");
  });

  it("scans in the worker exactly as in-process (positive control) and honours a config exception for the stopped file", () => {
    dir = tempTree({ "a.sh": "curl 169.254.169.254\n", "b.sh": "HANG\n" });
    const plain = scanPaths(["a.sh"], { cwd: dir, detect: hangOnMarker });
    const worker = scanPaths(["a.sh"], { cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 60_000 });
    assert.deepEqual(worker, plain);
    const excepted = scanPaths(["."], {
      cwd: dir, detect: hangOnMarker, detector, fileBudgetMs: () => 2000,
      config: { exceptions: [{ file: "b.sh", ruleId: "not-scanned", reason: "generated fixture" }] },
    });
    assert.equal(excepted.suppressed.length, 1);
    assert.equal(hasBlockingFindings(excepted), true); // a.sh still blocks
  });
});
