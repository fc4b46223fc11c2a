/**
 * Azure VMs and scale sets: no managed identity on worker hosts (IMDS would hand its token to any code on the
 * VM), and, where the Metadata Security Protocol is configured, it enforces rather than audits.
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

/**
 * Where `proxyAgentSettings` (Metadata Security Protocol) is present: it is enabled and IMDS access is in "Enforce"
 * mode (`imds.mode`, or the deprecated top-level `mode`). Audit mode only logs. Absent settings pass: MSP needs
 * supported images, so this pack does not demand it.
 */
export function checkProxyAgent(securityProfilePath: readonly string[]): (props: Record<string, unknown>) => Finding[] {
  const base = [...securityProfilePath, "proxyAgentSettings"].join(".");
  return (props) => {
    let v: unknown = props;
    for (const k of [...securityProfilePath, "proxyAgentSettings"]) {
      if (isUnknown(v)) return [unknownFinding(base)];
      v = field(v, k);
    }
    if (v === undefined || v === null) return [];
    if (isUnknown(v)) return [unknownFinding(base)];
    const findings: Finding[] = [];
    const enabled = field(v, "enabled");
    if (isUnknown(enabled)) return [unknownFinding(`${base}.enabled`)];
    if (enabled !== true) {
      findings.push({
        property: `${base}.enabled`,
        message: `${base}.enabled is ${show(enabled)}; set it to true: the Metadata Security Protocol limits IMDS and WireServer access to the processes it authorises.`,
      });
      return findings;
    }
    const imds = field(v, "imds");
    const modePath = imds !== undefined && imds !== null ? `${base}.imds.mode` : `${base}.mode`;
    const mode = imds !== undefined && imds !== null ? field(imds, "mode") : field(v, "mode");
    if (isUnknown(mode) || isUnknown(imds)) return [unknownFinding(modePath)];
    if (mode !== "Enforce") {
      findings.push({
        property: modePath,
        message: `${modePath} is ${show(mode)}; set it to "Enforce": only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).`,
      });
    }
    return findings;
  };
}

/** `host-identity-azure-vm`: worker VMs and scale sets carry no managed identity unless explicitly exempted. */
export const azureIdentityRule: ResourceRule = {
  id: "host-identity-azure-vm",
  description: "Azure VMs and scale sets have no managed identity (or are exempted with a reason), so IMDS has no token to give to workload code.",
  enforcementLevel: "mandatory",
  checks: { [AZURE_VM]: checkNoIdentity, [AZURE_VMSS]: checkNoIdentity },
};

/** `metadata-endpoint-azure-msp`: a configured Metadata Security Protocol enforces. */
export const azureMspRule: ResourceRule = {
  id: "metadata-endpoint-azure-msp",
  description: "Where Azure VMs or scale sets configure the Metadata Security Protocol (proxyAgentSettings), it is enabled and enforces IMDS access.",
  // Advisory: MSP's GA status and image support are unverified (cloud-controls.md section 7, item 3).
  enforcementLevel: "advisory",
  checks: {
    [AZURE_VM]: checkProxyAgent(["securityProfile"]),
    [AZURE_VMSS]: checkProxyAgent(["virtualMachineProfile", "securityProfile"]),
  },
};
