/**
 * Readonly-friendly specs. The components' args take `HardeningSpec`, whose lists are plain arrays because the
 * schema Pulumi generates for other languages (`pulumi package add`, @pulumi/pulumi's component analyzer) accepts
 * neither `readonly T[]` nor unions. A TypeScript program that writes its spec `as const`, or keeps it in a
 * `Readonly<...>` value, passes it through `defineHardening` instead of retyping it.
 */
import { throwIfIssues } from "./errors";
import { checkHardening } from "./resolve";
import type { HardeningSpec } from "./spec";

/**
 * `T` with every property and every list readonly, as an `as const` literal is typed. Primitives are unchanged.
 */
export type ReadonlyDeep<T> = T extends readonly (infer E)[]
  ? readonly ReadonlyDeep<E>[]
  : T extends object
    ? { readonly [K in keyof T]: ReadonlyDeep<T[K]> }
    : T;

/**
 * Checks a hardening spec now and returns a mutable copy typed as `HardeningSpec`, the type every component's
 * `hardening` argument takes. Accepts readonly values, so a spec written `as const` needs no cast.
 *
 * @param spec The spec, possibly deeply readonly. The input is never modified.
 * @returns A deep copy of `spec`; `undefined` fields stay omitted, so the components still apply the strictest
 *   default for each (`DEFAULT_HARDENING`).
 * @throws InvalidArgsError listing every problem of the spec, one per line, each naming the field, the value and
 *   the fix: the same problems a component would report, before any resource exists.
 */
export function defineHardening(spec: ReadonlyDeep<HardeningSpec>): HardeningSpec {
  const copy = structuredClone(spec) as HardeningSpec;
  throwIfIssues(checkHardening(copy));
  return copy;
}
