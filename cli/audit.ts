/**
 * `hardening audit <stack-export.json | dir | ->... [--format text|json|sarif] [--config FILE] [--baseline FILE]`:
 * every rule of the pack over `pulumi stack export` output and self-managed checkpoints, offline. Reads only;
 * never prints a secret.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import {
  asUtf8,
  auditSarifLog,
  auditStateFile,
  auditTextLines,
  buildAuditReport,
  isBlocking,
  isJsonSpace,
  parseAuditConfig,
  parseBaseline,
  openState,
  SecretPieceMasker,
  StackAudit,
  StateFileError,
  AuditConfigError,
} from "../policy/audit";
import type { AuditInputError } from "../policy/audit";
import type { AuditConfig } from "../policy/evaluate";
import { jsonChunks } from "./format/jsonStream";
import { oneOf, parseFlags } from "./flags";
import { CliIO, Command, ExitCode, UsageError, writeChunks } from "./io";
import { packageVersion } from "./version";

const FORMATS = ["text", "json", "sarif"] as const;
/**
 * Folders of a self-managed backend (`<backend>/.pulumi/{stacks,history,backups,locks}`) that hold past states and
 * locks, not current state: skipped only beside a `stacks` folder, and every file skipped is counted on stderr.
 */
const BACKEND_BOOKKEEPING = new Set(["history", "backups", "locks"]);

function readFileOrFail(file: string): string {
  return readBytesOrFail(file).toString("utf8");
}

/**
 * A state file's bytes: the reader splits them and decodes one resource at a time, never the whole file. A
 * failure names the file as the user gave it (`shown`).
 */
function readBytesOrFail(file: string, shown = file): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`cannot read ${shown}: ${err.code === "ENOENT" ? "no such file or directory" : (err.code ?? err.message)}`);
  }
}

/** The two bytes every gzip stream starts with. */
const GZIP_MAGIC = [0x1f, 0x8b] as const;
/**
 * The most a gzip checkpoint may decompress to: far above any real state (100,000 resources are some 31 MB), far
 * below what would exhaust memory, so a small hostile file cannot.
 */
export const MAX_DECOMPRESSED = 1 << 30;

/** True when the bytes start a gzip stream. */
function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * Decompresses a gzip checkpoint (`PULUMI_SELF_MANAGED_STATE_GZIP` writes `<stack>.json.gz`) from a stream, chunk
 * by chunk, stopping as soon as the output passes `limit` bytes. Rejects with a UsageError naming the file.
 */
export function gunzipped(shown: string, source: NodeJS.ReadableStream, limit = MAX_DECOMPRESSED): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const gunzip = createGunzip();
    const fail = (message: string) => {
      gunzip.destroy();
      reject(new UsageError(`${shown}: ${message}`));
    };
    source.on("error", (e: NodeJS.ErrnoException) => fail(`cannot read: ${e.code ?? e.message}`));
    gunzip.on("error", (e: NodeJS.ErrnoException) => fail(`is not a readable gzip file (${e.code === "Z_BUF_ERROR" ? "truncated" : (e.code ?? e.message)})`));
    gunzip.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) fail(`decompresses to more than ${Math.floor(limit / (1 << 20))} MiB; not a Pulumi checkpoint`);
      else chunks.push(chunk);
    });
    gunzip.on("end", () => resolve(Buffer.concat(chunks, size)));
    source.pipe(gunzip);
  });
}

/** A file's bytes, decompressed when it is gzip (by its first bytes, whatever its name). */
async function readInputFile(file: string, shown: string): Promise<Buffer> {
  const head = Buffer.alloc(2);
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return readBytesOrFail(file, shown);
  }
  try {
    fs.readSync(fd, head, 0, 2, 0);
  } catch {
    // a folder or an unreadable file: readBytesOrFail names the reason
  } finally {
    fs.closeSync(fd);
  }
  if (!isGzip(head)) return readBytesOrFail(file, shown);
  return gunzipped(shown, fs.createReadStream(file));
}

/** Standard input's bytes, decompressed when they are gzip. */
async function readStdinInput(io: CliIO): Promise<Buffer> {
  const data = await io.readStdin();
  if (!isGzip(data)) return data;
  return gunzipped("-", Readable.from([data]));
}

/** What a folder walk found besides the `*.json` files it returns. */
interface FolderWalk {
  readonly files: string[];
  /** Files under a self-managed backend's history, backups and locks folders, not read. */
  bookkeeping: number;
  /** Symbolic links to folders, not followed (a link to a `*.json` file is read like a file). */
  readonly linkedFolders: string[];
}

/**
 * Every `*.json` and `*.json.gz` file under a directory, sorted, without recursion (no nesting depth can overflow the stack).
 * Every folder name is entered except a self-managed backend's bookkeeping folders, which are counted instead.
 */
function jsonFilesUnder(dir: string): FolderWalk {
  const walk: FolderWalk = { files: [], bookkeeping: 0, linkedFolders: [] };
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const isBackend = entries.some((e) => e.name === "stacks" && e.isDirectory());
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) {
        if (isBackend && BACKEND_BOOKKEEPING.has(entry.name)) walk.bookkeeping += countFiles(full);
        else subdirs.push(full);
      } else if (entry.isSymbolicLink()) {
        let target: fs.Stats | undefined;
        try {
          target = fs.statSync(full);
        } catch {
          target = undefined;
        }
        if (target?.isDirectory()) walk.linkedFolders.push(full);
        // A broken link to a state file is read too, so that it is named as unreadable rather than skipped.
        else if ((target === undefined || target.isFile()) && isStateName(entry.name)) walk.files.push(full);
      } else if (entry.isFile() && isStateName(entry.name)) walk.files.push(full);
    }
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
  return walk;
}

