/**
 * The registry of every rule in the pack: resource rules and stack rules of all clouds. The pack
 * (policy/index.ts), the offline auditor and `hardening plan` all read these two lists, so a rule added here is
 * enforced everywhere at once.
 */
import type { ResourceRule, StackRule } from "./types";

// ---------------------------------------------------------------------------------------------------------------
// >>> KUBERNETES AND CODE RULES: their author appends the imports and list entries in this block only. <<<
// e.g. import { kubernetesRules, kubernetesStackRules } from "./kubernetes";
//      import { codeRules } from "./code";
import { kubernetesRules, kubernetesStackRules } from "./kubernetes";
const contributedResourceRules: readonly (readonly ResourceRule[])[] = [
  // kubernetesRules, codeRules,
  kubernetesRules,
];
const contributedStackRules: readonly (readonly StackRule[])[] = [
  // kubernetesStackRules,
  kubernetesStackRules,
];
// <<< END OF THE KUBERNETES AND CODE RULES BLOCK >>>
// ---------------------------------------------------------------------------------------------------------------

/** Every resource rule, each with a unique id. */
export const resourceRules: readonly ResourceRule[] = [...contributedResourceRules.flat()];

/** Every stack rule, each with a unique id. */
export const stackRules: readonly StackRule[] = [...contributedStackRules.flat()];

export type * from "./types";
