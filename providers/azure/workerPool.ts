/**
 * AzureWorkerPool: a Flexible-orchestration VM scale set of worker hosts with no managed identity (or only the
 * caller's), no public IP, Trusted Launch, encryption at host, an ephemeral OS disk, the Metadata Security
 * Protocol in Enforce mode, the host firewall in custom data, and a bounded lifetime. Built from
 * {@link planAzureWorkerPool}; this file only creates the resource.
 */
import { kestraForcedRunnerConfig } from "../../components/kestraTaskRunner";
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/azure-native/compute";
import { ControlReport } from "../../components/controls";
import { HardeningSpec } from "../../components/spec";
import { azureWorkerPoolControls } from "./controls";
import {
  AzureImageReference,
  AzureWorkerPoolPlan,
  automaticRepairsPolicyFor,
  healthExtensionFor,
  noLoginSshPublicKey,
  planAzureWorkerPool,
  vmssIdentityFor,
  vmssOsDiskFor,
  vmssSecurityProfileFor,
} from "./workerPoolPlan";
import { planForComponent } from "../planForComponent";
import { withEnforcement } from "../../components/controlCatalogue";

/** Arguments of {@link AzureWorkerPool}. */
export interface AzureWorkerPoolArgs {
  /** Azure region, lower case, e.g. `westeurope`. */
  location: string;
  /** The resource group to create the scale set in. */
  resourceGroupName: pulumi.Input<string>;
  /** The worker subnet (e.g. `AzureWorkerNetwork.workloadSubnetIds[0]`). */
  subnetId: pulumi.Input<string>;
  /**
   * The OpenSSH public key of the admin account, for break-glass access; password login is always disabled.
   * @default a key nobody holds the private half of ({@link noLoginSshPublicKey}): no SSH login at all
   */
  sshPublicKey?: pulumi.Input<string>;
  /**
   * The admin account's name.
   * @default "hardening"
   */
  adminUsername?: string;
  /**
   * VM size. It must have a local temporary disk larger than the image (the ephemeral OS disk lives there) and
   * support Trusted Launch and encryption at host.
   * @default "Standard_D2ds_v5"
   */
  vmSize?: string;
  /**
   * Number of hosts.
   * @default 2
   */
  instanceCount?: number;
  /**
   * Availability zones to spread over, e.g. `["1", "2"]`.
   * @default [] (regional)
   */
  zones?: string[];
  /**
   * A Generation 2 marketplace image whose guest supports the Metadata Security Protocol.
   * @default { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" }
   */
  image?: AzureImageReference;
  /**
   * Your narrowly scoped user-assigned identity: required with `hardening.hostIdentity: "minimal"`, refused with
   * `"none"`. The component never creates an identity.
   * @default undefined
   */
  userAssignedIdentityId?: pulumi.Input<string>;
  /**
   * The hardening spec; omitted fields take the strictest setting. Use the same spec as the network: the worker
   * pool relies on the network's IMDS service-tag deny to decide whether VM extensions can run.
   * @default {}
   */
  hardening?: HardeningSpec;
  /**
   * Whether the subnet's NSG denies `AzurePlatformIMDS` (the network's `denyImdsServiceTag`). When it does, VM
   * extensions cannot run, so the pool configures none and expired hosts power off instead of being repaired.
   * @default true when the spec allows it, as the network does
   */
  imdsServiceTagDenied?: boolean;
  /**
   * Tags on the scale set.
   * @default {}
   */
  tags?: Record<string, string>;
  /**
   * The hosts' own program, run once at the end of the first boot after the host firewall is in force (installs
   * and starts the worker: see docs/azure.md). Must start with an interpreter line such as `#!/bin/sh`.
   * @default undefined
   */
  bootScript?: string;
}

const TYPE = "hardening:index:AzureWorkerPool";

function planOrThrow(name: string, args: AzureWorkerPoolArgs): AzureWorkerPoolPlan {
  return planForComponent("AzureWorkerPool", name, () =>
    planAzureWorkerPool({
      location: args?.location,
      vmSize: args?.vmSize,
      instanceCount: args?.instanceCount,
      zones: args?.zones,
      adminUsername: args?.adminUsername,
      image: args?.image,
      hasUserAssignedIdentity: args?.userAssignedIdentityId !== undefined,
      hardening: args?.hardening,
      imdsServiceTagDenied: args?.imdsServiceTagDenied,
      bootScript: args?.bootScript,
    }),
  );
}

