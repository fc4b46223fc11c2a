/**
 * Benchmark: `hardening plan DIR` of a one-cloud user program (tests/fixtures/userProgram: an AWS network and pool
 * plus one resource of the user's) against `hardening plan --cloud aws` of the package's own program, both as real
 * processes through bin/hardening.js, alternated in the same run. Goal: the program plan within 2x of the AWS plan.
 *
 *   node --import tsx tests/bench/planProgram.bench.ts [--runs 5]
 *
 * Prints the median wall time of each and their ratio (after one unmeasured run of each that warms the disk cache).
 * Timings are printed, never asserted.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const RUNS = Number(values.runs);
const ROOT = path.resolve(__dirname, "..", "..");
const BIN = path.join(ROOT, "bin", "hardening.js");
const FIXTURE = path.join(ROOT, "tests", "fixtures", "userProgram");

function timeRun(args: string[]): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, "plan", ...args, "--format", "json"], { encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`hardening plan ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const baselineArgs = ["--cloud", "aws"];
const programArgs = [FIXTURE, "--stack", "dev"];
timeRun(baselineArgs);
timeRun(programArgs);
const baseline: number[] = [];
const program: number[] = [];
for (let i = 0; i < RUNS; i++) {
  baseline.push(timeRun(baselineArgs));
  program.push(timeRun(programArgs));
}
const b = median(baseline);
const p = median(program);
process.stdout.write(`hardening plan --cloud aws (baseline): median ${b.toFixed(0)} ms over ${RUNS} runs\n`);
process.stdout.write(`hardening plan <one-cloud program>:   median ${p.toFixed(0)} ms over ${RUNS} runs\n`);
process.stdout.write(`ratio program / --cloud aws: ${(p / b).toFixed(2)}x (goal <= 2x)\n`);
