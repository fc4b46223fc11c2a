/**
 * GcpGkeNodePool: a hardened node pool in the caller's GKE cluster (Workload Identity metadata, GKE Sandbox,
 * Shielded nodes, private nodes, the caller's minimal node account). The decisions are in gkeNodePoolPlan.ts.
 */
import * as pulumi from "@pulumi/pulumi";
import * as container from "@pulumi/gcp/container";
import { ControlReport } from "../../components";
import { planForComponent } from "../planForComponent";
import { gkeNodePoolControls } from "./controls";
import { GkeNodePoolPlan, GkeNodePoolPlanArgs, planGkeNodePool } from "./gkeNodePoolPlan";
import { withEnforcement } from "../../components/controlCatalogue";

/** Type token of {@link GcpGkeNodePool}. */
export const GCP_GKE_NODE_POOL_TYPE = "hardening:index:GcpGkeNodePool";

/** Arguments of the node pool: the plain planning arguments plus the cluster it joins. */
export interface GcpGkeNodePoolArgs extends GkeNodePoolPlanArgs {
  /** The cluster's name or id. The cluster must have Workload Identity enabled (GKE_METADATA needs it). */
  readonly cluster: pulumi.Input<string>;
  /**
   * The cluster's location (region or zone).
   * @default the provider's default location
   */
  readonly location?: pulumi.Input<string>;
}

/** Plans or throws one error naming the component and listing every problem. */
export function planGkeNodePoolFor(name: string, args: GcpGkeNodePoolArgs): GkeNodePoolPlan {
  const missing = args.cluster === undefined || args.cluster === null || args.cluster === "";
  return planForComponent("GcpGkeNodePool", name, () => planGkeNodePool(name, args), missing ? ["cluster is required: pass the GKE cluster's name or id."] : []);
}

/** The `gcp.container.NodePool` arguments of a plan: private nodes, auto-repair and auto-upgrade, autoscaling. */
export function nodePoolArgsFor(plan: GkeNodePoolPlan, cluster: pulumi.Input<string>, location?: pulumi.Input<string>): container.NodePoolArgs {
  const args: container.NodePoolArgs = {
    cluster,
    nodeConfig: plan.nodeConfig,
    networkConfig: { enablePrivateNodes: true },
    management: { autoRepair: true, autoUpgrade: true },
    autoscaling: { minNodeCount: plan.minNodeCount, maxNodeCount: plan.maxNodeCount },
    upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
  };
  if (location !== undefined) args.location = location;
  return args;
}

/**
 * A hardened GKE node pool. Guarantees: pods see the GKE metadata server, never the node's credentials (unless
 * they use hostNetwork: forbid it with Pod Security); gVisor when the spec asks for a sandbox; the caller's
 * dedicated node account; Shielded nodes; internal IPs only; legacy metadata endpoints off.
 */
export class GcpGkeNodePool extends pulumi.ComponentResource {
  /** One entry per control applied, including the ineffective ones, in a stable order. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** The native node pool, for what this abstraction does not cover. */
  readonly nodePool: container.NodePool;

  constructor(name: string, args: GcpGkeNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planGkeNodePoolFor(name, args);
    super(GCP_GKE_NODE_POOL_TYPE, name, {}, opts);
    this.nodePool = new container.NodePool(`${name}-pool`, nodePoolArgsFor(plan, args.cluster, args.location), { parent: this });
    this.controls = pulumi.output(withEnforcement(gkeNodePoolControls(plan)));
    this.registerOutputs({ controls: this.controls });
  }
}
