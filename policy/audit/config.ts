/**
 * The audit's config file: the same format as a policy-pack config (`pulumi preview --policy-pack-config`):
 * `{ "<rule-id>": "<level>" | { "enforcementLevel"?: "<level>", ...rule options }, "all"?: "<level>" }`, in
 * JSON or YAML. Validated against the pack's own config schemas, every problem reported at once.
 */
import Ajv from "ajv";
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
      if (!LEVELS.includes(level as EnforcementLevel)) problems.push(`"all" ${JSON.stringify(level)} is not one of ${LEVELS.join(", ")}`);
      else all = level as EnforcementLevel;
      continue;
    }
    if (!ids.has(key)) {
      problems.push(`"${key}" is not a rule of this pack (known: ${[...ids].sort().join(", ")})`);
      continue;
    }
    if (asLevel !== undefined) {
      if (!LEVELS.includes(asLevel as EnforcementLevel)) problems.push(`"${key}" level ${JSON.stringify(asLevel)} is not one of ${LEVELS.join(", ")}`);
      else out[key] = { enforcementLevel: asLevel as EnforcementLevel };
      continue;
    }
    const validate = validatorFor(key);
    if (!validate(value)) {
      for (const err of validate.errors ?? []) {
        const where = `${key}${err.instancePath.replace(/\//g, ".")}`;
        const extra = err.keyword === "additionalProperties" ? ` "${(err.params as { additionalProperty: string }).additionalProperty}"` : "";
        problems.push(`${where}${extra} ${err.message ?? "is invalid"}`);
      }
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
