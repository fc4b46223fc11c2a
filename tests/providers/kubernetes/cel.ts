/**
 * Test oracle: evaluates a planned ValidatingAdmissionPolicy the way the API server does, with a real CEL
 * implementation (@bufbuild/cel): matchConditions first (any false: the policy does not apply), then the variables
 * in order (each sees the ones before it as `variables.<name>`), then every validation; a validation that is false
 * or fails to evaluate refuses the request (failurePolicy Fail). The refusal's message is the messageExpression's
 * value, or the static message when that does not evaluate to a string, as the API server does.
 *
 * The pod is first passed through {@link afterServiceAccountAdmission}, the built-in mutating plugin that runs
 * before any validating policy, so expressions see what the API server shows them.
 */
import { isCelError, parse, run } from "@bufbuild/cel";
import type { AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";

type Json = unknown;

/** JSON as CEL sees Kubernetes objects: objects as maps, whole numbers as int. */
export function toCel(v: Json): unknown {
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === "object") return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toCel(x)]));
  if (typeof v === "number" && Number.isInteger(v)) return BigInt(v);
  return v;
}

/** Every CEL expression of the policy, with where it sits, for compile checks. */
export function expressionsOf(plan: AdmissionPolicyPlan): { where: string; expression: string }[] {
  const s = plan.policySpec;
  return [
    ...(s.matchConditions ?? []).map((m) => ({ where: `matchConditions[${m.name}]`, expression: m.expression })),
    ...s.variables.map((v) => ({ where: `variables[${v.name}]`, expression: v.expression })),
    ...s.validations.flatMap((v, i) => [
      { where: `validations[${i}].expression`, expression: v.expression },
      { where: `validations[${i}].messageExpression`, expression: v.messageExpression },
    ]),
  ];
}

/** Parses every expression; returns the ones that do not compile, with the parser's error. */
export function compileErrors(plan: AdmissionPolicyPlan): string[] {
  const errors: string[] = [];
  for (const { where, expression } of expressionsOf(plan)) {
    try {
      parse(expression);
    } catch (e) {
      errors.push(`${where}: ${String(e)}`);
    }
  }
  return errors;
}

function evaluate(expression: string, bindings: Record<string, unknown>): unknown {
  const r = run(expression, bindings as never);
  if (isCelError(r)) throw new Error(`${expression}: ${r.message}`);
  return r;
}

/** The ServiceAccount admission plugin: default ServiceAccount, and the token volume unless automounting is off. */
export function afterServiceAccountAdmission(pod: Record<string, unknown>, accountAutomount: Record<string, boolean> = {}): Record<string, unknown> {
  const spec = { ...(pod.spec as Record<string, unknown>) };
  spec.serviceAccountName = spec.serviceAccountName ?? "default";
  const automount = spec.automountServiceAccountToken ?? accountAutomount[spec.serviceAccountName as string] ?? true;
  if (automount === true) {
    const volumes = Array.isArray(spec.volumes) ? [...spec.volumes] : [];
    volumes.push({
      name: "kube-api-access-x1y2z",
      projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: "token" } }, { configMap: { name: "kube-root-ca.crt" } }] },
    });
    spec.volumes = volumes;
  }
  return { ...pod, spec };
}

/** The outcome of one admission request. */
export interface Admission {
  /** The policy matched the request (its matchConditions held). */
  readonly matched: boolean;
  /** One message per failed validation; empty when admitted. */
  readonly refusals: string[];
}

/**
 * Admits or refuses `pod` created by `username`, after the ServiceAccount plugin (accounts' automount settings).
 * A messageExpression that fails to evaluate throws: the API server would fall back to the static message, but the
 * package's own expressions must all work.
 */
export function admit(plan: AdmissionPolicyPlan, pod: Record<string, unknown>, username: string, accountAutomount: Record<string, boolean> = {}): Admission {
  const object = toCel(afterServiceAccountAdmission(pod, accountAutomount));
  const request = toCel({ operation: "CREATE", userInfo: { username, groups: ["system:authenticated"] }, namespace: "workers" });
  const s = plan.policySpec;
  for (const m of s.matchConditions ?? []) {
    if (evaluate(m.expression, { object, request }) !== true) return { matched: false, refusals: [] };
  }
  const variables = new Map<string, unknown>();
  for (const v of s.variables) variables.set(v.name, evaluate(v.expression, { object, request, variables }));
  const refusals: string[] = [];
  for (const v of s.validations) {
    let ok: unknown;
    try {
      ok = evaluate(v.expression, { object, request, variables });
    } catch (e) {
      refusals.push(`evaluation error (refused, failurePolicy Fail): ${String(e)}`);
      continue;
    }
    if (ok === true) continue;
    const m = evaluate(v.messageExpression, { object, request, variables });
    if (typeof m !== "string" || m === "") throw new Error(`messageExpression gave ${String(m)}: ${v.messageExpression}`);
    refusals.push(m);
  }
  return { matched: true, refusals };
}
