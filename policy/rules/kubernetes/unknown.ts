/**
 * Unknown values in stack rules. During preview the pack hands rules props wrapped in @pulumi/policy's
 * `unknownCheckingProxy`, which throws `UnknownValueError` when a rule reads a value not known yet. A resource rule
 * lets it propagate (the binding turns it into an advisory note); a stack rule reads many resources, and one
 * namespace computed from another resource's output must not silence the rule for the whole stack, so it sets that
 * one resource aside and says so with an `indeterminate` finding (reported as advisory). Rules must not import
 * @pulumi/policy, so the error is recognised by its shape.
 */

/** True for @pulumi/policy's `UnknownValueError` (an Error carrying the property path it could not read). */
export function isUnknownValueError(e: unknown): e is Error & { props: unknown[] } {
  return (
    e instanceof Error &&
    e.constructor.name === "UnknownValueError" &&
    Array.isArray((e as Error & { props?: unknown }).props)
  );
}

/** A value read from props, or the dotted path of the value that is unknown during preview. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly path: string };

/** Runs `read`; when it reads a value unknown during preview, says which. Other errors propagate. */
export function tryKnown<T>(read: () => T): Known<T> {
  try {
    return { known: true, value: read() };
  } catch (e) {
    if (isUnknownValueError(e)) return { known: false, path: e.props.map(String).join(".") };
    throw e;
  }
}

/** Runs `read`; undefined when it read a value unknown during preview. Other errors propagate. */
export function whenKnown<T>(read: () => T): T | undefined {
  const result = tryKnown(read);
  return result.known ? result.value : undefined;
}
