/**
 * Pure planning of the GCE worker pool: the instance template's security settings and the managed instance
 * group's size, from the hardening spec. providers/gcp/workerPool.ts creates the resources from this plan.
 *
 * What protects the metadata server on a GCE VM (cloud-controls.md section 3): no service account (the token
 * endpoint has nothing to mint) or the caller's dedicated least-privilege one, and a host firewall that refuses
 * TCP/UDP to 169.254.169.254 to everyone but root, except ports 53 and 123 (the metadata server is also the VM's
 * DNS and NTP server). No VPC firewall rule can do it: "Google Cloud always allows communication between a VM instance and its corresponding
 * metadata server".
 */
import { checkBootScript, checkImageFamily, hostBootStartupScript } from "../../components/hostBoot";
import {
  HostIdentityMode,
  InvalidArgsError,
  MetadataEndpointMode,
  ResolvedHardening,
  resolveHardeningInto,
  show,
  type HardeningSpec,
} from "../../components";
import { CLOUD_PLATFORM_SCOPE, checkServiceAccountEmail, requestedHostIdentity } from "./identity";
import { checkMinMax, checkWholeNumber } from "../../components/validation";

/** Plain arguments of the worker pool, as the planner needs them. */
export interface GcpWorkerPoolPlanArgs {
  /**
   * The hosts' own program, run by GCE's guest environment at every boot after the host firewall is in force
   * (installs and starts the worker: see docs/gcp.md). Must start with an interpreter line such as `#!/bin/sh`.
   * @default undefined
   */
  readonly bootScript?: string;
  /** Region of the regional managed instance group, e.g. `europe-west1`. */
  readonly region: string;
  /** The network tag the worker network scopes its routes and allow rules to (`GcpWorkerNetwork.workerTag`). */
  readonly networkTag: string;
  /**
   * Machine type; must support Shielded VM (every current general-purpose type does).
   * @default "e2-standard-4"
   */
  readonly machineType?: string;
  /**
   * Boot image; must support Shielded VM and have iptables and systemd (the host firewall needs both).
   * @default "debian-cloud/debian-12"
   */
  readonly image?: string;
  /**
   * Boot disk size in GB, 10 to 65536.
   * @default 50
   */
  readonly diskSizeGb?: number;
  /**
   * Fewest instances the autoscaler keeps, at least 1.
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Most instances the autoscaler may run, at least `minReplicas`, at most 1000.
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * Email of the caller's dedicated service account. Required with `hardening.hostIdentity: "minimal"`, refused
   * with `"none"`; never the default compute account.
   * @default undefined (no service account)
   */
  readonly serviceAccountEmail?: string;
  /** The hardening spec; every omitted field takes the strictest setting. */
  readonly hardening?: HardeningSpec;
}

/** The instance template's hardening-relevant settings and the group's size, as plain data. */
export interface GcpWorkerPoolPlan {
  readonly name: string;
  readonly hardening: ResolvedHardening;
  readonly region: string;
  readonly networkTag: string;
  readonly machineType: string;
  readonly image: string;
  readonly diskSizeGb: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Undefined: the template has no service account at all. */
  readonly serviceAccount?: { readonly email: string; readonly scopes: readonly string[] };
  /** Instance metadata, including `startup-script` (the host firewall) when the endpoint is blocked. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Seconds after which GCE deletes each instance (and the MIG recreates it). */
  readonly maxRunSeconds: number;
  /** The lifetime actually applied, in hours (the spec's, capped at GCE's 120-day limit). */
  readonly lifetimeHours: number;
}

