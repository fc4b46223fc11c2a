/**
 * What a `hardening` subcommand may touch: its arguments, three streams and the working directory. Commands take
 * a {@link CliIO} instead of `process` so tests run them in-process and read exactly what they printed.
 */

/** The process surface a command uses. */
export interface CliIO {
  /** Writes to standard output (no newline added). */
  readonly stdout: (text: string) => void;
  /** Writes to standard error (no newline added). */
  readonly stderr: (text: string) => void;
  /** Reads all of standard input as bytes. */
  readonly readStdin: () => Promise<Buffer>;
  /** True when standard error is a terminal (progress lines go there only then). */
  readonly stderrIsTTY: boolean;
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

/** Exit codes of every subcommand (ARCHITECTURE.md): 0 clean, 1 blocking findings, 2 usage or unreadable input. */
export const ExitCode = { Clean: 0, Findings: 1, Usage: 2 } as const;

/**
 * Bad usage or unreadable input: the command prints `hardening: <message>` on one line and exits 2, never a stack
 * trace. Throw it from anywhere in a command.
 */
export class UsageError extends Error {
  constructor(message: string, readonly showUsage = false) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Joins `chunks` into blocks of about 64 KiB and hands each to `write`: a report of any size is written as it is
 * produced, never built as one string.
 */
export function writeChunks(write: (text: string) => void, chunks: Iterable<string>, blockSize = 1 << 16): void {
  let block = "";
  for (const chunk of chunks) {
    block += chunk;
    if (block.length >= blockSize) {
      write(block);
      block = "";
    }
  }
  if (block !== "") write(block);
}

/** Words for the errno codes a write meets. */
function describeWriteError(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "ENOSPC": return "no space left on device";
    case "EDQUOT": return "disk quota exceeded";
    case "EIO": return "input/output error";
    case "EFBIG": return "file too large";
    case "EACCES":
    case "EPERM": return "permission denied";
    default: return e.code ?? String(e.message).split("\n")[0];
  }
}

/**
 * A process stream that never throws and never prints a stack trace. A reader that went away (`| head -1`: EPIPE)
 * ends the output quietly and the exit status stays the run's; any other write error (a full disk) prints one line
 * on standard error and sets the exit status to 2. Either way nothing more is written to that stream.
 */
function guardedWriter(stream: NodeJS.WriteStream, name: string, onError: (message: string) => void): (text: string) => void {
  let stopped = false;
  const fail = (e: NodeJS.ErrnoException) => {
    if (stopped) return;
    stopped = true;
    if (e.code !== "EPIPE") onError(`hardening: cannot write ${name}: ${describeWriteError(e)}\n`);
  };
  stream.on("error", fail);
  return (text) => {
    if (stopped) return;
    try {
      stream.write(text);
    } catch (e) {
      fail(e as NodeJS.ErrnoException);
    }
  };
}

let processStreams: { stdout: (t: string) => void; stderr: (t: string) => void } | undefined;

/** The real process as a {@link CliIO}. */
export function processIO(): CliIO {
  processStreams ??= (() => {
    const stderr = guardedWriter(process.stderr, "standard error", () => undefined);
    const stdout = guardedWriter(process.stdout, "standard output", (message) => {
      stderr(message);
      process.exitCode = ExitCode.Usage;
    });
    return { stdout, stderr };
  })();
  return {
    stdout: processStreams.stdout,
    stderr: processStreams.stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
    stderrIsTTY: Boolean(process.stderr.isTTY),
    cwd: process.cwd(),
  };
}

/** One subcommand: parses its own flags from `argv` (everything after its name) and returns the exit code. */
export type Command = (argv: string[], io: CliIO) => Promise<number>;
