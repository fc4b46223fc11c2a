import * as assert from "node:assert/strict";
import { GCE_TYPES, gcpLegacyEndpointsRule, gcpServiceAccountRule } from "../../../../policy/rules/metadataEndpoint/gcpCompute";
import { runCheck, UNKNOWN } from "../helpers";

const saMsg = (seen: string) =>
  `serviceAccount.email is ${seen}, the project's default compute service account; omit serviceAccount or use a ` +
  "dedicated service account with only the roles the workers need: any code on the VM can mint that account's token " +
  "from the metadata server, and VPC firewall rules cannot block it.";
const scopeMsg = (i: number, s: string) =>
  `serviceAccount.scopes[${i}] is "${s}" on the default compute service account; use a dedicated service account ` +
  "instead: with cloud-platform the token carries every permission the account's IAM roles grant, and narrowing " +
  "scopes is no substitute: scopes are not a security boundary, and Google's hardening guidance is to restrict " +
  "permissions with service account roles, not access scopes.";
const legacyMsg = (path: string, seen: string) =>
  `${path} is ${seen}; set it to "TRUE" or remove it: the legacy metadata endpoints answer without the ` +
  "Metadata-Flavor header, so a server-side request forgery can read metadata and tokens.";

describe("metadata-endpoint-gcp-service-account", () => {
  for (const type of GCE_TYPES) {
    describe(type, () => {
      const passing = [
        {},
        { serviceAccount: { email: "worker@proj.iam.gserviceaccount.com", scopes: ["cloud-platform"] } },
        { serviceAccount: { email: "kestra-runner@p.iam.gserviceaccount.com", scopes: [] } },
      ];
      for (const props of passing) it(`passes ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpServiceAccountRule, type, props), []));
      const failing: [Record<string, unknown>, { property: string; message: string }[]][] = [
        [{ serviceAccount: { scopes: ["logging-write"] } }, [{ property: "serviceAccount.email", message: saMsg("not set") }]],
        [{ serviceAccount: { email: "123456789-compute@developer.gserviceaccount.com", scopes: [] } }, [{ property: "serviceAccount.email", message: saMsg('"123456789-compute@developer.gserviceaccount.com"') }]],
        [
          { serviceAccount: { email: "default", scopes: ["storage-ro", "https://www.googleapis.com/auth/cloud-platform"] } },
          [
            { property: "serviceAccount.email", message: saMsg('"default"') },
            { property: "serviceAccount.scopes[1]", message: scopeMsg(1, "https://www.googleapis.com/auth/cloud-platform") },
          ],
        ],
      ];
      for (const [props, expected] of failing) it(`fails ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpServiceAccountRule, type, props), expected));
    });
  }
  it("does not guess an unknown email", () => {
    assert.deepEqual(runCheck(gcpServiceAccountRule, GCE_TYPES[0], { serviceAccount: { email: UNKNOWN, scopes: ["cloud-platform"] } }).map((f) => f.indeterminate), [true]);
  });
});

