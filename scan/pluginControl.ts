/**
 * Plugin control: decides whether a Kestra plugin type may run in a namespace, from the config's allow and deny
 * globs. A legacy name is checked under every name it answers to (aliases.ts), so renaming a task back to its
 * 0.16 name does not get it past a deny.
 */
import picomatch from "picomatch";
import { legacyNamesFor, pluginTypeNames } from "./aliases";
import type { PluginControl } from "./config";

/** Why a type was refused. */
export interface PluginVerdict {
  /** True when the type may run. */
  readonly allowed: boolean;
  /** The sentence explaining a refusal (empty when allowed). */
  readonly reason: string;
}

interface CompiledLists {
  readonly allow?: readonly [string, picomatch.Matcher][];
  readonly deny: readonly [string, picomatch.Matcher][];
}

// Types and namespaces contain no `/`, so picomatch's `*` matches any run of characters, dots included:
// `io.kestra.plugin.scripts.*` covers every script plugin at any depth, which is what a deny must do.
const compile = (globs: readonly string[]): [string, picomatch.Matcher][] =>
  globs.map((g) => [g, picomatch(g, { dot: true })]);

/** A compiled plugin-control config. */
export class PluginPolicy {
  private readonly base: CompiledLists;
  private readonly overrides: readonly { readonly glob: string; readonly match: picomatch.Matcher; readonly lists: CompiledLists }[];

  constructor(control: PluginControl) {
    this.base = { allow: control.allow && compile(control.allow), deny: compile(control.deny ?? []) };
    this.overrides = (control.namespaces ?? []).map((o) => ({
      glob: o.namespace,
      match: picomatch(o.namespace, { dot: true }),
      lists: {
        allow: o.allow ? compile(o.allow) : this.base.allow,
        deny: o.deny ? compile(o.deny) : this.base.deny,
      },
    }));
  }

  /**
   * False only when `text` cannot hold a type this policy refuses, so plugin control need not parse it. Sound, not
   * clever: an allow list (anything unlisted is refused) or a deny glob without a literal prefix means every flow
   * is parsed; otherwise a flow is parsed when its raw text contains a deny glob's literal prefix, a legacy name
   * of something denied, or any backslash (a YAML escape can spell a type without its letters).
   */
  mayRefuse(text: string): boolean {
    if (this.literals === undefined) return true;
    if (text.includes("\\")) return true;
    return this.literals.some((l) => text.includes(l));
  }

  /** Literal substrings one of which any refused type's source text must contain; undefined when none exist. */
  private get literals(): readonly string[] | undefined {
    if (this.cachedLiterals !== null) return this.cachedLiterals;
    this.cachedLiterals = computeLiterals(this.base, this.overrides.map((o) => o.lists));
    return this.cachedLiterals;
  }

  private cachedLiterals: readonly string[] | undefined | null = null;

  /** The verdict on `type` in a flow of `namespace` (undefined when the flow names none). */
  check(type: string, namespace: string | undefined): PluginVerdict {
    const override = namespace === undefined ? undefined : this.overrides.find((o) => o.match(namespace));
    const lists = override?.lists ?? this.base;
    const scope = override ? ` (namespace override "${override.glob}")` : "";
    const names = pluginTypeNames(type);
    const alias = names.length > 1 ? ` (legacy name of ${names[1]})` : "";
    for (const name of names) {
      const deny = lists.deny.find(([, m]) => m(name));
      if (deny) return { allowed: false, reason: `${type}${alias} matches deny pattern "${deny[0]}"${scope}` };
    }
    if (lists.allow && !names.some((name) => lists.allow!.some(([, m]) => m(name)))) {
      return { allowed: false, reason: `${type}${alias} matches no allow pattern${scope}` };
    }
    return { allowed: true, reason: "" };
  }
}

// picomatch syntax that ends a glob's literal prefix; a leading `!` negates the whole glob.
const GLOB_META = /[*?[\]{}()!+@\\|]/;
const MIN_LITERAL = 4;

function computeLiterals(base: CompiledLists, overrides: readonly CompiledLists[]): string[] | undefined {
  const all = [base, ...overrides];
  if (all.some((l) => l.allow !== undefined)) return undefined;
  const globs = [...new Set(all.flatMap((l) => l.deny))];
  const literals: string[] = [];
  for (const [glob, match] of globs) {
    const meta = GLOB_META.exec(glob);
    const prefix = meta ? glob.slice(0, meta.index) : glob;
    if (prefix.length < MIN_LITERAL) return undefined;
    literals.push(prefix);
    // A legacy name of something this glob denies spells none of the glob's letters.
    literals.push(...legacyNamesFor((current, isPrefix) =>
      isPrefix ? current.startsWith(prefix) || prefix.startsWith(current) : match(current)));
  }
  return [...new Set(literals)];
}
