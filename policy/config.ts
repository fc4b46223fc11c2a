/**
 * The pack's configuration: one JSON schema per rule (what `pulumi preview --policy-pack-config` and Pulumi Cloud
 * policy groups validate), the defaults filled in code (the CLI fills schema defaults, tests and the offline
 * auditor do not), and exemptions by URN, by logical-name glob or by a `hardening:exempt` tag that carries a reason.
 * Pure; imports no @pulumi/policy. Never declares `enforcementLevel` inside a schema: the SDK adds it and exits
 * when a pack declares it.
 */
import picomatch from "picomatch";
import { isRecord } from "./rules/values";

/** A JSON schema fragment as CrossGuard config schemas accept it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** A policy's config schema: properties and (never) `enforcementLevel`. */
export interface RuleConfigSchema {
  readonly properties: Readonly<Record<string, JsonSchema>>;
}

/** Tag key (AWS, Azure) that exempts a resource: value `<rule-id>[,<rule-id>...]: <reason>`, or `all: <reason>`. */
export const EXEMPT_TAG = "hardening:exempt";
/** GCP label key with the same meaning (label keys allow only `a-z0-9_-`): value `<rule-id>__<reason-words>`. */
export const EXEMPT_LABEL = "hardening-exempt";
/** Kubernetes annotation key with the same meaning. */
export const EXEMPT_ANNOTATION = "hardening/exempt";

/** Tag (AWS, Azure) or label (GCP, key `hardening-role`) that marks a worker resource; the AWS components set it. */
export const WORKER_TAG = "hardening:role";
/** GCP label key for the worker role (label keys cannot contain `:`). */
export const WORKER_LABEL = "hardening-role";
/** The tag value that marks a worker resource. */
export const WORKER_TAG_VALUE = "workload";
/**
 * Logical-name and Name-tag globs that also mark a worker subnet or resource in stacks that never used the
 * components.
 */
export const DEFAULT_WORKER_NAMES: readonly string[] = ["*worker*", "*workload*"];

const stringList = (description: string, dflt: readonly string[] = []): JsonSchema => ({
  type: "array",
  items: { type: "string" },
  default: dflt,
  description,
});

// Every rule accepts these: exemptions are how an operator records a deliberate exception.
const COMMON: Readonly<Record<string, JsonSchema>> = {
  exemptUrns: stringList("URNs of resources this rule does not check."),
  exemptNames: stringList("Globs (picomatch) on logical names of resources this rule does not check, e.g. \"bastion-*\"."),
};

const WORKER_NAMES = stringList(
  `Globs on logical names (or the Name tag) that mark worker resources, besides the tag ${WORKER_TAG}=${WORKER_TAG_VALUE}.`,
  DEFAULT_WORKER_NAMES,
);

// Rule-specific options, each with its default.
const OPTIONS: Readonly<Record<string, Readonly<Record<string, JsonSchema>>>> = {
  "metadata-endpoint-aws-imds": {
    maxHopLimit: {
      type: "integer",
      minimum: 1,
      maximum: 64,
      default: 1,
      description:
        "Highest IMDS PUT response hop limit accepted with tokens required. 1 keeps the token on the host; AWS's own guidance accepts any.",
    },
  },
  "workload-subnet-public-ip": { workerNames: WORKER_NAMES },
  "workload-subnet-internet-route": { workerNames: WORKER_NAMES },
  "egress-open-to-internet": {
    scope: {
      type: "string",
      enum: ["all", "workers"],
      default: "all",
      description: "Check every security group / firewall / NSG, or only those marked as worker resources.",
    },
    workerNames: WORKER_NAMES,
  },
  "host-identity-admin-grant": {
    awsPolicyNames: stringList("AWS managed policy names treated as administrator-level.", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]),
    gcpRoles: stringList("GCP roles treated as administrator-level.", ["roles/owner", "roles/editor", "roles/iam.securityAdmin", "roles/resourcemanager.projectIamAdmin"]),
    // Built-in role GUIDs (learn.microsoft.com, "Azure built-in roles"): the last two can grant any role, so they
    // are administrator-level too.
    azureRoleDefinitionIds: stringList(
      "Azure role definition GUIDs treated as administrator-level (Owner, Contributor, User Access Administrator, Role Based Access Control Administrator).",
      ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168"],
    ),
  },
};

const schemas = new Map<string, RuleConfigSchema>();
/** The config schema of rule `ruleId`: the common exemption properties plus the rule's own options. */
export function configSchemaFor(ruleId: string): RuleConfigSchema {
  let s = schemas.get(ruleId);
  if (!s) schemas.set(ruleId, (s = { properties: { ...COMMON, ...(OPTIONS[ruleId] ?? {}) } }));
  return s;
}

const isEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length === 0;
const defaults = new Map<string, Readonly<Record<string, unknown>>>();
/**
 * The rule's configuration with every default filled in: what the rule sees whether the CLI, a test or the auditor
 * supplied the config. Unknown keys are kept; `enforcementLevel` is dropped (it is the caller's business).
 * Runs on every analyze call, so the defaults are computed once per rule.
 */
export function resolveConfig(ruleId: string, given: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  let base = defaults.get(ruleId);
  if (!base) {
    const d: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(configSchemaFor(ruleId).properties)) d[k] = s.default;
    defaults.set(ruleId, (base = Object.freeze(d)));
  }
  let out: Record<string, unknown> | undefined;
  for (const k in given) {
    const v = given[k];
    if (k === "enforcementLevel" || v === undefined || v === base[k] || (isEmptyList(v) && isEmptyList(base[k]))) continue;
    (out ??= { ...base })[k] = v;
  }
  return out ?? base;
}

