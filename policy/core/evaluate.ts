/**
 * The evaluation core: how one rule is run on one resource (or one stack), written once. The pack
 * (policy/binding.ts) and the offline audit (policy/evaluate.ts) both call it, so their verdicts agree by
 * construction: the same exemptions suppress the same findings (and are listed, never silent), a malformed or
 * unhonoured exempt tag is reported the same way, the same worker scope decides what is only advisory, and a
 * finding on an unknown value goes out at the same level.
 * Pure: no @pulumi/policy, no I/O. The caller resolves the rule's config (policy/options.ts) and its level.
 */
import { AppliedExemption, exemptionFor } from "../config";
import { NO_NAMESPACES, ScopeContext, ScopeDecision, scopeFor } from "./scope";
import type {
  EnforcementLevel,
  Finding,
  ResourceCheck,
  ResourceInput,
  ResourceRemediation,
  StackFinding,
  StackRule,
  Violation,
} from "../rules/types";

/** The resource one check runs on: what exemptions and checks read. */
export interface CheckedResource {
  readonly urn: string;
  readonly name: string;
  /** Canonical type token (policy/rules/values.ts `canonicalType`). */
  readonly type: string;
  readonly props: Record<string, unknown>;
}

/** A finding as the core hands it on: out of the rule's scope it reports as advisory. */
export type ScopedFinding<F extends Finding = Finding> = F & {
  /**
   * True when the resource is outside the rule's worker scope (policy/core/scope.ts): reported as `advisory`.
   * @default false
   */
  readonly outOfScope?: boolean;
};

/** A finding an exemption kept from being enforced, with the exemption. */
export type ExemptedFinding<F extends Finding = Finding> = F & { readonly exemption: AppliedExemption };

/** What one rule found on one resource (or a stack): the findings to report, and those an exemption suppressed. */
export interface RuleRun<F extends Finding = Finding> {
  readonly findings: ScopedFinding<F>[];
  readonly exempted: ExemptedFinding<F>[];
}

/**
 * The level a finding is reported at, given the rule's configured level: unknown values and resources outside the
 * rule's scope advise, `remediate` reports as `mandatory`.
 */
export function reportedLevel(level: EnforcementLevel, finding: ScopedFinding): EnforcementLevel {
  if (finding.indeterminate || finding.outOfScope) return "advisory";
  return level === "remediate" ? "mandatory" : level;
}

/** Appends an exemption tag's problem (a tag with no reason) to the finding's message. */
export function withTagProblem<F extends Finding>(finding: F, tagProblem: string | undefined): F {
  return tagProblem ? { ...finding, message: `${finding.message} ${tagProblem}` } : finding;
}

/** Applies the scope decision to a finding: out of scope it is marked (advisory) and says why. */
function scoped<F extends Finding>(finding: F, scope: ScopeDecision): ScopedFinding<F> {
  if (scope.inScope) return scope.note ? { ...finding, message: `${finding.message} ${scope.note}` } : finding;
  return { ...finding, outOfScope: true, message: `${finding.message} Reported as advisory: ${scope.note}.` };
}

/**
 * Runs rule `ruleId`'s check on one resource. On a resource that is exempt (URN, name glob, or an exempt tag with
 * a reason the config honours) the check still runs and its findings come back as `exempted`, so every output can
 * list the exemption that took effect; otherwise they come back as `findings`, each carrying the problem of an
 * exempt tag that exempted nothing, and marked out of scope where the rule's scope excludes the resource.
 */
export function runResourceRule(
  ruleId: string,
  check: ResourceCheck,
  resource: CheckedResource,
  config: Readonly<Record<string, unknown>>,
  scope: ScopeContext = NO_NAMESPACES,
): RuleRun {
  const found = check(resource.props, {
    config,
    resource: { urn: resource.urn, name: resource.name, type: resource.type },
  });
  // Most checks find nothing: exemptions are looked up only for what they would suppress or annotate.
  if (found.length === 0) return NOTHING;
  const exemption = exemptionFor(ruleId, resource, config);
  if (exemption.exemption) return { findings: [], exempted: found.map((f) => ({ ...f, exemption: exemption.exemption! })) };
  const decision = scopeFor(resource, config, scope);
  return { findings: found.map((f) => scoped(withTagProblem(f, exemption.tagProblem), decision)), exempted: [] };
}

