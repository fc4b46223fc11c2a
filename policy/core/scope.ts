/**
 * A rule's worker scope: which resources it enforces at its configured level. An organization that publishes the
 * pack to every stack scopes each rule to its worker resources (by tag or label, Kubernetes namespace or namespace
 * label, stack name); a finding outside the scope is still reported, at `advisory`, so a bastion host or a plain
 * web Deployment is told about it without being blocked. With no scope configured (the default) every resource is
 * in scope: the strictest setting. Pure.
 */
import { matchesAny, stringOption } from "../config";
import { isRecord, isUnknown } from "../rules/values";

/** Rule options (every rule has them, policy/options.ts) that define the scope. */
export const SCOPE_KEYS = ["scopeStacks", "scopeTags", "scopeNamespaces", "scopeNamespaceLabels"] as const;

/** What the caller knows besides the resource: the namespaces of the stack seen so far, by name. */
export interface ScopeContext {
  /** Labels of the Kubernetes Namespace of this name defined in the stack; undefined when the stack does not define it. */
  namespaceLabels(name: string): Readonly<Record<string, unknown>> | undefined;
}

/** The Kubernetes Namespace type token, whose labels namespace-label scopes read. */
export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";

/**
 * Records a Namespace's name and labels in `into`, for {@link ScopeContext.namespaceLabels} (a name unknown during
 * preview records nothing).
 */
export function recordNamespace(props: Readonly<Record<string, unknown>>, into: Map<string, Readonly<Record<string, unknown>>>): void {
  const meta = props.metadata;
  if (!isRecord(meta) || typeof meta.name !== "string" || isUnknown(meta.name)) return;
  into.set(meta.name, isRecord(meta.labels) ? meta.labels : {});
}

/** No namespaces known: a namespace-label scope then counts every namespaced resource in. */
export const NO_NAMESPACES: ScopeContext = { namespaceLabels: () => undefined };

/** The scope decision for one resource and rule. */
export interface ScopeDecision {
  readonly inScope: boolean;
  /** Why it is out of scope, or why a resource whose scope could not be decided counts in: appended to its findings. */
  readonly note?: string;
}

const IN: ScopeDecision = { inScope: true };

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::...`): what the engine and a state file both carry. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

/** A `key=value` selector (or a bare `key`: any value) against a bag of labels or tags. */
function selects(bag: unknown, selector: string): boolean | "unknown" {
  if (isUnknown(bag)) return "unknown";
  if (!isRecord(bag)) return false;
  const eq = selector.indexOf("=");
  const key = eq < 0 ? selector : selector.slice(0, eq);
  const v = bag[key];
  if (isUnknown(v)) return "unknown";
  if (typeof v !== "string") return false;
  return eq < 0 || v === selector.slice(eq + 1);
}

/** The Kubernetes namespace of a resource: its own name for a Namespace, `default` when it names none. */
export function kubernetesNamespace(type: string, props: Readonly<Record<string, unknown>>): string | undefined | "unknown" {
  if (!type.startsWith("kubernetes:")) return undefined;
  const meta = props.metadata;
  if (isUnknown(meta)) return "unknown";
  const field = type === NAMESPACE_TYPE ? "name" : "namespace";
  const v = isRecord(meta) ? meta[field] : undefined;
  if (isUnknown(v)) return "unknown";
  return typeof v === "string" && v !== "" ? v : "default";
}

/** True when a resource's metadata names its namespace (an empty string names none). */
function namespaceNamed(props: Readonly<Record<string, unknown>>): boolean {
  const meta = props.metadata;
  return isRecord(meta) && typeof meta.namespace === "string" && meta.namespace !== "";
}

/**
 * Decides whether a resource is in rule scope. In scope when the stack name matches `scopeStacks` (or it is empty)
 * and, if any of `scopeTags`, `scopeNamespaces`, `scopeNamespaceLabels` is set, the resource matches one of them.
 * What cannot be decided (a value unknown during preview, a namespace the stack does not define, a namespaced
 * resource that sets no metadata.namespace) counts in scope.
 */
export function scopeFor(
  resource: { readonly urn: string; readonly type: string; readonly props: Readonly<Record<string, unknown>> },
  config: Readonly<Record<string, unknown>>,
  context: ScopeContext = NO_NAMESPACES,
): ScopeDecision {
  const stacks = stringOption(config, "scopeStacks");
  const tags = stringOption(config, "scopeTags");
  const namespaces = stringOption(config, "scopeNamespaces");
  const nsLabels = stringOption(config, "scopeNamespaceLabels");
  if (stacks.length === 0 && tags.length === 0 && namespaces.length === 0 && nsLabels.length === 0) return IN;
  if (stacks.length > 0) {
    const stack = stackOfUrn(resource.urn);
    if (stack !== undefined && !matchesAny(stack, stacks)) {
      return { inScope: false, note: `outside this rule's scope (stack "${stack}" matches none of scopeStacks)` };
    }
  }
  if (tags.length === 0 && namespaces.length === 0 && nsLabels.length === 0) return IN;
  const { props, type } = resource;
  const meta = isRecord(props.metadata) ? props.metadata : undefined;
  for (const selector of tags) {
    for (const bag of [props.tags, props.tagsAll, props.labels, meta?.labels]) {
      if (bag !== undefined && selects(bag, selector) !== false) return IN;
    }
  }
  const ns = kubernetesNamespace(type, props);
  if (ns === "unknown" && (namespaces.length > 0 || nsLabels.length > 0)) return IN;
  if (ns !== undefined && ns !== "unknown") {
    if (matchesAny(ns, namespaces)) return IN;
    if (nsLabels.length > 0) {
      const labels = type === NAMESPACE_TYPE ? meta?.labels : context.namespaceLabels(ns);
      if (labels === undefined && type !== "kubernetes:core/v1:Namespace") {
        return {
          inScope: true,
          note: `Counted in this rule's scope: namespace "${ns}" is not defined in this stack, so its labels (scopeNamespaceLabels) are unknown; list it in scopeNamespaces to decide by name.`,
        };
      }
      if (nsLabels.some((s) => selects(labels, s) !== false)) return IN;
    }
  }
  // No metadata.namespace: the provider's default namespace (or the kubeconfig's) decides where it lands, which the
  // stack does not show; "default" is only a guess, so a resource that leaves it out is not let out of scope by it.
  if (ns === "default" && type !== NAMESPACE_TYPE && (namespaces.length > 0 || nsLabels.length > 0) && !namespaceNamed(props)) {
    return {
      inScope: true,
      note: "Counted in this rule's scope: metadata.namespace is not set, so the namespace is the provider's default and not known here; set metadata.namespace to decide by it.",
    };
  }
  const tried = [
    tags.length > 0 ? "scopeTags" : "",
    namespaces.length > 0 ? "scopeNamespaces" : "",
    nsLabels.length > 0 ? "scopeNamespaceLabels" : "",
  ].filter(Boolean);
  const what = ns !== undefined && ns !== "unknown" ? `the resource in namespace "${ns}"` : "the resource";
  return { inScope: false, note: `outside this rule's scope (${what} matches none of ${tried.join(", ")})` };
}
