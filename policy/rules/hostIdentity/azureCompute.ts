/**
 * Azure VMs and scale sets: no managed identity on worker hosts (IMDS would hand its token to any code on the
 * VM). The Metadata Security Protocol rule on the same types is in metadataEndpoint/azureMsp.ts.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isUnknown, show, unknownFinding } from "../values";

/** The types carrying VM settings; versioned tokens (`azure-native:compute/v20240701:...`) are mapped onto these. */
export const AZURE_VM = "azure-native:compute:VirtualMachine";
export const AZURE_VMSS = "azure-native:compute:VirtualMachineScaleSet";

/**
 * Whether the Metadata Security Protocol enforces IMDS access on this VM: `proxyAgentSettings.enabled` and IMDS mode
 * "Enforce" (`imds.mode`, or the deprecated top-level `mode`). Undefined while a value it needs is unknown.
 */
function mspEnforcesImds(props: Record<string, unknown>, securityProfilePath: readonly string[]): boolean | undefined {
  let v: unknown = props;
  for (const k of [...securityProfilePath, "proxyAgentSettings"]) {
    if (isUnknown(v)) return undefined;
    v = field(v, k);
  }
  const enabled = field(v, "enabled");
  const imds = field(v, "imds");
  const mode = imds !== undefined && imds !== null ? field(imds, "mode") : field(v, "mode");
  if ([v, enabled, imds, mode].some(isUnknown)) return undefined;
  return enabled === true && mode === "Enforce";
}

/**
 * Passes when `identity` is absent or its type is "None", or when it is only user-assigned identities (the caller's
 * narrowly scoped one: `hostIdentity: "minimal"`) and the Metadata Security Protocol enforces IMDS access, so only
 * the processes it authorises get the token (host-identity-admin-grant judges what the identity may do). Microsoft's
 * managed identity docs: "All code/scripts running on a virtual machine can request and retrieve tokens for any
 * managed identities available on it." A system-assigned identity always fails. A host that needs one is exempted
 * through the rule's config (exemptNames / exemptUrns) or a `hardening:exempt` tag with a reason.
 */
export function checkNoIdentity(props: Record<string, unknown>, securityProfilePath: readonly string[] = ["securityProfile"]): Finding[] {
  const identity = props.identity;
  if (identity === undefined || identity === null) return [];
  if (isUnknown(identity)) return [unknownFinding("identity")];
  const type = field(identity, "type");
  if (isUnknown(type)) return [unknownFinding("identity.type")];
  if (typeof type === "string" && type.trim().toLowerCase() === "none") return [];
  if (typeof type === "string" && type.trim() === "UserAssigned") {
    const enforced = mspEnforcesImds(props, securityProfilePath);
    const base = securityProfilePath.join(".");
    if (enforced === undefined) return [unknownFinding(`${base}.proxyAgentSettings`)];
    if (enforced) return [];
    return [
      {
        property: "identity.type",
        message:
          `identity.type is "UserAssigned" and ${base}.proxyAgentSettings does not enforce IMDS access; set it to ` +
          '{ enabled: true, imds: { mode: "Enforce" } } so that only the processes the Metadata Security Protocol ' +
          "authorises get the identity's token, remove identity or set its type to \"None\", or exempt this host in the " +
          "policy config with a reason: any code on the VM can otherwise ask IMDS for the token.",
      },
    ];
  }
  return [
    {
      property: "identity.type",
      message:
        `identity.type is ${show(type)}; remove identity or set its type to "None", or exempt this host in the ` +
        "policy config with a reason: any code on the VM can ask IMDS for the managed identity's token, and NSG " +
        "rules do not filter IMDS by default.",
    },
  ];
}

/** `host-identity-azure-vm`: worker VMs and scale sets carry no managed identity unless explicitly exempted. */
export const azureIdentityRule: ResourceRule = {
  id: "host-identity-azure-vm",
  description: "Azure VMs and scale sets have no managed identity, or only user-assigned ones behind an enforcing Metadata Security Protocol (or are exempted with a reason), so IMDS gives workload code no token.",
  enforcementLevel: "mandatory",
  family: "hostIdentity",
  docs: "Azure VMs and scale sets: no managed identity, or only user-assigned identities with `proxyAgentSettings` enabled and IMDS mode `Enforce` (the package's `hostIdentity: minimal` pool), unless exempted.",
  checks: {
    [AZURE_VM]: (props) => checkNoIdentity(props, ["securityProfile"]),
    [AZURE_VMSS]: (props) => checkNoIdentity(props, ["virtualMachineProfile", "securityProfile"]),
  },
};
