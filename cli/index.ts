/**
 * The `hardening` command: a thin dispatcher. Each subcommand lives in its own module and is loaded only when
 * used, so `hardening scan` never loads a cloud SDK. `--help` (for the tool or one command) and `--version` are
 * answered here, before any command module is loaded.
 */
import { suggestion } from "../components/validation";
import { CliIO, Command, ExitCode, UsageError, processIO } from "./io";
import { packageVersion } from "./version";

/** Usage text printed for `hardening --help` and when no command is given. */
export const USAGE = `usage: hardening <command> [options]

commands:
  plan  [DIR] [--cloud aws|gcp|azure|kubernetes|all] [--format text|json|mermaid] [--stack-config FILE] [--stack NAME]
        a Pulumi program under mocks, offline: resources, controls report, the policy pack's verdicts
  audit <stack-export.json|dir|-> ... [--format text|json|sarif] [--config FILE] [--baseline FILE]
        runs every policy rule over \`pulumi stack export\` files or self-managed checkpoints
  scan  <path>... [--format text|json|sarif] [--config FILE]
        scans Kestra flows and other text files for metadata-endpoint references and denied task types

hardening <command> --help shows a command's options; hardening --version prints the version.
exit codes: 0 clean, 1 findings at the blocking level, 2 usage or unreadable input
`;

/** Each command's `--help` text. */
export const COMMAND_HELP: Readonly<Record<string, string>> = Object.freeze({
  plan: `usage: hardening plan [DIR] [options]

Runs a Pulumi TypeScript program under mocks, offline, with no credentials: the resources it would create, the
controls report of every hardening component in it, and the policy pack's verdicts on every resource.
Without DIR it plans this package's own program (one hardened worker environment per cloud).

  DIR                   a Pulumi project directory (its Pulumi.yaml, stack config and entry point)
  --cloud NAME          aws, gcp, azure, kubernetes or all (the package's program only)
                        default: the stack config's hardening:cloud, else all
  --format FORMAT       text, json or mermaid (default: text)
  --stack-config FILE   a Pulumi.<stack>.yaml whose config: block is used
  --stack NAME          with DIR: read DIR/Pulumi.<NAME>.yaml
  -h, --help            this text

exit codes: 0 clean, 1 a mandatory policy is violated, 2 bad usage or configuration
`,
  audit: `usage: hardening audit <stack-export.json|dir|-> ... [options]

Runs every policy rule over \`pulumi stack export\` files, self-managed checkpoint folders or standard input.

  --format FORMAT       text, json or sarif (default: text)
  --config FILE         policy configuration (enforcement levels and rule options)
  --baseline FILE       a previous JSON report; only new violations count
  -h, --help            this text

exit codes: 0 clean, 1 findings at the blocking level, 2 usage or unreadable input
`,
  scan: `usage: hardening scan <path>... [options]

Scans Kestra flows and other text files for metadata-endpoint references and denied task types.

  --format FORMAT       text, json or sarif (default: text)
  --config FILE         scan configuration
  -h, --help            this text

exit codes: 0 clean, 1 findings at the blocking level, 2 usage or unreadable input
`,
});

const COMMANDS: Record<string, () => Command> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  plan: () => require("./plan").planCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  audit: () => require("./audit").auditCommand,
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  scan: () => require("./scan").scanCommand,
};

/** True when `argv` asks for help before any `--` (after which everything is an operand). */
function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === "--help" || a === "-h");
}

/** Runs the command line `argv` (without node and script) and returns the exit code; never throws. */
export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(USAGE);
    return ExitCode.Usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? rest[0] : undefined;
    io.stdout(topic !== undefined && Object.hasOwn(COMMAND_HELP, topic) ? COMMAND_HELP[topic] : USAGE);
    return ExitCode.Clean;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout(`${packageVersion()}\n`);
    return ExitCode.Clean;
  }
  if (!Object.hasOwn(COMMANDS, name)) {
    const what = name.startsWith("-") ? `unknown option "${name}"` : `unknown command "${name}"`;
    const known = name.startsWith("-") ? ["--help", "--version"] : Object.keys(COMMANDS);
    io.stderr(`hardening: ${what}; ${suggestion(name, known)} (hardening --help lists the commands)\n`);
    return ExitCode.Usage;
  }
  if (wantsHelp(rest)) {
    io.stdout(COMMAND_HELP[name]);
    return ExitCode.Clean;
  }
  try {
    return await COMMANDS[name]()(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`hardening ${name}: ${e.message}${e.showUsage ? ` (hardening ${name} --help shows the options)` : ""}\n`);
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
 * Parses flags with node's util.parseArgs and turns its errors into UsageErrors (exit 2), so every subcommand
 * reports unknown flags the same way.
 */
export { parseFlags } from "./flags";
