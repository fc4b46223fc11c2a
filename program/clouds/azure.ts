/**
 * The Azure environment for the root program and `hardening plan --cloud azure`: the worker network, the worker
 * pool, and (when an AKS cluster is named) a hardened node pool. Every argument is validated, all problems at
 * once, before the first resource exists. It calls no provider function, so it plans offline with no answers.
 */
import { ControlReport } from "../../components/controls";
import { checkFields, InvalidArgsError, isRecord, show } from "../../components/validation";
import { checkHardening } from "../../components/resolve";
import { mustParseCidr, formatAddress } from "../../components/cidr";
import { CloudModule, EnvironmentConfig, EnvironmentResult } from "../environment";
import { AksNodePoolPlan, planAksNodePool } from "../../providers/azure/aksNodePoolPlan";
import { AzureAksNodePool } from "../../providers/azure/aksNodePool";
import { azureAksNodePoolControls, azureNetworkControls, azureWorkerPoolControls } from "../../providers/azure/controls";
import { AzureWorkerNetwork } from "../../providers/azure/network";
import { AzureNetworkPlan, planAzureWorkerNetwork } from "../../providers/azure/networkPlan";
import { AzureWorkerPool } from "../../providers/azure/workerPool";
import { AzureImageReference, planAzureWorkerPool } from "../../providers/azure/workerPoolPlan";

/** The `hardening:azure` settings block. */
export interface AzureSettings {
  /** Region. @default "westeurope" */
  readonly location: string;
  /** An existing resource group. @default a new one */
  readonly resourceGroupName?: string;
  /** OpenSSH public key for break-glass access. @default none: a key nobody holds (no SSH login) */
  readonly sshPublicKey?: string;
  /** @default "hardening" */
  readonly adminUsername?: string;
  /** @default "Standard_D2ds_v5" */
  readonly vmSize?: string;
  /** @default 2 */
  readonly instanceCount?: number;
  /** @default Ubuntu 24.04 LTS Gen2 */
  readonly image?: AzureImageReference;
  /** Required with hostIdentity "minimal". @default undefined */
  readonly userAssignedIdentityId?: string;
  /**
   * Whether the NSG denies the AzurePlatformIMDS service tag (with hostIdentity "none" and metadata "blocked").
   * @default true when the spec allows it
   */
  readonly denyImdsServiceTag?: boolean;
  /** An existing AKS cluster to add the hardened node pool to. @default undefined (no node pool) */
  readonly aks?: {
    readonly resourceGroupName: string;
    readonly clusterName: string;
    readonly vnetSubnetId: string;
    readonly vmSize?: string;
    readonly nodeCount?: number;
  };
}

const SETTINGS_KEYS = ["location", "resourceGroupName", "sshPublicKey", "adminUsername", "vmSize", "instanceCount", "image", "userAssignedIdentityId", "denyImdsServiceTag", "aks"];
const AKS_KEYS = ["resourceGroupName", "clusterName", "vnetSubnetId", "vmSize", "nodeCount"];
const SSH_KEY = /^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/;

