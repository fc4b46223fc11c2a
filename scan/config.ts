/**
 * The scan config (`--config FILE`, YAML or JSON): plugin control (allow and deny globs on Kestra plugin types,
 * with per-namespace overrides) and explicit exceptions. Validated with a JSON schema; every problem is reported
 * at once, naming the field and the value.
 *
 * @example
 * plugins:
 *   deny: ["io.kestra.plugin.scripts.shell.*"]
 *   namespaces:
 *     - namespace: "platform.*"
 *       deny: []
 * exceptions:
 *   - file: "flows/fixtures/**"
 *     ruleId: metadata-endpoint
 *     reason: "SSRF test fixtures; never deployed"
 */
import type { default as Ajv, ErrorObject } from "ajv";
import * as YAML from "yaml";
import { SCAN_RULE_IDS } from "./rules";
import { RUNNER_ESCAPE_KINDS, type RunnerEscapeControl } from "./runnerEscapes";

/** Allow and deny globs on plugin types. */
export interface PluginLists {
  /**
   * Globs a type must match to be allowed. `*` matches any run of characters, dots included.
   * @default undefined (every type not denied is allowed)
   */
  readonly allow?: readonly string[];
  /**
   * Globs that deny a type; deny wins over allow.
   * @default []
   */
  readonly deny?: readonly string[];
}

/** Lists that replace the top-level ones for flows whose namespace matches `namespace`. */
export interface NamespaceOverride extends PluginLists {
  /** Glob on the flow's namespace (`company.team.*`). */
  readonly namespace: string;
}

/** Plugin control. */
export interface PluginControl extends PluginLists {
  /**
   * Overrides by namespace; the first whose glob matches applies, and each list it gives replaces the top-level one.
   * @default []
   */
  readonly namespaces?: readonly NamespaceOverride[];
}

/** An explicit, reviewed exception. */
export interface ConfigException {
  /** Glob on the finding's file path (as shown in findings: relative to the working directory). */
  readonly file: string;
  /** The rule it suppresses. */
  readonly ruleId: string;
  /** Why this is safe; mandatory. */
  readonly reason: string;
}

/** The whole config. */
export interface ScanConfig {
  /** @default 1 */
  readonly version?: 1;
  /** @default undefined (no plugin control) */
  readonly plugins?: PluginControl;
  /** @default [] */
  readonly exceptions?: readonly ConfigException[];
  /**
   * Whether `hardening:ignore` comments in scanned files suppress findings. Set false so that only the config,
   * reviewed in one place, can grant exceptions.
   * @default true
   */
  readonly inlineIgnores?: boolean;
  /**
   * Reviewed exceptions to `kestra-runner-escape`, by flow namespace and kind of escape.
   * @default {} (every runner escape is an error)
   */
  readonly runnerEscapes?: RunnerEscapeControl;
}

/** A config that cannot be used; the message lists every problem. */
export class InvalidConfigError extends Error {
  constructor(readonly source: string, readonly issues: readonly string[]) {
    super(`${source}: ${issues.join("; ")}`);
    this.name = "InvalidConfigError";
  }
}

const globList = { type: "array", items: { type: "string", minLength: 1 } } as const;

/** The config's JSON schema (draft-07, what Ajv validates by default). */
export const SCAN_CONFIG_SCHEMA = {
  type: "object",
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    plugins: {
      type: "object",
      additionalProperties: false,
      properties: {
        allow: globList,
        deny: globList,
        namespaces: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["namespace"],
            properties: { namespace: { type: "string", minLength: 1 }, allow: globList, deny: globList },
          },
        },
      },
    },
    exceptions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["file", "ruleId", "reason"],
        properties: {
          file: { type: "string", minLength: 1 },
          ruleId: { enum: [...SCAN_RULE_IDS] },
          reason: { type: "string", pattern: "\\S" },
        },
      },
    },
    inlineIgnores: { type: "boolean" },
    runnerEscapes: {
      type: "object",
      additionalProperties: false,
      properties: {
        exceptions: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["namespace", "kinds", "reason"],
            properties: {
              namespace: { type: "string", minLength: 1 },
              kinds: { type: "array", minItems: 1, items: { enum: [...RUNNER_ESCAPE_KINDS] } },
              reason: { type: "string", pattern: "\\S" },
            },
          },
        },
      },
    },
  },
} as const;

let validator: ReturnType<Ajv["compile"]> | undefined;

/**
 * Ajv, loaded when a config is first validated: most scans have no config, and loading it cost about 20 ms of every
 * `hardening scan`'s start-up (measured on the compiled CLI).
 */
function loadAjv(): typeof Ajv {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("ajv") as { default: typeof Ajv }).default;
}

/**
 * Parses and validates a config's text. `source` names it in errors. YAML unless `source` ends in `.json`.
 * Throws InvalidConfigError listing every problem.
 */
export function parseScanConfig(text: string, source: string): ScanConfig {
  let data: unknown;
  if (source.toLowerCase().endsWith(".json")) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new InvalidConfigError(source, [`invalid JSON: ${(e as Error).message}`]);
    }
  } else {
    const doc = YAML.parseDocument(text, { prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new InvalidConfigError(source, doc.errors.map((e) => `invalid YAML: ${e.message}`));
    }
    data = doc.toJS({ maxAliasCount: 100 });
  }
  if (data === null || data === undefined) data = {};
  validator ??= new (loadAjv())({ allErrors: true, strict: true }).compile(SCAN_CONFIG_SCHEMA);
  if (!validator(data)) throw new InvalidConfigError(source, describeErrors(validator.errors ?? [], data));
  return data as ScanConfig;
}

function describeErrors(errors: readonly ErrorObject[], data: unknown): string[] {
  const out: string[] = [];
  for (const e of errors) {
    const segments = e.instancePath.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    const field = segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
    const where = field || "(top level)";
    const value = segments.reduce<unknown>((v, s) => (v as Record<string, unknown> | undefined)?.[s], data);
    let issue: string;
    switch (e.keyword) {
      case "additionalProperties":
        issue = `${where}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
        break;
      case "required":
        issue = `${where}: missing field "${(e.params as { missingProperty: string }).missingProperty}"`;
        break;
      case "enum":
        issue = `${where} ${JSON.stringify(value)} is not one of ${(e.params as { allowedValues: string[] }).allowedValues.join(", ")}`;
        break;
      case "pattern":
        issue = `${where} ${JSON.stringify(value)} must not be blank`;
        break;
      case "minLength":
        issue = `${where} ${JSON.stringify(value)} must not be empty`;
        break;
      default:
        issue = `${where} ${JSON.stringify(value)} ${e.message ?? "is invalid"}`;
    }
    if (!out.includes(issue)) out.push(issue);
  }
  return out;
}
