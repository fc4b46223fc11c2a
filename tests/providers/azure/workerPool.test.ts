import * as assert from "node:assert/strict";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { AzureAksNodePool } from "../../../providers/azure/aksNodePool";
import { AzureWorkerPool, AzureWorkerPoolArgs } from "../../../providers/azure/workerPool";
import { noLoginSshPublicKey } from "../../../providers/azure/workerPoolPlan";

const SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHardeningTestKeyOnlyNotARealKey0000000000 test";
const base: AzureWorkerPoolArgs = { location: "westeurope", resourceGroupName: "rg", subnetId: "/subscriptions/s/subnets/workload-1", sshPublicKey: SSH };

async function vmssOf(args: AzureWorkerPoolArgs): Promise<Record<string, unknown>> {
  const { resources } = await runUnderMocks(() => new AzureWorkerPool("k", args));
  const sets = resources.filter((r: RecordedResource) => r.type === "azure-native:compute:VirtualMachineScaleSet");
  assert.equal(sets.length, 1);
  assert.deepEqual(resources.map((r) => r.type).sort(), ["azure-native:compute:VirtualMachineScaleSet", "hardening:index:AzureWorkerPool"]);
  return sets[0].inputs;
}

type Profile = {
  osProfile: Record<string, unknown> & { linuxConfiguration: Record<string, unknown>; customData: string };
  storageProfile: Record<string, unknown>;
  networkProfile: { networkApiVersion: string; networkInterfaceConfigurations: Record<string, unknown>[] };
  securityProfile: Record<string, unknown>;
  extensionProfile?: { extensions: Record<string, unknown>[] };
};

describe("AzureWorkerPool (mocks)", () => {
  it("default spec: Flexible VMSS with no identity, no public IP, Trusted Launch, encryption at host, MSP Enforce, ephemeral OS disk", async () => {
    const vmss = await vmssOf(base);
    assert.equal(vmss.orchestrationMode, "Flexible");
    assert.deepEqual(vmss.identity, { type: "None" });
    assert.deepEqual(vmss.sku, { name: "Standard_D2ds_v5", tier: "Standard", capacity: 2 });
    assert.equal(vmss.automaticRepairsPolicy, undefined);
    const p = vmss.virtualMachineProfile as Profile;
    assert.deepEqual(p.securityProfile, {
      securityType: "TrustedLaunch",
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      encryptionAtHost: true,
      proxyAgentSettings: { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } },
    });
    assert.deepEqual(p.storageProfile.osDisk, { createOption: "FromImage", caching: "ReadOnly", deleteOption: "Delete", diffDiskSettings: { option: "Local", placement: "ResourceDisk" } });
    assert.deepEqual(p.networkProfile, {
      networkApiVersion: "2020-11-01",
      networkInterfaceConfigurations: [{
        name: "worker-nic", primary: true, enableIPForwarding: false, deleteOption: "Delete",
        ipConfigurations: [{ name: "worker-ip", primary: true, subnet: { id: "/subscriptions/s/subnets/workload-1" } }],
      }],
    });
    assert.equal(JSON.stringify(p.networkProfile).includes("publicIPAddressConfiguration"), false);
    assert.deepEqual(p.osProfile.linuxConfiguration, {
      disablePasswordAuthentication: true,
      provisionVMAgent: true,
      ssh: { publicKeys: [{ path: "/home/hardening/.ssh/authorized_keys", keyData: SSH }] },
    });
    // With IMDS denied at the NSG, extensions cannot run: none configured, and extension operations refused.
    assert.equal(p.osProfile.allowExtensionOperations, false);
    assert.equal(p.extensionProfile, undefined);
    const customData = Buffer.from(p.osProfile.customData, "base64").toString("utf8");
    assert.match(customData, /Content-Type: text\/cloud-boothook/);
    assert.match(customData, /HARDENING-META-OUT/);
    assert.match(customData, /date -u -d '\+24 hours'/);
  });

  it("hostIdentity minimal: only the caller's user-assigned identity; extensions and automatic repairs replace expired hosts", async () => {
    const id = "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kestra-worker";
    const vmss = await vmssOf({ ...base, userAssignedIdentityId: id, hardening: { hostIdentity: "minimal", ephemeral: { maxLifetimeHours: 12 } } });
    assert.deepEqual(vmss.identity, { type: "UserAssigned", userAssignedIdentities: [id] });
    assert.deepEqual(vmss.automaticRepairsPolicy, { enabled: true, gracePeriod: "PT30M" });
    const p = vmss.virtualMachineProfile as Profile;
    assert.equal(p.osProfile.allowExtensionOperations, true);
    assert.deepEqual(p.extensionProfile, { extensions: [{
      name: "lifetime-health", publisher: "Microsoft.ManagedServices", type: "ApplicationHealthLinux", typeHandlerVersion: "2.0",
      autoUpgradeMinorVersion: true, settings: { protocol: "tcp", port: 999 },
    }] });
    assert.match(Buffer.from(p.osProfile.customData, "base64").toString("utf8"), /date -u -d '\+12 hours'/);
  });

  it("without a key, the admin account gets the no-login key: no one can SSH in", async () => {
    const vmss = await vmssOf({ location: "westeurope", resourceGroupName: "rg", subnetId: "/s" });
    const p = vmss.virtualMachineProfile as Profile;
    assert.deepEqual(p.osProfile.linuxConfiguration.ssh, { publicKeys: [{ path: "/home/hardening/.ssh/authorized_keys", keyData: noLoginSshPublicKey() }] });
    assert.equal(p.osProfile.linuxConfiguration.disablePasswordAuthentication, true);
    assert.equal("adminPassword" in p.osProfile, false);
  });

  it("an invalid spec or argument registers nothing and lists every problem", async () => {
    const { resources, result } = await runUnderMocks(() => {
      try {
        new AzureWorkerPool("bad", { ...base, vmSize: "huge", hardening: { hostIdentity: "minimal", ephemeral: { maxLifetimeHours: 0 } } });
        return "created";
      } catch (e) {
        return (e as Error).message;
      }
    });
    assert.deepEqual(resources, []);
    assert.equal(result, [
      'AzureWorkerPool "bad": invalid arguments:',
      " - hardening.ephemeral.maxLifetimeHours 0 must be a whole number of hours from 1 to 8760.",
      ' - vmSize "huge" is not an Azure VM size such as "Standard_D2ds_v5".',
      ' - userAssignedIdentityId is missing but hardening.hostIdentity is "minimal"; pass the id of your narrowly scoped user-assigned identity, or set hostIdentity to "none".',
    ].join("\n"));
  });
});

