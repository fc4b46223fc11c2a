import * as assert from "node:assert/strict";
import { cloudModule } from "../../../program/clouds/gcp";
import { runUnderMocks } from "../../../program/offlineEngine";
import { one, ofType, T } from "../../providers/gcp/mocks";

describe("cloudModule (gcp)", () => {
  const config = {
    cloud: "gcp" as const,
    name: "kestra-workers",
    networkCidr: "10.42.0.0/16",
    zoneCount: 2,
    hardening: {},
    settings: {},
  };

  it("builds network and worker pool offline with its offlineCalls, and returns both reports", async () => {
    const run = await runUnderMocks(() => cloudModule.createEnvironment(config), { calls: cloudModule.offlineCalls, state: cloudModule.offlineState });
    const types = new Set(run.resources.map((r) => r.type));
    for (const t of ["hardening:index:GcpWorkerNetwork", "hardening:index:GcpWorkerPool", T.network, T.subnet, T.template, T.mig, T.autoscaler]) {
      assert.ok(types.has(t), `plans a ${t}`);
    }
    assert.equal(types.has(T.nodePool), false, "no node pool without hardening:gcp.gke");
    const template = one(run.resources, "kestra-workers-template").inputs;
    assert.deepEqual(template.tags, ["kestra-workers-worker"]);
    assert.equal(template.networkInterfaces && (template.networkInterfaces as { subnetwork: string }[])[0].subnetwork, "kestra-workers-subnet-id");
    const ids = run.result.controls.map((c) => c.id);
    assert.ok(ids.includes("gcp-vpc-firewall-metadata-deny") && ids.includes("gcp-host-firewall"));
    assert.equal(run.result.controls.find((c) => c.id === "gcp-vpc-firewall-metadata-deny")!.effective, false);
  });

  it("adds a GKE node pool when settings name a cluster", async () => {
    const run = await runUnderMocks(
      () =>
        cloudModule.createEnvironment({
          ...config,
          hardening: { hostIdentity: "minimal" },
          settings: {
            serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com",
            gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" },
          },
        }),
      { calls: cloudModule.offlineCalls, state: cloudModule.offlineState },
    );
    assert.equal(ofType(run.resources, T.nodePool).length, 1);
    assert.ok(run.result.controls.some((c) => c.id === "gke-sandbox-gvisor"));
  });

  it("a bad config registers nothing and reports every problem once", async () => {
    const run = await runUnderMocks(() => {
      try {
        cloudModule.createEnvironment({
          ...config,
          hardening: { hostIdentity: "minimal", sandbox: "maybe" as never },
          settings: { region: "mars", color: "red", gke: { cluster: "" } },
        });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    assert.deepEqual(run.resources, []);
    const lines = run.result.split("\n").slice(1);
    assert.deepEqual(lines.filter((l) => l.includes("hardening.sandbox")).length, 1, run.result);
    for (const expected of [
      "hardening:gcp.color is not a setting",
      "hardening:gcp.gke.cluster \"\" must name the GKE cluster",
      "network: region \"mars\" is not a GCP region",
      "workerPool: serviceAccountEmail is required",
      "gke: serviceAccountEmail is required",
    ]) {
      assert.ok(lines.some((l) => l.includes(expected)), `reports: ${expected}\n${run.result}`);
    }
  });
});
