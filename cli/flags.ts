/** Flag parsing shared by the subcommands: node's util.parseArgs, with its errors turned into one-line UsageErrors. */
import { parseArgs, ParseArgsConfig } from "node:util";
import { closestMatch } from "../components/validation";
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
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals, strict: true, tokens: true });
  } catch (e) {
    throw new UsageError(describe(e as Error, options), true);
  }
  // parseArgs keeps the last of a repeated flag and accepts `--flag=`: both would silently drop what the user wrote.
  const seen = new Map<string, string | undefined>();
  for (const t of parsed.tokens ?? []) {
    if (t.kind !== "option") continue;
    const def = options[t.name];
    if (def?.type === "string" && t.value === "") throw new UsageError(`--${t.name} is empty; give it a value or leave it out`, true);
    if (!def?.multiple && seen.has(t.name)) {
      const shown = (v: string | undefined) => (v === undefined ? "" : ` "${v}"`);
      throw new UsageError(`--${t.name} is given twice (${shown(seen.get(t.name)).trim() || "once"} and${shown(t.value)}); give it once`, true);
    }
    seen.set(t.name, t.value);
  }
  return { values: parsed.values as ParsedFlags["values"], positionals: parsed.positionals };
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