/** A string-list option of a resolved config (a malformed value counts as the empty list). */
export function stringOption(config: Readonly<Record<string, unknown>>, key: string): readonly string[] {
  const v = config[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

const matcherCache = new Map<string, (s: string) => boolean>();
/** True when `name` matches one of the picomatch globs. */
export function matchesAny(name: string, globs: readonly string[]): boolean {
  for (const g of globs) {
    let m = matcherCache.get(g);
    if (!m) {
      m = picomatch(g, { dot: true, nocase: true });
      matcherCache.set(g, m);
    }
    if (m(name)) return true;
  }
  return false;
}

// The last props object read and its tags: the rules of one resource ask one after another, so one remembered
// answer serves them all, without a WeakMap entry (and its garbage-collector cost) per resource.
let lastTagged: object | undefined;
let lastTags: Readonly<Record<string, string>> = {};

/**
 * The tags / labels / annotations of a resource, whichever its provider uses, as plain strings, worked out once
 * for the rules of one resource.
 */
export function tagsOf(props: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> {
  if (props === lastTagged) return lastTags;
  const out: Record<string, string> = {};
  addStrings(out, props.tagsAll);
  addStrings(out, props.tags);
  addStrings(out, props.labels);
  addStrings(out, isRecord(props.metadata) ? props.metadata.annotations : undefined);
  lastTagged = props;
  lastTags = out;
  return out;
}

function addStrings(out: Record<string, string>, bag: unknown): void {
  if (!isRecord(bag)) return;
  for (const k in bag) {
    const v = bag[k];
    if (typeof v === "string") out[k] = v;
  }
}

/** True when the resource is marked as a worker: the worker tag/label, or its name or Name tag matches a glob. */
export function isWorker(name: string | undefined, props: Readonly<Record<string, unknown>>, globs: readonly string[]): boolean {
  const tags = tagsOf(props);
  if (tags[WORKER_TAG] === WORKER_TAG_VALUE || tags[WORKER_LABEL] === WORKER_TAG_VALUE) return true;
  if (name !== undefined && matchesAny(name, globs)) return true;
  return typeof tags.Name === "string" && matchesAny(tags.Name, globs);
}

/** The exempt tag/label/annotation and its value, read directly (this runs for every rule on every resource). */
function exemptTag(props: Readonly<Record<string, unknown>>): [string, string | undefined] {
  const tag = str(props.tags, EXEMPT_TAG) ?? str(props.tagsAll, EXEMPT_TAG);
  if (tag !== undefined) return [EXEMPT_TAG, tag];
  const label = str(props.labels, EXEMPT_LABEL);
  if (label !== undefined) return [EXEMPT_LABEL, label];
  return [EXEMPT_ANNOTATION, str(isRecord(props.metadata) ? props.metadata.annotations : undefined, EXEMPT_ANNOTATION)];
}

function str(bag: unknown, key: string): string | undefined {
  const v = isRecord(bag) ? bag[key] : undefined;
  return typeof v === "string" ? v : undefined;
}

/** What the exemption checks decided for one resource and rule. */
export interface ExemptionDecision {
  readonly exempt: boolean;
  /** Why: "URN listed in exemptUrns", "name matches exemptNames", or the tag's reason. */
  readonly reason?: string;
  /** Set when an exempt tag names this rule but is malformed (no reason): appended to each finding. */
  readonly tagProblem?: string;
}

// `<rules><sep><reason>`: sep is ":" or "=" (AWS/Azure tags) or "__" (GCP labels, which allow only a-z0-9_-).
const TAG_RE = /^\s*([A-Za-z0-9*,\s-]+?)\s*(:|=|__)\s*(.*)$/s;

/** Parses an exempt tag value into rule ids and a reason; undefined when it names no rule. */
export function parseExemptTag(value: string): { rules: readonly string[]; reason: string } | undefined {
  const m = TAG_RE.exec(value);
  if (!m) {
    const rules = value.split(/[\s,]+/).filter(Boolean);
    return rules.length > 0 ? { rules, reason: "" } : undefined;
  }
  const rules = m[1].split(/[\s,]+/).filter(Boolean);
  const text = m[3].trim();
  // GCP label values cannot hold spaces, so "__" values spell the reason with "_" or "-" between words.
  return { rules, reason: m[2] === "__" ? text.replace(/[_-]+/g, " ") : text };
}

/**
 * Decides whether rule `ruleId` skips a resource: listed URN, name glob, or an exempt tag naming the rule (or
 * `all`/`*`) with a reason. A tag without a reason exempts nothing; its problem is reported with the findings.
 */
export function exemptionFor(
  ruleId: string,
  resource: { readonly urn: string; readonly name: string; readonly props: Readonly<Record<string, unknown>> },
  config: Readonly<Record<string, unknown>>,
): ExemptionDecision {
  const urns = config.exemptUrns;
  if (Array.isArray(urns) && urns.length > 0 && urns.includes(resource.urn)) return { exempt: true, reason: "URN listed in exemptUrns" };
  const names = config.exemptNames;
  if (Array.isArray(names) && names.length > 0 && matchesAny(resource.name, stringOption(config, "exemptNames"))) {
    return { exempt: true, reason: "name matches exemptNames" };
  }
  const [key, value] = exemptTag(resource.props);
  if (value === undefined) return { exempt: false };
  const parsed = parseExemptTag(value);
  if (!parsed || !parsed.rules.some((r) => r === ruleId || r === "all" || r === "*")) return { exempt: false };
  if (!/[A-Za-z]{2,}/.test(parsed.reason)) {
    return {
      exempt: false,
      tagProblem: `The ${key} tag ${JSON.stringify(value)} exempts nothing: it must give a reason, e.g. "${ruleId}: <why this resource needs it>".`,
    };
  }
  return { exempt: true, reason: parsed.reason };
}