describe("metadata-endpoint-gcp-legacy-endpoints", () => {
  const passing = [{}, { metadata: { "disable-legacy-endpoints": "TRUE" } }, { metadata: { "disable-legacy-endpoints": "true", "enable-oslogin": "TRUE" } }, { metadata: { foo: "bar" } }];
  for (const props of passing) it(`passes ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpLegacyEndpointsRule, GCE_TYPES[1], props), []));
  const failing: [string, Record<string, unknown>, string, string][] = [
    [GCE_TYPES[0], { metadata: { "disable-legacy-endpoints": "false" } }, "metadata.disable-legacy-endpoints", '"false"'],
    [GCE_TYPES[2], { metadata: { "disable-legacy-endpoints": "FALSE" } }, "metadata.disable-legacy-endpoints", '"FALSE"'],
    ["gcp:container/nodePool:NodePool", { nodeConfig: { metadata: { "disable-legacy-endpoints": "0" } } }, "nodeConfig.metadata.disable-legacy-endpoints", '"0"'],
    ["gcp:container/cluster:Cluster", { nodeConfig: { metadata: { "disable-legacy-endpoints": "False" } } }, "nodeConfig.metadata.disable-legacy-endpoints", '"False"'],
  ];
  for (const [type, props, path, seen] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpLegacyEndpointsRule, type, props), [{ property: path, message: legacyMsg(path, seen) }]));
  }
});

describe("metadata-endpoint-gcp-service-account: GKE nodes", () => {
  const POOL = "gcp:container/nodePool:NodePool";
  const CLUSTER = "gcp:container/cluster:Cluster";
  const DEDICATED = "gke-nodes@proj.iam.gserviceaccount.com";
  const gkeMsg = (path: string, seen: string) =>
    `${path} is ${seen}; set it to a dedicated service account with only roles/container.defaultNodeServiceAccount: ` +
    "GKE nodes run as the project's default compute service account (which holds Editor unless an org policy stopped " +
    "the automatic grant) when none is named, and every pod that reaches the node's metadata server (hostNetwork pods, " +
    "or every pod on a pool without GKE_METADATA) can mint that account's token.";
  const passing: [string, Record<string, unknown>][] = [
    [POOL, { nodeConfig: { serviceAccount: DEDICATED } }],
    [CLUSTER, { removeDefaultNodePool: true, initialNodeCount: 1 }],
    [CLUSTER, { nodeConfig: { serviceAccount: DEDICATED }, nodePools: [{ nodeConfig: { serviceAccount: DEDICATED } }] }],
    [CLUSTER, { enableAutopilot: true, clusterAutoscaling: { autoProvisioningDefaults: { serviceAccount: DEDICATED } } }],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpServiceAccountRule, type, props), []));
  const failing: [string, Record<string, unknown>, [string, string][]][] = [
    [POOL, {}, [["nodeConfig.serviceAccount", "not set"]]],
    [POOL, { nodeConfig: { machineType: "e2-medium" } }, [["nodeConfig.serviceAccount", "not set"]]],
    [POOL, { nodeConfig: { serviceAccount: "default" } }, [["nodeConfig.serviceAccount", '"default"']]],
    [POOL, { nodeConfig: { serviceAccount: "123456789-compute@developer.gserviceaccount.com" } }, [["nodeConfig.serviceAccount", '"123456789-compute@developer.gserviceaccount.com"']]],
    [CLUSTER, { initialNodeCount: 1 }, [["nodeConfig.serviceAccount", "not set"]]],
    [CLUSTER, { removeDefaultNodePool: true, nodePools: [{ nodeConfig: { serviceAccount: DEDICATED } }, { name: "b" }] }, [["nodePools[1].nodeConfig.serviceAccount", "not set"]]],
    [CLUSTER, { enableAutopilot: true }, [["clusterAutoscaling.autoProvisioningDefaults.serviceAccount", "not set"]]],
    [
      CLUSTER,
      { nodeConfig: { serviceAccount: DEDICATED }, clusterAutoscaling: { enabled: true, autoProvisioningDefaults: { serviceAccount: "default" } } },
      [["clusterAutoscaling.autoProvisioningDefaults.serviceAccount", '"default"']],
    ],
  ];
  for (const [type, props, expected] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () =>
      assert.deepEqual(runCheck(gcpServiceAccountRule, type, props), expected.map(([property, seen]) => ({ property, message: gkeMsg(property, seen) }))));
  }
  it("is indeterminate on an unknown node account", () => {
    assert.deepEqual(runCheck(gcpServiceAccountRule, POOL, { nodeConfig: { serviceAccount: UNKNOWN } }).map((f) => f.indeterminate), [true]);
  });
});

describe("GCE instances from templates", () => {
  const FROM = "gcp:compute/instanceFromTemplate:InstanceFromTemplate";
  it("passes when the instance sets nothing of its own (the template decides)", () => {
    assert.deepEqual(runCheck(gcpServiceAccountRule, FROM, { sourceInstanceTemplate: "t" }), []);
    assert.deepEqual(runCheck(gcpLegacyEndpointsRule, FROM, { sourceInstanceTemplate: "t" }), []);
  });
  it("fails the default compute service account set on the instance", () => {
    assert.deepEqual(runCheck(gcpServiceAccountRule, FROM, { sourceInstanceTemplate: "t", serviceAccount: { email: "default", scopes: [] } }), [
      { property: "serviceAccount.email", message: saMsg('"default"') },
    ]);
  });
  it("fails legacy endpoints re-enabled on the instance", () => {
    assert.deepEqual(runCheck(gcpLegacyEndpointsRule, FROM, { metadata: { "disable-legacy-endpoints": "false" } }), [
      { property: "metadata.disable-legacy-endpoints", message: legacyMsg("metadata.disable-legacy-endpoints", '"false"') },
    ]);
  });
});
