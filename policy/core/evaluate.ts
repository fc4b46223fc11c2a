/**
 * The evaluation core: how one rule is run on one resource (or one stack), written once. The pack
 * (policy/binding.ts) and the offline audit (policy/evaluate.ts) both call it, so their verdicts agree by
 * construction: the same exemptions skip the same resources, a malformed exempt tag is reported the same way, and
 * a finding on an unknown value goes out at the same level.
 * Pure: no @pulumi/policy, no I/O. The caller resolves the rule's config (policy/options.ts) and its level.
 */
import { exemptionFor } from "../config";
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

/** The level a finding is reported at, given the rule's configured level: unknown values advise, `remediate` reports as `mandatory`. */
export function reportedLevel(level: EnforcementLevel, finding: Finding): EnforcementLevel {
  if (finding.indeterminate) return "advisory";
  return level === "remediate" ? "mandatory" : level;
}

/** Appends an exemption tag's problem (a tag with no reason) to the finding's message. */
export function withTagProblem<F extends Finding>(finding: F, tagProblem: string | undefined): F {
  return tagProblem ? { ...finding, message: `${finding.message} ${tagProblem}` } : finding;
}

/**
 * Runs rule `ruleId`'s check on one resource: nothing when the resource is exempt (URN, name glob, or an exempt tag
 * with a reason), else the check's findings, each carrying the problem of an exempt tag that gave no reason.
 */
export function runResourceRule(
  ruleId: string,
  check: ResourceCheck,
  resource: CheckedResource,
  config: Readonly<Record<string, unknown>>,
): readonly Finding[] {
  const exemption = exemptionFor(ruleId, resource, config);
  if (exemption.exempt) return [];
  const findings = check(resource.props, {
    config,
    resource: { urn: resource.urn, name: resource.name, type: resource.type },
  });
  const problem = exemption.tagProblem;
  return problem && findings.length > 0 ? findings.map((f) => withTagProblem(f, problem)) : findings;
}

/** Runs a rule's remediation on one resource: undefined (no change) when the resource is exempt or nothing is safe to fix. */
export function runRemediation(
  ruleId: string,
  fix: ResourceRemediation,
  resource: CheckedResource,
  config: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  if (exemptionFor(ruleId, resource, config).exempt) return undefined;
  return fix(resource.props, { config, resource: { urn: resource.urn, name: resource.name, type: resource.type } });
}

/**
 * Runs a stack rule over the resources of the types it reads (`rule.types`): each finding on an exempt resource is
 * dropped, the others carry the problem of an exempt tag that gave no reason.
 */
export function runStackRule(
  rule: StackRule,
  resources: readonly ResourceInput[],
  config: Readonly<Record<string, unknown>>,
): StackFinding[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out: StackFinding[] = [];
  for (const f of rule.check(resources, { config })) {
    const target = byUrn.get(f.urn);
    const exemption = target ? exemptionFor(rule.id, target, config) : undefined;
    if (exemption?.exempt) continue;
    out.push(withTagProblem(f, exemption?.tagProblem));
  }
  return out;
}

/** A finding as a Violation of the audit's JSON contract, at the level it is reported at. */
export function toViolation(
  ruleId: string,
  level: EnforcementLevel,
  finding: Finding,
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
