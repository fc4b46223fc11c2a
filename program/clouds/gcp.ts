/**
 * The GCP environment for the root program and `hardening plan --cloud gcp`: a GcpWorkerNetwork, a GcpWorkerPool
 * in it, and, when `hardening:gcp.gke` names a cluster, a GcpGkeNodePool. Every setting and the spec are checked
 * by the pure planners before the first resource is created, so a bad config creates nothing.
 *
 * The environment calls no provider function, so it plans offline with no answers (`offlineCalls` is empty):
 * the regional managed instance group spreads over the region's zones by itself, which is why `zoneCount` is not
 * used on GCP.
 */
import { ControlReport, InvalidArgsError, show } from "../../components";
import { suggestion } from "../../components/suggest";
import type { CloudModule, EnvironmentConfig, EnvironmentResult } from "../environment";
import { gcpNetworkControls, gcpWorkerPoolControls, gkeNodePoolControls } from "../../providers/gcp/controls";
import { planGkeNodePool } from "../../providers/gcp/gkeNodePoolPlan";
import { GoogleApisVip } from "../../providers/gcp/googleApis";
import { planGcpWorkerNetwork } from "../../providers/gcp/networkPlan";
import type { GcpVpcServiceControlsArgs } from "../../providers/gcp/vpcServiceControls";
import { planGcpWorkerPool } from "../../providers/gcp/workerPoolPlan";

/** The `hardening:gcp` settings block. */
export interface GcpSettings {
  /** @default "us-central1" */
  readonly region?: string;
  /** @default "e2-standard-4" */
  readonly machineType?: string;
  /** @default "debian-cloud/debian-12" */
  readonly image?: string;
  /** @default 50 */
  readonly diskSizeGb?: number;
  /** @default 1 */
  readonly minReplicas?: number;
  /** @default 3 */
  readonly maxReplicas?: number;
  /** Required with hostIdentity "minimal". @default undefined */
  readonly serviceAccountEmail?: string;
  /** @default "restricted" */
  readonly googleApisVip?: GoogleApisVip;
  /** @default 1 */
  readonly flowLogSampling?: number;
  /** Private Google Access on the worker subnet. @default false with egress mode "denyAll" unless vpcServiceControls is set; true with an allow-list */
  readonly privateGoogleAccess?: boolean;
  /** A VPC Service Controls perimeter around the workers' project. @default undefined (no perimeter) */
  readonly vpcServiceControls?: GcpVpcServiceControlsArgs;
  /** A hardened node pool in an existing cluster. @default undefined (no node pool) */
  readonly gke?: GcpGkeSettings;
}

/** The `hardening:gcp.gke` block. */
export interface GcpGkeSettings {
  /** The cluster's name or id. */
  readonly cluster: string;
  /** @default the provider's default location */
  readonly location?: string;
  /** The node pool's dedicated service account. */
  readonly serviceAccountEmail: string;
  /** @default "e2-standard-4" */
  readonly machineType?: string;
  /** @default 0 */
  readonly minNodeCount?: number;
  /** @default 3 */
  readonly maxNodeCount?: number;
}

const SETTINGS = ["region", "machineType", "image", "diskSizeGb", "minReplicas", "maxReplicas", "serviceAccountEmail", "googleApisVip", "flowLogSampling", "privateGoogleAccess", "vpcServiceControls", "gke"];
const GKE_SETTINGS = ["cluster", "location", "serviceAccountEmail", "machineType", "minNodeCount", "maxNodeCount"];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks the settings block's shape (unknown keys, the gke block's required fields); planners check the values. */
function checkSettings(settings: Readonly<Record<string, unknown>>): string[] {
  const issues: string[] = [];
  for (const key of Object.keys(settings)) {
    if (!SETTINGS.includes(key)) issues.push(`hardening:gcp.${key} is not a setting; ${suggestion(key, SETTINGS)}`);
  }
  const gke = settings.gke;
  if (gke !== undefined) {
    if (!isRecord(gke)) issues.push(`hardening:gcp.gke ${show(gke)} must be an object such as { cluster: "workers", serviceAccountEmail: "..." }.`);
    else {
      for (const key of Object.keys(gke)) {
        if (!GKE_SETTINGS.includes(key)) issues.push(`hardening:gcp.gke.${key} is not a setting; ${suggestion(key, GKE_SETTINGS)}`);
      }
      if (typeof gke.cluster !== "string" || gke.cluster === "") issues.push(`hardening:gcp.gke.cluster ${show(gke.cluster)} must name the GKE cluster.`);
      if (gke.location !== undefined && typeof gke.location !== "string") issues.push(`hardening:gcp.gke.location ${show(gke.location)} must be a string.`);
    }
  }
  return issues;
}

