/**
 * The root program's contract with each cloud: one module per cloud builds a whole hardened worker environment
 * from plain configuration. The root `index.ts` (what `pulumi up` runs) and `hardening plan` (the same program
 * under mocks) both go through {@link loadCloud}, so what the plan shows is what `pulumi up` would create.
 *
 * Cloud modules are loaded on demand: a program for AWS never loads the GCP SDK.
 */
import type { ControlReport, HardeningSpec } from "../components";

/** The clouds this package builds environments for. */
export const CLOUDS = ["aws", "gcp", "azure", "kubernetes"] as const;
/** One of {@link CLOUDS}. */
export type CloudName = (typeof CLOUDS)[number];

/** Plain configuration of one environment, read from stack config (namespace `hardening`). */
export interface EnvironmentConfig {
  /** Which cloud to build on. */
  readonly cloud: CloudName;
  /**
   * Base of every logical name.
   * @default "kestra-workers"
   */
  readonly name: string;
  /** The hardening spec, unresolved: each component resolves and validates it before creating anything. */
  readonly hardening: HardeningSpec;
  /**
   * The network CIDR (VPC, VNet, or the GCP subnet range).
   * @default "10.42.0.0/16"
   */
  readonly networkCidr: string;
  /**
   * How many zones the workers spread over.
   * @default 2
   */
  readonly zoneCount: number;
  /**
   * The cloud's own settings block (`hardening:aws`, `hardening:gcp`, ...), validated by the cloud module:
   * e.g. instance type, image, GCP project, Azure location, Kubernetes namespace.
   * @default {}
   */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** What a cloud module returns: the controls report and the stack outputs. */
export interface EnvironmentResult {
  /** One entry per control applied, across every component of the environment. */
  readonly controls: ControlReport[];
  /** Stack outputs (ids, names); values may be Outputs. */
  readonly outputs: Record<string, unknown>;
}

/** Arguments of a provider function call answered offline. */
export type OfflineCall = (inputs: Record<string, unknown>) => Record<string, unknown>;

/** One cloud's environment builder, as the root program and `hardening plan` load it. */
export interface CloudModule {
  /** The cloud's name. */
  readonly cloud: CloudName;
  /**
   * Builds the environment. Must validate everything (spec and settings) before creating the first resource,
   * throwing one error that lists every problem.
   */
  createEnvironment(config: EnvironmentConfig): EnvironmentResult;
  /**
   * Answers for the provider functions the environment calls (availability zones, project, client config), keyed
   * by function token, used when planning offline with no credentials. They are the plan's stated assumptions.
   * @default {}
   */
  readonly offlineCalls?: Readonly<Record<string, OfflineCall>>;
  /**
   * Example settings `hardening plan` uses when the stack config gives no settings block for this cloud, for values
   * the cloud insists on and that have no safe default (an SSH public key, a project id). The plan states them
   * as assumptions; `pulumi up` never uses them.
   * @default {}
   */
  readonly planSettings?: Readonly<Record<string, unknown>>;
  /**
   * Extra output properties a resource has after creation that the environment reads (a VPC's default security
   * group id, a firewall's endpoint ids), used offline; inputs are echoed back as state in any case.
   */
  offlineState?(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown>;
}

/** Thrown when a cloud's module has not been written yet; `hardening plan` exits 2 with its message. */
export class CloudNotAvailableError extends Error {
  /**
   * @param cloud the cloud asked for
   * @param reason why it cannot be planned
   * @param missingPackage the npm package that is not installed, when that is the reason
   */
  constructor(readonly cloud: string, reason: string, readonly missingPackage?: string) {
    super(`the ${cloud} environment is not available: ${reason}`);
    this.name = "CloudNotAvailableError";
  }
}

/** Loads one cloud's module on demand, so that only that cloud's SDK is loaded. */
export function loadCloud(cloud: CloudName): CloudModule {
  let mod: { default?: CloudModule; cloudModule?: CloudModule };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(`./clouds/${cloud}`);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "MODULE_NOT_FOUND" && String(err.message).split("\n")[0].includes(`clouds/${cloud}`)) {
      throw new CloudNotAvailableError(cloud, "its provider components are not built yet");
    }
    throw missingSdkError(cloud, e) ?? e;
  }
  const found = mod.cloudModule ?? mod.default;
  if (!found) throw new CloudNotAvailableError(cloud, `program/clouds/${cloud} exports no cloudModule`);
  return found;
}

/**
 * The error for a cloud whose SDK is not installed, when `e` is the failure to load it (at load time or when the
 * cloud's module loads its components); undefined for any other error. The README says to install only the SDK
 * you use, so a missing one is a cloud that cannot be planned, named by package, never an internal error.
 */
export function missingSdkError(cloud: string, e: unknown): CloudNotAvailableError | undefined {
  const err = e as NodeJS.ErrnoException;
  const sdk = err?.code === "MODULE_NOT_FOUND" ? /Cannot find module '(@pulumi\/[a-z0-9-]+)/.exec(String(err.message))?.[1] : undefined;
  return sdk === undefined ? undefined : new CloudNotAvailableError(cloud, `${sdk} is not installed (npm install ${sdk})`, sdk);
}
