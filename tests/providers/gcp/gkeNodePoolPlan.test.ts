import * as assert from "node:assert/strict";
import { InvalidArgsError, resolveHardening } from "../../../components";
import { gkeNodeConfigFor, planGkeNodePool } from "../../../providers/gcp/gkeNodePoolPlan";

const SA = "gke-workers@my-project.iam.gserviceaccount.com";
const MINIMAL = { hostIdentity: "minimal" } as const;

describe("gkeNodeConfigFor", () => {
  it("sandbox runtime (the default): GKE_METADATA, gVisor via sandboxConfig.type, Shielded, COS containerd", () => {
    assert.deepEqual(gkeNodeConfigFor(resolveHardening(MINIMAL), { serviceAccountEmail: SA, networkTag: "w-worker" }), {
      serviceAccount: SA,
      oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
      machineType: "e2-standard-4",
      diskSizeGb: 50,
      imageType: "COS_CONTAINERD",
      workloadMetadataConfig: { mode: "GKE_METADATA" },
      shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
      metadata: { "disable-legacy-endpoints": "true" },
      maxRunDuration: "86400s",
      sandboxConfig: { type: "GVISOR" },
      tags: ["w-worker"],
    });
  });

  it("sandbox none: no sandboxConfig, and GKE_METADATA all the same", () => {
    const config = gkeNodeConfigFor(resolveHardening({ ...MINIMAL, sandbox: "none" }), { serviceAccountEmail: SA });
    assert.equal(config.sandboxConfig, undefined);
    assert.equal(config.tags, undefined);
    assert.deepEqual(config.workloadMetadataConfig, { mode: "GKE_METADATA" });
  });
});

describe("planGkeNodePool", () => {
  it("plans with the caller's account and autoscaling bounds", () => {
    const p = planGkeNodePool("w", { serviceAccountEmail: SA, minNodeCount: 1, maxNodeCount: 5, hardening: MINIMAL });
    assert.deepEqual([p.minNodeCount, p.maxNodeCount, p.lifetimeHours], [1, 5, 24]);
  });

  it("refuses hostIdentity none (GKE would fall back to the default compute account) and the default account itself", () => {
    let err: unknown;
    try {
      planGkeNodePool("a-name-that-is-far-too-long-for-gke", { serviceAccountEmail: "42-compute@developer.gserviceaccount.com", maxNodeCount: 0 });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof InvalidArgsError);
    assert.equal(err.issues.length, 4);
    assert.match(err.issues[0], /^name "a-name-that-is-far-too-long-for-gke" must be 1-27/);
    assert.match(err.issues[1], /^maxNodeCount 0 must be a whole number from 1 to 1000/);
    assert.match(err.issues[2], /^hardening.hostIdentity "none" cannot be met on GKE/);
    assert.match(err.issues[3], /Compute Engine default service account/);
  });

  it("requires a service account email", () => {
    assert.throws(
      () => planGkeNodePool("w", { serviceAccountEmail: undefined as never, hardening: MINIMAL }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.length === 1 && e.issues[0].startsWith("serviceAccountEmail is required"),
    );
  });
});
