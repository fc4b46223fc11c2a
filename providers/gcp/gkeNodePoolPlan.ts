/**
 * Pure planning of a hardened GKE node pool: the spec to `nodeConfig` and the pool's other settings. The
 * component in providers/gcp/gkeNodePool.ts creates the `gcp.container.NodePool` from it.
 *
 * On GKE, what keeps pods away from the node's credentials is the GKE metadata server (Workload Identity,
 * `workloadMetadataConfig.mode: "GKE_METADATA"`), GKE Sandbox (gVisor) for untrusted code, and a node service
 * account that is the caller's own minimal one. Pods with `hostNetwork: true` bypass the GKE metadata server, so
 * Pod Security (baseline or restricted) must forbid them: that is the Kubernetes components' job.
 */
import type { container } from "@pulumi/gcp/types/input";
import {
  HostIdentityMode,
  InvalidArgsError,
  ResolvedHardening,
  SandboxMode,
  resolveHardeningInto,
  show,
  type HardeningSpec,
} from "../../components";
import { CLOUD_PLATFORM_SCOPE, checkServiceAccountEmail, requestedHostIdentity } from "./identity";
import { MAX_RUN_HOURS } from "./workerPoolPlan";
import { checkMinMax, checkWholeNumber } from "../../components/validation";

/** Plain arguments of a hardened node pool, as the planner needs them. */
export interface GkeNodePoolPlanArgs {
  /**
   * Email of the node pool's dedicated service account (`roles/container.defaultNodeServiceAccount` or less).
   * Required: GKE nodes always run as some account, and without one GKE uses the Compute Engine default account.
   */
  readonly serviceAccountEmail: string;
  /**
   * Machine type of the nodes.
   * @default "e2-standard-4"
   */
  readonly machineType?: string;
  /**
   * Boot disk size in GB, 10 to 65536.
   * @default 50
   */
  readonly diskSizeGb?: number;
  /**
   * Fewest nodes per zone the cluster autoscaler keeps.
   * @default 0
   */
  readonly minNodeCount?: number;
  /**
   * Most nodes per zone.
   * @default 3
   */
  readonly maxNodeCount?: number;
  /**
   * Network tag for the nodes, so the worker network's routes and allow rules apply (`GcpWorkerNetwork.workerTag`).
   * @default undefined (no tag)
   */
  readonly networkTag?: string;
  /** The hardening spec; every omitted field takes the strictest setting. */
  readonly hardening?: HardeningSpec;
}

/** The planned node pool: the resolved spec, the native `nodeConfig` and the pool's other settings. */
export interface GkeNodePoolPlan {
  readonly name: string;
  readonly hardening: ResolvedHardening;
  readonly nodeConfig: container.NodePoolNodeConfig;
  readonly minNodeCount: number;
  readonly maxNodeCount: number;
  /** The node lifetime applied, in hours. */
  readonly lifetimeHours: number;
}

const NAME = /^[a-z]([-a-z0-9]{0,25}[a-z0-9])?$/;
const TAG = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The hardened `nodeConfig`: `workloadMetadataConfig.mode: "GKE_METADATA"`, `sandboxConfig.type: "GVISOR"` when
 * the spec asks for a sandbox runtime (`sandboxType` is deprecated in @pulumi/gcp 9), Shielded nodes (secure
 * boot, integrity monitoring), the caller's service account with the cloud-platform scope (IAM roles bound the
 * token, not scopes), `disable-legacy-endpoints`, Container-Optimized OS with containerd (GKE Sandbox requires
 * it), and a maximum node run time.
 */
export function gkeNodeConfigFor(h: ResolvedHardening, args: GkeNodePoolPlanArgs): container.NodePoolNodeConfig {
  const lifetimeHours = Math.min(h.ephemeral.maxLifetimeHours, MAX_RUN_HOURS);
  const config: container.NodePoolNodeConfig = {
    serviceAccount: args.serviceAccountEmail,
    oauthScopes: [CLOUD_PLATFORM_SCOPE],
    machineType: args.machineType ?? "e2-standard-4",
    diskSizeGb: args.diskSizeGb ?? 50,
    imageType: "COS_CONTAINERD",
    workloadMetadataConfig: { mode: "GKE_METADATA" },
    shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
    metadata: { "disable-legacy-endpoints": "true" },
    maxRunDuration: `${lifetimeHours * 3600}s`,
  };
  if (h.sandbox === SandboxMode.Runtime) config.sandboxConfig = { type: "GVISOR" };
  if (args.networkTag !== undefined) config.tags = [args.networkTag];
  return config;
}

/**
 * Plans a hardened node pool. Validates the name, arguments and spec (all problems at once). `hostIdentity:
 * "none"` is refused: a GKE node cannot run without a service account.
 *
 * @throws InvalidArgsError listing every problem.
 */
export function planGkeNodePool(name: string, args: GkeNodePoolPlanArgs): GkeNodePoolPlan {
  const issues: string[] = [];
  if (!NAME.test(name)) {
    issues.push(`name ${show(name)} must be 1-27 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (GKE node pool names, with "-pool" and Pulumi's 8-character suffix, must fit 40 characters).`);
  }
  const minNodeCount = args.minNodeCount ?? 0;
  const maxNodeCount = args.maxNodeCount ?? Math.max(3, minNodeCount);
  checkMinMax(
    issues,
    { field: "minNodeCount", given: args.minNodeCount, value: minNodeCount, lowest: 0 },
    { field: "maxNodeCount", given: args.maxNodeCount, value: maxNodeCount, lowest: 1 },
    1000,
  );
  if (args.diskSizeGb !== undefined) checkWholeNumber(issues, "diskSizeGb", args.diskSizeGb, 10, 65536);
  if (args.networkTag !== undefined && (typeof args.networkTag !== "string" || !TAG.test(args.networkTag))) {
    issues.push(`networkTag ${show(args.networkTag)} must be a GCE network tag (lower-case letters, digits, hyphens).`);
  }
  const hardening = resolveHardeningInto(args.hardening, issues);
  if ((hardening?.hostIdentity ?? requestedHostIdentity(args.hardening)) !== HostIdentityMode.Minimal) {
    issues.push(
      `hardening.hostIdentity "none" cannot be met on GKE: every node runs as a service account, and without one GKE uses the Compute Engine default account (Editor); set hostIdentity to "minimal" and pass serviceAccountEmail. Pods never see it with GKE_METADATA.`,
    );
  }
  issues.push(...checkServiceAccountEmail("serviceAccountEmail", args.serviceAccountEmail).filter((m) => !m.includes("is required with")));
  if (typeof args.serviceAccountEmail !== "string" || args.serviceAccountEmail === "") {
    issues.push(`serviceAccountEmail is required: pass the email of the node pool's dedicated service account (e.g. "gke-workers@my-project.iam.gserviceaccount.com").`);
  }
  if (issues.length > 0 || !hardening) throw new InvalidArgsError(issues);
  return {
    name,
    hardening,
    nodeConfig: gkeNodeConfigFor(hardening, args),
    minNodeCount,
    maxNodeCount,
    lifetimeHours: Math.min(hardening.ephemeral.maxLifetimeHours, MAX_RUN_HOURS),
  };
}
