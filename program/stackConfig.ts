/**
 * Stack configuration of the root program (namespace `hardening`), read into an {@link EnvironmentConfig}. Pure:
 * the root program passes values from `pulumi.Config`, `hardening plan` passes them from a stack config file or
 * the defaults, and both get the same validation.
 */
import { InvalidArgsError, show } from "../components";
import { closestMatch, isWholeNumber, report, suggestion, wholeNumberFix } from "../components/validation";
import { checkWorkerNetworkCidr } from "../components/workerNetworkRange";
import { CLOUDS, CloudModule, CloudName, EnvironmentConfig, EnvironmentResult } from "./environment";

/** The keys of the `hardening` config namespace. */
export const CONFIG_KEYS = ["cloud", "name", "spec", "networkCidr", "zoneCount", ...CLOUDS] as const;

/** Defaults for everything but `cloud`. */
export const CONFIG_DEFAULTS = { name: "kestra-workers", networkCidr: "10.42.0.0/16", zoneCount: 2 } as const;

const NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

/**
 * Reads the `hardening:*` values (keys without the namespace) into an environment config. `cloud` may be given
 * by the caller instead (`hardening plan --cloud`). Throws one InvalidArgsError listing every problem.
 */
export function environmentConfigFrom(values: Record<string, unknown>, cloud?: CloudName): EnvironmentConfig {
  const issues: string[] = [];
  for (const key of Object.keys(values)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      issues.push(`hardening:${key} is not a setting; ${suggestion(`hardening:${key}`, CONFIG_KEYS.map((k) => `hardening:${k}`))}`);
    }
  }
  const chosen = cloud ?? values.cloud;
  if (chosen === undefined) issues.push(`hardening:cloud is not set; set it to one of ${CLOUDS.join(", ")}.`);
  else if (!(CLOUDS as readonly unknown[]).includes(chosen)) {
    issues.push(`hardening:cloud ${show(chosen)} is not one of ${CLOUDS.join(", ")}; ${typeof chosen === "string" ? suggestion(chosen, CLOUDS) : ""}`.replace(/; $/, "."));
  }
  const name = values.name ?? CONFIG_DEFAULTS.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    issues.push(`hardening:name ${show(name)} must be 2-32 lower-case letters, digits and hyphens, starting with a letter.`);
  }
  const networkCidr = values.networkCidr ?? CONFIG_DEFAULTS.networkCidr;
  if (typeof networkCidr !== "string") issues.push(`hardening:networkCidr ${show(networkCidr)} must be a CIDR string such as "10.42.0.0/16".`);
  else issues.push(...checkWorkerNetworkCidr("hardening:networkCidr", networkCidr).problems);
  const zoneCount = values.zoneCount === undefined ? CONFIG_DEFAULTS.zoneCount : Number(values.zoneCount);
  // Checked as a number (config values may arrive as strings), shown as the user wrote it.
  if (!isWholeNumber(zoneCount, 1, 6)) report(issues, "hardening:zoneCount", values.zoneCount, wholeNumberFix(1, 6));
  const spec = values.spec ?? {};
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    issues.push(`hardening:spec ${show(spec)} must be an object (pulumi config set --path 'hardening:spec.metadataEndpoint' blocked).`);
  }
  const settings = chosen === undefined ? {} : (values[chosen as string] ?? {});
  if (typeof settings !== "object" || settings === null || Array.isArray(settings)) {
    issues.push(`hardening:${String(chosen)} ${show(settings)} must be an object.`);
  }
  if (issues.length > 0) throw new InvalidArgsError(issues);
  return {
    cloud: chosen as CloudName,
    name: name as string,
    hardening: spec as EnvironmentConfig["hardening"],
    networkCidr: networkCidr as string,
    zoneCount,
    settings: settings as Record<string, unknown>,
  };
}

/** Warnings about settings that are allowed but likely wrong (a public worker network). */
export function stackConfigWarnings(values: Record<string, unknown>): string[] {
  const cidr = values.networkCidr ?? CONFIG_DEFAULTS.networkCidr;
  return typeof cidr === "string" ? checkWorkerNetworkCidr("hardening:networkCidr", cidr).warnings : [];
}

