import * as assert from "node:assert/strict";
import { azureIdentityRule } from "../../../../policy/rules/hostIdentity/azureCompute";
import { azureMspRule } from "../../../../policy/rules/metadataEndpoint/azureMsp";
import { runCheck, UNKNOWN } from "../helpers";

const VM = "azure-native:compute:VirtualMachine";
const VMSS = "azure-native:compute:VirtualMachineScaleSet";
const idMsg = (seen: string) =>
  `identity.type is ${seen}; remove identity or set its type to "None", or exempt this host in the policy config ` +
  "with a reason: any code on the VM can ask IMDS for the managed identity's token, and NSG rules do not filter IMDS by default.";

describe("host-identity-azure-vm", () => {
  for (const type of [VM, VMSS]) {
    for (const props of [{}, { identity: { type: "None" } }, { identity: { type: "none" } }]) {
      it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(azureIdentityRule, type, props), []));
    }
    for (const [t, seen] of [["SystemAssigned", '"SystemAssigned"'], ["SystemAssigned, UserAssigned", '"SystemAssigned, UserAssigned"']]) {
      it(`fails ${type} identity ${t}`, () => assert.deepEqual(runCheck(azureIdentityRule, type, { identity: { type: t } }), [{ property: "identity.type", message: idMsg(seen) }]));
    }
  }
  describe("a user-assigned identity behind the Metadata Security Protocol (the package's own hostIdentity: minimal pool)", () => {
    const msp = { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } };
    const uai = { type: "UserAssigned", userAssignedIdentities: ["/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/workers"] };
    const vmss = (proxyAgentSettings?: object, identity: object = uai) => ({ identity, virtualMachineProfile: { securityProfile: proxyAgentSettings ? { proxyAgentSettings } : {} } });
    const unprotected = (base: string) =>
      `identity.type is "UserAssigned" and ${base}.proxyAgentSettings does not enforce IMDS access; set it to { enabled: true, imds: { mode: "Enforce" } } ` +
      'so that only the processes the Metadata Security Protocol authorises get the identity\'s token, remove identity or set its type to "None", ' +
      "or exempt this host in the policy config with a reason: any code on the VM can otherwise ask IMDS for the token.";
    it("passes the scale set AzureWorkerPool writes for hostIdentity: minimal", () => assert.deepEqual(runCheck(azureIdentityRule, VMSS, vmss(msp)), []));
    it("passes a VM with the deprecated top-level mode Enforce", () =>
      assert.deepEqual(runCheck(azureIdentityRule, VM, { identity: uai, securityProfile: { proxyAgentSettings: { enabled: true, mode: "Enforce" } } }), []));
    const failing: [string, Record<string, unknown>, string][] = [
      ["no proxyAgentSettings", vmss(), unprotected("virtualMachineProfile.securityProfile")],
      ["IMDS in Audit mode", vmss({ enabled: true, imds: { mode: "Audit" } }), unprotected("virtualMachineProfile.securityProfile")],
      ["the protocol disabled", vmss({ enabled: false, imds: { mode: "Enforce" } }), unprotected("virtualMachineProfile.securityProfile")],
    ];
    for (const [what, props, message] of failing) {
      it(`fails ${what}`, () => assert.deepEqual(runCheck(azureIdentityRule, VMSS, props), [{ property: "identity.type", message }]));
    }
    it("fails a system-assigned identity even behind the protocol (it is not the caller's scoped identity)", () =>
      assert.deepEqual(runCheck(azureIdentityRule, VMSS, vmss(msp, { type: "SystemAssigned, UserAssigned" })), [{ property: "identity.type", message: idMsg('"SystemAssigned, UserAssigned"') }]));
  });
  it("is indeterminate on an unknown identity", () => {
    assert.deepEqual(runCheck(azureIdentityRule, VM, { identity: UNKNOWN }).map((f) => f.indeterminate), [true]);
  });
});

const wireMsg = (path: string, seen: string) =>
  `${path} is ${seen} for WireServer; set securityProfile.proxyAgentSettings.wireServer.mode to "Enforce": WireServer (168.63.129.16) hands out ` +
  "extension settings and their protected secrets, and only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).";

describe("metadata-endpoint-azure-msp", () => {
  const sp = (s: object) => ({ securityProfile: { proxyAgentSettings: s } });
  const passing: [string, Record<string, unknown>][] = [
    [VM, {}],
    [VM, sp({ enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } })],
    [VM, sp({ enabled: true, mode: "Enforce" })],
    [VM, sp({ enabled: true, mode: "Enforce", imds: { mode: "Enforce" } })],
    [VMSS, { virtualMachineProfile: { securityProfile: { proxyAgentSettings: { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } } } } }],
  ];
  for (const [type, props] of passing) it(`passes ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(azureMspRule, type, props), []));
  const failing: [string, Record<string, unknown>, { property: string; message: string }[]][] = [
    [VM, sp({ enabled: false }), [{ property: "securityProfile.proxyAgentSettings.enabled", message: "securityProfile.proxyAgentSettings.enabled is false; set it to true: the Metadata Security Protocol limits IMDS and WireServer access to the processes it authorises." }]],
    [
      VM,
      sp({ enabled: true, imds: { mode: "Audit" }, wireServer: { mode: "Enforce" } }),
      [{ property: "securityProfile.proxyAgentSettings.imds.mode", message: 'securityProfile.proxyAgentSettings.imds.mode is "Audit"; set it to "Enforce": only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).' }],
    ],
    [VM, sp({ enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Audit" } }), [{ property: "securityProfile.proxyAgentSettings.wireServer.mode", message: wireMsg("securityProfile.proxyAgentSettings.wireServer.mode", '"Audit"') }]],
    [VM, sp({ enabled: true, imds: { mode: "Enforce" } }), [{ property: "securityProfile.proxyAgentSettings.mode", message: wireMsg("securityProfile.proxyAgentSettings.mode", "not set") }]],
    [VM, sp({ enabled: true, mode: "Audit", imds: { mode: "Enforce" } }), [{ property: "securityProfile.proxyAgentSettings.mode", message: wireMsg("securityProfile.proxyAgentSettings.mode", '"Audit"') }]],
    [VM, sp({ enabled: true }), [{ property: "securityProfile.proxyAgentSettings.mode", message: 'securityProfile.proxyAgentSettings.mode is not set; set it to "Enforce": only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).' }]],
    [
      VMSS,
      { virtualMachineProfile: { securityProfile: { proxyAgentSettings: { enabled: true, imds: { mode: "Disabled" }, wireServer: { mode: "Enforce" } } } } },
      [{ property: "virtualMachineProfile.securityProfile.proxyAgentSettings.imds.mode", message: 'virtualMachineProfile.securityProfile.proxyAgentSettings.imds.mode is "Disabled"; set it to "Enforce": only Enforce mode denies the requests the protocol does not authorise (Audit mode only logs them).' }],
    ],
  ];
  for (const [type, props, expected] of failing) it(`fails ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(azureMspRule, type, props), expected));
});
