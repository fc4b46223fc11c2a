/**
 * The edge between pure planners and components: a planner throws InvalidArgsError listing every problem; the
 * component rethrows it as an InvalidArgsError whose subject is its class and logical name, before anything is
 * registered (there is no resource yet to attach a pulumi.ResourceError to). Any other error is a bug and passes
 * through unchanged.
 */
import { InvalidArgsError } from "../components/validation";

/**
 * Runs `plan`; an InvalidArgsError comes back as `<kind> "<name>": invalid arguments: ...` with the original as
 * cause. `found` holds the problems the component found itself in arguments the planner does not see (a missing
 * `pulumi.Input`), listed after the planner's (none unless given); they are thrown even when the planner succeeds.
 */
export function planForComponent<T>(kind: string, name: string, plan: () => T, found: readonly string[] = []): T {
  const subject = `${kind} "${name}"`;
  let planned: T;
  try {
    planned = plan();
  } catch (e) {
    if (e instanceof InvalidArgsError && e.subject === undefined) throw new InvalidArgsError([...e.issues, ...found], { subject, cause: e });
    throw e;
  }
  if (found.length > 0) throw new InvalidArgsError(found, { subject });
  return planned;
}
