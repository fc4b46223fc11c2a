/**
 * The root program, as a function: reads the `hardening:*` stack config and builds the chosen cloud's
 * environment. `index.ts` (what `pulumi up` runs) calls {@link runProgram}; `hardening plan` calls
 * {@link buildEnvironment} under mocks with config from a file, so both take the same path.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_KEYS, createNamingUserKeys, environmentConfigFrom, stackConfigWarnings } from "./stackConfig";
import { EnvironmentConfig, EnvironmentResult, loadCloud } from "./environment";

/** Builds one environment from its config: loads only that cloud's module and SDK. */
export function buildEnvironment(config: EnvironmentConfig): EnvironmentResult {
  return createNamingUserKeys(loadCloud(config.cloud), config);
}

/**
 * Reads every `hardening:*` key from the stack's config (objects parsed from their JSON/YAML form). Keys the
 * program does not know are read too, so the validation names them (`hardening:netwrokCidr is not a setting; did
 * you mean ...`) instead of planning the defaults.
 */
export function stackConfigValues(config: pulumi.Config = new pulumi.Config("hardening"), all: Record<string, string> = pulumi.runtime.allConfig()): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const unknown = Object.keys(all)
    .filter((k) => k.startsWith("hardening:"))
    .map((k) => k.slice("hardening:".length))
    .filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  for (const key of [...CONFIG_KEYS, ...unknown]) {
    const raw = config.get(key);
    if (raw === undefined) continue;
    // Structured values (spec, per-cloud blocks) arrive as JSON text; plain ones stay strings.
    try {
      values[key] = key === "name" || key === "cloud" || key === "networkCidr" ? raw : JSON.parse(raw);
    } catch {
      values[key] = raw;
    }
  }
  return values;
}

/** What `pulumi up` runs: the environment of the stack's config, with the controls report as a stack output. */
export function runProgram(): Record<string, unknown> {
  const values = stackConfigValues();
  for (const warning of stackConfigWarnings(values)) void pulumi.log.warn(warning);
  const result = buildEnvironment(environmentConfigFrom(values));
  return { ...result.outputs, controls: result.controls };
}
