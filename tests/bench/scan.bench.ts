/**
 * `hardening scan` speed and memory on a corpus built from the real Kestra flows (tests/fixtures/corpus/kestra-flows, a copy of ../shared/corpus):
 * at least 10,000 flows and 40 MB, each a real flow under a new id and namespace, one in 500 carrying a metadata
 * reference in an obfuscated spelling. Baseline measured in the same run: `grep -rF 169.254.169.254` over the
 * same tree. Goal (issue 2): the scan within 10x of grep while detecting every spelling; peak memory flat as the
 * corpus doubles (files are read one at a time).
 *
 * Prints, for the base corpus and one twice its size: MB/s and the ratio to grep for the in-process library call
 * (no plugin control; and with plugin control, where every flow naming a `type` is parsed) and for the CLI
 * (`node bin/hardening.js scan`, process start-up included), and peak RSS of the in-process scan. Every scan
 * checks every YAML file's validity; a line gives that check's own share (the fast check of
 * scan/yamlVouch.ts, plus a full parse of each file it cannot vouch for) and what it vouched for. Two more lines
 * give the endpoint detector's share (the time spent in it during the scan) and the time of the same scan without
 * the runner-escape check (issue 20), so the detector's cost and that check's cost can each be read apart.
 *
 * The scan and the CLI are measured twice: as installed (the package compiled by tsc, tests/bench/compiled.ts) and
 * from the TypeScript sources through tsx, as in a development checkout.
 *
 * Run: node --import tsx tests/bench/scan.bench.ts   (BENCH_FLOWS=n to change the base size)
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultDetector as defaultDetect } from "../../scan/detector";
import { ScanContext, scanPaths, scanPathsWith } from "../../scan/scanner";
import { walkFiles } from "../../scan/walk";
import { decodeFile } from "../../scan/decode";
import { parseFlowFile } from "../../scan/flow";
import { vouchForYaml } from "../../scan/yamlVouch";
import type { ScanConfig } from "../../scan/config";
import { KESTRA_FLOWS_DIR } from "../corpus";
import { compiledCliArgs, compilePackage, loadCompiled } from "./compiled";

const REPO = path.resolve(__dirname, "..", "..");
const CORPUS = KESTRA_FLOWS_DIR;
const MIN_FLOWS = Number(process.env.BENCH_FLOWS ?? 10_000);
const MIN_BYTES = 40 * 1024 * 1024;
const PLUGIN_CONTROL: ScanConfig = { plugins: { deny: ["io.kestra.plugin.scripts.shell.*"] } };

const SPELLINGS = ["http://0xa9fea9fe/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/", "http://169.254.169.254.nip.io/", "http://0251.0376.0251.0376/"];

/** Child mode: one in-process scan, printing its time, findings and peak RSS as JSON. */
function child(dir: string, mode: string, build?: string): void {
  const withConfig = mode === "config";
  if (mode === "compiled") {
    // The same plain scan with the compiled package (as installed).
    const scanner = loadCompiled(path.join(build!, "scan", "scanner.js")) as { scanPaths: typeof scanPaths };
    const detector = loadCompiled(path.join(build!, "scan", "detector.js")) as { defaultDetector: typeof defaultDetect };
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const report = scanner.scanPaths([dir], { cwd: dir, detect: detector.defaultDetector });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(JSON.stringify({
      ms, cpuMs: cpuMsSince(c0), files: report.filesScanned, errors: report.findings.filter((f) => f.severity === "error").length,
      maxRssMB: process.resourceUsage().maxRSS / 1024,
    }));
    return;
  }
  if (mode === "read") {
    // The scan's own share: walking, reading and decoding every file, no detector.
    const t0 = process.hrtime.bigint();
    let files = 0;
    for (const f of walkFiles([dir], dir, { symlinksSkipped: 0, specialFilesSkipped: 0 })) {
      if (!decodeFile(fs.readFileSync(f.absolute)).binary) files++;
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    process.stdout.write(JSON.stringify({ ms, files, errors: 0, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
    return;
  }
  if (mode === "validate") {
    // The validity check's own share: only the time spent in it is counted.
    let ns = 0n;
    let files = 0;
    let vouched = 0;
    let vouchedChars = 0;
    let chars = 0;
    for (const f of walkFiles([dir], dir, { symlinksSkipped: 0, specialFilesSkipped: 0 })) {
      const decoded = decodeFile(fs.readFileSync(f.absolute));
      if (decoded.binary || !/\.ya?ml$/i.test(f.absolute)) continue;
      const t0 = process.hrtime.bigint();
      const ok = vouchForYaml(decoded.text);
      if (!ok) parseFlowFile(decoded.text);
      ns += process.hrtime.bigint() - t0;
      files++;
      chars += decoded.text.length;
      if (ok) [vouched, vouchedChars] = [vouched + 1, vouchedChars + decoded.text.length];
    }
    process.stdout.write(JSON.stringify({ ms: Number(ns) / 1e6, files, vouched, vouchedShare: vouchedChars / chars, errors: 0, maxRssMB: 0 }));
    return;
  }
  if (mode === "detector" || mode === "norunner") {
    // The same plain scan, with the time spent in the detector counted, or without the runner-escape check.
    let ns = 0n;
    const detect = mode === "norunner" ? defaultDetect : (text: string) => {
      const t0 = process.hrtime.bigint();
      const refs = defaultDetect(text);
      ns += process.hrtime.bigint() - t0;
      return refs;
    };
    const ctx = new ScanContext(detect);
    ctx.runnerEscapeCheck = mode !== "norunner";
    const t0 = process.hrtime.bigint();
    const report = scanPathsWith([dir], { cwd: dir, detect }, ctx);
    const ms = mode === "norunner" ? Number(process.hrtime.bigint() - t0) / 1e6 : Number(ns) / 1e6;
    process.stdout.write(JSON.stringify({ ms, files: report.filesScanned, errors: report.findings.filter((f) => f.severity === "error").length, maxRssMB: 0 }));
    return;
  }
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const report = scanPaths([dir], { cwd: dir, detect: defaultDetect, config: withConfig ? PLUGIN_CONTROL : undefined });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(JSON.stringify({
    ms, cpuMs: cpuMsSince(c0), files: report.filesScanned, errors: report.findings.filter((f) => f.severity === "error").length,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }));
}

/** CPU time (user and system) of this process since `from`, in milliseconds. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1000;
}

/**
 * CPU time (user and system) of a command, in milliseconds, from bash's `time`: on a machine shared with other
 * jobs it moves far less than the elapsed time, so the CPU ratio is the steadier comparison.
 */
function cpuTime(cmd: string, args: string[], cwd: string): number {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  const r = spawnSync("bash", ["-c", `TIMEFORMAT='%3U %3S'; { time ${quoted} >/dev/null 2>&1; } 2>&1`], { cwd, encoding: "utf8" });
  const [user, sys] = r.stdout.trim().split(/\s+/).map(Number);
  if (!Number.isFinite(user) || !Number.isFinite(sys)) throw new Error(`could not time ${cmd}: ${r.stdout}${r.stderr}`);
  return (user + sys) * 1000;
}

/** Writes `flows` flows (and at least MIN_BYTES when `minBytes`) built from the corpus; returns bytes written. */
function buildCorpus(dir: string, flows: number, minBytes: number): { files: number; bytes: number } {
  const sources = fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort()
    .map((f) => fs.readFileSync(path.join(CORPUS, f), "utf8"));
  let bytes = 0;
  let i = 0;
  for (; i < flows || bytes < minBytes; i++) {
    const src = sources[i % sources.length];
    const team = `team${i % 97}`;
    // A new identity per copy, as a monorepo of many teams' flows would have; the body stays real.
    let text = src.replace(/^id:.*$/m, `id: flow_${i}`).replace(/^namespace:.*$/m, `namespace: company.${team}.n${i % 13}`);
    if (i % 500 === 250) {
      text += `\n  - id: probe_${i}\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - curl -s ${SPELLINGS[i % SPELLINGS.length]}\n`;
    }
    const sub = path.join(dir, team, `n${i % 13}`);
    if (i < 97 * 13) fs.mkdirSync(sub, { recursive: true });
    const file = path.join(sub, `flow_${i}.yml`);
    fs.writeFileSync(file, text);
    bytes += Buffer.byteLength(text);
  }
  return { files: i, bytes };
}

function time(cmd: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function best<T extends { ms: number }>(runs: T[]): T {
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

interface ChildResult {
  ms: number;
  cpuMs?: number;
  files: number;
  errors: number;
  maxRssMB: number;
  vouched?: number;
  vouchedShare?: number;
}

function inProcess(dir: string, mode: "plain" | "config" | "read" | "validate" | "detector" | "norunner" | "compiled", build = ""): ChildResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", __filename, "--child", dir, mode, build], { encoding: "utf8", cwd: REPO });
  if (r.status !== 0) throw new Error(`child scan failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function measure(label: string, dir: string, bytes: number, files: number, build: string): number {
  const mb = bytes / (1024 * 1024);
  time("grep", ["-rF", "169.254.169.254", dir], dir); // warm the page cache for everyone
  const grepMs = Math.min(...[0, 1, 2].map(() => time("grep", ["-rF", "169.254.169.254", dir], dir)));
  const grepCpuMs = Math.min(...[0, 1, 2].map(() => cpuTime("grep", ["-rF", "169.254.169.254", dir], dir)));
  // The scan with and without the runner-escape check, interleaved and best of four each: their difference is that
  // check's cost, smaller than the drift between two runs of two on a shared machine.
  const pairs = [0, 1, 2, 3].map(() => [inProcess(dir, "plain"), inProcess(dir, "norunner")]);
  const plain = best(pairs.map((p) => p[0]));
  const noRunner = best(pairs.map((p) => p[1]));
  const controlled = best([0, 1].map(() => inProcess(dir, "config")));
  const readOnly = best([0, 1].map(() => inProcess(dir, "read")));
  const validate = best([0, 1].map(() => inProcess(dir, "validate")));
  const detector = best([0, 1].map(() => inProcess(dir, "detector")));
  const cliMs = Math.min(...[0, 1].map(() => time(process.execPath, [path.join(REPO, "bin", "hardening.js"), "scan", dir, "--format", "json"], dir)));
  const compiled = best([0, 1].map(() => inProcess(dir, "compiled", build)));
  const cliCompiledMs = Math.min(...[0, 1].map(() => time(process.execPath, compiledCliArgs(build, ["scan", dir, "--format", "json"]), dir)));
  const row = (name: string, ms: number, extra = "") =>
    `  ${name.padEnd(44)} ${(ms / 1000).toFixed(3).padStart(7)} s  ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s  ${(ms / grepMs).toFixed(1).padStart(6)}x grep${extra}`;
  process.stdout.write(`\n${label}: ${files} flows, ${mb.toFixed(1)} MB\n`);
  process.stdout.write(`${row("grep -rF 169.254.169.254 (baseline)", grepMs)}\n`);
  process.stdout.write(`${row("scan, in-process, no plugin control", plain.ms, `  peak RSS ${plain.maxRssMB.toFixed(0)} MB, ${plain.errors} errors`)}\n`);
  process.stdout.write(`  ${"  CPU time (user+sys), grep's and the scan's".padEnd(44)} ${(grepCpuMs / 1000).toFixed(3).padStart(7)} s  ${(plain.cpuMs! / 1000).toFixed(3).padStart(7)} s  ${(plain.cpuMs! / grepCpuMs).toFixed(1).padStart(6)}x grep (steadier under load)\n`);
  process.stdout.write(`${row("  of which walk + read + decode (no detector)", readOnly.ms)}\n`);
  process.stdout.write(`${row("  of which YAML validity check", validate.ms,
    `  fast check vouched for ${validate.vouched} of ${validate.files} files (${(100 * validate.vouchedShare!).toFixed(1)}% of the text), parsed the rest`)}\n`);
  process.stdout.write(`${row("  of which the endpoint detector", detector.ms, "  every file's text, the cheap pass and the decoding of its windows")}\n`);
  process.stdout.write(`${row("  the scan without the runner-escape check", noRunner.ms, `  issue 20's check, its cost apart; ${noRunner.errors} errors`)}\n`);
  process.stdout.write(`${row("scan, in-process, plugin control (parses)", controlled.ms, `  peak RSS ${controlled.maxRssMB.toFixed(0)} MB`)}\n`);
  process.stdout.write(`${row("scan, CLI (node bin/hardening.js, start-up)", cliMs, "  from the sources through tsx")}\n`);
  process.stdout.write(`${row("scan, in-process, compiled package", compiled.ms, `  as installed from npm, ${compiled.errors} errors; CPU ${(compiled.cpuMs! / grepCpuMs).toFixed(1)}x grep's`)}\n`);
  process.stdout.write(`${row("scan, CLI, compiled package (start-up)", cliCompiledMs, "  as installed from npm")}\n`);
  return plain.maxRssMB;
}

function main(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "scan-bench-"));
  const pkg = compilePackage();
  try {
    const small = path.join(root, "base");
    const large = path.join(root, "double");
    const a = buildCorpus(small, MIN_FLOWS, MIN_BYTES);
    const b = buildCorpus(large, a.files * 2, 0);
    const rssA = measure("base corpus", small, a.bytes, a.files, pkg.dir);
    const rssB = measure("double corpus", large, b.bytes, b.files, pkg.dir);
    process.stdout.write(`\npeak RSS, in-process scan: ${rssA.toFixed(0)} MB -> ${rssB.toFixed(0)} MB for ${(b.bytes / a.bytes).toFixed(1)}x the data (${(rssB / rssA).toFixed(2)}x)\n`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
    pkg.remove();
  }
}

if (process.argv[2] === "--child") child(process.argv[3], process.argv[4], process.argv[5]);
else main();
