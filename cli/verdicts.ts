/** The policy pack's verdicts on a plan: the pack's own offline evaluator over the planned resources. */
import { evaluateResources, Verdicts } from "../policy/evaluate";
import type { ResourceInput, Violation } from "../policy/rules/types";
import type { PlannedResource } from "../program/plan";

/** Plan resources as rules see them (logical name, inputs as props). */
export function toResourceInputs(resources: readonly PlannedResource[]): ResourceInput[] {
  return resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, ...(r.parent ? { parent: r.parent } : {}) }));
}

/** Runs every resource and stack rule, at its default level and options, over the plan. */
export function evaluatePlan(resources: readonly PlannedResource[]): Violation[] {
  return evaluatePlanVerdicts(resources).violations;
}

/** As {@link evaluatePlan}, with the findings an exemption suppressed (the plan reports list them). */
export function evaluatePlanVerdicts(resources: readonly PlannedResource[]): Verdicts {
  return evaluateResources(toResourceInputs(resources));
}
