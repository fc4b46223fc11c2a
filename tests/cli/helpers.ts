/** A fake CliIO that records what a command printed. */
import type { CliIO } from "../../cli/io";

export interface Captured extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
}

/** A CliIO writing into strings; stdin gives `stdin`. */
export function captureIO(options: { cwd?: string; stdin?: string | Buffer; tty?: boolean } = {}): Captured {
  let out = "";
  let err = "";
  return {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    readStdin: async () => Buffer.from(options.stdin ?? ""),
    stderrIsTTY: options.tty ?? false,
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
