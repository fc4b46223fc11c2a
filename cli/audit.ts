/**
 * `hardening audit <stack-export.json | dir | ->... [--format text|json|sarif] [--config FILE] [--baseline FILE]`:
 * every rule of the pack over `pulumi stack export` output and self-managed checkpoints, offline. Reads only;
 * never prints a secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  auditStateFile,
  buildAuditReport,
  formatAuditJson,
  formatAuditSarif,
  formatAuditText,
  isBlocking,
  isJsonSpace,
  parseAuditConfig,
  parseBaseline,
  openState,
  scrubSecrets,
  StackAudit,
  StateFileError,
  AuditConfigError,
} from "../policy/audit";
import type { AuditConfig } from "../policy/evaluate";
import { oneOf, parseFlags } from "./flags";
import { CliIO, Command, ExitCode, UsageError } from "./io";
import { packageVersion } from "./version";

const FORMATS = ["text", "json", "sarif"] as const;
/** Directories of a self-managed backend that hold history and backups, not current state. */
const SKIP_DIRS = new Set(["history", "backups", "locks", ".git", "node_modules"]);

function readFileOrFail(file: string): string {
  return readBytesOrFail(file).toString("utf8");
}

/** A state file's bytes: the reader splits them and decodes one resource at a time, never the whole file. */
function readBytesOrFail(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${file}: ${err.code === "ENOENT" ? "no such file or directory" : (err.code ?? err.message)}`);
  }
}

/** Every `*.json` file under a directory, sorted, not following symlinks, skipping history and backups. */
function jsonFilesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory() && !SKIP_DIRS.has(entry.name)) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".json")) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/** True when `"<key>"` followed by optional whitespace and a colon occurs in the bytes: the file has that key. */
function hasKey(data: Buffer, key: string): boolean {
  const quoted = `"${key}"`;
  for (let i = data.indexOf(quoted); i >= 0; i = data.indexOf(quoted, i + 1)) {
    let k = i + quoted.length;
    while (k < data.length && isJsonSpace(data[k])) k++;
    if (data[k] === 0x3a) return true;
  }
  return false;
}

/** A file with this many resources gets a progress line on a terminal. */
const PROGRESS_AT = 5000;

/**
 * Audits every input, one file at a time, so only one file's text is held at once however many stacks are
 * audited. Exits 2 (UsageError) naming the first file that is not readable Pulumi state; nothing is printed on
 * stdout before every file has passed.
 */
async function auditInputs(inputs: string[], io: CliIO, config: AuditConfig): Promise<{ audits: StackAudit[]; secrets: string[] }> {
  const audits: StackAudit[] = [];
  const secrets: string[] = [];
  const auditOne = (source: string, data: Buffer): void => {
    const file = orUsageError(() => openState(source, data));
    // Progress only for a person watching a long audit: stderr, a terminal, never mixed into stdout.
    const progress = io.stderrIsTTY && file.resourceCount >= PROGRESS_AT;
    if (progress) io.stderr(`hardening audit: checking ${file.resourceCount} resources in ${source}...`);
    try {
      audits.push(orUsageError(() => auditStateFile(file, config)));
    } finally {
      if (progress) io.stderr("\r\x1b[K");
    }
    secrets.push(...file.secretValues);
  };
  let stdinUsed = false;
  for (const input of inputs) {
    if (input === "-") {
      if (stdinUsed) throw new UsageError('"-" (standard input) given twice');
      stdinUsed = true;
      auditOne("-", await io.readStdin());
      continue;
    }
    const full = path.resolve(io.cwd, input);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new UsageError(`cannot read ${input}: no such file or directory`);
    }
    if (!stat.isDirectory()) {
      auditOne(input, readBytesOrFail(full));
      continue;
    }
    const files = jsonFilesUnder(full);
    let skipped = 0;
    for (const file of files) {
      const data = readBytesOrFail(file);
      const shown = path.relative(io.cwd, file) || file;
      // Inside a folder, JSON that is not Pulumi state at all (package.json, ...) is skipped and counted;
      // state that cannot be read (bad JSON, another version) still stops the audit.
      if (!hasKey(data, "deployment") && !hasKey(data, "checkpoint") && /^\s*[{[]/.test(data.toString("utf8", 0, 64))) {
        skipped++;
        continue;
      }
      auditOne(shown, data);
    }
    if (skipped > 0) io.stderr(`hardening audit: skipped ${skipped} JSON file(s) under ${input} that are not Pulumi state\n`);
    if (files.length - skipped === 0) throw new UsageError(`no Pulumi state files under ${input}`);
  }
  return { audits, secrets };
}

/** A state file that turns out not to be Pulumi state is a usage error (exit 2), named in one line. */
function orUsageError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof StateFileError) throw new UsageError(e.message);
    throw e;
  }
}

/** The `audit` subcommand. */
export const auditCommand: Command = async (argv: string[], io: CliIO) => {
  const { values, positionals } = parseFlags(
    argv,
    { format: { type: "string" }, config: { type: "string" }, baseline: { type: "string" } },
    true,
  );
  const format = oneOf("format", values.format as string | undefined, FORMATS, "text");
  if (positionals.length === 0) throw new UsageError("give at least one stack export, checkpoint folder, or - for standard input", true);

  let config: AuditConfig = {};
  if (values.config !== undefined) {
    const file = values.config as string;
    try {
      config = parseAuditConfig(file, readFileOrFail(path.resolve(io.cwd, file)));
    } catch (e) {
      if (e instanceof AuditConfigError) throw new UsageError(`--config ${e.message}`);
      throw e;
    }
  }
  let baseline: { file: string; violations: ReturnType<typeof parseBaseline> } | undefined;
  if (values.baseline !== undefined) {
    const file = values.baseline as string;
    try {
      baseline = { file, violations: parseBaseline(file, readFileOrFail(path.resolve(io.cwd, file))) };
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`--baseline ${(e as Error).message}`);
    }
  }

  const { audits, secrets } = await auditInputs(positionals, io, config);

  const report = buildAuditReport(audits, baseline);
  const text =
    format === "json" ? formatAuditJson(report) : format === "sarif" ? formatAuditSarif(report, audits, packageVersion()) : formatAuditText(report, audits);
  io.stdout(scrubSecrets(text, secrets));
  return isBlocking(report) ? ExitCode.Findings : ExitCode.Clean;
};
