/**
 * The pack's configuration, made from the rules themselves: one JSON schema per rule (what `pulumi preview
 * --policy-pack-config` and Pulumi Cloud policy groups validate), the common exemption properties plus the rule's
 * own `options`; and each rule's config with the defaults filled in code (the CLI fills schema defaults, tests
 * and the offline auditor do not). Never declares `enforcementLevel` inside a schema: the SDK adds it and exits
 * when a pack declares it.
 */
import { EXEMPT_ANNOTATION, EXEMPT_LABEL, EXEMPT_TAG, stringListOption } from "./config";
import { ruleById } from "./registry";
import type { JsonSchema, RuleDescription, RuleOption } from "./rules/types";

export type { JsonSchema } from "./rules/types";

/** A policy's config schema: properties and (never) `enforcementLevel`. */
export interface RuleConfigSchema {
  readonly properties: Readonly<Record<string, JsonSchema>>;
}

/**
 * The options every rule accepts: exemptions are how an operator records a deliberate exception; the scope
 * options (policy/core/scope.ts) are how an organization publishing the pack to every stack enforces a rule on its
 * worker resources only (advisory elsewhere). Every default is the strictest: no scope (every resource enforced).
 */
export const COMMON_OPTIONS: Readonly<Record<string, RuleOption>> = {
  exemptUrns: stringListOption("URNs of resources this rule does not enforce (each one is listed as an exemption in every output)."),
  exemptNames: stringListOption(
    'Globs (picomatch) on logical names of resources this rule does not enforce, e.g. "bastion-*" (each one is listed as an exemption).',
  ),
  honourExemptTags: {
    type: "boolean",
    default: true,
    description: `Whether a resource's own ${EXEMPT_TAG} tag (${EXEMPT_LABEL} label, ${EXEMPT_ANNOTATION} annotation) exempts it from this rule. An organization that publishes the pack sets false: a tag then exempts nothing and the finding says the tag is not honoured.`,
  },
  scopeStacks: stringListOption(
    "Globs on stack names (the stack part of each URN): outside them this rule only advises. Empty: every stack.",
  ),
  scopeTags: stringListOption(
    'Tags or labels ("key=value", or "key" for any value) marking resources in this rule\'s scope: AWS and Azure tags, GCP labels, Kubernetes metadata.labels. Outside the scope (when any of scopeTags, scopeNamespaces, scopeNamespaceLabels is set) this rule only advises.',
  ),
  scopeNamespaces: stringListOption(
    "Globs on Kubernetes namespaces in this rule's scope (a resource naming none matches \"default\", and otherwise counts in scope: its provider's default namespace is not known; a Namespace is its own).",
  ),
  scopeNamespaceLabels: stringListOption(
    'Labels ("key=value" or "key") of Kubernetes Namespaces in this rule\'s scope, e.g. "app.kubernetes.io/component=worker-namespace"; a namespace the stack does not define counts in scope.',
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
