/**
 * Azure VMs and scale sets: where the Metadata Security Protocol is configured, it enforces rather than audits.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isUnknown, show, unknownFinding } from "../values";
import { AZURE_VM, AZURE_VMSS } from "../hostIdentity/azureCompute";

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

/** `metadata-endpoint-azure-msp`: a configured Metadata Security Protocol enforces. */
export const azureMspRule: ResourceRule = {
  id: "metadata-endpoint-azure-msp",
  description: "Where Azure VMs or scale sets configure the Metadata Security Protocol (proxyAgentSettings), it is enabled and enforces IMDS access.",
  // Advisory: MSP's GA status and image support are unverified (cloud-controls.md section 7, item 3).
  enforcementLevel: "advisory",
  family: "metadataEndpoint",
  docs: "Where `proxyAgentSettings` is set: enabled, IMDS mode `Enforce`.",
  checks: {
    [AZURE_VM]: checkProxyAgent(["securityProfile"]),
    [AZURE_VMSS]: checkProxyAgent(["virtualMachineProfile", "securityProfile"]),
  },
};
