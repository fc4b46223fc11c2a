/**
 * The `hardening` command: a thin dispatcher. Each subcommand lives in its own module and is loaded only when
 * used, so `hardening scan` never loads a cloud SDK.
 */
import { CliIO, Command, ExitCode, UsageError, processIO } from "./io";

/** Usage text printed for `--help` and after a usage error. */
export const USAGE = `usage: hardening <command> [options]

commands:
  plan  [--cloud aws|gcp|azure|kubernetes|all] [--format text|json|mermaid] [--stack-config FILE]
        the root program under mocks, offline: resources, controls report, the policy pack's verdicts
  audit <stack-export.json|dir|-> ... [--format text|json|sarif] [--config FILE] [--baseline FILE]
        runs every policy rule over \`pulumi stack export\` files or self-managed checkpoints
  scan  <path>... [--format text|json|sarif] [--config FILE]
        scans Kestra flows and other text files for metadata-endpoint references and denied task types

exit codes: 0 clean, 1 findings at the blocking level, 2 usage or unreadable input
`;

const COMMANDS: Record<string, () => Command> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  plan: () => require("./plan").planCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  audit: () => require("./audit").auditCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  scan: () => require("./scan").scanCommand,
};

/** Runs the command line `argv` (without node and script) and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? io.stderr : io.stdout)(USAGE);
    return name === undefined ? ExitCode.Usage : ExitCode.Clean;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr(`hardening: unknown command "${name}"\n${USAGE}`);
    return ExitCode.Usage;
  }
  try {
    return await load()(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`hardening ${name}: ${e.message}\n${e.showUsage ? USAGE : ""}`);
      return ExitCode.Usage;
    }
    // Anything else is a bug; still one line, never a stack trace (set HARDENING_DEBUG=1 to see it).
    const message = e instanceof Error ? e.message : String(e);
    io.stderr(`hardening ${name}: internal error: ${message.split("\n")[0]}\n`);
    if (process.env.HARDENING_DEBUG) io.stderr(`${(e as Error)?.stack ?? ""}\n`);
    return ExitCode.Usage;
  }
}

/**
 * Parses flags with node's util.parseArgs and turns its errors into UsageErrors (exit 2 with usage), so every
 * subcommand reports unknown flags the same way.
 */
export { parseFlags } from "./flags";