/** Reads and checks the settings block; every problem is added to `issues`. */
function readSettings(raw: Readonly<Record<string, unknown>>, issues: string[]): AzureSettings {
  const at = (key: string) => `hardening:azure.${key}`;
  checkFields(issues, "hardening:azure", raw, SETTINGS_KEYS, { noun: "setting" });
  const str = (key: string, optional: boolean): string | undefined => {
    const v = raw[key];
    if (v === undefined) {
      if (!optional) issues.push(`${at(key)} is not set.`);
      return undefined;
    }
    if (typeof v !== "string" || v.trim() === "") {
      issues.push(`${at(key)} ${show(v)} must be a non-empty string.`);
      return undefined;
    }
    return v;
  };
  const location = str("location", true) ?? "westeurope";
  const sshPublicKey = str("sshPublicKey", true);
  if (sshPublicKey !== undefined && !SSH_KEY.test(sshPublicKey.trim())) {
    issues.push(`${at("sshPublicKey")} is not an OpenSSH public key ("ssh-ed25519 AAAA..." or "ssh-rsa AAAA...").`);
  }
  const num = (key: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    const n = typeof v === "string" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isFinite(n)) {
      issues.push(`${at(key)} ${show(v)} must be a number.`);
      return undefined;
    }
    return n;
  };
  let denyImdsServiceTag: boolean | undefined;
  if (raw.denyImdsServiceTag !== undefined) {
    const v = raw.denyImdsServiceTag;
    if (v === true || v === "true") denyImdsServiceTag = true;
    else if (v === false || v === "false") denyImdsServiceTag = false;
    else issues.push(`${at("denyImdsServiceTag")} ${show(v)} must be true or false.`);
  }
  let image: AzureImageReference | undefined;
  if (raw.image !== undefined) {
    if (!isRecord(raw.image)) issues.push(`${at("image")} ${show(raw.image)} must be an object { publisher, offer, sku, version }.`);
    else image = raw.image as unknown as AzureImageReference;
  }
  let aks: AzureSettings["aks"];
  if (raw.aks !== undefined) {
    if (!isRecord(raw.aks)) issues.push(`${at("aks")} ${show(raw.aks)} must be an object { resourceGroupName, clusterName, vnetSubnetId }.`);
    else {
      const a = raw.aks;
      checkFields(issues, "hardening:azure.aks", a, AKS_KEYS, { noun: "setting" });
      for (const key of ["resourceGroupName", "clusterName", "vnetSubnetId"]) {
        if (typeof a[key] !== "string" || (a[key] as string).trim() === "") issues.push(`${at(`aks.${key}`)} ${show(a[key])} must be a non-empty string.`);
      }
      aks = a as unknown as AzureSettings["aks"];
    }
  }
  return {
    location,
    resourceGroupName: str("resourceGroupName", true),
    sshPublicKey,
    adminUsername: str("adminUsername", true),
    vmSize: str("vmSize", true),
    instanceCount: num("instanceCount"),
    image,
    userAssignedIdentityId: str("userAssignedIdentityId", true),
    denyImdsServiceTag,
    aks,
  };
}

/** Zones "1".."n" for a zone count; Azure regions have at most three. */
function zonesFor(zoneCount: number, issues: string[]): string[] {
  if (zoneCount > 3) {
    issues.push(`hardening:zoneCount ${zoneCount} is more than the 3 availability zones an Azure region has; use 1 to 3.`);
    return [];
  }
  // One zone means "regional": pinning a single zone would only add a zone outage to the failure modes.
  return zoneCount <= 1 ? [] : Array.from({ length: zoneCount }, (_, i) => String(i + 1));
}

/** The firewall's private address: Azure gives the first usable address of AzureFirewallSubnet (the 5th, .4). */
function firewallPrivateIpFor(plan: AzureNetworkPlan): string | undefined {
  if (!plan.firewallSubnetCidr) return undefined;
  const c = mustParseCidr(plan.firewallSubnetCidr);
  return formatAddress(4, c.first + 4n);
}

// The last plan's firewall address, for offlineState: the mock engine shows offlineState only the resource's inputs.
let offlineFirewallIp: string | undefined;

