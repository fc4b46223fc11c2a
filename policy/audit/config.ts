/**
 * The audit's config file: the same format as a policy-pack config (`pulumi preview --policy-pack-config`):
 * `{ "<rule-id>": "<level>" | { "enforcementLevel"?: "<level>", ...rule options }, "all"?: "<level>" }`, in
 * JSON or YAML. Validated against the pack's own config schemas, every problem reported at once.
 */
import Ajv, { ErrorObject } from "ajv";
import { closestMatch } from "../../components/suggest";
import { parse as parseYaml } from "yaml";
import { configSchemaFor } from "../options";
import type { AuditConfig } from "../evaluate";
import { resourceRules, stackRules } from "../rules";
import type { EnforcementLevel } from "../rules/types";

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** A config file that cannot be used: the message lists every problem on one line. */
export class AuditConfigError extends Error {
  constructor(source: string, readonly problems: readonly string[]) {
    super(`${source}: ${problems.join("; ")}`);
    this.name = "AuditConfigError";
  }
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function validatorFor(id: string) {
  let v = validators.get(id);
  if (!v) {
    const schema = configSchemaFor(id);
    v = ajv.compile({ type: "object", properties: { ...schema.properties, enforcementLevel: { enum: LEVELS } }, additionalProperties: false });
    validators.set(id, v);
  }
  return v;
}

/** `did you mean "x"?` when one is close, else the list (`<what>: a, b, c`): the hint after "is not a ...". */
function didYouMean(typed: string, known: readonly string[], what: string): string {
  const near = closestMatch(typed, known);
  return near !== undefined ? `did you mean "${near}"?` : `${what}: ${known.join(", ")}`;
}

/** `<where> is <value>; allowed: a, b, c` with a did-you-mean when the value is a near miss. */
function notOneOf(where: string, value: unknown, allowed: readonly unknown[]): string {
  const near = typeof value === "string" ? closestMatch(value, allowed.map(String)) : undefined;
  return `${where}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(", ")}${near !== undefined ? `; did you mean "${near}"?` : ""}`;
}

/** The value at an ajv instance path (`/scopeTags/0`) inside a rule's settings. */
function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const part of pointer.split("/").slice(1)) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return v;
}

/** One schema error as a problem naming the key the user wrote, the value, and what is allowed. */
function describe(rule: string, settings: unknown, err: ErrorObject): string {
  const where = `${rule}${err.instancePath.replace(/\//g, ".")}`;
  const value = valueAt(settings, err.instancePath);
  const shown = JSON.stringify(value);
  if (err.keyword === "additionalProperties") {
    const key = (err.params as { additionalProperty: string }).additionalProperty;
    const known = ["enforcementLevel", ...Object.keys(configSchemaFor(rule).properties)];
    return `${where}: "${key}" is not a setting of ${rule}; ${didYouMean(key, known, "settings")}`;
  }
  if (err.keyword === "enum") return notOneOf(`${where} is ${shown}`, value, (err.params as { allowedValues: unknown[] }).allowedValues);
  if (err.keyword === "type") {
    const type = (err.params as { type: string }).type;
    return `${where} is ${shown}; it must be ${type === "array" ? "a list" : `${/^[aeiou]/.test(type) ? "an" : "a"} ${type}`}`;
  }
  return `${where} is ${shown}; it ${err.message ?? "is invalid"}`;
}

/** Parses and validates a config file's text; `all` sets the level of every rule a rule entry does not set. */
export function parseAuditConfig(source: string, text: string): AuditConfig {
  let doc: unknown;
  try {
    doc = text.trim() === "" ? {} : parseYaml(text, { maxAliasCount: 50 }); // YAML is a superset of JSON
  } catch (e) {
    throw new AuditConfigError(source, [`not valid JSON or YAML (${(e as Error).message.split("\n")[0]})`]);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new AuditConfigError(source, ["must be a mapping of rule ids to levels or settings"]);
  }
  const ids = new Set([...resourceRules, ...stackRules].map((r) => r.id));
  const problems: string[] = [];
  const out: Record<string, Record<string, unknown> & { enforcementLevel?: EnforcementLevel }> = {};
  let all: EnforcementLevel | undefined;
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const asLevel = typeof value === "string" ? value : undefined;
    if (key === "all") {
      const level = asLevel ?? (value as { enforcementLevel?: unknown } | null)?.enforcementLevel;
      if (!LEVELS.includes(level as EnforcementLevel)) problems.push(notOneOf(`"all" is ${JSON.stringify(level)}`, level, LEVELS));
      else all = level as EnforcementLevel;
      continue;
    }
    if (!ids.has(key)) {
      problems.push(`"${key}" is not a rule of this pack; ${didYouMean(key, [...ids].sort(), "rules")}`);
      continue;
    }
    if (asLevel !== undefined) {
      if (!LEVELS.includes(asLevel as EnforcementLevel)) problems.push(notOneOf(`${key} is ${JSON.stringify(asLevel)}`, asLevel, LEVELS));
      else out[key] = { enforcementLevel: asLevel as EnforcementLevel };
      continue;
    }
    const validate = validatorFor(key);
    if (!validate(value)) {
      for (const err of validate.errors ?? []) problems.push(describe(key, value, err));
      continue;
    }
    out[key] = value as Record<string, unknown>;
  }
  if (problems.length > 0) throw new AuditConfigError(source, problems);
  if (all !== undefined) {
    for (const id of ids) out[id] = { ...(out[id] ?? {}), enforcementLevel: out[id]?.enforcementLevel ?? all };
  }
  return out;
}
