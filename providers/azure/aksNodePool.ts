/**
 * AzureAksNodePool: a node pool for untrusted runs on an existing AKS cluster, built from {@link planAksNodePool}.
 * The cluster-level half (Entra Workload ID, OIDC issuer, node image upgrades, the preview pod IMDS restriction)
 * is returned by {@link aksClusterSettingsFor} for your own `ManagedCluster`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { ControlReport } from "../../components/controls";
import { HardeningSpec } from "../../components/spec";
import { AksNodePoolPlan, planAksNodePool } from "./aksNodePoolPlan";
import { azureAksNodePoolControls } from "./controls";
import { planForComponent } from "../planForComponent";
import { withEnforcement } from "../../components/controlCatalogue";

/** Arguments of {@link AzureAksNodePool}. */
export interface AzureAksNodePoolArgs {
  /** The cluster's resource group. */
  resourceGroupName: pulumi.Input<string>;
  /** The cluster's name. */
  clusterName: pulumi.Input<string>;
  /** The subnet for the pool's nodes (its own subnet, whose egress allows what AKS nodes need). */
  vnetSubnetId: pulumi.Input<string>;
  /**
   * Node size: Generation 2 with nested virtualization (Kata) and a local disk (ephemeral OS disk).
   * @default "Standard_D4ds_v5"
   */
  vmSize?: string;
  /**
   * Number of nodes.
   * @default 2
   */
  nodeCount?: number;
  /**
   * Availability zones, e.g. `["1", "2"]`.
   * @default []
   */
  zones?: string[];
  /**
   * The hardening spec; omitted fields take the strictest setting.
   * @default {}
   */
  hardening?: HardeningSpec;
}

const TYPE = "hardening:index:AzureAksNodePool";

function planOrThrow(name: string, args: AzureAksNodePoolArgs): AksNodePoolPlan {
  return planForComponent("AzureAksNodePool", name, () =>
    planAksNodePool({ vmSize: args?.vmSize, nodeCount: args?.nodeCount, zones: args?.zones, hardening: args?.hardening }),
  );
}

/**
 * A hardened AKS node pool. Guarantees: Kata VM isolation (pods with `runtimeClassName: kata-vm-isolation` get their
 * own kernel) when the spec asks for a sandbox runtime; no node public IPs; encryption at host; ephemeral OS disks;
 * SSH to nodes disabled; Trusted Launch on pools without Kata.
 */
export class AzureAksNodePool extends pulumi.ComponentResource {
  /** The runtime class untrusted pods must name, or undefined without a sandbox. */
  readonly runtimeClassName: string | undefined;
  /** One entry per control applied or deliberately not relied on. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** The agent pool, for what this component does not cover. */
  readonly agentPool: containerservice.AgentPool;

  constructor(name: string, args: AzureAksNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    const s = plan.settings;
    this.agentPool = new containerservice.AgentPool(`${name}-pool`, {
      resourceGroupName: args.resourceGroupName,
      resourceName: args.clusterName,
      vnetSubnetID: args.vnetSubnetId,
      ...s,
      securityProfile: { ...s.securityProfile },
      nodeLabels: { ...s.nodeLabels },
    }, { parent: this });
    this.runtimeClassName = plan.runtimeClassName;
    this.controls = pulumi.output(withEnforcement(azureAksNodePoolControls(plan, name)));
    this.registerOutputs({ controls: this.controls });
  }
}
