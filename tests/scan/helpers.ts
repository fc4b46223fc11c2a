/** Test helpers for the flow scanner: temp trees, a fake CliIO, and a literal stand-in detector. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { EndpointReference } from "../../detect/types";
import type { CliIO } from "../../cli/io";
import { ScanContext, scanText, TextScanResult } from "../../scan/scanner";
import { KESTRA_FLOWS_DIR } from "../corpus";

/** Root of the committed fixtures. */
export const FIXTURES = path.join(__dirname, "..", "fixtures", "scan");

/** The real Kestra corpus (read-only). */
export const CORPUS = KESTRA_FLOWS_DIR;

/** Every YAML file of the corpus and of each fixture folder, named `<folder>/<file>`, with its text. */
export function corpusAndFixtureFlows(): { name: string; text: string }[] {
  const dirs = [KESTRA_FLOWS_DIR, ...fs.readdirSync(FIXTURES).map((d) => path.join(FIXTURES, d)).filter((d) => fs.statSync(d).isDirectory())];
  return dirs.flatMap((dir) => fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).map((f) => ({ name: `${dir}/${f}`, text: fs.readFileSync(path.join(dir, f), "utf8") })));
}

/** The scanner's internal switches that differential tests turn off. */
export type ScanToggle = "prefilter" | "vouchedTree" | "runnerEscapeCheck";

/**
 * Scans every corpus and fixture flow twice with the literal detector, with everything on and with `toggle` off,
 * and hands both results to `check` (which asserts how they relate).
 */
export function scanFlowsWithToggle(toggle: ScanToggle, check: (on: TextScanResult, off: TextScanResult, flow: { name: string; text: string }) => void): void {
  const on = new ScanContext(literalDetect);
  const off = new ScanContext(literalDetect);
  off[toggle] = false;
  for (const flow of corpusAndFixtureFlows()) {
    const file = path.basename(flow.name);
    check(scanText(flow.text, file, on), scanText(flow.text, file, off), flow);
  }
}

/**
 * A stand-in for the detector that finds only the plain spelling `169.254.169.254` (error) and `169.254.1.1`
 * (warning). Tests of the scanner's own behaviour use it so they do not depend on the detector's coverage.
 */
export function literalDetect(text: string): EndpointReference[] {
  const out: EndpointReference[] = [];
  for (const [needle, severity, id] of [["169.254.169.254", "error", "aws-imds"], ["169.254.1.1", "warning", undefined]] as const) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      out.push({ endpointId: id, endpoint: needle, severity, start: at, end: at + needle.length, match: needle, spelling: "dotted-decimal IPv4" });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** A temp directory with `files` written (paths relative, contents string or bytes). */
export function tempTree(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-test-"));
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return dir;
}

/** Removes a temp tree. */
export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A CliIO that records what a command prints. */
export function fakeIO(cwd: string): CliIO & { out: () => string; err: () => string } {
  let out = "";
  let err = "";
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readStdin: async () => Buffer.alloc(0),
    stderrIsTTY: false,
    cwd,
    out: () => out,
    err: () => err,
  };
}

/** The `yaml` parser's error codes for `text`, parsed with the scanner's options (scan/flow.ts). */
export function parserErrors(text: string): string[] {
  return (YAML.parseAllDocuments(text, { prettyErrors: false }) as YAML.Document.Parsed[]).flatMap((d) => d.errors.map((e) => e.code));
}
