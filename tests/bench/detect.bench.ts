/**
 * Benchmark of the endpoint-reference detector over the real Kestra flows, replicated in memory to at least 40 MB,
 * against two baselines measured in the same run over the same strings: `indexOf("169.254.169.254")` (what
 * `grep -F` does) and one simple regular expression pass. Prints MB/s and the ratios; asserts nothing.
 *
 *   node --import tsx tests/bench/detect.bench.ts [--mb 40] [--rounds 3]
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { findEndpointReferences } from "../../components/detect";

const CORPUS = path.join(__dirname, "../../../shared/corpus/kestra-flows");
const FALLBACK_CORPUS = "/work/shared/corpus/kestra-flows";

function loadCorpus(targetBytes: number): string[] {
  const dir = fs.existsSync(CORPUS) ? CORPUS : FALLBACK_CORPUS;
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => fs.readFileSync(path.join(dir, f), "utf8"));
  const texts: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    for (const f of files) {
      texts.push(f);
      size += Buffer.byteLength(f);
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
  const { values } = parseArgs({ options: { mb: { type: "string", default: "40" }, rounds: { type: "string", default: "3" } } });
  const texts = loadCorpus(Number(values.mb) * 1e6);
  const megabytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
  console.log(`corpus: ${texts.length} flows, ${megabytes.toFixed(1)} MB (real flows replicated in memory)`);

  const baselines: Record<string, () => number> = {
    'indexOf("169.254.169.254")': () => texts.reduce((n, t) => n + (t.indexOf("169.254.169.254") >= 0 ? 1 : 0), 0),
    "one regex /169\\.254\\./g": () => texts.reduce((n, t) => n + (t.match(/169\.254\./g)?.length ?? 0), 0),
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
  const heap = process.memoryUsage().heapUsed / 1e6;
  console.log(`heap used after run: ${heap.toFixed(0)} MB`);
}

main();