/** Where each cloud's planners' problems belong in the stack config: the component label they carry. */
const COMPONENT_KEYS: Readonly<Record<string, (cloud: CloudName) => string>> = {
  network: (cloud) => `hardening:${cloud}`,
  workerPool: (cloud) => `hardening:${cloud}`,
  "worker pool": (cloud) => `hardening:${cloud}`,
  gke: () => "hardening:gcp.gke",
  "aks node pool": () => "hardening:azure.aks",
};

/** Component fields that come from a top-level setting rather than the cloud's block. */
const TOP_LEVEL_FIELDS: Readonly<Record<string, string>> = { cidr: "hardening:networkCidr", networkCidr: "hardening:networkCidr", zoneCount: "hardening:zoneCount" };

/**
 * Rewrites the components' problems so each names the key the user wrote in the stack config: the spec's
 * `hardening.egress.mode` is `hardening:spec.egress.mode`, a network's `cidr` is `hardening:networkCidr`, a pool's
 * `machineType` is `hardening:gcp.machineType`.
 */
export function issuesAsStackConfigKeys(issues: readonly string[], cloud: CloudName): string[] {
  return [
    ...new Set(
      issues.map((raw) => withEnumHint(asStackConfigKey(raw, cloud))),
    ),
  ];
}

/**
 * Adds the choice a misspelt enum value was probably meant to be (`"egressproxy" is not one of "networkFirewall",
 * "egressProxy"` gets `; did you mean "egressProxy"?`), whichever component wrote the message.
 */
export function withEnumHint(issue: string): string {
  const m = /"([^"]*)" (?:is not one of|must be(?: one of)?) ((?:"[^"]*"(?:, | or |, or )?)+)\.?$/.exec(issue);
  if (!m || issue.includes("did you mean")) return issue;
  const choices = [...m[2].matchAll(/"([^"]*)"/g)].map((c) => c[1]);
  const near = closestMatch(m[1], choices);
  return near === undefined || near === m[1] ? issue : `${issue.replace(/\.$/, "")}; did you mean "${near}"?`;
}

function asStackConfigKey(raw: string, cloud: CloudName): string {
  let issue = raw;
  let base = `hardening:${cloud}`;
  const label = /^([a-zA-Z ]+): (?=\S)/.exec(issue);
  if (label && Object.hasOwn(COMPONENT_KEYS, label[1])) {
    base = COMPONENT_KEYS[label[1]](cloud);
    issue = issue.slice(label[0].length);
  }
  // The spec is `hardening:spec` in the stack config, wherever a message names one of its fields.
  issue = issue.replace(/(^|[\s(])hardening\.(?=[a-zA-Z])/g, "$1hardening:spec.");
  if (issue.startsWith("hardening:spec.")) return issue;
  const misplaced = new RegExp(`^hardening:${cloud}\\.(\\w+) is not a setting; `).exec(issue);
  if (misplaced && Object.hasOwn(TOP_LEVEL_FIELDS, misplaced[1])) return `${misplaced[0]}did you mean ${TOP_LEVEL_FIELDS[misplaced[1]]}?`;
  const inBlock = new RegExp(`^hardening:${cloud}\\.(\\w+)(?! is not a setting)`).exec(issue);
  if (inBlock && Object.hasOwn(TOP_LEVEL_FIELDS, inBlock[1])) return TOP_LEVEL_FIELDS[inBlock[1]] + issue.slice(inBlock[0].length);
  if (issue.startsWith("hardening:")) return issue;
  const field = /^(\w+)/.exec(issue)?.[1];
  if (field !== undefined && Object.hasOwn(TOP_LEVEL_FIELDS, field)) return TOP_LEVEL_FIELDS[field] + issue.slice(field.length);
  return field !== undefined && /^\w+[.[ ]/.test(issue) ? `${base}.${issue}` : `${base}: ${issue}`;
}

/** Builds the environment; its components' problems are renamed to the stack config keys the user wrote. */
export function createNamingUserKeys(mod: CloudModule, config: EnvironmentConfig): EnvironmentResult {
  try {
    return mod.createEnvironment(config);
  } catch (e) {
    if (e instanceof InvalidArgsError && e.subject === undefined) throw new InvalidArgsError(issuesAsStackConfigKeys(e.issues, config.cloud));
    throw e;
  }
}