/**
 * Hardened worker hosts on Azure. Guarantees: no managed identity unless you pass one; no public IP; Trusted Launch
 * with secure boot and vTPM; encryption at host; an ephemeral OS disk; the Metadata Security Protocol enforcing on
 * IMDS and WireServer; a host firewall that lets only root reach the metadata endpoints; and no host in service past
 * `hardening.ephemeral.maxLifetimeHours`.
 */
export class AzureWorkerPool extends pulumi.ComponentResource {
  /** One entry per control applied or deliberately not relied on. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /**
   * Kestra configuration (YAML) for the workers on these hosts: plugin defaults with `forced: true` that pin every
   * script task to the Docker task runner with no host network, not privileged, no volumes and a non-root user,
   * and `volume-enabled: false`, so flows that never went through `hardening scan` cannot ask the host's Docker
   * for the host (components/kestraTaskRunner.ts). Put it in the workers' and the server's configuration.
   */
  readonly kestraRunnerConfigYaml: pulumi.Output<string>;

  /** The scale set, for what this component does not cover. */
  readonly scaleSet: compute.VirtualMachineScaleSet;

  constructor(name: string, args: AzureWorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    const identity = plan.hardening.hostIdentity === "none"
      ? vmssIdentityFor(plan.hardening)
      : pulumi.output(args.userAssignedIdentityId as pulumi.Input<string>).apply((id) => vmssIdentityFor(plan.hardening, id));
    const extensions = healthExtensionFor(plan.lifetime);

    this.scaleSet = new compute.VirtualMachineScaleSet(`${name}-vmss`, {
      resourceGroupName: args.resourceGroupName,
      location: plan.location,
      tags: { ...(args.tags ?? {}), "hardening:component": name },
      orchestrationMode: "Flexible",
      platformFaultDomainCount: 1,
      singlePlacementGroup: false,
      zones: plan.zones.length > 0 ? plan.zones : undefined,
      sku: { name: plan.vmSize, tier: "Standard", capacity: plan.instanceCount },
      identity,
      automaticRepairsPolicy: automaticRepairsPolicyFor(plan.lifetime),
      virtualMachineProfile: {
        osProfile: {
          computerNamePrefix: name.replace(/[^a-zA-Z0-9-]/g, "").slice(0, 9) || "worker",
          adminUsername: plan.adminUsername,
          customData: plan.customData,
          // With IMDS denied at the NSG, extensions cannot run; refusing extension operations also closes the
          // channel through which anyone with write access to the scale set could push code onto the hosts.
          allowExtensionOperations: !plan.extensionsBlocked,
          linuxConfiguration: {
            disablePasswordAuthentication: true,
            provisionVMAgent: true,
            ssh: { publicKeys: [{ path: `/home/${plan.adminUsername}/.ssh/authorized_keys`, keyData: args.sshPublicKey ?? noLoginSshPublicKey() }] },
          },
        },
        storageProfile: {
          imageReference: { publisher: plan.image.publisher, offer: plan.image.offer, sku: plan.image.sku, version: plan.image.version },
          osDisk: vmssOsDiskFor(),
        },
        networkProfile: {
          // Flexible orchestration creates the NICs itself and needs the network API version it uses.
          networkApiVersion: "2020-11-01",
          networkInterfaceConfigurations: [{
            name: "worker-nic",
            primary: true,
            enableIPForwarding: false,
            deleteOption: "Delete",
            // No publicIPAddressConfiguration: hosts get no public IP; egress is the network's path alone.
            ipConfigurations: [{ name: "worker-ip", primary: true, subnet: { id: args.subnetId } }],
          }],
        },
        securityProfile: vmssSecurityProfileFor(),
        extensionProfile: extensions.length > 0 ? { extensions } : undefined,
      },
    }, { parent: this });

    this.controls = pulumi.output(withEnforcement(azureWorkerPoolControls(plan, name)));
    this.kestraRunnerConfigYaml = pulumi.output(kestraForcedRunnerConfig({ runner: "docker" }).yaml);
    this.registerOutputs({ controls: this.controls, kestraRunnerConfigYaml: this.kestraRunnerConfigYaml });
  }
}
