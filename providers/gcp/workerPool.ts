/**
 * GcpWorkerPool: hardened GCE workers in a regional managed instance group with an autoscaler. The decisions are
 * in workerPoolPlan.ts and mappings.ts; this file only creates resources.
 */
import { kestraForcedRunnerConfig } from "../../components/kestraTaskRunner";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import { ControlReport } from "../../components";
import { planForComponent } from "../planForComponent";
import { gcpWorkerPoolControls } from "./controls";
import { autoscalerArgsFor, instanceGroupManagerArgsFor, instanceTemplateArgsFor } from "./mappings";
import { GcpWorkerPoolPlan, GcpWorkerPoolPlanArgs, planGcpWorkerPool } from "./workerPoolPlan";
import { withEnforcement } from "../../components/controlCatalogue";

/** Type token of {@link GcpWorkerPool}. */
export const GCP_WORKER_POOL_TYPE = "hardening:index:GcpWorkerPool";

/** Arguments of the worker pool: the plain planning arguments plus the subnetwork to place workers in. */
export interface GcpWorkerPoolArgs extends GcpWorkerPoolPlanArgs {
  /** The worker subnetwork (`GcpWorkerNetwork.workloadSubnetIds[0]`). */
  readonly subnetworkId: pulumi.Input<string>;
}

/** Plans or throws one error naming the component and listing every problem. */
export function planWorkerPoolFor(name: string, args: GcpWorkerPoolArgs): GcpWorkerPoolPlan {
  const missing = args.subnetworkId === undefined || args.subnetworkId === null || args.subnetworkId === "";
  return planForComponent("GcpWorkerPool", name, () => planGcpWorkerPool(name, args), missing ? ["subnetworkId is required: pass GcpWorkerNetwork.workloadSubnetIds[0]."] : []);
}

/**
 * Hardened GCE workers. Guarantees: no external IP; no service account (or only the caller's dedicated one,
 * never the default compute account); a host firewall that keeps every non-root process and container away from
 * the metadata server (every TCP/UDP port but its DNS on 53 and NTP on 123); legacy metadata endpoints off; OS Login with
 * project SSH keys blocked; Shielded VM; each worker deleted after its lifetime and recreated by the group.
 */
export class GcpWorkerPool extends pulumi.ComponentResource {
  /** One entry per control applied, including the ineffective ones, in a stable order. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /**
   * Kestra configuration (YAML) for the workers on these hosts: plugin defaults with `forced: true` that pin every
   * script task to the Docker task runner with no host network, not privileged, no volumes and a non-root user,
   * and `volume-enabled: false`, so flows that never went through `hardening scan` cannot ask the host's Docker
   * for the host (components/kestraTaskRunner.ts). Put it in the workers' and the server's configuration.
   */
  readonly kestraRunnerConfigYaml: pulumi.Output<string>;

  /** The managed instance group's instance group URL. */
  readonly instanceGroup: pulumi.Output<string>;
  /** The native resources, for what this abstraction does not cover. */
  readonly template: compute.InstanceTemplate;
  /** The native regional managed instance group. */
  readonly group: compute.RegionInstanceGroupManager;
  /** The native autoscaler of the group. */
  readonly autoscaler: compute.RegionAutoscaler;

  constructor(name: string, args: GcpWorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered, the component included: a bad spec creates nothing.
    const plan = planWorkerPoolFor(name, args);
    super(GCP_WORKER_POOL_TYPE, name, {}, opts);
    const child = { parent: this };

    this.template = new compute.InstanceTemplate(`${name}-template`, instanceTemplateArgsFor(plan, args.subnetworkId), child);
    // selfLinkUnique pins the exact template version (the SDK notes it "prevents Time of Check to Time of Use").
    this.group = new compute.RegionInstanceGroupManager(`${name}-group`, instanceGroupManagerArgsFor(plan, this.template.selfLinkUnique), child);
    this.autoscaler = new compute.RegionAutoscaler(`${name}-autoscaler`, autoscalerArgsFor(plan, this.group.id), child);

    this.instanceGroup = this.group.instanceGroup;
    this.controls = pulumi.output(withEnforcement(gcpWorkerPoolControls(plan)));
    this.kestraRunnerConfigYaml = pulumi.output(kestraForcedRunnerConfig({ runner: "docker" }).yaml);
    this.registerOutputs({ instanceGroup: this.instanceGroup, controls: this.controls, kestraRunnerConfigYaml: this.kestraRunnerConfigYaml });
  }
}
