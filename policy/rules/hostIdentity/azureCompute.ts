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
 * Passes when `identity` is absent or its type is "None". Microsoft's managed identity docs: "All code/scripts
 * running on a virtual machine can request and retrieve tokens for any managed identities available on it."
 * A host that needs one is exempted through the rule's config (exemptNames / exemptUrns) or a
 * `hardening:exempt` tag with a reason.
 */
export function checkNoIdentity(props: Record<string, unknown>): Finding[] {
  const identity = props.identity;
  if (identity === undefined || identity === null) return [];
  if (isUnknown(identity)) return [unknownFinding("identity")];
  const type = field(identity, "type");
  if (isUnknown(type)) return [unknownFinding("identity.type")];
  if (typeof type === "string" && type.trim().toLowerCase() === "none") return [];
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
  description: "Azure VMs and scale sets have no managed identity (or are exempted with a reason), so IMDS has no token to give to workload code.",
  enforcementLevel: "mandatory",
  family: "hostIdentity",
  docs: "Azure VMs and scale sets: no managed identity unless exempted.",
  checks: { [AZURE_VM]: checkNoIdentity, [AZURE_VMSS]: checkNoIdentity },
};
