/**
 * Runs the whole pack over plain resources, with no @pulumi/policy and no gRPC: the offline auditor, `hardening
 * plan` and the conformance test use it. Its verdicts are the pack's verdicts: same rules, same config defaults,
 * same exemptions, same levels (a `remediate` level reports as `mandatory`, an unknown value as `advisory`).
 */
import { resolveConfig } from "./options";
import { ExemptionRecord, runResourceRule, runStackRule, toExemptionRecord, toViolation } from "./core/evaluate";
import { NAMESPACE_TYPE, recordNamespace, ScopeContext } from "./core/scope";
import { checksFor, stackRules } from "./registry";
import type { EnforcementLevel, ResourceCheck, ResourceInput, ResourceRule, RuleDescription, StackRule, Violation } from "./rules/types";
import { canonicalType } from "./rules/values";

/**
 * Per-rule configuration, keyed by rule id, in the shape of a policy-pack config file: an optional
 * `enforcementLevel` plus the rule's own properties (see policy/options.ts).
 */
export type AuditConfig = Readonly<Record<string, Readonly<Record<string, unknown>> & { readonly enforcementLevel?: EnforcementLevel }>>;

/**
 * The pack's rules over a stream of resources: {@link StreamingAudit.add} runs the resource rules on one resource
 * and keeps it only if an enabled stack rule reads its type; {@link StreamingAudit.finish} runs the stack rules.
 * The offline auditor feeds it one parsed resource at a time, so it never holds a whole state's resources.
 */
export class StreamingAudit {
  private readonly violations: Violation[] = [];
  /** Every finding an exemption suppressed, with the exemption: complete once {@link finish} returned. */
  readonly exemptions: ExemptionRecord[] = [];
  /** The Kubernetes Namespaces seen so far, by name (state lists a namespace before what depends on it). */
  private readonly namespaces = new Map<string, Readonly<Record<string, unknown>>>();
  private readonly scope: ScopeContext = { namespaceLabels: (name) => this.namespaces.get(name) };
  private readonly resolved = new Map<string, Readonly<Record<string, unknown>>>();
  /** Enabled stack rules, with the resources of their types seen so far. */
  private readonly stacks: { rule: StackRule; level: EnforcementLevel; config: Readonly<Record<string, unknown>>; resources: ResourceInput[] }[] = [];
  /** Per type: the enabled resource checks and the stack rules that read it, resolved once. */
  private readonly plans = new Map<string, TypePlan>();
  private finished = false;

  constructor(private readonly config: AuditConfig = {}) {
    for (const rule of stackRules) {
      const level = this.levelOf(rule);
      if (level !== "disabled") this.stacks.push({ rule, level, config: this.configOf(rule), resources: [] });
    }
  }

  /** Runs every enabled resource rule bound to the resource's type; keeps it for the stack rules that read it. */
  add(resource: ResourceInput): void {
    const type = canonicalType(resource.type);
    const r = type === resource.type ? resource : { ...resource, type };
    if (type === NAMESPACE_TYPE) recordNamespace(r.props, this.namespaces);
    const plan = this.planFor(type);
    for (const { rule, check, level, config } of plan.checks) {
      const run = runResourceRule(rule.id, check, r, config, this.scope);
      for (const f of run.findings) this.violations.push(toViolation(rule.id, level, f, r.urn, r.type));
      for (const f of run.exempted) this.exemptions.push(toExemptionRecord(rule.id, f, r.urn, r.type));
    }
    for (const i of plan.stackRules) this.stacks[i].resources.push(r);
  }

  /**
   * Runs the stack rules and returns every violation: resource rules' in resource order then rule order, then
   * stack rules' in rule order.
   */
  finish(): Violation[] {
    if (this.finished) throw new Error("StreamingAudit.finish called twice");
    this.finished = true;
    for (const { rule, level, config, resources } of this.stacks) {
      const run = runStackRule(rule, resources, config, this.scope);
      for (const f of run.findings) this.violations.push(toViolation(rule.id, level, f, f.urn, f.type));
      for (const f of run.exempted) this.exemptions.push(toExemptionRecord(rule.id, f, f.urn, f.type));
    }
    return this.violations;
  }

  private levelOf(rule: { readonly id: string; readonly enforcementLevel: EnforcementLevel }): EnforcementLevel {
    return this.config[rule.id]?.enforcementLevel ?? rule.enforcementLevel;
  }

  private configOf(rule: RuleDescription): Readonly<Record<string, unknown>> {
    let c = this.resolved.get(rule.id);
    if (!c) this.resolved.set(rule.id, (c = resolveConfig(rule, this.config[rule.id])));
    return c;
  }

  private planFor(type: string): TypePlan {
    let plan = this.plans.get(type);
    if (!plan) {
      plan = {
        checks: checksFor(type)
          .map(({ rule, check }) => ({ rule, check, level: this.levelOf(rule), config: this.configOf(rule) }))
          .filter((c) => c.level !== "disabled"),
        stackRules: this.stacks.flatMap((s, i) => (s.rule.types.includes(type) ? [i] : [])),
      };
      this.plans.set(type, plan);
    }
    return plan;
  }
}

interface TypePlan {
  readonly checks: readonly { rule: ResourceRule; check: ResourceCheck; level: EnforcementLevel; config: Readonly<Record<string, unknown>> }[];
  readonly stackRules: readonly number[];
}

/**
 * Runs every resource rule bound to each resource's type and every stack rule over the resources of the types it
 * reads, honouring each rule's configured level (`disabled` skips it), options and exemptions. Returns one
 * Violation per finding, in resource order then rule order.
 */
export function auditResources(resources: readonly ResourceInput[], config: AuditConfig = {}): Violation[] {
  return evaluateResources(resources, config).violations;
}

/** What the pack says of a set of resources: its violations, and every finding an exemption suppressed. */
export interface Verdicts {
  readonly violations: Violation[];
  readonly exemptions: ExemptionRecord[];
}

/** As {@link auditResources}, with the exemptions that took effect (which every report lists). */
export function evaluateResources(resources: readonly ResourceInput[], config: AuditConfig = {}): Verdicts {
  const audit = new StreamingAudit(config);
  for (const r of resources) audit.add(r);
  const violations = audit.finish();
  return { violations, exemptions: audit.exemptions };
}
