/**
 * Stack configuration of the root program (namespace `hardening`), read into an {@link EnvironmentConfig}. Pure:
 * the root program passes values from `pulumi.Config`, `hardening plan` passes them from a stack config file or
 * the defaults, and both get the same validation.
 */
import { InvalidArgsError, show } from "../components";
import { CLOUDS, CloudName, EnvironmentConfig } from "./environment";

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
      issues.push(`hardening:${key} is not a setting; known settings: ${CONFIG_KEYS.join(", ")}.`);
    }
  }
  const chosen = cloud ?? values.cloud;
  if (chosen === undefined) issues.push(`hardening:cloud is not set; set it to one of ${CLOUDS.join(", ")}.`);
  else if (!(CLOUDS as readonly unknown[]).includes(chosen)) {
    issues.push(`hardening:cloud ${show(chosen)} is not one of ${CLOUDS.join(", ")}.`);
  }
  const name = values.name ?? CONFIG_DEFAULTS.name;
  if (typeof name !== "string" || !NAME.test(name)) {
    issues.push(`hardening:name ${show(name)} must be 2-32 lower-case letters, digits and hyphens, starting with a letter.`);
  }
  const networkCidr = values.networkCidr ?? CONFIG_DEFAULTS.networkCidr;
  if (typeof networkCidr !== "string") issues.push(`hardening:networkCidr ${show(networkCidr)} must be a CIDR string such as "10.42.0.0/16".`);
  const zoneCount = values.zoneCount === undefined ? CONFIG_DEFAULTS.zoneCount : Number(values.zoneCount);
  if (!Number.isInteger(zoneCount) || zoneCount < 1 || zoneCount > 6) {
    issues.push(`hardening:zoneCount ${show(values.zoneCount)} must be a whole number from 1 to 6.`);
  }
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