/** A file a folder walk audits: `*.json`, or a gzip checkpoint `*.json.gz`. */
function isStateName(name: string): boolean {
  return name.endsWith(".json") || name.endsWith(".json.gz");
}

/** Regular files under a folder, for the count of what was skipped. */
function countFiles(dir: string): number {
  let n = 0;
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) stack.push(path.join(d, entry.name));
      else n++;
    }
  }
  return n;
}

/** `name` matches byte `b` at `k` as Go's decoder folds field names (the Kelvin sign and long s in UTF-8 too). */
function foldedAt(data: Buffer, k: number, name: string): number {
  for (const ch of name) {
    const b = data[k];
    if (b === ch.charCodeAt(0) || b === (ch.charCodeAt(0) & ~0x20)) k++;
    else if (ch === "k" && b === 0xe2 && data[k + 1] === 0x84 && data[k + 2] === 0xaa) k += 3;
    else if (ch === "s" && b === 0xc5 && data[k + 1] === 0xbf) k += 2;
    else return -1;
  }
  return k;
}

/**
 * True when `"<key>"` (in any letter case Pulumi reads) followed by optional whitespace and a colon occurs in the
 * bytes: the file has that key.
 */
function hasKey(data: Buffer, key: string): boolean {
  for (let i = data.indexOf(0x22); i >= 0; i = data.indexOf(0x22, i + 1)) {
    let k = foldedAt(data, i + 1, key);
    if (k < 0 || data[k] !== 0x22) continue;
    k++;
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
async function auditInputs(
  inputs: string[], io: CliIO, config: AuditConfig,
): Promise<{ audits: StackAudit[]; secrets: string[]; unreadable: AuditInputError[] }> {
  const audits: StackAudit[] = [];
  const secrets: string[] = [];
  const unreadable: AuditInputError[] = [];
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
    for (const s of file.secretValues) secrets.push(s);
  };
  let stdinUsed = false;
  for (const input of inputs) {
    if (input === "-") {
      if (stdinUsed) throw new UsageError('"-" (standard input) given twice');
      stdinUsed = true;
      auditOne("-", await readStdinInput(io));
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
      auditOne(input, await readInputFile(full, input));
      continue;
    }
    const walk = jsonFilesUnder(full);
    const files = walk.files;
    let skipped = 0;
    for (const file of files) {
      const shown = path.relative(io.cwd, file) || file;
      let data: Buffer;
      try {
        data = asUtf8(await readInputFile(file, shown));
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        unreadable.push({ source: shown, message: e.message });
        continue;
      }
      // Inside a folder, JSON that is not Pulumi state at all (package.json, ...) is skipped and counted; state
      // that cannot be read (bad JSON, another version) is named, the other files are still audited, and the
      // audit exits 2.
      if (!hasKey(data, "deployment") && !hasKey(data, "checkpoint") && /^\s*[{[]/.test(data.toString("utf8", 0, 64))) {
        skipped++;
        continue;
      }
      try {
        auditOne(shown, data);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        unreadable.push({ source: shown, message: e.message });
      }
    }
    if (skipped > 0) io.stderr(`hardening audit: skipped ${skipped} JSON file(s) under ${input} that are not Pulumi state\n`);
    if (walk.bookkeeping > 0) {
      io.stderr(`hardening audit: skipped ${walk.bookkeeping} file(s) in the history, backups and locks folders of the self-managed backend under ${input} (past states and locks, not the current state)\n`);
    }
    for (const linked of walk.linkedFolders) {
      io.stderr(`hardening audit: did not follow ${path.relative(io.cwd, linked) || linked}, a symbolic link to a folder; audit its target by name\n`);
    }
    if (files.length - skipped === 0) throw new UsageError(`no Pulumi state files under ${input}`);
  }
  return { audits, secrets, unreadable };
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

  const { audits, secrets, unreadable } = await auditInputs(positionals, io, config);

  // Rules saw masked values already; masking every string of the report again, down to any six-character piece of
  // a secret, is the last line of defence, done on values (never on the serialized text, which a secret equal to a
  // number or a stack name would corrupt).
  const masker = new SecretPieceMasker(secrets);
  masker.maskDeep(audits);
  const report = masker.maskDeep(buildAuditReport(audits, baseline, unreadable));
  const chunks =
    format === "json" ? jsonChunks(report, 2)
    : format === "sarif" ? jsonChunks(auditSarifLog(report, audits, packageVersion()), 4)
    : lines(auditTextLines(report, audits));
  writeChunks(io.stdout, withNewline(chunks, format !== "text"));
  for (const { message } of unreadable) io.stderr(`hardening audit: ${message}\n`);
  if (unreadable.length > 0) {
    io.stderr(`hardening audit: ${unreadable.length} file(s) could not be audited; the report covers the others\n`);
    return ExitCode.Usage;
  }
  return isBlocking(report) ? ExitCode.Findings : ExitCode.Clean;
};

function* lines(source: Iterable<string>): Generator<string> {
  for (const line of source) yield `${line}\n`;
}

function* withNewline(chunks: Iterable<string>, add: boolean): Generator<string> {
  yield* chunks;
  if (add) yield "\n";
}
