import * as assert from "node:assert/strict";
import { GcpWorkerPool } from "../../../providers/gcp/workerPool";
import { runUnderMocks } from "../../../program/offlineEngine";
import { one, REGION } from "./mocks";

describe("GcpWorkerPool (mocks)", () => {
  it("by default: no service account, no external IP, hardening metadata, Shielded VM, DELETE after 24 h", async () => {
    const run = await runUnderMocks(() => new GcpWorkerPool("w", { region: REGION, networkTag: "w-worker", subnetworkId: "subnet-1" }));
    const template = one(run.resources, "w-template").inputs;
    assert.equal("serviceAccount" in template, false);
    assert.deepEqual(template.networkInterfaces, [{ subnetwork: "subnet-1", stackType: "IPV4_ONLY" }]);
    assert.deepEqual(template.shieldedInstanceConfig, { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true });
    const metadata = template.metadata as Record<string, string>;
    assert.deepEqual(
      [metadata["disable-legacy-endpoints"], metadata["block-project-ssh-keys"], metadata["enable-oslogin"]],
      ["TRUE", "TRUE", "TRUE"],
    );
    assert.match(metadata["startup-script"], /^#!\/bin\/sh\n# pulumi-hardening boot path \(GCE startup-script\)/);
    assert.deepEqual(template.scheduling, {
      provisioningModel: "STANDARD",
      automaticRestart: true,
      onHostMaintenance: "MIGRATE",
      maxRunDuration: { seconds: 86400 },
      instanceTerminationAction: "DELETE",
    });
    assert.deepEqual(one(run.resources, "w-autoscaler").inputs, {
      target: "w-group-id",
      region: REGION,
      autoscalingPolicy: { minReplicas: 1, maxReplicas: 3, cooldownPeriod: 90, cpuUtilization: { target: 0.6 } },
    });
    const mig = one(run.resources, "w-group").inputs;
    assert.equal(mig.region, REGION);
    assert.equal("targetSize" in mig, false, "the autoscaler owns the size");
  });

  it("minimal: exactly the caller's account", async () => {
    const email = "kestra-worker@my-project.iam.gserviceaccount.com";
    const run = await runUnderMocks(
      () => new GcpWorkerPool("w", { region: REGION, networkTag: "w-worker", subnetworkId: "s", serviceAccountEmail: email, hardening: { hostIdentity: "minimal" } }),
    );
    assert.deepEqual(one(run.resources, "w-template").inputs.serviceAccount, { email, scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
  });

  it("the default compute account registers nothing", async () => {
    const run = await runUnderMocks(() => {
      try {
        new GcpWorkerPool("w", {
          region: REGION,
          networkTag: "w-worker",
          subnetworkId: "",
          serviceAccountEmail: "1234-compute@developer.gserviceaccount.com",
          hardening: { hostIdentity: "minimal" },
        });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    assert.deepEqual(run.resources, []);
    assert.match(run.result, /^GcpWorkerPool "w": invalid arguments:\n - serviceAccountEmail "1234-compute@developer.gserviceaccount.com" is the Compute Engine default service account/);
    assert.match(run.result, /\n - subnetworkId is required/);
  });
});

