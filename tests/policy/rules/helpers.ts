/** Runs one rule's check the way the pack does: config defaults filled, the resource's name in the context. */
import { resolveConfig } from "../../../policy/options";
import * as assert from "node:assert/strict";
import type { CheckContext, Finding, ResourceInput, ResourceRule, StackFinding, StackRule } from "../../../policy/rules/types";

export function runCheck(
  rule: ResourceRule,
  type: string,
  props: Record<string, unknown>,
  config: Record<string, unknown> = {},
  name = "res",
): Finding[] {
  const check = rule.checks[type];
  if (!check) throw new Error(`${rule.id} has no check for ${type}`);
  return check(props, { config: resolveConfig(rule.id, config), resource: { urn: `urn:pulumi:dev::p::${type}::${name}`, name, type } });
}

/** The unknown-value sentinel of the wire format (what the pack's rules see for an unknown value). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Runs a stack rule the way the offline auditor does, handing it only the types it declares, and asserts that it
 * finds exactly what it finds over every resource given: a rule that reads a type it does not declare fails here.
 */
export function checkDeclared(rule: StackRule, resources: readonly ResourceInput[], ctx: CheckContext): StackFinding[] {
  const all = rule.check(resources, ctx);
  const declared = resources.filter((r) => rule.types.includes(r.type));
  assert.deepStrictEqual(rule.check(declared, ctx), all, `${rule.id} reads a resource type it does not declare in types`);
  return all;
}

/** A resource as a stack rule sees it, with a URN built from its type and name and optional property dependencies. */
export const res = (type: string, name: string, props: Record<string, unknown>, deps?: Record<string, string[]>): ResourceInput => ({
  type,
  name,
  urn: `urn:pulumi:dev::p::${type}::${name}`,
  props,
  propertyDependencies: deps,
});

/** The reason every egress finding ends with, written out so the tests pin the wording users read. */
export const EGRESS_WHY =
  "a worker that can open any connection to the internet can exfiltrate data and reach services the egress " +
  "allow-list exists to keep out; allow only the destinations and ports the workers need";
