/**
 * Runs the whole pack over plain resources, with no @pulumi/policy and no gRPC: the offline auditor, `hardening
 * plan` and the conformance test use it. Its verdicts are the pack's verdicts: same rules, same config defaults,
 * same exemptions, same levels (a `remediate` level reports as `mandatory`, an unknown value as `advisory`).
 */
import { exemptionFor, resolveConfig } from "./config";
import { resourceRules, stackRules } from "./rules";
import type { CheckContext, EnforcementLevel, Finding, ResourceCheck, ResourceInput, ResourceRule, Violation } from "./rules/types";
import { canonicalType } from "./rules/values";

/**
 * Per-rule configuration, keyed by rule id, in the shape of a policy-pack config file: an optional
 * `enforcementLevel` plus the rule's own properties (see policy/config.ts).
 */
export type AuditConfig = Readonly<Record<string, Readonly<Record<string, unknown>> & { readonly enforcementLevel?: EnforcementLevel }>>;

let checksByType: Map<string, { rule: ResourceRule; check: ResourceCheck }[]> | undefined;

/** The resource checks bound to each type token, built once. */
export function checksFor(type: string): readonly { rule: ResourceRule; check: ResourceCheck }[] {
  if (!checksByType) {
    checksByType = new Map();
    for (const rule of resourceRules) {
      for (const [t, check] of Object.entries(rule.checks)) {
        const list = checksByType.get(t) ?? [];
        list.push({ rule, check });
        checksByType.set(t, list);
      }
    }
  }
  return checksByType.get(canonicalType(type)) ?? [];
}

/** The level a finding is reported at, given the rule's configured level. */
export function reportedLevel(level: EnforcementLevel, finding: Finding): EnforcementLevel {
  if (finding.indeterminate) return "advisory";
  return level === "remediate" ? "mandatory" : level;
}

/** Appends an exemption tag's problem (a tag with no reason) to the finding's message. */
export function withTagProblem(finding: Finding, tagProblem: string | undefined): Finding {
  return tagProblem ? { ...finding, message: `${finding.message} ${tagProblem}` } : finding;
}

/**
 * Runs every resource rule bound to each resource's type and every stack rule over all of them, honouring each
 * rule's configured level (`disabled` skips it), options and exemptions. Returns one Violation per finding, in
 * resource order then rule order.
 */
export function auditResources(resources: readonly ResourceInput[], config: AuditConfig = {}): Violation[] {
  const violations: Violation[] = [];
  const inputs = resources.map((r) => (canonicalType(r.type) === r.type ? r : { ...r, type: canonicalType(r.type) }));
  const resolved = new Map<string, Readonly<Record<string, unknown>>>();
  const configOf = (id: string): Readonly<Record<string, unknown>> => {
    let c = resolved.get(id);
    if (!c) resolved.set(id, (c = resolveConfig(id, config[id])));
    return c;
  };
  for (const r of inputs) {
    for (const { rule, check } of checksFor(r.type)) {
      const level = config[rule.id]?.enforcementLevel ?? rule.enforcementLevel;
      if (level === "disabled") continue;
      const cfg = configOf(rule.id);
      const exemption = exemptionFor(rule.id, r, cfg);
      if (exemption.exempt) continue;
      const ctx: CheckContext = { config: cfg, resource: { urn: r.urn, name: r.name, type: r.type } };
      for (const f of check(r.props, ctx)) {
        const finding = withTagProblem(f, exemption.tagProblem);
        violations.push({ policy: rule.id, urn: r.urn, type: r.type, enforcementLevel: reportedLevel(level, finding), property: finding.property, message: finding.message });
      }
    }
  }
  for (const rule of stackRules) {
    const level = config[rule.id]?.enforcementLevel ?? rule.enforcementLevel;
    if (level === "disabled") continue;
    const cfg = configOf(rule.id);
    const byUrn = new Map(inputs.map((r) => [r.urn, r]));
    for (const f of rule.check(inputs, { config: cfg })) {
      const target = byUrn.get(f.urn);
      const exemption = target ? exemptionFor(rule.id, target, cfg) : { exempt: false as const, tagProblem: undefined };
      if (exemption.exempt) continue;
      const finding = withTagProblem(f, exemption.tagProblem);
      violations.push({ policy: rule.id, urn: f.urn, type: f.type, enforcementLevel: reportedLevel(level, finding), property: finding.property, message: finding.message });
    }
  }
  return violations;
}
