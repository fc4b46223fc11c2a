/**
 * `npm run bench`: runs every benchmark in tests/bench (files named *.bench.ts), one at a time, each in its own
 * process so one's memory and JIT state never colour another's numbers. `npm run bench -- audit` runs only the
 * benchmarks whose file name contains "audit". Benchmarks print ratios against baselines measured in the same
 * run; they are never part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const filter = process.argv[2];
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bench.ts") && (!filter || f.includes(filter)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n### ${file}\n`);
  const r = spawnSync(process.execPath, ["--import", "tsx", "--expose-gc", path.join(__dirname, file)], { stdio: "inherit" });
  if (r.status !== 0) {
    failed++;
    process.stdout.write(`${file} failed (exit ${r.status ?? r.signal})\n`);
  }
}
if (files.length === 0) process.stdout.write(`no benchmark matches ${JSON.stringify(filter)}\n`);
process.exitCode = failed > 0 ? 1 : 0;
