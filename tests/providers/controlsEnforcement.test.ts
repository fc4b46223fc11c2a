/**
 * The common contract under mocks: every hardening component's own `controls` output names, on each entry, the
 * policy rules that guard the control or why none does (`enforcedBy`, from components/controlCatalogue.ts), as
 * `hardening plan` and docs/efficacy.md do.
 */
import * as assert from "node:assert/strict";
import { catalogueEntry } from "../../components/controlCatalogue";
import type { ControlReport } from "../../components/controls";
import { CloudName, loadCloud } from "../../program/environment";
import { runUnderMocks } from "../../program/offlineEngine";
import { environmentConfigFrom } from "../../program/stackConfig";

const SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHardeningTestKeyOnlyNotARealKey0000000000 test";
const IDENTITY = "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/w";

/** Settings under which each cloud's root program builds every hardening component it has. */
const CASES: Record<CloudName, { settings: Record<string, unknown>; components: string[] }> = {
  aws: { settings: { container: { image: "kestra/kestra:v0.20.0", taskRoleArn: "arn:aws:iam::123456789012:role/kestra-task" } }, components: ["AwsWorkerNetwork", "AwsWorkerPool"] },
  gcp: {
    settings: { serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com", gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" } },
    components: ["GcpWorkerNetwork", "GcpWorkerPool", "GcpGkeNodePool"],
  },
  azure: {
    settings: { sshPublicKey: SSH, userAssignedIdentityId: IDENTITY, aks: { resourceGroupName: "a", clusterName: "c", vnetSubnetId: "/s" } },
    components: ["AzureWorkerNetwork", "AzureWorkerPool", "AzureAksNodePool"],
  },
  kubernetes: {
    settings: { egressProxy: { create: { image: "ubuntu/squid:6.10-24.10_beta@sha256:0000000000000000000000000000000000000000000000000000000000000000" } }, kestra: { apiServerCidrs: ["10.0.0.1/32"] } },
    components: ["KubernetesWorkerNamespace", "KubernetesEgressProxy", "KestraWorker"],
  },
};

describe("every hardening component's controls output carries enforcedBy (mocks)", function () {
  this.timeout(120_000);
  for (const [cloud, c] of Object.entries(CASES) as [CloudName, (typeof CASES)[CloudName]][]) {
    it(`${cloud}: ${c.components.join(", ")}`, async () => {
      const mod = loadCloud(cloud);
      const hardening = { workloadSubnet: "private", hostIdentity: "minimal", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } };
      const config = environmentConfigFrom({ cloud, spec: hardening, [cloud]: c.settings });
      const run = await runUnderMocks(() => mod.createEnvironment(config), { calls: mod.offlineCalls, state: mod.offlineState?.bind(mod) });
      const byComponent = new Map<string, ControlReport[]>();
      for (const [urn, outputs] of run.componentOutputs) {
        const controls = (outputs as { controls?: unknown }).controls;
        if (!Array.isArray(controls)) continue;
        const type = /(?:::|\$)hardening:index:(\w+)::[^:]+$/.exec(urn)?.[1] ?? urn;
        byComponent.set(type, [...(byComponent.get(type) ?? []), ...(controls as ControlReport[])]);
      }
      assert.deepEqual([...byComponent.keys()].sort(), [...c.components].sort(), "the components that registered a controls output");
      for (const [component, controls] of byComponent) {
        assert.ok(controls.length > 0, `${component} reports controls`);
        for (const control of controls) {
          const line = catalogueEntry(control.id);
          assert.ok(line, `${component}: ${control.id} is in the catalogue`);
          assert.deepEqual(control.enforcedBy, line.enforcedBy, `${component}: ${control.id} names what guards it`);
        }
      }
    });
  }
});