/** GCE's longest VM time limit: 120 days ("Limit the run time of a VM"). */
export const MAX_RUN_HOURS = 120 * 24;
const NAME = /^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/;
const TAG = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The instance metadata every worker gets: legacy endpoints off, OS Login on, project keys off, and the boot path
 * as `startup-script` (components/hostBoot.ts: the host firewall, its units, dockerd's user-namespace settings,
 * then the caller's boot script) when the endpoint is blocked.
 */
export function workerMetadataFor(h: ResolvedHardening, bootScript?: string): Record<string, string> {
  const metadata: Record<string, string> = {
    "disable-legacy-endpoints": "TRUE",
    "block-project-ssh-keys": "TRUE",
    "enable-oslogin": "TRUE",
  };
  const script = bootScript !== undefined && bootScript.trim() !== "" ? bootScript : undefined;
  if (h.metadataEndpoint === MetadataEndpointMode.Blocked) {
    // The guest environment runs startup-script on every boot; the installed units apply the rules earlier on
    // every later boot, before the container runtime.
    metadata["startup-script"] = hostBootStartupScript({
      firewall: { cloud: "gcp", containers: ["docker"] },
      hardenDocker: true,
      ...(script !== undefined ? { bootScript: script } : {}),
    });
  } else if (script !== undefined) {
    metadata["startup-script"] = script;
  }
  return metadata;
}

/**
 * Plans the worker pool: validates the name, the arguments and the spec (all problems at once) and decides the
 * template's identity, metadata, lifetime and the group's size. Creates nothing.
 *
 * @throws InvalidArgsError listing every problem.
 */
export function planGcpWorkerPool(name: string, args: GcpWorkerPoolPlanArgs): GcpWorkerPoolPlan {
  const issues: string[] = [];
  if (!NAME.test(name)) {
    issues.push(`name ${show(name)} must be 1-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (GCE instance names carry it plus a suffix).`);
  }
  if (typeof args.region !== "string" || !/^[a-z]+-[a-z]+\d+$/.test(args.region)) {
    issues.push(`region ${show(args.region)} is not a GCP region; expected a name such as "europe-west1".`);
  }
  if (typeof args.networkTag !== "string" || !TAG.test(args.networkTag)) {
    issues.push(`networkTag ${show(args.networkTag)} must be a GCE network tag (lower-case letters, digits, hyphens; pass GcpWorkerNetwork.workerTag).`);
  }
  const diskSizeGb = args.diskSizeGb ?? 50;
  checkWholeNumber(issues, "diskSizeGb", diskSizeGb, 10, 65536);
  const minReplicas = args.minReplicas ?? 1;
  const maxReplicas = args.maxReplicas ?? Math.max(3, minReplicas);
  checkMinMax(
    issues,
    { field: "minReplicas", given: args.minReplicas, value: minReplicas, lowest: 1 },
    { field: "maxReplicas", given: args.maxReplicas, value: maxReplicas, lowest: 1 },
    1000,
  );
  for (const [field, value] of [["machineType", args.machineType], ["image", args.image]] as const) {
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) issues.push(`${field} ${show(value)} must be a non-empty string.`);
  }
  checkImageFamily("image", args.image, issues);
  checkBootScript("bootScript", args.bootScript, issues);

  const hardening = resolveHardeningInto(args.hardening, issues);
  const identity = hardening?.hostIdentity ?? requestedHostIdentity(args.hardening);
  if (identity === HostIdentityMode.Minimal) {
    issues.push(...checkServiceAccountEmail("serviceAccountEmail", args.serviceAccountEmail));
  } else if (args.serviceAccountEmail !== undefined) {
    issues.push(
      `serviceAccountEmail ${show(args.serviceAccountEmail)} is given but hardening.hostIdentity is "none" (no service account on the workers); remove it, or set hostIdentity to "minimal".`,
    );
  }
  if (issues.length > 0 || !hardening) throw new InvalidArgsError(issues);

  const lifetimeHours = Math.min(hardening.ephemeral.maxLifetimeHours, MAX_RUN_HOURS);
  return {
    name,
    hardening,
    region: args.region,
    networkTag: args.networkTag,
    machineType: args.machineType ?? "e2-standard-4",
    image: args.image ?? "debian-cloud/debian-12",
    diskSizeGb,
    minReplicas,
    maxReplicas,
    serviceAccount:
      hardening.hostIdentity === HostIdentityMode.Minimal
        ? { email: args.serviceAccountEmail!, scopes: [CLOUD_PLATFORM_SCOPE] }
        : undefined,
    metadata: workerMetadataFor(hardening, args.bootScript),
    maxRunSeconds: lifetimeHours * 3600,
    lifetimeHours,
  };
}
