import * as assert from "node:assert/strict";
import type * as containerservice from "@pulumi/azure-native/containerservice";
import { InvalidArgsError } from "../../../components/validation";
import { resolveHardening } from "../../../components/resolve";
import { AKS_KATA_RUNTIME_CLASS, aksClusterSettingsFor, aksNodePoolSettingsFor, planAksNodePool } from "../../../providers/azure/aksNodePoolPlan";

describe("Azure AKS mappings", () => {
  it("sandbox runtime: Kata VM isolation on Azure Linux, no public IPs, ephemeral OS, encryption at host, no SSH, no Trusted Launch (incompatible with Kata)", () => {
    assert.deepEqual(aksNodePoolSettingsFor(resolveHardening({}), "Standard_D4ds_v5", 2, []), {
      mode: "User",
      osType: "Linux",
      osSKU: "AzureLinux",
      workloadRuntime: "KataVmIsolation",
      vmSize: "Standard_D4ds_v5",
      count: 2,
      availabilityZones: undefined,
      enableNodePublicIP: false,
      enableEncryptionAtHost: true,
      osDiskType: "Ephemeral",
      securityProfile: { sshAccess: "Disabled" },
      nodeLabels: { "hardening.pulumi.com/pool": "untrusted", "hardening.pulumi.com/sandbox": "kata-vm-isolation" },
    });
    assert.equal(AKS_KATA_RUNTIME_CLASS, "kata-vm-isolation");
  });

  it("no sandbox: ordinary containers, with Trusted Launch (secure boot, vTPM)", () => {
    const s = aksNodePoolSettingsFor(resolveHardening({ sandbox: "none" }), "Standard_D4ds_v5", 3, ["1", "2"]);
    assert.equal(s.workloadRuntime, "OCIContainer");
    assert.deepEqual(s.securityProfile, { sshAccess: "Disabled", enableSecureBoot: true, enableVTPM: true });
    assert.deepEqual(s.availabilityZones, ["1", "2"]);
    assert.equal(s.enableNodePublicIP, false);
  });

  it("cluster settings: Entra Workload ID with the OIDC issuer; podLinkLocalAccess kept apart as preview-only", () => {
    const { stable, previewOnly } = aksClusterSettingsFor(resolveHardening({}));
    assert.deepEqual(stable, {
      securityProfile: { workloadIdentity: { enabled: true } },
      oidcIssuerProfile: { enabled: true },
      autoUpgradeProfile: { nodeOSUpgradeChannel: "NodeImage", upgradeChannel: "patch" },
      disableLocalAccounts: true,
    });
    assert.deepEqual(previewOnly, { networkProfile: { podLinkLocalAccess: "None" } });
    assert.equal(aksClusterSettingsFor(resolveHardening({ metadataEndpoint: "tokenRequired" })).previewOnly, undefined);
    // Compile-time proof that the stable half fits the pinned ManagedCluster args (2025-09-01).
    const args: containerservice.ManagedClusterArgs = { resourceGroupName: "rg", ...stable, securityProfile: { ...stable.securityProfile }, oidcIssuerProfile: { ...stable.oidcIssuerProfile }, autoUpgradeProfile: { ...stable.autoUpgradeProfile } };
    assert.equal(args.disableLocalAccounts, true);
  });

  it("planAksNodePool lists every problem at once", () => {
    assert.throws(
      () => planAksNodePool({ vmSize: "big", nodeCount: 1.5, zones: ["0"], hardening: { sandbox: "gvisor" as never } }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.length === 4 && e.issues[0].startsWith("hardening.sandbox") &&
        e.issues[1].startsWith('vmSize "big"') && e.issues[2].startsWith("nodeCount 1.5") && e.issues[3].startsWith('zones[0] "0"'),
    );
  });
});
