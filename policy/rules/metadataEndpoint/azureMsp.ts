/**
 * Azure VMs and scale sets: where the Metadata Security Protocol is configured, it enforces rather than audits.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isUnknown, show, unknownFinding } from "../values";
import { AZURE_VM, AZURE_VMSS } from "../hostIdentity/azureCompute";

/**
 * Where `proxyAgentSettings` (Metadata Security Protocol) is present: it is enabled and both host endpoints it
 * guards, IMDS and WireServer, are in "Enforce" mode (`imds.mode` / `wireServer.mode`, or the deprecated top-level
 * `mode` where an endpoint has no settings of its own). Audit mode only logs. Absent settings pass: MSP needs
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
    // Each endpoint's own settings decide its mode; without them, the deprecated top-level `mode` (which applied to
    // both endpoints before per-endpoint settings existed) does.
    for (const endpoint of ["imds", "wireServer"] as const) {
      const settings = field(v, endpoint);
      if (isUnknown(settings)) return [unknownFinding(`${base}.${endpoint}`)];
      const own = settings !== undefined && settings !== null;
      const modePath = own ? `${base}.${endpoint}.mode` : `${base}.mode`;
      const mode = own ? field(settings, "mode") : field(v, "mode");
      if (isUnknown(mode)) {
        findings.push(unknownFinding(modePath));
        continue;
      }
      if (mode === "Enforce" || (!own && findings.some((f) => f.property === modePath))) continue;
      findings.push({
        property: modePath,
        message:
          endpoint === "imds"
            ? `${modePath} is ${show(mode)}; set it to "Enforce": only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).`
            : `${modePath} is ${show(mode)} for WireServer; set ${base}.wireServer.mode to "Enforce": WireServer (168.63.129.16) hands out extension settings and their protected secrets, and only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).`,
      });
    }
    return findings;
  };
}

/** `metadata-endpoint-azure-msp`: a configured Metadata Security Protocol enforces. */
export const azureMspRule: ResourceRule = {
  id: "metadata-endpoint-azure-msp",
  description: "Where Azure VMs or scale sets configure the Metadata Security Protocol (proxyAgentSettings), it is enabled and enforces both IMDS and WireServer access.",
  // Advisory: MSP's GA status and image support are unverified (cloud-controls.md section 7, item 3).
  enforcementLevel: "advisory",
  family: "metadataEndpoint",
  docs: "Where `proxyAgentSettings` is set: enabled, IMDS and WireServer modes `Enforce`.",
  checks: {
    [AZURE_VM]: checkProxyAgent(["securityProfile"]),
    [AZURE_VMSS]: checkProxyAgent(["virtualMachineProfile", "securityProfile"]),
  },
};
