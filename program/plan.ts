/**
 * An offline plan of one cloud's environment: the root program run under mocks with the cloud module's stated
 * assumptions (zones, project), recording every resource the engine would be asked to create.
 */
import { type ControlReport, InvalidArgsError } from "../components";
import { createNamingUserKeys, environmentConfigFrom } from "./stackConfig";
import { CloudName, EnvironmentConfig, loadCloud, missingSdkError } from "./environment";
import { withEnforcement } from "../components/controlCatalogue";
import { RecordedResource, runUnderMocks } from "./offlineEngine";

/** One resource of the plan, as the engine would receive it (the contract's `resources[]`). */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** The parent's URN; undefined for children of the stack. */
  readonly parent: string | undefined;
  /** Inputs with secret values replaced by `"[secret]"`. */
  readonly inputs: Record<string, unknown>;
}

/** One cloud's plan before the policy pack has looked at it. */
export interface CloudPlan {
  readonly cloud: CloudName;
  /** Example settings the plan assumed because the stack config gave none (see CloudModule.planSettings). */
  readonly assumedSettings?: Readonly<Record<string, unknown>>;
  readonly resources: PlannedResource[];
  /** The environment's controls reports, each with the rules that enforce it (`enforcedBy`, from the catalogue). */
  readonly controls: ControlReport[];
}

// The SDK's wire form of a secret: { [specialSigKey]: specialSecretSig, value }.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * The environment config, and the top-level settings' problems. Offline only (the run creates nothing), a config
 * with those settings back at their defaults is still planned, so the cloud's own problems are listed in the same
 * run; when even that config is invalid, its error is thrown as is.
 */
function configListingEveryProblem(values: Record<string, unknown>, cloud: CloudName): { config: EnvironmentConfig; issues: readonly string[] } {
  try {
    return { config: environmentConfigFrom(values, cloud), issues: [] };
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    const named = (key: string) => e.issues.some((i) => i.startsWith(`hardening:${key} `));
    const sanitized = Object.fromEntries(Object.entries(values).filter(([k]) => !named(k) || k === cloud || k === "spec"));
    try {
      return { config: environmentConfigFrom(sanitized, cloud), issues: e.issues };
    } catch {
      throw e;
    }
  }
}

/** Replaces every secret value (wire form) with `"[secret]"`, recursively; other values are copied. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return "[secret]";
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redactSecrets(v)]));
  }
  return value;
}

function toPlanned(r: RecordedResource): PlannedResource {
  return { type: r.type, name: r.name, urn: r.urn, parent: r.parent, inputs: redactSecrets(r.inputs) as Record<string, unknown> };
}

/**
 * Plans one cloud from `hardening:*` config values (keys without the namespace; `cloud` is taken from the
 * argument). With `assumeExamples` (the default) a cloud with no settings block gets the cloud module's example
 * settings, stated in `assumedSettings`; without it the plan refuses what `pulumi up` with the same config would. Throws the config's or the components' validation error unchanged, and CloudNotAvailableError
 * for a cloud whose module is missing.
 */
export async function planCloud(cloud: CloudName, values: Record<string, unknown>, options: { assumeExamples?: boolean } = {}): Promise<CloudPlan> {
  const mod = loadCloud(cloud);
  const assumed = options.assumeExamples !== false && values[cloud] === undefined && mod.planSettings && Object.keys(mod.planSettings).length > 0 ? mod.planSettings : undefined;
  const merged = { ...values, cloud, ...(assumed ? { [cloud]: assumed } : {}) };
  const { config, issues: topIssues } = configListingEveryProblem(merged, cloud);
  let run;
  try {
    run = await runUnderMocks(() => {
      try {
        return createNamingUserKeys(mod, config);
      } catch (e) {
        throw missingSdkError(cloud, e) ?? e;
      }
    }, {
      project: "hardening",
      stack: "plan",
      calls: mod.offlineCalls,
      state: mod.offlineState?.bind(mod),
    });
  } catch (e) {
    if (e instanceof InvalidArgsError && e.subject === undefined && topIssues.length > 0) throw new InvalidArgsError([...topIssues, ...e.issues]);
    throw e;
  }
  if (topIssues.length > 0) throw new InvalidArgsError(topIssues);
  return {
    cloud,
    ...(assumed ? { assumedSettings: assumed } : {}),
    resources: run.resources.map(toPlanned),
    controls: withEnforcement(run.result.controls),
  };
}
