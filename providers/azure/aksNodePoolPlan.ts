/**
 * AKS mappings as plain data: the hardened node pool (agent pool) for untrusted runs, and the cluster-level
 * settings a node pool cannot carry (Entra Workload ID, node image upgrades, pod IMDS restriction).
 *
 * Verified against the pinned SDK, @pulumi/azure-native 3.x (`containerservice.AgentPool` and `ManagedCluster`
 * use REST API 2025-09-01):
 * - `workloadRuntime` accepts `KataVmIsolation` ("Nodes can use (Kata + Cloud Hypervisor + Hyper-V) to enable
 *   Nested VM-based pods ... can only be used with VM series that support Nested Virtualization"); pods select it
 *   with `runtimeClassName: kata-vm-isolation` (AKS "Pod Sandboxing": "add runtimeClassName kata-vm-isolation to
 *   the pod spec"). The older `KataMshvVmIsolation` / `kata-mshv-vm-isolation` pair is not in the pinned enum.
 * - `podLinkLocalAccess` is NOT in the pinned API version, neither on the cluster's networkProfile nor on the agent
 *   pool. It exists only in preview API versions (@azure/arm-containerservice "azure-node-preview":
 *   "None: Pods with hostNetwork=false cannot access Azure Instance Metadata Service (IMDS)"), which need a local
 *   SDK (`pulumi package add azure-native containerservice <preview version>`). So it is returned separately, as a
 *   preview setting this package does not apply.
 * - Trusted Launch "can't be enabled in the same node pool as ... Pod Sandboxing" (AKS Trusted Launch
 *   limitations), so secure boot and vTPM are set only on pools without Kata.
 */
import { checkWholeNumber, InvalidArgsError, show } from "../../components/validation";
import { resolveHardeningInto } from "../../components/resolve";
import { HardeningSpec, ResolvedHardening, SandboxMode } from "../../components/spec";

/** The runtime class pods name to run in the Kata sandbox on a `KataVmIsolation` pool. */
export const AKS_KATA_RUNTIME_CLASS = "kata-vm-isolation";

/** Gen2, nested virtualization (required by Kata), and a local disk for the ephemeral OS disk. */
export const DEFAULT_AKS_VM_SIZE = "Standard_D4ds_v5";

/** The plain part of the node pool's arguments. */
export interface AksNodePoolPlanArgs {
  /** @default "Standard_D4ds_v5" */
  readonly vmSize?: string;
  /** @default 2 */
  readonly nodeCount?: number;
  /** @default [] */
  readonly zones?: readonly string[];
  /** @default {} */
  readonly hardening?: HardeningSpec;
}

/** The agent pool's security-relevant settings, in the shape of azure-native `containerservice.AgentPoolArgs`. */
export interface AksNodePoolSettings {
  readonly mode: "User";
  readonly osType: "Linux";
  readonly osSKU: "AzureLinux";
  readonly workloadRuntime: "KataVmIsolation" | "OCIContainer";
  readonly vmSize: string;
  readonly count: number;
  readonly availabilityZones: string[] | undefined;
  readonly enableNodePublicIP: false;
  readonly enableEncryptionAtHost: true;
  readonly osDiskType: "Ephemeral";
  readonly securityProfile: { readonly sshAccess: "Disabled"; readonly enableSecureBoot?: true; readonly enableVTPM?: true };
  readonly nodeLabels: Record<string, string>;
}

/** The node pool to create. */
export interface AksNodePoolPlan {
  readonly hardening: ResolvedHardening;
  readonly settings: AksNodePoolSettings;
  /** The runtime class untrusted pods must name, or undefined without a sandbox. */
  readonly runtimeClassName: string | undefined;
}

const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;

/**
 * The agent pool settings for a resolved spec: a user pool on Azure Linux, Kata VM isolation when the spec asks for
 * a sandbox runtime, no node public IPs, encryption at host, an ephemeral OS disk, SSH to nodes disabled, and
 * Trusted Launch where Kata allows it.
 */
