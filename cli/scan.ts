/**
 * `hardening scan <path>... [--format text|json|sarif] [--config FILE]`: scans Kestra flows and every other text
 * file under the paths for metadata-endpoint references and denied plugin types. Exit 0 clean, 1 a finding at
 * error severity, 2 bad usage, a bad config, or a path that does not exist or cannot be read. Thin: parses flags,
 * calls scan/, prints.
 */
import * as fs from "node:fs";
import * as path from "node:path";
// The scan's own modules, not the scan/ barrel. The scanner and the config (the YAML parser and the rest) are loaded
// when the command runs, after it has started the scan worker, which loads them too meanwhile; the detector is loaded
// by that worker, and here only if no worker can start.
import type * as ConfigModule from "../scan/config";
import type { ScanConfig } from "../scan/config";
import type * as ScannerModule from "../scan/scanner";
import type { EndpointDetector } from "../scan/scanner";
import { DetectorModule, prestartScanWorker } from "../scan/budget";
import { hasBlockingFindings } from "../scan/types";
import { describeFsError, UnreadablePathError } from "../scan/walk";
import { toScanJson } from "./format/scan/json";
import { toSarif } from "./format/scan/sarif";
import { scanTextLines } from "./format/scan/text";
import { jsonChunks } from "./format/jsonStream";
import { oneOf, parseFlags } from "./flags";
import { CliIO, Command, ExitCode, UsageError, writeChunks } from "./io";
import { packageVersion } from "./version";

const FORMATS = ["text", "json", "sarif"] as const;

function loadConfig(file: string, io: CliIO): ScanConfig {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(io.cwd, file), "utf8");
  } catch (e) {
    throw new UsageError(`--config "${file}": cannot read: ${describeFsError(e)}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { InvalidConfigError, parseScanConfig } = require("../scan/config") as typeof ConfigModule;
  try {
    return parseScanConfig(text, file);
  } catch (e) {
    if (e instanceof InvalidConfigError) throw new UsageError(`--config ${e.message}`);
    throw e;
  }
}

/**
 * Builds the command around a detector (tests inject one; the CLI uses detect). With `detector` naming the same
 * function by module, each file is scanned under a time budget (scan/budget.ts).
 */
export function makeScanCommand(detect: EndpointDetector, detector?: DetectorModule, fileBudgetMs?: (bytes: number) => number): Command {
  return async (argv, io) => {
    const { values, positionals } = parseFlags(argv, {
      format: { type: "string", short: "f" },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
    }, true);
    if (values.help) {
      io.stdout("usage: hardening scan <path>... [--format text|json|sarif] [--config FILE]\n");
      return ExitCode.Clean;
    }
    const format = oneOf("format", values.format as string | undefined, FORMATS, "text");
    if (positionals.length === 0) throw new UsageError("scan needs at least one path", true);
    // The worker loads its code while this thread loads its own and reads the config.
    if (detector) prestartScanWorker(detector);
    const config = values.config === undefined ? undefined : loadConfig(values.config as string, io);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { scanPaths } = require("../scan/scanner") as typeof ScannerModule;
    let report;
    try {
      report = scanPaths(positionals, { cwd: io.cwd, detect, config, detector, fileBudgetMs });
    } catch (e) {
      if (e instanceof UnreadablePathError) throw new UsageError(e.message);
      throw e;
    }
    // Written as produced, never as one string: a report of a million findings stays within V8's string limit.
    if (format === "json") writeChunks(io.stdout, chain(jsonChunks(toScanJson(report), 2), "\n"));
    else if (format === "sarif") writeChunks(io.stdout, chain(jsonChunks(toSarif(report, { toolVersion: packageVersion(), cwd: io.cwd }), 4), "\n"));
    else writeChunks(io.stdout, scanTextLines(report));
    return hasBlockingFindings(report) ? ExitCode.Findings : ExitCode.Clean;
  };
}

function* chain(chunks: Iterable<string>, last: string): Generator<string> {
  yield* chunks;
  yield last;
}

/** The default detector, by module: the scan worker loads it from there. */
const DEFAULT_DETECTOR: DetectorModule = { module: path.join(__dirname, "..", "scan", "detector"), name: "defaultDetector" };
let detectHere: EndpointDetector | undefined;

/** `hardening scan`, with the endpoint detector of detect (loaded in this thread only if a file is scanned here). */
export const scanCommand: Command = makeScanCommand((text) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  detectHere ??= (require(DEFAULT_DETECTOR.module) as Record<string, EndpointDetector>)[DEFAULT_DETECTOR.name];
  return detectHere(text);
}, DEFAULT_DETECTOR);
