/**
 * Plugin control: decides whether a Kestra plugin type may run in a namespace, from the config's allow and deny
 * globs. A legacy name is checked under every name it answers to (aliases.ts), so renaming a task back to its
 * 0.16 name does not get it past a deny.
 */
import picomatch from "picomatch";
import { pluginTypeNames } from "./aliases";
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