export function aksNodePoolSettingsFor(spec: ResolvedHardening, vmSize: string, count: number, zones: readonly string[]): AksNodePoolSettings {
  const kata = spec.sandbox === SandboxMode.Runtime;
  return {
    mode: "User",
    osType: "Linux",
    // "Only the Azure Linux os-sku supports this feature" (Pod Sandboxing); kept for every pool so both look alike.
    osSKU: "AzureLinux",
    workloadRuntime: kata ? "KataVmIsolation" : "OCIContainer",
    vmSize,
    count,
    availabilityZones: zones.length > 0 ? [...zones] : undefined,
    enableNodePublicIP: false,
    enableEncryptionAtHost: true,
    osDiskType: "Ephemeral",
    securityProfile: kata ? { sshAccess: "Disabled" } : { sshAccess: "Disabled", enableSecureBoot: true, enableVTPM: true },
    nodeLabels: { "hardening.pulumi.com/pool": "untrusted", "hardening.pulumi.com/sandbox": kata ? AKS_KATA_RUNTIME_CLASS : "none" },
  };
}

/** Cluster settings for `containerservice.ManagedCluster` that the pinned (stable) API accepts. */
export interface AksClusterSettings {
  /** Entra Workload ID: pods get federated tokens for their own identities instead of reaching the node's. */
  readonly securityProfile: { readonly workloadIdentity: { readonly enabled: true } };
  /** The OIDC issuer Workload ID federates with. */
  readonly oidcIssuerProfile: { readonly enabled: true };
  /** Node images are replaced as new ones ship: nodes are reimaged, not patched in place. */
  readonly autoUpgradeProfile: { readonly nodeOSUpgradeChannel: "NodeImage"; readonly upgradeChannel: "patch" };
  /** No local (certificate) admin accounts: access goes through Entra ID. */
  readonly disableLocalAccounts: true;
}

/** Settings that exist only in preview API versions; this package does not apply them (see the module comment). */
export interface AksPreviewSettings {
  /** `None`: pods with hostNetwork=false cannot reach IMDS. Preview API only; not in the pinned 2025-09-01. */
  readonly networkProfile: { readonly podLinkLocalAccess: "None" };
}

/**
 * The cluster-level half of the AKS hardening, for your own `ManagedCluster`: the stable settings to spread into
 * its args, and the preview-only setting to apply if you use a preview SDK. A node pool cannot carry these.
 */
export function aksClusterSettingsFor(spec: ResolvedHardening): { stable: AksClusterSettings; previewOnly: AksPreviewSettings | undefined } {
  return {
    stable: {
      securityProfile: { workloadIdentity: { enabled: true } },
      oidcIssuerProfile: { enabled: true },
      autoUpgradeProfile: { nodeOSUpgradeChannel: "NodeImage", upgradeChannel: "patch" },
      disableLocalAccounts: true,
    },
    previewOnly: spec.metadataEndpoint === "blocked" ? { networkProfile: { podLinkLocalAccess: "None" } } : undefined,
  };
}

/** Plans the node pool; throws one InvalidArgsError listing every problem. */
export function planAksNodePool(args: AksNodePoolPlanArgs): AksNodePoolPlan {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(args.hardening, issues);
  const vmSize = args.vmSize ?? DEFAULT_AKS_VM_SIZE;
  if (typeof vmSize !== "string" || !VM_SIZE.test(vmSize)) {
    issues.push(`vmSize ${show(vmSize)} is not an Azure VM size such as "${DEFAULT_AKS_VM_SIZE}" (Kata needs a Gen2 size with nested virtualization).`);
  }
  const count = args.nodeCount ?? 2;
  checkWholeNumber(issues, "nodeCount", count, 0, 1000);
  const zones = [...(args.zones ?? [])];
  zones.forEach((z, i) => {
    if (!["1", "2", "3"].includes(z)) issues.push(`zones[${i}] ${show(z)} must be "1", "2" or "3".`);
  });
  if (issues.length > 0 || !hardening) throw new InvalidArgsError(issues);
  return {
    hardening,
    settings: aksNodePoolSettingsFor(hardening, vmSize, count, zones),
    runtimeClassName: hardening.sandbox === SandboxMode.Runtime ? AKS_KATA_RUNTIME_CLASS : undefined,
  };
}
