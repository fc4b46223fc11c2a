/**
 * The flow scanner: every text file under the given paths goes through the endpoint detector as raw text (so
 * offsets map straight to lines and columns, whatever the YAML quoting), and every YAML file is checked for
 * validity. YAML is parsed only when something needs it: plugin control is configured and the file names a `type`,
 * the detector found something to place in its task, or the fast validity check (yamlVouch.ts) cannot vouch for
 * the file, so the parser's own message is reported. Files are read one at a time; only findings are kept.
 */
import * as fs from "node:fs";
import type { TextScanResult } from "./types";
import type { EndpointDetector, EndpointReference } from "../detect/types";
import type { ScanConfig } from "./config";
import { DecodedFile, decodeFile } from "./decode";
import { FlowDocument, ParsedFlowFile, parseFlowFile, pluginAt } from "./flow";
import { LineIndex } from "./lines";
import { PluginPolicy } from "./pluginControl";
import { findRunnerEscapes, findRunnerEscapesVouched, mayHaveRunnerEscape, mayHaveRunnerEscapeNoted, RUNNER_KEY_WATCH, RunnerEscapePolicy } from "./runnerEscapes";
import { vouchForYaml, YamlNotes } from "./yamlVouch";
import {
  DENIED_TASK_TYPE, INVALID_IGNORE, INVALID_YAML, LINK_LOCAL_ADDRESS, METADATA_ENDPOINT, NOT_SCANNED, RUNNER_ESCAPE, scanRule,
} from "./rules";
import { ConfigExceptions, findInlineIgnores, IGNORE_MARKER, inlineIgnoreFor, InlineIgnore } from "./suppress";
import type { LocatedFinding, ScanReport, SuppressedFinding } from "./types";
import { checkRoots, describeFsError, UnreadablePathError, walkFiles, WalkStats } from "./walk";
import { endpointsServing } from "../components/endpoints";
import { BudgetedJob, BudgetedOutcome, BudgetedScanner, defaultFileBudgetMs, DetectorModule } from "./budget";

export type { EndpointDetector } from "../detect/types";

/** Options of a scan. */
export interface ScanOptions {
  /** Directory relative roots and displayed paths are resolved against. */
  readonly cwd: string;
  /** The endpoint detector. */
  readonly detect: EndpointDetector;
  /**
   * Plugin control and exceptions.
   * @default {} (no plugin control, no config exceptions, inline ignores honoured)
   */
  readonly config?: ScanConfig;
  /**
   * Files larger than this are not read; a `not-scanned` error says so (it fails the gate unless a config exception
   * names the file).
   * @default 268435456 (256 MiB)
   */
  readonly maxFileBytes?: number;
  /**
   * YAML files larger than this (in UTF-16 code units) are not parsed; when plugin control needed the parse, or
   * the fast validity check cannot vouch for the file, a `not-scanned` warning says so. Their raw text is still
   * scanned.
   * @default 8388608 (8 Mi)
   */
  readonly maxFlowChars?: number;
  /**
   * The detector's module and export, so each file can be scanned in a worker under a time budget (see budget.ts).
   * Must name the same function as `detect`.
   * @default undefined (files are scanned in-process, with no budget)
   */
  readonly detector?: DetectorModule;
  /**
   * The time budget of a file of `bytes` bytes, in milliseconds; past it, the file's scan is stopped and a
   * `not-scanned` error reported. Only with `detector`.
   * @default defaultFileBudgetMs (30 s plus 4 s per MiB)
   */
  readonly fileBudgetMs?: (bytes: number) => number;
  /**
   * How many worker threads scan files at once. Only with `detector`.
   * @default DEFAULT_SCAN_WORKERS (1)
   */
  readonly workers?: number;
}

export type { TextScanResult } from "./types";

/** Per-scan state compiled once from the config. */
export class ScanContext {
  readonly policy: PluginPolicy | undefined;
  readonly runnerEscapes: RunnerEscapePolicy;
  readonly exceptions: ConfigExceptions;
  readonly inlineIgnores: boolean;
  readonly maxFlowChars: number;
  /** @internal Tests turn the parse prefilters (plugin control's, the runner-escape gate) off to prove they never change a verdict. */
  prefilter = true;
  /** @internal Tests turn the fast YAML validity check off (every YAML file parsed) to prove it changes nothing. */
  vouch = true;
  /** @internal Tests turn the parser-free reading of vouched flows off (vouchedTree.ts) to prove it changes nothing. */
  vouchedTree = true;
  /**
   * @internal The benchmark turns the runner-escape check (and the validity check's noting for it) off to report its
   * cost apart from the rest of the scan.
   */
  runnerEscapeCheck = true;

