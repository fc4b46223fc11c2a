import * as assert from "node:assert/strict";
import type { HardeningSpec } from "../../../components";
import { InvalidArgsError } from "../../../components";
import { EgressPath, egressPathVerdicts } from "../../../components/egressPaths";
import { cloudModule } from "../../../program/clouds/gcp";
import { runUnderMocks } from "../../../program/offlineEngine";
import { gcpNetworkControls } from "../../../providers/gcp/controls";
import { GcpWorkerNetwork } from "../../../providers/gcp/network";
import { GcpWorkerNetworkArgs, planGcpWorkerNetwork } from "../../../providers/gcp/networkPlan";
import { GCP_PERIMETER_SERVICES } from "../../../providers/gcp/vpcServiceControls";
import { one, ofType, REGION, T } from "./mocks";

/**
 * GCP denyAll and Google APIs: restricted.googleapis.com without a VPC Service Controls perimeter lets code with
 * credentials it brought along write to another project's resources. denyAll therefore leaves Private Google Access
 * off unless asked, and the network can build a perimeter around the workers' project.
 */
const VPC_SC = { accessPolicy: "123456789012", projectNumber: "987654321098" };
const allowList: HardeningSpec = { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } };
const cloudApi = (args: GcpWorkerNetworkArgs) => egressPathVerdicts(gcpNetworkControls(planGcpWorkerNetwork("w", args))).find((v) => v.path === EgressPath.CloudApiOtherAccount)!;

function issuesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidArgsError) return [...e.issues];
    throw e;
  }
  assert.fail("expected InvalidArgsError");
}

describe("gcp Google APIs under denyAll: Private Google Access and VPC Service Controls", () => {
  it("denyAll leaves Private Google Access off by default, and reports the cloud-API path closed by that", () => {
    const plan = planGcpWorkerNetwork("w", { region: REGION });
    assert.equal(plan.privateGoogleAccess, false);
    assert.deepEqual(plan.routes, []);
    assert.deepEqual(plan.privateZones, []);
    assert.equal(plan.perimeter, undefined);
    assert.deepEqual([cloudApi({ region: REGION }).open, cloudApi({ region: REGION }).by], [false, ["gcp-private-google-access-off"]]);
  });

  it("asked for without a perimeter, Private Google Access is on and the path is reported open", () => {
    const v = cloudApi({ region: REGION, privateGoogleAccess: true });
    assert.deepEqual([v.open, v.by], [true, ["gcp-google-apis-other-project"]]);
    // The allow-list tiers keep it on by default (image pulls), and say the same.
    assert.equal(planGcpWorkerNetwork("w", { region: REGION, hardening: allowList }).privateGoogleAccess, true);
    assert.equal(cloudApi({ region: REGION, hardening: allowList }).open, true);
  });

  it("with vpcServiceControls: Private Google Access on, a regular perimeter around the project restricting the services, the path closed by it", async () => {
    const plan = planGcpWorkerNetwork("w", { region: REGION, vpcServiceControls: VPC_SC });
    assert.equal(plan.privateGoogleAccess, true);
    const v = cloudApi({ region: REGION, vpcServiceControls: VPC_SC });
    assert.deepEqual([v.open, v.by], [false, ["gcp-vpc-service-controls"]]);
    const controls = gcpNetworkControls(plan);
    assert.ok(controls.find((c) => c.id === "gcp-vpc-service-controls")?.effective);
    assert.ok(!controls.some((c) => c.id === "gcp-google-apis-other-project"));

    const run = await runUnderMocks(() => new GcpWorkerNetwork("w", { region: REGION, vpcServiceControls: VPC_SC }), { state: cloudModule.offlineState });
    const perimeter = one(run.resources, "w-perimeter");
    assert.equal(perimeter.type, "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter");
    assert.deepEqual(perimeter.inputs, {
      parent: "accessPolicies/123456789012",
      name: "accessPolicies/123456789012/servicePerimeters/w_workers",
      title: "w workers",
      perimeterType: "PERIMETER_TYPE_REGULAR",
      status: {
        resources: ["projects/987654321098"],
        restrictedServices: [...GCP_PERIMETER_SERVICES],
        vpcAccessibleServices: { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] },
      },
    });
    assert.ok(GCP_PERIMETER_SERVICES.includes("storage.googleapis.com") && GCP_PERIMETER_SERVICES.includes("artifactregistry.googleapis.com"));
    // The workers reach the APIs only through the restricted VIP, as the perimeter needs.
    assert.equal(one(run.resources, "w-subnet").inputs.privateIpGoogleAccess, true);
    assert.deepEqual(ofType(run.resources, T.route).map((r) => r.inputs.destRange), ["199.36.153.4/30"]);
    // Without it, no perimeter is created.
    const plain = await runUnderMocks(() => new GcpWorkerNetwork("w", { region: REGION }), { state: cloudModule.offlineState });
    assert.equal(plain.resources.filter((r) => r.type === "gcp:accesscontextmanager/servicePerimeter:ServicePerimeter").length, 0);
  });

  it("refuses a bad perimeter, and a perimeter with the private VIP, every problem at once", () => {
    assert.deepEqual(
      issuesOf(() =>
        planGcpWorkerNetwork("w", {
          region: REGION,
          googleApisVip: "private",
          vpcServiceControls: { accessPolicy: "accessPolicies/12", projectNumber: "my-project", restrictedServices: ["storage", "pubsub.googleapis.com"], perimeter: "x" } as never,
        }),
      ),
      [
        "vpcServiceControls.perimeter is not an argument; known arguments: accessPolicy, projectNumber, restrictedServices.",
        `vpcServiceControls.accessPolicy "accessPolicies/12" must be the access policy's numeric id (gcloud access-context-manager policies list).`,
        `vpcServiceControls.projectNumber "my-project" must be the workers' project number, digits only (gcloud projects describe <id> --format='value(projectNumber)').`,
        'vpcServiceControls.restrictedServices[0] "storage" is not a service name such as "storage.googleapis.com".',
        'vpcServiceControls is set but googleApisVip is "private": private.googleapis.com also serves APIs a perimeter cannot restrict; set googleApisVip to "restricted" (the default) or remove vpcServiceControls.',
      ],
    );
  });
});
