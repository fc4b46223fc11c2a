/**
 * What every rule shares besides its own options: exemptions by URN, by logical-name glob or by a
 * `hardening:exempt` tag that carries a reason (honoured unless the rule's config sets `honourExemptTags: false`),
 * each decision saying where the exemption came from so that every output can list it; the worker marking (tag, label or name globs) the network rules
 * read; and the helpers to read a resolved config. The rules' options and their defaults live in each rule
 * (policy/options.ts turns them into the pack's config schemas). Pure; imports no @pulumi/policy.
 */
import picomatch from "picomatch";
import type { RuleOption } from "./rules/types";
import { isRecord } from "./rules/values";

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

/** A rule option holding a list of strings (JSON schema with its default). */
export function stringListOption(description: string, dflt: readonly string[] = []): RuleOption {
  return { type: "array", items: { type: "string" }, default: dflt, description };
}

/** The `workerNames` option the network rules share: which names mark worker resources besides the tag. */
export const WORKER_NAMES_OPTION: RuleOption = stringListOption(
  `Globs on logical names (or the Name tag) that mark worker resources, besides the tag ${WORKER_TAG}=${WORKER_TAG_VALUE}.`,
  DEFAULT_WORKER_NAMES,
);

/**
 * The worker-name globs of a rule's resolved config (its `workerNames` option), or the default globs when the
 * config does not carry the option.
 */
export function workerGlobs(config: Readonly<Record<string, unknown>>): readonly string[] {
  return config.workerNames === undefined ? (WORKER_NAMES_OPTION.default as readonly string[]) : stringOption(config, "workerNames");
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

/**
 * An exemption that took effect: where it came from and why, as every output lists it (the audit's and the
 * plan's `exemptions`, SARIF suppressions, the pack's advisory diagnostic).
 */
export interface AppliedExemption {
  /**
   * Where it came from: the policy config's `exemptUrns` or `exemptNames` list, or the resource's own `tag` (AWS,
   * Azure), `label` (GCP) or `annotation` (Kubernetes).
   */
  readonly source: "exemptUrns" | "exemptNames" | "tag" | "label" | "annotation";
  /** The config key or the tag key: `exemptUrns`, `exemptNames`, `hardening:exempt`, `hardening-exempt`, `hardening/exempt`. */
  readonly key: string;
  /** What matched: the URN listed, the name glob, or the tag's whole value. */
  readonly value: string;
  /** Why: the tag's reason, or for a config list, that the policy's administrators listed it. */
  readonly reason: string;
}

/** What the exemption checks decided for one resource and rule. */
export interface ExemptionDecision {
  readonly exempt: boolean;
  /** Why: "URN listed in exemptUrns", "name matches exemptNames", or the tag's reason. */
  readonly reason?: string;
  /** Set when exempt: the exemption with where it came from. */
  readonly exemption?: AppliedExemption;
  /**
   * Set when an exempt tag names this rule but exempts nothing (it gives no reason, or the config turns tag
   * exemptions off): appended to each finding.
   */
  readonly tagProblem?: string;
}

const SOURCE_OF_KEY: Readonly<Record<string, AppliedExemption["source"]>> = {
  [EXEMPT_TAG]: "tag",
  [EXEMPT_LABEL]: "label",
  [EXEMPT_ANNOTATION]: "annotation",
};

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
 * `all`/`*`) with a reason, where the rule's config honours tags (`honourExemptTags`, default true). A tag without a
 * reason, or one the config does not honour, exempts nothing; its problem is reported with the findings.
 */
export function exemptionFor(
  ruleId: string,
  resource: { readonly urn: string; readonly name: string; readonly props: Readonly<Record<string, unknown>> },
  config: Readonly<Record<string, unknown>>,
): ExemptionDecision {
  const urns = config.exemptUrns;
  if (Array.isArray(urns) && urns.length > 0 && urns.includes(resource.urn)) {
    const reason = "URN listed in exemptUrns";
    return { exempt: true, reason, exemption: { source: "exemptUrns", key: "exemptUrns", value: resource.urn, reason: `${reason} of the policy config` } };
  }
  const names = config.exemptNames;
  if (Array.isArray(names) && names.length > 0) {
    const glob = stringOption(config, "exemptNames").find((g) => matchesAny(resource.name, [g]));
    if (glob !== undefined) {
      const reason = "name matches exemptNames";
      return { exempt: true, reason, exemption: { source: "exemptNames", key: "exemptNames", value: glob, reason: `${reason} of the policy config` } };
    }
  }
  const [key, value] = exemptTag(resource.props);
  if (value === undefined) return { exempt: false };
  const parsed = parseExemptTag(value);
  if (!parsed || !parsed.rules.some((r) => r === ruleId || r === "all" || r === "*")) return { exempt: false };
  if (config.honourExemptTags === false) {
    return {
      exempt: false,
      tagProblem: `The ${key} ${SOURCE_OF_KEY[key]} ${JSON.stringify(value)} is not honoured: this policy's config turns resource exemptions off for ${ruleId} (honourExemptTags: false); ask its administrators to list the resource in exemptUrns or exemptNames.`,
    };
  }
  if (!/[A-Za-z]{2,}/.test(parsed.reason)) {
    return {
      exempt: false,
      tagProblem: `The ${key} tag ${JSON.stringify(value)} exempts nothing: it must give a reason, e.g. "${ruleId}: <why this resource needs it>".`,
    };
  }
  return { exempt: true, reason: parsed.reason, exemption: { source: SOURCE_OF_KEY[key], key, value, reason: parsed.reason } };
}