  constructor(readonly detect: EndpointDetector, config: ScanConfig = {}, maxFlowChars = 8 * 1024 * 1024) {
    this.policy = config.plugins ? new PluginPolicy(config.plugins) : undefined;
    this.runnerEscapes = new RunnerEscapePolicy(config.runnerEscapes);
    this.exceptions = new ConfigExceptions(config.exceptions ?? []);
    this.inlineIgnores = config.inlineIgnores ?? true;
    this.maxFlowChars = maxFlowChars;
  }
}

const YAML_FILE = /\.ya?ml$/i;

interface Draft {
  readonly ruleId: string;
  readonly offset: number;
  readonly endOffset?: number;
  readonly endpoint: string | null;
  readonly match: string;
  readonly message: string;
  /** Set when a namespace exception of the config allows the finding: its reason. */
  readonly exceptionReason?: string;
}

/**
 * Scans one file's text. `file` is the path shown in findings (its extension decides whether it is read as YAML;
 * config exception globs match it).
 */
export function scanText(text: string, file: string, ctx: ScanContext, referencesOnly = false): TextScanResult {
  let refs: readonly EndpointReference[];
  try {
    refs = ctx.detect(text);
  } catch (e) {
    throw new Error(`${file}: the endpoint detector failed: ${(e as Error).message}`, { cause: e });
  }
  const drafts: Draft[] = [];
  // A second reading of a file (scanPaths) looks for references only: its YAML was checked in the first.
  const isYaml = !referencesOnly && YAML_FILE.test(file);
  // A flow names a plugin with a `type` key, spelled plainly or through a YAML escape ("typ\u0065").
  const needsPolicy = isYaml && ctx.policy !== undefined && (text.includes("type") || text.includes("\\"))
    && (!ctx.prefilter || ctx.policy.mayRefuse(text));
  let flows: readonly FlowDocument[] = [];
  // The parsed documents when the file was parsed for its validity (the runner-escape check reads them too).
  let documents: ParsedFlowFile["documents"] | undefined;
  let vouched = false;
  // What the validity check noted of the keys and types (runnerEscapes.ts gates on it when the check vouched).
  let notes: YamlNotes | undefined;
  if (isYaml) {
    const oversize = text.length > ctx.maxFlowChars;
    // Every YAML file's validity is checked: the fast check vouches for the plain shape nearly every flow has (and
    // is linear, so it also runs on files too large to parse); anything it cannot vouch for is parsed.
    notes = ctx.runnerEscapeCheck ? new YamlNotes(RUNNER_KEY_WATCH) : undefined;
    vouched = (oversize || !(needsPolicy || refs.length > 0)) && ctx.vouch && vouchForYaml(text, notes);
    if (oversize) {
      const runners = ctx.runnerEscapeCheck && mayHaveRunnerEscape(text);
      if (needsPolicy || !vouched || runners) {
        const parts = [...(needsPolicy ? ["its plugin types"] : []), ...(runners ? ["its task runner settings"] : []), ...(vouched ? [] : ["its validity"])];
        const unchecked = `${parts.join(" and ")} ${parts.length === 1 && parts[0] === "its validity" ? "was" : "were"}`;
        drafts.push({
          ruleId: NOT_SCANNED, offset: 0, endpoint: null, match: "",
          message: `YAML of ${text.length} characters is over the ${ctx.maxFlowChars}-character flow limit; ${unchecked} not checked (its text was scanned)`,
        });
      }
    } else if (!vouched) {
      const parsed = parseFlowFile(text);
      flows = parsed.flows;
      documents = parsed.documents;
      if (parsed.problems.length > 0) {
        const first = parsed.problems[0];
        const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more parser errors)` : "";
        drafts.push({
          ruleId: INVALID_YAML, offset: first.offset, endpoint: null, match: "",
          message: `invalid YAML: ${first.message}${more}; the raw text was still scanned`,
        });
      }
    }
  }
  if (needsPolicy) {
    for (const flow of flows) {
      for (const p of flow.plugins) {
        const verdict = ctx.policy!.check(p.type, flow.namespace);
        if (verdict.allowed) continue;
        drafts.push({
          ruleId: DENIED_TASK_TYPE, offset: p.typeStart, endOffset: p.typeEnd, endpoint: null, match: p.type,
          message: `${p.kind}${p.id ? ` "${p.id}"` : ""} in namespace ${flow.namespace ?? "(none)"} is not allowed: ${verdict.reason}`,
        });
      }
    }
  }
  // Runner escapes are always checked in YAML within the parse limit: no config enables them. The gate reads what
  // the validity check noted when it vouched for the file (no second pass over the text), else the text itself.
  // (No closure here: a function made per file costs more than the gate under tsx, which names each one it makes.)
  if (isYaml && text.length <= ctx.maxFlowChars && ctx.runnerEscapeCheck
    && (!ctx.prefilter || (vouched && notes !== undefined ? mayHaveRunnerEscapeNoted(notes) : mayHaveRunnerEscape(text)))) {
    // A vouched flow is read without the parser when it can be (vouchedTree.ts); a parsed one's documents are reused.
    const escapes = vouched && ctx.vouchedTree ? findRunnerEscapesVouched(text, ctx.runnerEscapes) : findRunnerEscapes(text, ctx.runnerEscapes, documents);
    for (const e of escapes) {
      drafts.push({
        ruleId: RUNNER_ESCAPE, offset: e.start, endOffset: e.end, endpoint: null, match: e.match,
        message: `${e.message} (flow namespace ${e.namespace ?? "(none)"}; kind ${e.kind})`,
        ...(e.exceptionReason !== undefined ? { exceptionReason: e.exceptionReason } : {}),
      });
    }
  }
  for (const r of refs) {
    let where = "";
    for (const flow of flows) {
      const p = pluginAt(flow, r.start);
      if (p) where = `, in ${p.kind}${p.id ? ` "${p.id}"` : ""} (${p.type})`;
    }
    const serving = endpointsServing(r.endpoint).map((e) => e.id);
    const ids = serving.length > 0 ? serving : r.endpointId ? [r.endpointId] : [];
    const id = ids.length > 0 ? ` (${ids.join(", ")})` : "";
    drafts.push({
      ruleId: r.severity === "error" ? METADATA_ENDPOINT : LINK_LOCAL_ADDRESS,
      offset: r.start, endOffset: r.end, endpoint: r.endpoint, match: r.match,
      message: r.severity === "error"
        ? `references the metadata endpoint ${r.endpoint}${id} as ${r.spelling}${where}`
        : `references the link-local address ${r.endpoint} as ${r.spelling}${where}`,
    });
  }
  const hasMarker = text.includes(IGNORE_MARKER);
  if (drafts.length === 0 && !hasMarker) return { findings: [], suppressed: [] };

  const lines = new LineIndex(text);
  const ignores: InlineIgnore[] = hasMarker ? findInlineIgnores(text, (o) => lines.position(o).line) : [];
  for (const i of ignores) {
    if (i.problem === undefined) continue;
    drafts.push({
      ruleId: INVALID_IGNORE, offset: i.offset, endpoint: null, match: i.text.slice(0, 200),
      message: `this ${IGNORE_MARKER} comment ${i.problem}, so it suppresses nothing; write "${IGNORE_MARKER} <rule-id> reason: <why>"`,
    });
  }
  const findings: LocatedFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  for (const d of drafts) {
    const pos = lines.position(d.offset);
    const endPos = d.endOffset !== undefined ? lines.position(d.endOffset) : undefined;
    const finding: LocatedFinding = {
      file, line: pos.line, column: pos.column, ruleId: d.ruleId, severity: scanRule(d.ruleId).severity,
      endpoint: d.endpoint, match: d.match, message: d.message,
      ...(endPos ? { end: { endLine: endPos.line, endColumn: endPos.column } } : {}),
      lineText: lines.lineText(pos.line, 400).trim().slice(0, 200),
    };
    const inline = ctx.inlineIgnores ? inlineIgnoreFor(ignores, d.ruleId, pos.line) : undefined;
    const configured = inline ? undefined : d.exceptionReason !== undefined ? { reason: d.exceptionReason } : ctx.exceptions.find(file, d.ruleId);
    if (inline) suppressed.push({ ...finding, suppressedBy: "comment", reason: inline.reason });
    else if (configured) suppressed.push({ ...finding, suppressedBy: "config", reason: configured.reason });
    else findings.push(finding);
  }
  return { findings: sortFindings(findings), suppressed: sortFindings(suppressed) };
}

function sortFindings<T extends LocatedFinding>(list: T[]): T[] {
  return list.sort((a, b) => a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0));
}

/** A walked file, read and decoded, waiting for its scan; or why it was not read. */
type ReadFile =
  | { readonly file: string; readonly skipped: string; readonly decoded?: undefined; readonly length?: undefined }
  | { readonly file: string; readonly skipped?: undefined; readonly decoded: DecodedFile; readonly length: number };

/**
 * A batch sent to the scan worker: up to this many files or characters, whichever comes first. Large enough that a
 * message each way per batch costs nothing beside the scan (1 MB and 8 MB batches took the same time at 40 MB);
 * small enough that a batch in flight, held here and copied in the worker, adds little to the peak memory.
 */
const BATCH_FILES = 128;
const BATCH_CHARS = 1024 * 1024;

/**
 * Scans every file under `roots`. Throws UnreadablePathError (exit 2) for a root or file that does not exist or
 * cannot be read; never writes anything.
 */
export function scanPaths(roots: readonly string[], options: ScanOptions): ScanReport {
  return scanPathsWith(roots, options, new ScanContext(options.detect, options.config, options.maxFlowChars));
}

/**
 * @internal scanPaths with a context made by the caller (the benchmark's, with a check turned off). Files scanned in
 * a worker (`options.detector`) get a context of the worker's own, made from the options.
 */
export function scanPathsWith(roots: readonly string[], options: ScanOptions, ctx: ScanContext): ScanReport {
  checkRoots(roots, options.cwd);
  const maxFileBytes = options.maxFileBytes ?? 256 * 1024 * 1024;
  const stats: WalkStats = { symlinksSkipped: 0, specialFilesSkipped: 0 };
  const findings: LocatedFinding[] = [];
  const suppressed: SuppressedFinding[] = [];
  let filesScanned = 0;
  let binaryFilesScanned = 0;
  const notScanned = scanRule(NOT_SCANNED).severity;
  // One buffer, grown as needed and reused for every file: the decoded text is a copy, so nothing aliases it.
  let buffer = Buffer.allocUnsafe(1 << 20);
  const keep = (result: TextScanResult) => {
    // One at a time: spreading a file's findings into push() overflows the stack past about 120,000 of them.
    for (const x of result.findings) findings.push(x);
    for (const x of result.suppressed) suppressed.push(x);
  };
  const notScannedFinding = (file: string, message: string): void => {
    const finding: LocatedFinding = {
      file, line: 1, column: 1, ruleId: NOT_SCANNED, severity: notScanned, endpoint: null, match: "", message, lineText: "",
    };
    const configured = ctx.exceptions.find(file, NOT_SCANNED);
    if (configured) suppressed.push({ ...finding, suppressedBy: "config", reason: configured.reason });
    else findings.push(finding);
  };
  const budgeted = options.detector ? new BudgetedScanner(options.detector, options.config ?? {}, ctx.maxFlowChars, options.workers) : undefined;
  const budgetOf = options.fileBudgetMs ?? defaultFileBudgetMs;
  /** A reading's result: the worker's outcome, or scanned here when it has none; undefined after an overrun. */
  const resultOf = (outcome: BudgetedOutcome, text: string, file: string, referencesOnly: boolean, bytes: number): TextScanResult | undefined => {
    if (outcome !== "overrun") return outcome ?? scanText(text, file, ctx, referencesOnly);
    notScannedFinding(file, `scanning this file took longer than its ${Math.round(budgetOf(bytes) / 1000)}-second budget and was stopped, so it was not checked; nothing in it was verified`);
    return undefined;
  };
  /** Reports one read file, from the worker's outcomes for its readings (one or two) or scanned here. */
  const reportOne = (r: ReadFile, first: BudgetedOutcome, second: BudgetedOutcome): void => {
    if (r.skipped !== undefined) {
      notScannedFinding(r.file, r.skipped);
      return;
    }
    const { decoded, file, length } = r;
    const result = resultOf(first, decoded.text, file, false, length);
    if (!result) return;
    keep(result);
    if (decoded.alternate !== undefined) {
      // The other reading adds only references the first did not find at the same place.
      const place = (x: LocatedFinding): string => `${x.line}:${x.column}:${x.ruleId}:${x.endpoint}`;
      const seen = new Set(result.findings.concat(result.suppressed).map(place));
      const other = resultOf(second, decoded.alternate, file, true, length);
      if (!other) return;
      keep({
        findings: other.findings.filter((x) => !seen.has(place(x))),
        suppressed: other.suppressed.filter((x) => !seen.has(place(x))),
      });
    }
  };
  /** Reports a batch of read files in walk order, from the worker's outcomes or scanned here. */
  const report = (batch: readonly ReadFile[], outcomes: readonly BudgetedOutcome[] | undefined): void => {
    let j = 0;
    for (const r of batch) {
      const first = r.skipped === undefined ? outcomes?.[j++] : undefined;
      const second = r.decoded?.alternate !== undefined ? outcomes?.[j++] : undefined;
      reportOne(r, first, second);
    }
  };
  // With workers, files go to them in batches, and the next batches are read while they scan; batches are reported
  // in the order they were read. Without, each file is scanned as soon as it is read.
  let pending: ReadFile[] = [];
  let pendingChars = 0;
  const inFlight: ReadFile[][] = [];
  const take = (r: ReadFile): void => {
    if (!budgeted) {
      reportOne(r, undefined, undefined);
      return;
    }
    pending.push(r);
    if (r.decoded) pendingChars += r.decoded.text.length + (r.decoded.alternate?.length ?? 0);
    if (pending.length >= BATCH_FILES || pendingChars >= BATCH_CHARS) flush();
  };
  const flush = (): void => {
    if (!budgeted || pending.length === 0) return;
    const batch = pending;
    pending = [];
    pendingChars = 0;
    if (budgeted.full()) report(inFlight.shift()!, budgeted.collect());
    const jobs: BudgetedJob[] = [];
    for (const r of batch) {
      if (r.skipped !== undefined) continue;
      jobs.push({ text: r.decoded.text, file: r.file, referencesOnly: false, budgetMs: budgetOf(r.length) });
      if (r.decoded.alternate !== undefined) jobs.push({ text: r.decoded.alternate, file: r.file, referencesOnly: true, budgetMs: budgetOf(r.length) });
    }
    if (jobs.length > 0 && budgeted.submit(jobs)) inFlight.push(batch);
    else {
      // Scanned here (no worker could start, or nothing to scan): the batches before it are reported first.
      while (budgeted.pending()) report(inFlight.shift()!, budgeted.collect());
      report(batch, undefined);
    }
  };
  try {
    for (const f of walkFiles(roots, options.cwd, stats)) {
      if (f.outside) {
        take({ file: f.display, skipped: "symbolic link to a file or folder outside the scanned paths; not followed, so its target was not scanned (scan the target by name)" });
        continue;
      }
      let length = 0;
      let over: number | undefined;
      try {
        const fd = fs.openSync(f.absolute, "r");
        try {
          // Read to the end of the open file (no window for a swap between a stat and the read). Its size is asked
          // only when it fills the buffer: most flows fit, and a stat per file cost more than the extra empty read.
          for (;;) {
            if (length === buffer.length) {
              const size = Math.max(fs.fstatSync(fd).size, length + 1);
              if (size > maxFileBytes) {
                over = size;
                break;
              }
              const grown = Buffer.allocUnsafe(Math.min(maxFileBytes + 1, Math.max(size, 2 * length)));
              buffer.copy(grown, 0, 0, length);
              buffer = grown;
            }
            const n = fs.readSync(fd, buffer, length, buffer.length - length, length);
            if (n === 0) break;
            length += n;
          }
        } finally {
          fs.closeSync(fd);
        }
      } catch (e) {
        throw new UnreadablePathError(f.display, describeFsError(e));
      }
      if (over !== undefined || length > maxFileBytes) {
        take({ file: f.display, skipped: `file of ${over ?? length} bytes is over the ${maxFileBytes}-byte limit and was not scanned` });
        continue;
      }
      // decodeFile copies the bytes into strings: the buffer is free for the next file.
      const decoded = decodeFile(buffer.subarray(0, length));
      if (decoded.binary) binaryFilesScanned++;
      filesScanned++;
      take({ file: f.display, decoded, length });
    }
    flush();
    while (budgeted?.pending()) report(inFlight.shift()!, budgeted.collect());
  } finally {
    budgeted?.stop();
  }
  return {
    filesScanned, binaryFilesSkipped: 0, binaryFilesScanned, symlinksSkipped: stats.symlinksSkipped,
    ignoredFiles: stats.ignoredFiles ?? 0, specialFilesSkipped: stats.specialFilesSkipped, findings, suppressed,
  };
}
