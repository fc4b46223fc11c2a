import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { InvalidArgsError } from "../../../components/validation";
import { EnvironmentConfig, EnvironmentResult, loadCloud } from "../../../program/environment";
import { runUnderMocks } from "../../../program/offlineEngine";
import { cloudModule } from "../../../program/clouds/azure";

const SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHardeningTestKeyOnlyNotARealKey0000000000 test";

function config(overrides: Partial<EnvironmentConfig> = {}): EnvironmentConfig {
  // Settings default to a break-glass key here; the no-settings case is tested on its own.
  return { cloud: "azure", name: "kestra", hardening: {}, networkCidr: "10.42.0.0/16", zoneCount: 2, settings: { sshPublicKey: SSH }, ...overrides };
}

function plan(c: EnvironmentConfig) {
  return runUnderMocks(() => cloudModule.createEnvironment(c), { calls: cloudModule.offlineCalls, state: cloudModule.offlineState });
}

function unwrap<T>(o: unknown): Promise<T> {
  return new Promise((resolve) => pulumi.output(o as pulumi.Input<T>).apply((v) => resolve(v as T)));
}

describe("Azure cloudModule", () => {
  it("is what loadCloud('azure') returns, and needs no provider function answers", () => {
    assert.equal(loadCloud("azure"), cloudModule);
    assert.deepEqual(cloudModule.offlineCalls, {});
  });

  it("builds network and worker pool offline with the default spec; the report covers both", async () => {
    const { resources, result } = await plan(config());
    assert.deepEqual([...new Set(resources.map((r) => r.type))].sort(), [
      "azure-native:compute:VirtualMachineScaleSet",
      "azure-native:dnsresolver:DnsResolverDomainList",
      "azure-native:dnsresolver:DnsResolverPolicy",
      "azure-native:dnsresolver:DnsResolverPolicyVirtualNetworkLink",
      "azure-native:dnsresolver:DnsSecurityRule",
      "azure-native:network:NetworkSecurityGroup",
      "azure-native:network:Subnet",
      "azure-native:network:VirtualNetwork",
      "azure-native:resources:ResourceGroup",
      "hardening:index:AzureWorkerNetwork",
      "hardening:index:AzureWorkerPool",
    ]);
    const vmss = resources.find((r) => r.type === "azure-native:compute:VirtualMachineScaleSet")!;
    assert.deepEqual(vmss.inputs.zones, ["1", "2"]);
    assert.equal(vmss.inputs.resourceGroupName, "kestra-net-rg");
    const ids = (result as EnvironmentResult).controls.map((c) => c.id);
    for (const id of ["azure-nsg-imds-service-tag-deny", "azure-nsg-metadata-ip-deny", "azure-vmss-no-managed-identity", "azure-host-firewall", "azure-metadata-security-protocol", "azure-host-lifetime"]) {
      assert.ok(ids.includes(id), id);
    }
    assert.equal(await unwrap((result as EnvironmentResult).outputs.egressPath), "none");
  });

  it("plans with no settings at all (the strictest defaults; no SSH login)", async () => {
    const { resources } = await plan(config({ settings: {} }));
    const vmss = resources.find((r) => r.type === "azure-native:compute:VirtualMachineScaleSet")!;
    assert.match(JSON.stringify(vmss.inputs), /pulumi-hardening-no-login/);
    assert.equal(vmss.inputs.location, "westeurope");
  });

  it("denyImdsServiceTag: false reaches both components: no tag deny, and the pool runs the health extension", async () => {
    const { resources } = await plan(config({ settings: { denyImdsServiceTag: false } }));
    const nsg = resources.find((r) => r.type === "azure-native:network:NetworkSecurityGroup")!;
    assert.equal(JSON.stringify(nsg.inputs.securityRules).includes("AzurePlatformIMDS"), false);
    const vmss = resources.find((r) => r.type === "azure-native:compute:VirtualMachineScaleSet")!;
    assert.deepEqual(vmss.inputs.automaticRepairsPolicy, { enabled: true, gracePeriod: "PT30M" });
  });

  it("firewall tier offline: the route's next hop is the firewall's first usable address", async () => {
    const { resources } = await plan(config({
      hardening: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } },
    }));
    const routes = resources.find((r) => r.type === "azure-native:network:RouteTable")!;
    assert.deepEqual(routes.inputs.routes, [{ name: "default-via-firewall", addressPrefix: "0.0.0.0/0", nextHopType: "VirtualAppliance", nextHopIpAddress: "10.42.192.4" }]);
  });

  for (const tier of ["basic", "dns", "firewall"] as const) {
    it(`${tier} tier: every resource a control names was registered`, async () => {
      const allow = tier === "basic" ? [{ cidr: "203.0.113.0/24" }] : [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24" }];
      const { resources, result } = await plan(config({
        hardening: { workloadSubnet: "private", hostIdentity: "minimal", egress: { mode: "allowList", tier, allow } },
        settings: { sshPublicKey: SSH, userAssignedIdentityId: "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/w", aks: { resourceGroupName: "a", clusterName: "c", vnetSubnetId: "/s" } },
      }));
      const names = new Set(resources.map((r) => r.name));
      for (const c of (result as EnvironmentResult).controls) {
        for (const r of c.resources) assert.ok(names.has(r), `${c.id} names ${r}, which was not registered`);
      }
    });
  }

  it("adds the Kata node pool when an AKS cluster is named", async () => {
    const { resources, result } = await plan(config({
      settings: { sshPublicKey: SSH, aks: { resourceGroupName: "aks-rg", clusterName: "aks", vnetSubnetId: "/subnets/aks-nodes" } },
    }));
    const pool = resources.find((r) => r.type === "azure-native:containerservice:AgentPool")!;
    assert.equal(pool.inputs.workloadRuntime, "KataVmIsolation");
    assert.deepEqual(pool.inputs.availabilityZones, ["1", "2"]);
    assert.equal((result as EnvironmentResult).outputs.runtimeClassName, "kata-vm-isolation");
    assert.ok((result as EnvironmentResult).controls.some((c) => c.id === "azure-aks-pod-imds-restriction" && !c.effective));
  });

  it("invalid configuration: every problem in one error, the spec's listed once, nothing registered", async () => {
    const { resources, result } = await runUnderMocks(() => {
      try {
        cloudModule.createEnvironment(config({
          zoneCount: 4,
          hardening: { hostIdentity: "minimal", sandbox: "vm" as never },
          settings: { location: "West Europe", vmSize: "big", colour: "blue", sshPublicKey: "AAAA", aks: { clusterName: "" } },
        }));
        return [] as string[];
      } catch (e) {
        assert.ok(e instanceof InvalidArgsError);
        return [...e.issues];
      }
    });
    assert.deepEqual(resources, []);
    assert.deepEqual(result, [
      'hardening:azure.colour is not a setting; known settings: location, resourceGroupName, sshPublicKey, adminUsername, vmSize, instanceCount, image, userAssignedIdentityId, denyImdsServiceTag, aks.',
      'hardening:azure.sshPublicKey is not an OpenSSH public key ("ssh-ed25519 AAAA..." or "ssh-rsa AAAA...").',
      'hardening:azure.aks.resourceGroupName undefined must be a non-empty string.',
      'hardening:azure.aks.clusterName "" must be a non-empty string.',
      'hardening:azure.aks.vnetSubnetId undefined must be a non-empty string.',
      "hardening:zoneCount 4 is more than the 3 availability zones an Azure region has; use 1 to 3.",
      'hardening.sandbox "vm" is not one of "none", "runtime".',
      'network: location "West Europe" is not an Azure region name; use the lower-case name, e.g. "westeurope".',
      'worker pool: vmSize "big" is not an Azure VM size such as "Standard_D2ds_v5".',
      'worker pool: userAssignedIdentityId is missing but hardening.hostIdentity is "minimal"; pass the id of your narrowly scoped user-assigned identity, or set hostIdentity to "none".',
    ]);
  });
});
