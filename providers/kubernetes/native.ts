/**
 * The one bridge from plans to the SDK's input types. Plans are plain objects in the Kubernetes API shape (so
 * tests and reports read them without the SDK); the SDK's input interfaces describe the same shape, but
 * TypeScript cannot see that a `Record<string, unknown>` built by a planner matches them.
 */

/** Returns `value` typed as the SDK input `T`. Only for plain objects a planner built in the API's own shape. */
export function native<T>(value: object): T {
  return value as unknown as T;
}
