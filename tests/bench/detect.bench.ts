/**
 * Benchmark of the endpoint-reference detector over the real Kestra flows, replicated in memory to at least 40 MB,
 * against baselines measured in the same run over the same strings: `indexOf("169.254.169.254")` (what `grep -F`
 * does), a single literal regex, and a naive dotted-quad regex (the "one candidate regex" of issue 2). With
 * `--grep`, the same flows are also written to a temporary folder and `grep -rF 169.254.169.254` is timed over it.
 * Prints MB/s and the ratios; asserts nothing.
 *
 *   node --import tsx tests/bench/detect.bench.ts [--mb 40] [--rounds 3] [--grep]
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { findEndpointReferences } from "../../detect";
import { KESTRA_FLOWS_DIR } from "../corpus";

const CORPUS = KESTRA_FLOWS_DIR;

function loadCorpus(targetBytes: number): string[] {
  const dir = CORPUS;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  // Every copy is a distinct string (a numbered trailing comment): V8 caches the results of a global regex on the
  // same string object, and 40 MB of distinct text does not sit in the CPU cache, so repeats would flatter both.
  const texts: string[] = [];
  let size = 0;
  for (let copy = 0; size < targetBytes; copy++) {
    for (const f of files) {
      const text = `${f}\n# copy ${copy}\n`;
      texts.push(text);
      size += Buffer.byteLength(text);
    }
  }
  return texts;
}

function time(run: () => number): { ms: number; hits: number } {
  const t0 = process.hrtime.bigint();
  const hits = run();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, hits };
}

function main(): void {
  const { values } = parseArgs({
    options: { mb: { type: "string", default: "40" }, rounds: { type: "string", default: "3" }, grep: { type: "boolean", default: false } },
  });
  const texts = loadCorpus(Number(values.mb) * 1e6);
  const megabytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
  console.log(`corpus: ${texts.length} flows, ${megabytes.toFixed(1)} MB (real flows replicated in memory)`);

  const baselines: Record<string, () => number> = {
    'indexOf("169.254.169.254")': () => texts.reduce((n, t) => n + (t.indexOf("169.254.169.254") >= 0 ? 1 : 0), 0),
    "one regex /169\\.254\\./g": () => texts.reduce((n, t) => n + (t.match(/169\.254\./g)?.length ?? 0), 0),
    "dotted-quad regex": () => texts.reduce((n, t) => n + (t.match(/\d+\.\d+\.\d+\.\d+/g)?.length ?? 0), 0),
    findEndpointReferences: () => texts.reduce((n, t) => n + findEndpointReferences(t).length, 0),
    "findEndpointReferences (no base64)": () =>
      texts.reduce((n, t) => n + findEndpointReferences(t, { decodeBase64: false }).length, 0),
  };
  const best: Record<string, number> = {};
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const [name, run] of Object.entries(baselines)) {
      const { ms, hits } = time(run);
      best[name] = Math.min(best[name] ?? Infinity, ms);
      if (round === 0) console.log(`  warm-up ${name}: ${ms.toFixed(0)} ms, ${hits} hits`);
    }
  }
  const base = best['indexOf("169.254.169.254")'];
  console.log("best of rounds:");
  for (const [name, ms] of Object.entries(best)) {
    console.log(`  ${name.padEnd(36)} ${ms.toFixed(1).padStart(8)} ms  ${(megabytes / (ms / 1000)).toFixed(0).padStart(6)} MB/s  ${(ms / base).toFixed(1).padStart(6)}x indexOf`);
  }
  if (values.grep) grepBaseline(texts, megabytes, best.findEndpointReferences);
  const heap = process.memoryUsage().heapUsed / 1e6;
  console.log(`heap used after run: ${heap.toFixed(0)} MB`);
}

/** Times `grep -rF` over the same flows on disk (best of three), and the detector's ratio to it. */
function grepBaseline(texts: readonly string[], megabytes: number, detectorMs: number): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "detect-bench-"));
  try {
    texts.forEach((t, i) => fs.writeFileSync(path.join(dir, `flow-${i}.yml`), t));
    let ms = Infinity;
    for (let round = 0; round < 3; round++) {
      const t0 = process.hrtime.bigint();
      try {
        execFileSync("grep", ["-rFl", "169.254.169.254", dir], { stdio: "ignore" });
      } catch {
        // grep exits 1 when nothing matches, which is the expected outcome on this corpus.
      }
      ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    console.log(`  ${"grep -rF (files on disk, warm cache)".padEnd(36)} ${ms.toFixed(1).padStart(8)} ms  ${(megabytes / (ms / 1000)).toFixed(0).padStart(6)} MB/s`);
    console.log(`  detector / grep: ${(detectorMs / ms).toFixed(1)}x (the scan adds walking and reading files to the detector)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
