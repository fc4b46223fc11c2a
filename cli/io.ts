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

/** The real process as a {@link CliIO}. */
export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
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
