/**
 * The edge between pure planners and components: a planner throws InvalidArgsError listing every problem; the
 * component rethrows it as an InvalidArgsError whose subject is its class and logical name, before anything is
 * registered (there is no resource yet to attach a pulumi.ResourceError to). Any other error is a bug and passes
 * through unchanged.
 */
import { InvalidArgsError } from "../components/validation";

/** Runs `plan`; an InvalidArgsError comes back as `<kind> "<name>": invalid arguments: ...` with the original as cause. */
export function planForComponent<T>(kind: string, name: string, plan: () => T): T {
  try {
    return plan();
  } catch (e) {
    if (e instanceof InvalidArgsError && e.subject === undefined) throw new InvalidArgsError(e.issues, { subject: `${kind} "${name}"`, cause: e });
    throw e;
  }
}
