/**
 * Rules as data. A rule body is a pure function of a resource's properties; the pack (policy/index.ts) and the
 * offline auditor bind the same bodies, so a stack passes the audit exactly when it passes the pack.
 * Nothing here imports @pulumi/policy or a cloud SDK.
 */
import type { ControlFamily } from "../../components/controls";

export type { ControlFamily } from "../../components/controls";

/** CrossGuard enforcement levels. */
export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";

/** One problem a check found on a resource. */
export interface Finding {
  /** Property path of the offending setting, e.g. `metadataOptions.httpTokens`, `spec.template.spec.hostNetwork`. */
  readonly property: string;
  /** What was seen and what is required: `metadataOptions.httpTokens is "optional"; set it to "required" ...`. */
  readonly message: string;
  /**
   * True when the check could not decide because a value it needs is unknown (during preview). Such a finding is
   * reported at `advisory` level whatever the rule's level, so an unknown value never blocks a preview.
   * @default false
   */
  readonly indeterminate?: boolean;
}

/** A resource as rules see it: the same shape from the pack (during preview) and from a stack export. */
export interface ResourceInput {
  /** Pulumi type token, e.g. `aws:ec2/launchTemplate:LaunchTemplate`. */
  readonly type: string;
  /** The resource's URN. */
  readonly urn: string;
  /** Logical name. */
  readonly name: string;
  /** Input properties (from an export: inputs, falling back to outputs). */
  readonly props: Record<string, unknown>;
  /** The parent's URN, when known. */
  readonly parent?: string;
  /**
   * URNs of the resources each input property was computed from, when known (the pack during preview, stack
   * exports). Stack rules use it to relate resources whose ids are still unknown.
   * @default {}
   */
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

/** What a check may know besides the props: the rule's resolved configuration. */
export interface CheckContext {
  /** The rule's configuration (allow-lists, options), defaults filled in by the rule itself. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * The resource being checked, for checks that depend on its name or URN (e.g. worker subnets recognised by name).
   * @default undefined (checks must work without it)
   */
  readonly resource?: { readonly urn: string; readonly name: string; readonly type: string };
}

/** A pure check of one resource's props. Reads only what it needs (unknown values throw during preview). */
export type ResourceCheck = (props: Record<string, unknown>, ctx: CheckContext) => Finding[];

/** A pure fix of one resource's props: returns new props, or undefined when nothing can be fixed safely. */
export type ResourceRemediation = (props: Record<string, unknown>, ctx: CheckContext) => Record<string, unknown> | undefined;

/** A JSON schema fragment as CrossGuard config schemas accept it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One option of a rule: its JSON schema, which carries the option's only default and its description. */
export type RuleOption = JsonSchema & { readonly default: unknown; readonly description: string };

/**
 * What every rule says of itself: enough for the pack's config schema, the docs table (policy/README.md, generated
 * by `npm run docs:rules`) and the audit's SARIF descriptors, with nothing kept elsewhere by rule id.
 */
export interface RuleDescription {
  /** Kebab-case id, the same words as the spec field or control it enforces. */
  readonly id: string;
  /** One sentence: what a passing resource guarantees. */
  readonly description: string;
  /** Default level; a stack's policy config may change it. */
  readonly enforcementLevel: EnforcementLevel;
  /** The control family (the spec field) the rule enforces; its folder under policy/rules/ is named for it. */
  readonly family: ControlFamily;
  /** What the rule checks, for the rule table: the resources it reads and what passes. */
  readonly docs: string;
  /**
   * The rule's own options (besides `exemptUrns`, `exemptNames` and `enforcementLevel`), each with its JSON schema
   * and default: the one place the default is written (policy/options.ts fills it in; the body reads it with
   * `optionValue`).
   * @default {}
   */
  readonly options?: Readonly<Record<string, RuleOption>>;
  /**
   * What the `remediate` level changes, in one sentence, for the docs.
   * @default undefined (the rule has no remediation)
   */
  readonly remediation?: string;
}

/** One control enforced on single resources, bound to every type token that carries the setting. */
export interface ResourceRule extends RuleDescription {
  /** Check bodies keyed by type token; one body serves every type carrying the same setting. */
  readonly checks: Readonly<Record<string, ResourceCheck>>;
  /** Safe fixes keyed by type token, for `remediate`. */
  readonly remediations?: Readonly<Record<string, ResourceRemediation>>;
}

/** A finding on one resource of a stack-level check. */
export interface StackFinding extends Finding {
  readonly urn: string;
  readonly type: string;
}

/** One control over relations between resources (route tables and subnets, namespaces and NetworkPolicies). */
export interface StackRule extends RuleDescription {
  /**
   * Every resource type (canonical token) the check reads. It is handed only resources of these types, so the
   * offline auditor can drop every other resource as soon as the resource rules have seen it; findings name only
   * resources of these types.
   */
  readonly types: readonly string[];
  /** Checks the whole stack; returns findings naming the offending resources. */
  readonly check: (resources: readonly ResourceInput[], ctx: CheckContext) => StackFinding[];
}

/** A violation as reported by `hardening audit` and `hardening plan` (the JSON contract in ARCHITECTURE.md). */
export interface Violation {
  readonly policy: string;
  readonly urn: string;
  readonly type: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly property: string;
  readonly message: string;
}