function createEnvironment(config: EnvironmentConfig): EnvironmentResult {
  const s = config.settings as GcpSettings;
  const issues = checkSettings(config.settings);
  const region = s.region ?? "us-central1";
  const workerTag = `${config.name}-worker`;
  const networkArgs = {
    region,
    networkCidr: config.networkCidr,
    googleApisVip: s.googleApisVip,
    flowLogSampling: s.flowLogSampling,
    privateGoogleAccess: s.privateGoogleAccess,
    vpcServiceControls: s.vpcServiceControls,
    hardening: config.hardening,
  };
  const poolArgs = {
    region,
    networkTag: workerTag,
    machineType: s.machineType,
    image: s.image,
    diskSizeGb: s.diskSizeGb,
    minReplicas: s.minReplicas,
    maxReplicas: s.maxReplicas,
    serviceAccountEmail: s.serviceAccountEmail,
    hardening: config.hardening,
  };
  const gke = isRecord(s.gke) ? s.gke : undefined;
  const gkeArgs = gke && {
    serviceAccountEmail: gke.serviceAccountEmail,
    machineType: gke.machineType,
    minNodeCount: gke.minNodeCount,
    maxNodeCount: gke.maxNodeCount,
    networkTag: workerTag,
    hardening: config.hardening,
  };
  // Every planner runs before anything is created; the spec's own problems, which each planner would repeat,
  // are reported once.
  const seen = new Set<string>();
  const collect = <T>(prefix: string, plan: () => T): T | undefined => {
    try {
      return plan();
    } catch (e) {
      if (!(e instanceof InvalidArgsError)) throw e;
      for (const issue of e.issues) {
        if (seen.has(issue)) continue;
        seen.add(issue);
        issues.push(issue.startsWith("hardening") ? issue : `${prefix}: ${issue}`);
      }
      return undefined;
    }
  };
  const networkPlan = collect("network", () => planGcpWorkerNetwork(config.name, networkArgs));
  const poolPlan = collect("workerPool", () => planGcpWorkerPool(config.name, poolArgs));
  const gkePlan = gkeArgs && collect("gke", () => planGkeNodePool(config.name, gkeArgs));
  if (issues.length > 0 || !networkPlan || !poolPlan || (gkeArgs && !gkePlan)) throw new InvalidArgsError(issues);

  // Loaded only now, so a config error costs no SDK load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GcpWorkerNetwork } = require("../../providers/gcp/network") as typeof import("../../providers/gcp/network");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GcpWorkerPool } = require("../../providers/gcp/workerPool") as typeof import("../../providers/gcp/workerPool");
  const net = new GcpWorkerNetwork(config.name, networkArgs);
  const pool = new GcpWorkerPool(config.name, { ...poolArgs, networkTag: net.workerTag, subnetworkId: net.workloadSubnetIds[0] });
  // The reports are plain data known now; the components expose the same ones as Outputs.
  const controls: ControlReport[] = [...gcpNetworkControls(networkPlan), ...gcpWorkerPoolControls(poolPlan)];
  const outputs: Record<string, unknown> = {
    networkId: net.networkId,
    subnetworkId: net.workloadSubnetIds[0],
    workerTag: net.workerTag,
    instanceGroup: pool.instanceGroup,
  };
  if (gke && gkeArgs && gkePlan) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GcpGkeNodePool } = require("../../providers/gcp/gkeNodePool") as typeof import("../../providers/gcp/gkeNodePool");
    const nodePool = new GcpGkeNodePool(config.name, { ...gkeArgs, cluster: gke.cluster, location: gke.location });
    outputs.gkeNodePool = nodePool.nodePool.name;
    controls.push(...gkeNodePoolControls(gkePlan));
  }
  return { controls, outputs };
}

/**
 * What the engine would report after creation and the environment reads: the auto-generated `name` (the NAT's
 * router, the FQDN rules' policy, the record sets' zone), an instance template's `selfLinkUnique` and a group's
 * `instanceGroup`. Used offline only; the values are placeholders shaped like the real ones.
 */
function offlineState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const state: Record<string, unknown> = { name: inputs.name ?? name };
  const base = "https://www.googleapis.com/compute/v1/projects/offline-plan";
  if (type === "gcp:compute/instanceTemplate:InstanceTemplate") {
    state.selfLinkUnique = `${base}/global/instanceTemplates/${name}?uniqueId=0`;
  }
  if (type === "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager") {
    state.instanceGroup = `${base}/regions/${String(inputs.region)}/instanceGroups/${name}`;
  }
  return state;
}

/** The GCP cloud module: builds the environment; calls no provider function, so it needs no offline answers. */
export const cloudModule: CloudModule = {
  cloud: "gcp",
  createEnvironment,
  offlineCalls: {},
  offlineState,
};