const NOTHING: RuleRun = Object.freeze({ findings: [], exempted: [] }) as unknown as RuleRun;

/**
 * Runs a rule's remediation on one resource: undefined (no change) when the resource is exempt, outside the
 * rule's scope (where the rule only advises, it changes nothing), or nothing is safe to fix.
 */
export function runRemediation(
  ruleId: string,
  fix: ResourceRemediation,
  resource: CheckedResource,
  config: Readonly<Record<string, unknown>>,
  scope: ScopeContext = NO_NAMESPACES,
): Record<string, unknown> | undefined {
  if (exemptionFor(ruleId, resource, config).exempt) return undefined;
  if (!scopeFor(resource, config, scope).inScope) return undefined;
  return fix(resource.props, { config, resource: { urn: resource.urn, name: resource.name, type: resource.type } });
}

/**
 * Runs a stack rule over the resources of the types it reads (`rule.types`): each finding on an exempt resource
 * comes back as `exempted`, the others carry the problem of an exempt tag that exempted nothing and are marked out
 * of scope where the rule's scope excludes the resource they name.
 */
export function runStackRule(
  rule: StackRule,
  resources: readonly ResourceInput[],
  config: Readonly<Record<string, unknown>>,
  scope: ScopeContext = NO_NAMESPACES,
): RuleRun<StackFinding> {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const findings: ScopedFinding<StackFinding>[] = [];
  const exempted: ExemptedFinding<StackFinding>[] = [];
  for (const f of rule.check(resources, { config })) {
    const target = byUrn.get(f.urn);
    const exemption = target ? exemptionFor(rule.id, target, config) : undefined;
    if (exemption?.exemption) {
      exempted.push({ ...f, exemption: exemption.exemption });
      continue;
    }
    const decision = scopeFor(target ?? { urn: f.urn, type: f.type, props: {} }, config, scope);
    findings.push(scoped(withTagProblem(f, exemption?.tagProblem), decision));
  }
  return { findings, exempted };
}

/** An exemption that took effect, as the audit and plan JSON list it (`exemptions`, beside `violations`). */
export interface ExemptionRecord {
  readonly policy: string;
  readonly urn: string;
  readonly type: string;
  /** The property the suppressed finding named. */
  readonly property: string;
  /** The suppressed finding's message. */
  readonly message: string;
  /** Where the exemption came from and its reason. */
  readonly exemption: AppliedExemption;
}

/** An exempted finding as an entry of the reports' `exemptions` list. */
export function toExemptionRecord(ruleId: string, finding: ExemptedFinding, urn: string, type: string): ExemptionRecord {
  return { policy: ruleId, urn, type, property: finding.property, message: finding.message, exemption: finding.exemption };
}

/** Where an exemption came from, in words, for text output and the pack's advisory diagnostic. */
export function describeExemption(e: AppliedExemption): string {
  if (e.source === "exemptUrns") return "its URN is listed in the policy config's exemptUrns";
  if (e.source === "exemptNames") return `its name matches ${JSON.stringify(e.value)} in the policy config's exemptNames`;
  return `its ${e.source} ${e.key}=${JSON.stringify(e.value)}, reason: ${JSON.stringify(e.reason)}`;
}

/** The pack's advisory diagnostic for a finding an exemption suppressed. */
export function exemptionMessage(finding: ExemptedFinding): string {
  return `Exempted (not enforced) because ${describeExemption(finding.exemption)}: ${finding.message}`;
}

/** A finding as a Violation of the audit's JSON contract, at the level it is reported at. */
export function toViolation(
  ruleId: string,
  level: EnforcementLevel,
  finding: ScopedFinding,
  urn: string,
  type: string,
): Violation {
  return {
    policy: ruleId,
    urn,
    type,
    enforcementLevel: reportedLevel(level, finding),
    property: finding.property,
    message: finding.message,
  };
}