describe("AzureAksNodePool (mocks)", () => {
  it("registers a Kata agent pool with no node public IPs on the given subnet", async () => {
    const { resources, result } = await runUnderMocks(() => new AzureAksNodePool("u", { resourceGroupName: "aks-rg", clusterName: "aks", vnetSubnetId: "/subnets/nodes" }).runtimeClassName);
    assert.equal(result, "kata-vm-isolation");
    const pools = resources.filter((r) => r.type === "azure-native:containerservice:AgentPool");
    assert.equal(pools.length, 1);
    assert.deepEqual(pools[0].inputs, {
      resourceGroupName: "aks-rg",
      resourceName: "aks",
      vnetSubnetID: "/subnets/nodes",
      mode: "User",
      osType: "Linux",
      osSKU: "AzureLinux",
      workloadRuntime: "KataVmIsolation",
      vmSize: "Standard_D4ds_v5",
      count: 2,
      enableNodePublicIP: false,
      enableEncryptionAtHost: true,
      osDiskType: "Ephemeral",
      securityProfile: { sshAccess: "Disabled" },
      nodeLabels: { "hardening.pulumi.com/pool": "untrusted", "hardening.pulumi.com/sandbox": "kata-vm-isolation" },
    });
  });

  it("an invalid spec registers nothing", async () => {
    const { resources } = await runUnderMocks(() => {
      assert.throws(() => new AzureAksNodePool("x", { resourceGroupName: "r", clusterName: "c", vnetSubnetId: "s", hardening: { sandbox: "kata" as never } }), /AzureAksNodePool "x": invalid arguments/);
    });
    assert.deepEqual(resources, []);
  });
});
