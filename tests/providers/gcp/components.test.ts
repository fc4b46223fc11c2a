import * as assert from "node:assert/strict";
import type { HardeningSpec } from "../../../components";
import { metadataCidrs } from "../../../components";
import { cloudModule } from "../../../program/clouds/gcp";
import { GcpGkeNodePool } from "../../../providers/gcp/gkeNodePool";
import { GcpWorkerNetwork } from "../../../providers/gcp/network";
import { GcpWorkerPool } from "../../../providers/gcp/workerPool";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";

const REGION = "europe-west1";
const T = {
  network: "gcp:compute/network:Network",
  subnet: "gcp:compute/subnetwork:Subnetwork",
  firewall: "gcp:compute/firewall:Firewall",
  route: "gcp:compute/route:Route",
  router: "gcp:compute/router:Router",
  nat: "gcp:compute/routerNat:RouterNat",
  zone: "gcp:dns/managedZone:ManagedZone",
  record: "gcp:dns/recordSet:RecordSet",
  policy: "gcp:dns/responsePolicy:ResponsePolicy",
  policyRule: "gcp:dns/responsePolicyRule:ResponsePolicyRule",
  fwPolicy: "gcp:compute/networkFirewallPolicy:NetworkFirewallPolicy",
  fwPolicyRule: "gcp:compute/networkFirewallPolicyRule:NetworkFirewallPolicyRule",
  fwPolicyAssoc: "gcp:compute/networkFirewallPolicyAssociation:NetworkFirewallPolicyAssociation",
  template: "gcp:compute/instanceTemplate:InstanceTemplate",
  mig: "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager",
  autoscaler: "gcp:compute/regionAutoscaler:RegionAutoscaler",
  nodePool: "gcp:container/nodePool:NodePool",
} as const;

const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};

async function network(hardening?: HardeningSpec) {
  const run = await runUnderMocks(() => new GcpWorkerNetwork("w", { region: REGION, hardening }), { state: cloudModule.offlineState });
  const component = one(run.resources, "w");
  for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn, `${r.name} is a child of the component`);
  return run.resources;
}

/** Firewall rules as [destinations, allow|deny entries, targets], sorted, for comparison with the allow-list. */
function allowRules(resources: RecordedResource[]) {
  return ofType(resources, T.firewall)
    .filter((r) => r.inputs.allows !== undefined && r.name !== "w-allow-google-apis")
    .map((r) => [r.inputs.destinationRanges, r.inputs.allows, r.inputs.targetTags]);
}

