/**
 * The pack's configuration, made from the rules themselves: one JSON schema per rule (what `pulumi preview
 * --policy-pack-config` and Pulumi Cloud policy groups validate), the common exemption properties plus the rule's
 * own `options`; and each rule's config with the defaults filled in code (the CLI fills schema defaults, tests
 * and the offline auditor do not). Never declares `enforcementLevel` inside a schema: the SDK adds it and exits
 * when a pack declares it.
 */
import { stringListOption } from "./config";
import { ruleById } from "./registry";
import type { JsonSchema, RuleDescription, RuleOption } from "./rules/types";

export type { JsonSchema } from "./rules/types";

/** A policy's config schema: properties and (never) `enforcementLevel`. */
export interface RuleConfigSchema {
  readonly properties: Readonly<Record<string, JsonSchema>>;
}

/** The options every rule accepts: exemptions are how an operator records a deliberate exception. */
export const COMMON_OPTIONS: Readonly<Record<string, RuleOption>> = {
  exemptUrns: stringListOption("URNs of resources this rule does not check."),
  exemptNames: stringListOption(
    'Globs (picomatch) on logical names of resources this rule does not check, e.g. "bastion-*".',
  ),
};

type RuleRef = string | Pick<RuleDescription, "id" | "options">;
const ruleOf = (ref: RuleRef): Pick<RuleDescription, "id" | "options"> | undefined =>
  typeof ref === "string" ? ruleById(ref) : ref;
const idOf = (ref: RuleRef): string => (typeof ref === "string" ? ref : ref.id);

const schemas = new Map<string, RuleConfigSchema>();
/** The config schema of a rule (or of the rule with that id): the common exemption properties plus its own options. */
export function configSchemaFor(rule: RuleRef): RuleConfigSchema {
  const id = idOf(rule);
  let s = schemas.get(id);
  if (!s) schemas.set(id, (s = { properties: { ...COMMON_OPTIONS, ...(ruleOf(rule)?.options ?? {}) } }));
  return s;
}

const isEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const defaults = new Map<string, Readonly<Record<string, unknown>>>();
/**
 * The rule's configuration with every default filled in: what the rule sees whether the CLI, a test or the auditor
 * supplied the config. Unknown keys are kept; `enforcementLevel` is dropped (it is the caller's business).
 * Runs on every analyze call, so the defaults are computed once per rule.
 */
export function resolveConfig(
  rule: RuleRef,
  given: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> {
  const id = idOf(rule);
  let base = defaults.get(id);
  if (!base) {
    const d: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(configSchemaFor(rule).properties)) d[k] = s.default;
    defaults.set(id, (base = Object.freeze(d)));
  }
  let out: Record<string, unknown> | undefined;
  for (const k in given) {
    const v = given[k];
    if (k === "enforcementLevel" || v === undefined || v === base[k] || (isEmptyList(v) && isEmptyList(base[k])))
      continue;
    (out ??= { ...base })[k] = v;
  }
  return out ?? base;
}
