/**
 * Unknown values in stack rules. During preview the pack hands rules props wrapped in @pulumi/policy's
 * `unknownCheckingProxy`, which throws `UnknownValueError` when a rule reads a value not known yet. A resource rule
 * lets it propagate (the binding turns it into an advisory note); a stack rule reads many resources, and one
 * namespace computed from another resource's output must not silence the rule for the whole stack, so it skips that
 * one resource instead. Rules must not import @pulumi/policy, so the error is recognised by shape.
 */

/** True for @pulumi/policy's `UnknownValueError` (an Error carrying the property path it could not read). */
export function isUnknownValueError(e: unknown): boolean {
  return (
    e instanceof Error &&
    e.constructor.name === "UnknownValueError" &&
    Array.isArray((e as Error & { props?: unknown }).props)
  );
}

/** Runs `read`; returns undefined when it read a value unknown during preview. Other errors propagate. */
export function whenKnown<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (isUnknownValueError(e)) return undefined;
    throw e;
  }
}
