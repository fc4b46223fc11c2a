import * as assert from "node:assert/strict";
import type { ControlReport, HardeningSpec } from "../../../components";
import { gcpNetworkControls, gcpWorkerPoolControls, gkeNodePoolControls } from "../../../providers/gcp/controls";
import { planGkeNodePool } from "../../../providers/gcp/gkeNodePoolPlan";
import { planGcpWorkerNetwork } from "../../../providers/gcp/networkPlan";
import { planGcpWorkerPool } from "../../../providers/gcp/workerPoolPlan";

const ids = (report: ControlReport[]) => report.map((c) => `${c.id}:${c.effective}`);
const net = (hardening?: HardeningSpec) => gcpNetworkControls(planGcpWorkerNetwork("w", { region: "europe-west1", hardening }));

describe("GCP controls reports", () => {
  it("the network reports the VPC firewall deny of the metadata range as ineffective, quoting Google", () => {
    const report = net();
    const deny = report.find((c) => c.id === "gcp-vpc-firewall-metadata-deny")!;
    assert.equal(deny.effective, false);
    assert.match(deny.source, /Google Cloud always allows communication between a VM instance and its corresponding metadata server/);
    assert.deepEqual(deny.resources, ["w-deny-metadata", "w-deny-metadata-v6"]);
    assert.deepEqual(ids(report), [
      "gcp-vpc-firewall-metadata-deny:false",
      "gcp-no-default-route:true",
      // denyAll leaves Private Google Access off unless asked for (or fenced by a VPC-SC perimeter): no Google API
      // carries data to another project's resources.
      "gcp-private-google-access-off:true",
      "gcp-flow-logs:true",
      "gcp-egress-deny-all:true",
      "gcp-dns-allow-list:true",
    ]);
  });

  it("adds the allow-list, NAT, DNS and FQDN controls by tier", () => {
    const allow = [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24" }];
    const basic = net({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } });
    assert.deepEqual(ids(basic).slice(6), ["gcp-egress-allow-list:true", "gcp-cloud-nat:true"]);
    assert.deepEqual(basic.find((c) => c.id === "gcp-egress-allow-list")!.resources, ["w-allow-1"]);
    const dns = net({ workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow } });
    // Tier dns opens the name rules' ports to every address, and says so.
    assert.deepEqual(ids(dns).slice(6), ["gcp-egress-allow-list:true", "gcp-egress-allow-list-name-ports:false", "gcp-cloud-nat:true", "gcp-dns-allow-list:true"]);
    assert.match(dns.find((c) => c.id === "gcp-egress-allow-list")!.limits, /connection straight to an IP address bypasses/);
    const fw = net({ workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow } });
    assert.deepEqual(ids(fw).slice(6), ["gcp-egress-allow-list:true", "gcp-cloud-nat:true", "gcp-dns-allow-list:true", "gcp-ngfw-fqdn-egress:true", "gcp-ngfw-fqdn-cdn:false"]);
    assert.deepEqual(fw.find((c) => c.id === "gcp-ngfw-fqdn-egress")!.resources, ["w-fqdn-policy", "w-fqdn-policy-association", "w-fqdn-deny-metadata", "w-fqdn-deny-metadata-v6", "w-fqdn-allow-1"]);
  });

  it("the worker pool reports identity, host firewall, lifetime and the missing VM sandbox", () => {
    const report = gcpWorkerPoolControls(planGcpWorkerPool("w", { region: "europe-west1", networkTag: "w-worker" }));
    assert.deepEqual(ids(report), [
      "gcp-no-service-account:true",
      "gcp-host-firewall:true",
      "gcp-docker-userns-remap:true",
      "gcp-legacy-metadata-endpoints-disabled:true",
      "gcp-os-login:true",
      "gcp-shielded-vm:true",
      "gcp-no-external-ip:true",
      "gcp-max-run-duration:true",
      "gcp-vm-sandbox-runtime:false",
    ]);
    for (const c of report) {
      assert.equal(c.cloud, "gcp");
      assert.ok(c.source.length > 20, `${c.id} cites its source`);
    }
  });

  it("the worker pool with tokenRequired and a dedicated account says what the header does not stop", () => {
    const report = gcpWorkerPoolControls(
      planGcpWorkerPool("w", {
        region: "europe-west1",
        networkTag: "w-worker",
        serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com",
        hardening: { hostIdentity: "minimal", metadataEndpoint: "tokenRequired", ephemeral: { maxLifetimeHours: 5000 } },
      }),
    );
    assert.deepEqual(ids(report).slice(0, 2), ["gcp-dedicated-service-account:true", "gcp-metadata-flavor-header:true"]);
    assert.match(report[1].limits, /Any code running on the worker/);
    assert.match(report.find((c) => c.id === "gcp-max-run-duration")!.limits, /2880 h instead of the 5000 h/);
  });

  it("the GKE node pool reports GKE_METADATA with the hostNetwork bypass, and gVisor", () => {
    const report = gkeNodePoolControls(planGkeNodePool("w", { serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com", hardening: { hostIdentity: "minimal" } }));
    assert.deepEqual(ids(report), [
      "gke-workload-metadata-gke-metadata:true",
      "gke-node-service-account:true",
      "gke-legacy-metadata-endpoints-disabled:true",
      "gke-shielded-nodes:true",
      "gke-private-nodes:true",
      "gke-max-run-duration:true",
      "gke-sandbox-gvisor:true",
    ]);
    assert.match(report[0].limits, /hostNetwork: true bypass/);
  });
});
