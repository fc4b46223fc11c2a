/** Flag parsing shared by the subcommands: node's util.parseArgs, with its errors turned into one-line UsageErrors. */
import { parseArgs, ParseArgsConfig } from "node:util";
import { closestMatch } from "../components/suggest";
import { UsageError } from "./io";

/** Parsed flags: values by flag name (strings, booleans, or lists of them for `multiple` flags) and positionals. */
export interface ParsedFlags {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/** Options accepted by {@link parseFlags}: util.parseArgs's option table. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/** The message for a parseArgs error: the flag the user wrote, and the flag they probably meant. */
function describe(e: Error & { code?: string }, options: FlagOptions): string {
  const unknown = /^Unknown option '([^']+)'/.exec(e.message);
  if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && unknown) {
    const typed = unknown[1];
    const flags = Object.keys(options).map((f) => `--${f}`);
    const near = closestMatch(typed.startsWith("--") ? typed : `--${typed.replace(/^-+/, "")}`, flags);
    return `unknown option ${typed}; ${near ? `did you mean ${near}?` : `options: ${flags.join(", ")}.`}`;
  }
  const missing = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(e.message);
  if (missing) return `${missing[1]} needs a value`;
  const positional = /^Unexpected argument '([^']*)'/.exec(e.message);
  if (positional) return `unexpected argument "${positional[1]}"; this command takes no paths`;
  return e.message.split("\n")[0];
}

/**
 * Parses `argv` strictly: an unknown flag, a missing value or an unexpected positional is a UsageError naming what
 * the user wrote (and, for a misspelt flag, the flag they meant). Returns the flag values and the positionals.
 */
export function parseFlags(argv: string[], options: FlagOptions, allowPositionals: boolean): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (e) {
    throw new UsageError(describe(e as Error, options), true);
  }
}

/**
 * Checks a flag's value against its allowed values; a UsageError names the flag, the value and the choices (or
 * the choice that differs only in case or by a typo).
 */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  const near = closestMatch(value, allowed);
  throw new UsageError(`--${flag} "${value}" is not one of ${allowed.join(", ")}${near ? `; did you mean "${near}"?` : ""}`, true);
}
