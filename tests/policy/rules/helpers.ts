/** Runs one rule's check the way the pack does: config defaults filled, the resource's name in the context. */
import { resolveConfig } from "../../../policy/config";
import type { Finding, ResourceRule } from "../../../policy/rules/types";

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