function createEnvironment(config: EnvironmentConfig): EnvironmentResult {
  const issues: string[] = [];
  const settings = readSettings(config.settings ?? {}, issues);
  const zones = zonesFor(config.zoneCount, issues);
  // The spec's problems are listed once; each planner's own problems follow, named by component.
  const specIssues = checkHardening(config.hardening);
  issues.push(...specIssues);
  const reported = new Set<string>();
  const collect = <T>(what: string, plan: () => T): T | undefined => {
    try {
      return plan();
    } catch (e) {
      if (!(e instanceof InvalidArgsError)) throw e;
      // A problem two planners share (the location) is listed once, under the first.
      const fresh = e.issues.filter((i) => !specIssues.includes(i) && !reported.has(i));
      fresh.forEach((i) => reported.add(i));
      issues.push(...fresh.map((i) => `${what}: ${i}`));
      return undefined;
    }
  };
  // Plan everything first: nothing is created unless every component's arguments are valid.
  const networkPlan = collect("network", () =>
    planAzureWorkerNetwork({
      location: settings.location,
      networkCidr: config.networkCidr,
      hardening: config.hardening,
      denyImdsServiceTag: settings.denyImdsServiceTag,
    }));
  const poolPlan = collect("worker pool", () => planAzureWorkerPool({
    location: settings.location,
    vmSize: settings.vmSize,
    instanceCount: settings.instanceCount,
    zones,
    adminUsername: settings.adminUsername,
    image: settings.image,
    hasUserAssignedIdentity: settings.userAssignedIdentityId !== undefined,
    hardening: config.hardening,
    imdsServiceTagDenied: settings.denyImdsServiceTag,
  }));
  const aksSettings = settings.aks;
  let aksPlan: AksNodePoolPlan | undefined;
  if (aksSettings) {
    aksPlan = collect("aks node pool", () => planAksNodePool({ vmSize: aksSettings.vmSize, nodeCount: aksSettings.nodeCount, zones, hardening: config.hardening }));
  }
  if (issues.length > 0 || !networkPlan || !poolPlan) throw new InvalidArgsError(issues);
  offlineFirewallIp = firewallPrivateIpFor(networkPlan);

  const name = config.name;
  const net = new AzureWorkerNetwork(`${name}-net`, {
    location: settings.location,
    resourceGroupName: settings.resourceGroupName,
    networkCidr: config.networkCidr,
    hardening: config.hardening,
    denyImdsServiceTag: settings.denyImdsServiceTag,
  });
  const pool = new AzureWorkerPool(`${name}-pool`, {
    location: settings.location,
    resourceGroupName: net.resourceGroupName,
    subnetId: net.workloadSubnetIds[0],
    sshPublicKey: settings.sshPublicKey,
    adminUsername: settings.adminUsername,
    vmSize: settings.vmSize,
    instanceCount: settings.instanceCount,
    zones,
    image: settings.image,
    userAssignedIdentityId: settings.userAssignedIdentityId,
    hardening: config.hardening,
    imdsServiceTagDenied: settings.denyImdsServiceTag,
  });
  // The components plan the same arguments again and get the same plans: the report is theirs.
  const controls: ControlReport[] = [...azureNetworkControls(networkPlan, `${name}-net`), ...azureWorkerPoolControls(poolPlan, `${name}-pool`)];
  const outputs: Record<string, unknown> = {
    networkId: net.networkId,
    workloadSubnetIds: net.workloadSubnetIds,
    resourceGroupName: net.resourceGroupName,
    scaleSetId: pool.scaleSet.id,
    egressPath: networkPlan.egressPath,
  };
  if (settings.aks) {
    const aks = new AzureAksNodePool(`${name}-aks`, {
      resourceGroupName: settings.aks.resourceGroupName,
      clusterName: settings.aks.clusterName,
      vnetSubnetId: settings.aks.vnetSubnetId,
      vmSize: settings.aks.vmSize,
      nodeCount: settings.aks.nodeCount,
      zones,
      hardening: config.hardening,
    });
    if (aksPlan) controls.push(...azureAksNodePoolControls(aksPlan, `${name}-aks`));
    outputs.aksNodePoolName = aks.agentPool.name;
    outputs.runtimeClassName = aks.runtimeClassName ?? "";
  }
  return { controls, outputs };
}

/** The Azure cloud module: `loadCloud("azure")` returns it. */
export const cloudModule: CloudModule = {
  cloud: "azure",
  createEnvironment,
  // The environment calls no provider function (no invokes), so planning offline needs no answers.
  offlineCalls: {},
  offlineState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (!type.startsWith("azure-native:")) return {};
    // Offline assumption: an auto-named resource is named after its logical name (azure-native adds a random
    // suffix when deploying; children only need some name to refer to their parent by).
    const state: Record<string, unknown> = { name: typeof inputs.subnetName === "string" ? inputs.subnetName : name };
    if (type === "azure-native:network:AzureFirewall" && Array.isArray(inputs.ipConfigurations)) {
      // Offline assumption: Azure assigns the firewall the first usable address of AzureFirewallSubnet.
      state.ipConfigurations = inputs.ipConfigurations.map((c) => ({ ...(c as object), privateIPAddress: offlineFirewallIp }));
    }
    return state;
  },
};
