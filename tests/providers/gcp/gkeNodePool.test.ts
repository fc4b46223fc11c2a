import * as assert from "node:assert/strict";
import { GcpGkeNodePool } from "../../../providers/gcp/gkeNodePool";
import { runUnderMocks } from "../../../program/offlineEngine";
import { one, REGION } from "./mocks";

describe("GcpGkeNodePool (mocks)", () => {
  it("creates one node pool with the hardened node config, private nodes and autoscaling", async () => {
    const email = "gke-workers@my-project.iam.gserviceaccount.com";
    const run = await runUnderMocks(
      () => new GcpGkeNodePool("w", { cluster: "workers", location: REGION, serviceAccountEmail: email, hardening: { hostIdentity: "minimal" } }),
    );
    const pool = one(run.resources, "w-pool").inputs;
    assert.deepEqual(pool.networkConfig, { enablePrivateNodes: true });
    assert.deepEqual(pool.management, { autoRepair: true, autoUpgrade: true });
    assert.deepEqual(pool.autoscaling, { minNodeCount: 0, maxNodeCount: 3 });
    const node = pool.nodeConfig as Record<string, unknown>;
    assert.deepEqual(node.workloadMetadataConfig, { mode: "GKE_METADATA" });
    assert.deepEqual(node.sandboxConfig, { type: "GVISOR" });
    assert.equal(node.serviceAccount, email);
    assert.deepEqual(node.metadata, { "disable-legacy-endpoints": "true" });
  });

  it("hostIdentity none registers nothing", async () => {
    const run = await runUnderMocks(() => {
      try {
        new GcpGkeNodePool("w", { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    assert.deepEqual(run.resources, []);
    assert.match(run.result, /hardening.hostIdentity "none" cannot be met on GKE/);
  });
});

