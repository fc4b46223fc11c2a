/** The policy pack's verdicts on a plan: every rule of the pack over the planned resources, as the pack would. */
import type { PlannedResource } from "../providers/plan";
import { resourceRules, stackRules } from "../policy/rules";
import type { ResourceInput, Violation } from "../policy/rules/types";

/** Plan resources as rules see them (logical name, inputs as props). */
export function toResourceInputs(resources: readonly PlannedResource[]): ResourceInput[] {
  return resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }));
}

/** Runs every resource and stack rule at its default level over the plan. */
export function evaluatePlan(resources: readonly PlannedResource[]): Violation[] {
  const inputs = toResourceInputs(resources);
  const violations: Violation[] = [];
  for (const rule of resourceRules) {
    for (const r of inputs) {
      const check = rule.checks[r.type];
      if (!check) continue;
      for (const f of check(r.props, { config: {} })) {
        violations.push({ policy: rule.id, urn: r.urn, type: r.type, enforcementLevel: rule.enforcementLevel, property: f.property, message: f.message });
      }
    }
  }
  for (const rule of stackRules) {
    for (const f of rule.check(inputs, { config: {} })) {
      violations.push({ policy: rule.id, urn: f.urn, type: f.type, enforcementLevel: rule.enforcementLevel, property: f.property, message: f.message });
    }
  }
  return violations;
}
