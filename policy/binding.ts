/**
 * Wraps the pure rule bodies into @pulumi/policy policies: one ResourceValidationPolicy per resource rule (with its
 * remediation) and one StackValidationPolicy per stack rule, each with its config schema. Each rule runs through
 * the evaluation core (policy/core/evaluate.ts), as in the offline audit, so the pack and the auditor agree.
 * The only module besides policy/index.ts that touches @pulumi/policy, and only its types: constructing a
 * PolicyPack starts a server, so tests build policies here and call them with fake arguments.
 */
import type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { configSchemaFor, resolveConfig } from "./options";
import { ExemptedFinding, exemptionMessage, RuleRun, runRemediation, runResourceRule, runStackRule, ScopedFinding } from "./core/evaluate";
import { NAMESPACE_TYPE, recordNamespace, ScopeContext } from "./core/scope";
import type { EnforcementLevel, ResourceInput, ResourceRule, StackFinding, StackRule } from "./rules/types";
import { canonicalType } from "./rules/values";

// @pulumi/policy wraps props in proxies (unknownCheckingProxy, secretsPreservingProxy) that throw on reading an
// unknown value. Rules read raw props and treat the unknown sentinels themselves (policy/rules/values.ts), so a
// single unknown never aborts a whole rule nor turns into a violation. The proxies expose their target under
// these keys (@pulumi/policy proxy.ts `isSpecialProxy` / `getSpecialProxyTarget`).
const IS_PROXY = "__isSpecialProxy";
const PROXY_TARGET = "__getSpecialProxyTarget";

/** The object behind the SDK's property proxies (a plain value is returned as is). */
export function rawProps(props: unknown): Record<string, unknown> {
  let v = props as Record<string, unknown> | undefined;
  while (v !== null && typeof v === "object" && v[IS_PROXY] === true) v = v[PROXY_TARGET] as Record<string, unknown>;
  return v ?? {};
}

// The runtime of @pulumi/policy 1.21 (server.js makeReportViolationFun) also accepts an object
// `{ message, urn, enforcementLevel }`: it keeps the message exact (the string form prefixes the description) and
// lets a finding on an unknown value go out as advisory. tests/policy/pack.grpc.test.ts checks both over gRPC.
interface ViolationReport {
  readonly message: string;
  readonly urn?: string;
  readonly enforcementLevel?: EnforcementLevel;
}
function send(report: ReportViolation, finding: ScopedFinding, urn?: string): void {
  const advisory = finding.indeterminate || finding.outOfScope;
  const v: ViolationReport = { message: finding.message, urn, enforcementLevel: advisory ? "advisory" : undefined };
  (report as unknown as (v: ViolationReport) => void)(v);
}

/** Sends a rule's findings at their levels, and each finding an exemption suppressed as an advisory note naming it. */
function sendRun(report: ReportViolation, run: RuleRun, urnOf?: (f: ExemptedFinding | ScopedFinding) => string): void {
  for (const f of run.findings) send(report, f, urnOf?.(f));
  for (const f of run.exempted) {
    const v: ViolationReport = { message: exemptionMessage(f), urn: urnOf?.(f), enforcementLevel: "advisory" };
    (report as unknown as (v: ViolationReport) => void)(v);
  }
}

/**
 * The Kubernetes Namespaces the pack has analyzed in this process (one process serves one preview or update of one
 * stack), by name: a namespaced resource is analyzed after the Namespace it depends on, so a rule scoped by
 * namespace labels can read them.
 */
const analyzedNamespaces = new Map<string, Readonly<Record<string, unknown>>>();
const packScope: ScopeContext = { namespaceLabels: (name) => analyzedNamespaces.get(name) };


/** The policy for one resource rule: checks bound by type token, remediation where the rule has one. */
export function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
  const validate = (args: ResourceValidationArgs, report: ReportViolation): void => {
    const type = canonicalType(args.type);
    if (type === NAMESPACE_TYPE) recordNamespace(rawProps(args.props), analyzedNamespaces);
    const check = rule.checks[type];
    if (!check) return;
    const config = resolveConfig(rule, args.getConfig<Record<string, unknown>>());
    const resource = { urn: args.urn, name: args.name, type: args.type, props: rawProps(args.props) };
    sendRun(report, runResourceRule(rule.id, check, resource, config, packScope));
  };
  const types = Object.keys(rule.checks);
  // A rule bound to one type lets the SDK skip it without deserialising props (server.js checks __pulumiType);
  // azure-native rules are excluded because versioned tokens map onto their type (canonicalType).
  if (types.length === 1 && !types[0].startsWith("azure-native:")) {
    (validate as unknown as { __pulumiType: string }).__pulumiType = types[0];
  }
  const policy: ResourceValidationPolicy = {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: configSchemaFor(rule) as ResourceValidationPolicy["configSchema"],
    validateResource: validate,
  };
  const remediations = rule.remediations;
  if (remediations) {
    policy.remediateResource = (args) => {
      const fix = remediations[canonicalType(args.type)];
      if (!fix) return undefined;
      const config = resolveConfig(rule, args.getConfig<Record<string, unknown>>());
      return runRemediation(rule.id, fix, { urn: args.urn, name: args.name, type: args.type, props: rawProps(args.props) }, config, packScope);
    };
  }
  return policy;
}

function toInput(r: PolicyResource): ResourceInput {
  const deps: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(r.propertyDependencies ?? {})) deps[k] = v.map((d) => d.urn);
  return { type: canonicalType(r.type), urn: r.urn, name: r.name, props: rawProps(r.props), parent: r.parent?.urn, propertyDependencies: deps };
}

/** The policy for one stack rule: findings are reported on the resources they name. */
export function stackPolicy(rule: StackRule): StackValidationPolicy {
  const types = new Set(rule.types);
  return {
    name: rule.id,
    description: rule.description,
    enforcementLevel: rule.enforcementLevel,
    configSchema: configSchemaFor(rule) as StackValidationPolicy["configSchema"],
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      // Only the types the rule reads: the SDK deserialised every resource already, converting them all per
      // stack rule would be most of the rule's cost on a large stack.
      const resources = args.resources.filter((r) => types.has(canonicalType(r.type))).map(toInput);
      const config = resolveConfig(rule, args.getConfig<Record<string, unknown>>());
      const namespaces = new Map<string, Readonly<Record<string, unknown>>>();
      for (const r of args.resources) if (canonicalType(r.type) === NAMESPACE_TYPE) recordNamespace(rawProps(r.props), namespaces);
      const scope: ScopeContext = { namespaceLabels: (name) => namespaces.get(name) };
      sendRun(report, runStackRule(rule, resources, config, scope), (f) => (f as StackFinding).urn);
    },
  };
}

/**
 * Every rule as a policy, resource rules first. Throws on what would make the SDK exit the process: a duplicate
 * name, the reserved name `all`, or `enforcementLevel` declared in a config schema.
 */
export function policiesFor(resourceRules: readonly ResourceRule[], stackRules: readonly StackRule[]): Policies {
  const policies: Policies = [...resourceRules.map(resourcePolicy), ...stackRules.map(stackPolicy)];
  const seen = new Set<string>();
  for (const p of policies) {
    if (p.name === "all") throw new Error('a policy may not be named "all" (reserved by the Pulumi CLI)');
    if (seen.has(p.name)) throw new Error(`two policies are named "${p.name}"`);
    if (p.configSchema?.properties?.enforcementLevel) throw new Error(`policy "${p.name}" declares enforcementLevel in its config schema`);
    seen.add(p.name);
  }
  return policies;
}
