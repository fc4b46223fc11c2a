/** Flag parsing shared by the subcommands: node's util.parseArgs, with its errors turned into UsageErrors. */
import { parseArgs, ParseArgsConfig } from "node:util";
import { UsageError } from "./io";

/** Parsed flags: values by flag name (strings, booleans, or lists of them for `multiple` flags) and positionals. */
export interface ParsedFlags {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/** Options accepted by {@link parseFlags}: util.parseArgs's option table. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` strictly: an unknown flag, a missing value or an unexpected positional is a UsageError. Returns
 * the flag values and the positionals.
 */
export function parseFlags(argv: string[], options: FlagOptions, allowPositionals: boolean): ParsedFlags {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0], true);
  }
}

/** Checks a flag's value against its allowed values; a UsageError names the flag, the value and the choices. */
export function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag} "${value}" is not one of ${allowed.join(", ")}`, true);
}