describe("GcpWorkerNetwork (mocks)", () => {
  it("denyAll: custom-mode VPC without default route, PGA + flow logs, no NAT, no route to 0.0.0.0/0", async () => {
    const resources = await network();
    assert.deepEqual(one(resources, "w-network").inputs, {
      autoCreateSubnetworks: false,
      deleteDefaultRoutesOnCreate: true,
      routingMode: "REGIONAL",
      description: "Hardened worker network (w): no default route, egress deny-all plus allow-list",
    });
    const subnet = one(resources, "w-subnet").inputs;
    assert.equal(subnet.privateIpGoogleAccess, true);
    assert.equal(subnet.ipCidrRange, "10.42.0.0/19");
    assert.deepEqual(subnet.logConfig, { aggregationInterval: "INTERVAL_5_SEC", flowSampling: 1, metadata: "INCLUDE_ALL_METADATA" });
    assert.deepEqual(ofType(resources, T.router), []);
    assert.deepEqual(ofType(resources, T.nat), []);
    assert.deepEqual(ofType(resources, T.route).map((r) => r.inputs.destRange), ["199.36.153.4/30"]);
    assert.deepEqual(allowRules(resources), []);
    assert.deepEqual(one(resources, "w-deny-all").inputs, {
      network: "w-network-id",
      direction: "EGRESS",
      priority: 65534,
      destinationRanges: ["0.0.0.0/0"],
      denies: [{ protocol: "all" }],
      description: "Deny all IPv4 egress not allowed above (the allow-list). Does not apply to the metadata server, which GCP always allows.",
      logConfig: { metadata: "INCLUDE_ALL_METADATA" },
    });
    assert.deepEqual(one(resources, "w-deny-metadata").inputs.destinationRanges, metadataCidrs(4));
    // The DNS sink applies even with denyAll: the metadata server's resolver would otherwise answer any name.
    assert.deepEqual(one(resources, "w-dns-sink-all").inputs, {
      responsePolicy: "w-egress-dns",
      ruleName: "sink-all",
      dnsName: "*.",
      localData: {
        localDatas: [
          { name: "*.", type: "A", ttl: 300, rrdatas: ["192.0.2.1"] },
          { name: "*.", type: "AAAA", ttl: 300, rrdatas: ["100::1"] },
        ],
      },
    });
    assert.deepEqual(ofType(resources, T.fwPolicy), []);
  });

  it("basic: the firewall allow rules equal the allow-list; NAT on the worker subnet with a tag-scoped default route", async () => {
    const allow = [
      { cidr: "203.0.113.0/24", ports: [443] },
      { cidr: "198.51.100.0/24", protocol: "udp" as const, ports: [53, 123] },
    ];
    const resources = await network({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow } });
    assert.deepEqual(allowRules(resources), [
      [["203.0.113.0/24"], [{ protocol: "tcp", ports: ["443"] }], ["w-worker"]],
      [["198.51.100.0/24"], [{ protocol: "udp", ports: ["53", "123"] }], ["w-worker"]],
    ]);
    assert.deepEqual(one(resources, "w-route-nat").inputs, {
      network: "w-network-id",
      destRange: "0.0.0.0/0",
      nextHopGateway: "default-internet-gateway",
      priority: 1000,
      tags: ["w-worker"],
      description: "Default route for Cloud NAT, workers only; egress is filtered by the firewall allow-list.",
    });
    assert.deepEqual(one(resources, "w-nat").inputs, {
      router: "w-router",
      region: REGION,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
      subnetworks: [{ name: "w-subnet-id", sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
      logConfig: { enable: true, filter: "ALL" },
    });
    assert.deepEqual(ofType(resources, T.policy), []);
    assert.deepEqual(ofType(resources, T.policyRule), []);
  });

  it("dns: a response policy on the network, one bypass per allowed name, ports open for the named rules", async () => {
    const resources = await network({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }] },
    });
    assert.deepEqual(one(resources, "w-dns-policy").inputs, {
      responsePolicyName: "w-egress-dns",
      networks: [{ networkUrl: "w-network-id" }],
      description: "DNS allow-list: listed names resolve normally, every other name answers 192.0.2.1 / 100::1",
    });
    assert.deepEqual(
      ofType(resources, T.policyRule)
        .filter((r) => r.inputs.ruleName && String(r.inputs.ruleName).startsWith("allow-"))
        .map((r) => r.inputs),
      [
        { responsePolicy: "w-egress-dns", ruleName: "allow-pypi-org", dnsName: "pypi.org.", behavior: "bypassResponsePolicy" },
        { responsePolicy: "w-egress-dns", ruleName: "allow-wildcard-pythonhosted-org", dnsName: "*.pythonhosted.org.", behavior: "bypassResponsePolicy" },
      ],
    );
    assert.deepEqual(allowRules(resources), [[["0.0.0.0/0"], [{ protocol: "tcp", ports: ["443"] }], ["w-worker"]]]);
    assert.deepEqual(ofType(resources, T.fwPolicyRule), []);
  });

  it("firewall: Cloud NGFW FQDN rules evaluated before the classic deny-all, associated with the network", async () => {
    const resources = await network({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "files.pythonhosted.org" }] },
    });
    assert.equal(one(resources, "w-network").inputs.networkFirewallPolicyEnforcementOrder, "BEFORE_CLASSIC_FIREWALL");
    assert.deepEqual(one(resources, "w-fqdn-allow-1").inputs, {
      firewallPolicy: "w-fqdn-policy",
      priority: 1001,
      direction: "EGRESS",
      action: "allow",
      enableLogging: true,
      description: "Allow tcp/443 to the allow-listed names",
      match: { destFqdns: ["pypi.org", "files.pythonhosted.org"], layer4Configs: [{ ipProtocol: "tcp", ports: ["443"] }] },
    });
    assert.deepEqual(one(resources, "w-fqdn-deny-metadata").inputs, {
      firewallPolicy: "w-fqdn-policy",
      priority: 900,
      direction: "EGRESS",
      action: "deny",
      enableLogging: true,
      description: "Deny link-local and metadata ranges above the FQDN allows (a name may resolve into them).",
      match: { destIpRanges: metadataCidrs(4), layer4Configs: [{ ipProtocol: "all" }] },
    });
    assert.deepEqual(one(resources, "w-fqdn-policy-association").inputs, { firewallPolicy: "w-fqdn-policy", attachmentTarget: "w-network-id" });
    // No classic rule opens the names' ports to every address in this tier.
    assert.deepEqual(allowRules(resources), []);
  });

  it("an invalid spec registers nothing, not even the component, and lists every problem", async () => {
    const run = await runUnderMocks(() => {
      try {
        new GcpWorkerNetwork("w", { region: "nowhere", hardening: { egress: { mode: "sometimes" as never }, sandbox: "maybe" as never } });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    });
    assert.deepEqual(run.resources, []);
    assert.equal(
      run.result,
      [
        `GcpWorkerNetwork "w": invalid arguments:`,
        ` - region "nowhere" is not a GCP region; expected a name such as "europe-west1".`,
        ` - hardening.sandbox "maybe" is not one of "none", "runtime".`,
        ` - hardening.egress.mode "sometimes" is not one of "denyAll", "allowList".`,
      ].join("\n"),
    );
  });
});

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
    assert.match(metadata["startup-script"], /^#!\/bin\/sh\n# pulumi-hardening host firewall \(gcp\)/);
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
