/**
 * Values not known during preview. The pack hands rules raw props (policy/binding.ts), in which an unknown value is
 * one of the engine's sentinel strings (policy/rules/values.ts `isUnknown`). Read naively, a sentinel looks like a
 * real value: an unknown `securityContext` would look absent and yield a mandatory "not set" violation. So the
 * Kubernetes and code rules read props through {@link guardUnknowns}, which throws {@link PreviewUnknownError} on
 * reading a sentinel, as @pulumi/policy's own `unknownCheckingProxy` does; each check catches it at the smallest
 * sensible scope (one PSS check, one host-namespace field, one scanned value, one resource of a stack rule) and
 * reports an `indeterminate` finding (advisory) instead of guessing. Rules must not import @pulumi/policy, so the
 * SDK's `UnknownValueError` (thrown when props come wrapped in its proxy) is recognised by its shape.
 */
import { isUnknown, unknownFinding } from "../values";
import type { Finding } from "../types";

/** Thrown when a rule reads a value not known during preview. */
export class PreviewUnknownError extends Error {
  /** Dotted property path of the unknown value, e.g. `spec.template.spec.containers[0].securityContext`. */
  readonly path: string;
  constructor(path: string) {
    super(`${path} is not known during preview`);
    this.name = "PreviewUnknownError";
    this.path = path;
  }
}

function join(path: string, key: string): string {
  if (/^\d+$/.test(key)) return `${path}[${key}]`;
  return path === "" ? key : `${path}.${key}`;
}

/**
 * A read-only view of `value` that throws {@link PreviewUnknownError} when a read reaches an unknown sentinel.
 * Reads of known values behave as on the raw object (arrays stay arrays for `Array.isArray`).
 */
export function guardUnknowns<T>(value: T, path = ""): T {
  if (isUnknown(value)) throw new PreviewUnknownError(path === "" ? "(the resource's properties)" : path);
  if (typeof value !== "object" || value === null) return value;
  // Most props hold no unknown at all (always, in the offline audit): hand those out raw, without a proxy per read.
  if (!containsUnknownCached(value as unknown as object)) return value;
  return new Proxy(value as unknown as object, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string") return v;
      // Honour the Proxy invariant for non-configurable, non-writable data properties (e.g. `length` is fine,
      // frozen objects' fields must be returned as they are).
      const d = Object.getOwnPropertyDescriptor(target, key);
      if (d && "value" in d && d.configurable === false && d.writable === false) return v;
      if (!Object.prototype.hasOwnProperty.call(target, key)) return v;
      return guardUnknowns(v, join(path, key));
    },
  }) as unknown as T;
}

// The last root asked about. Every rule guards the same props object of the resource being checked, one resource
// after another, so remembering one answer saves all but the first walk; a WeakMap entry per resource cost more
// (in inserts and garbage-collector work) than it saved.
let lastRoot: object | undefined;
let lastFound = false;

/** {@link containsUnknown} of the props being checked, walked once however many rules ask. */
function containsUnknownCached(root: object): boolean {
  if (root !== lastRoot) {
    lastFound = containsUnknown(root);
    lastRoot = root;
  }
  return lastFound;
}

/** True for {@link PreviewUnknownError} and for @pulumi/policy's `UnknownValueError` (an Error with a `props` path). */
export function isUnknownValueError(e: unknown): boolean {
  if (e instanceof PreviewUnknownError) return true;
  return (
    e instanceof Error &&
    e.constructor.name === "UnknownValueError" &&
    Array.isArray((e as Error & { props?: unknown }).props)
  );
}

function pathOf(e: unknown): string {
  if (e instanceof PreviewUnknownError) return e.path;
  return ((e as { props: unknown[] }).props ?? []).map(String).join(".");
}

/** A value read from props, or the dotted path of the value that is unknown during preview. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly path: string };

/** Runs `read`; when it reads a value unknown during preview, says which. Other errors propagate. */
export function tryKnown<T>(read: () => T): Known<T> {
  try {
    return { known: true, value: read() };
  } catch (e) {
    if (isUnknownValueError(e)) return { known: false, path: pathOf(e) };
    throw e;
  }
}

/** Runs `read`; undefined when it read a value unknown during preview. Other errors propagate. */
export function whenKnown<T>(read: () => T): T | undefined {
  const result = tryKnown(read);
  return result.known ? result.value : undefined;
}

/** Runs a check; when it needs a value unknown during preview, returns the advisory finding naming that value. */
export function findingsOrUnknown(check: () => Finding[]): Finding[] {
  const result = tryKnown(check);
  return result.known ? result.value : [unknownFinding(result.path)];
}

/** True when `value` holds an unknown sentinel anywhere (remediation waits until everything is known). */
export function containsUnknown(value: unknown): boolean {
  if (typeof value === "string") return isUnknown(value);
  if (typeof value !== "object" || value === null) return false;
  // Loops rather than some(Object.values(...)): this walks every property of every resource the Kubernetes and
  // code rules see, and the arrays Object.values allocates were a measurable share of the audit's garbage.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (containsUnknown(value[i])) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const k in record) if (containsUnknown(record[k])) return true;
  return false;
}
