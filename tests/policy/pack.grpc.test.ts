/**
 * The pack as the Pulumi CLI drives it: one process started the way `pulumi preview --policy-pack ./policy` starts
 * it (tests/policy/packProcess.ts), then the analyzer gRPC calls the engine makes. Configure changes the pack's
 * process-wide state, so the calls run in the order the engine makes them: info, analyze, configure, analyze,
 * remediate, analyzeStack.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { resourceRules, stackRules } from "../../policy/rules";
import {
  analyzeRequest,
  analyzeStackRequest,
  call,
  configureRequest,
  empty,
  levelName,
  PackProcess,
  POLICY_PACK_DIR,
  startPack,
  WIRE_UNKNOWN,
  WireResource,
} from "./packProcess";

const urn = (type: string, name: string) => `urn:pulumi:dev::proj::${type}::${name}`;
const res = (type: string, name: string, props: Record<string, unknown>, propertyDependencies?: Record<string, string[]>): WireResource => ({
  type,
  name,
  urn: urn(type, name),
  props,
  propertyDependencies,
});
const INSTANCE = "aws:ec2/instance:Instance";

interface Diag {
  policy: string;
  level: string;
  urn: string;
  message: string;
}
const diags = (r: pb.AnalyzeResponse): Diag[] =>
  r.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: levelName(d.getEnforcementlevel()), urn: d.getUrn(), message: d.getMessage() }));

describe("the policy pack over gRPC, started as the CLI starts it", function () {
  let pack: PackProcess | undefined;

  before(async function () {
    // A cold start type-checks the pack with ts-node (as the CLI does); later starts hit ts-node's cache.
    this.timeout(180_000);
    pack = await startPack(POLICY_PACK_DIR, 170_000);
  });

  after(async function () {
    this.timeout(10_000);
    await pack?.stop();
  });

  const client = () => {
    if (!pack) throw new Error("the pack did not start");
    return pack.client;
  };

  it("prints nothing on stdout but its port, and nothing on stderr", () => {
    assert.ok(pack!.port > 0);
    assert.equal(pack!.stderr(), "");
  });

  it("getAnalyzerInfo: the pack's name, version, config support and every rule with its level and schema", async () => {
    const info = await call<unknown, pb.AnalyzerInfo>(client(), "getAnalyzerInfo", empty());
    assert.equal(info.getName(), "pulumi-hardening");
    const rootVersion = JSON.parse(fs.readFileSync(path.join(POLICY_PACK_DIR, "..", "package.json"), "utf8")).version;
    assert.equal(info.getVersion(), rootVersion, "policy/package.json's version must follow the package's");
    assert.equal(info.getSupportsconfig(), true);
    const policies = new Map(info.getPoliciesList().map((p) => [p.getName(), p]));
    for (const rule of [...resourceRules, ...stackRules]) {
      const p = policies.get(rule.id);
      assert.ok(p, `${rule.id} is served`);
      assert.equal(levelName(p.getEnforcementlevel()), rule.enforcementLevel, rule.id);
      const schema = p.getConfigschema()?.getProperties()?.toJavaScript() ?? {};
      assert.ok("exemptUrns" in schema && "exemptNames" in schema, rule.id);
      assert.equal("enforcementLevel" in schema, false, rule.id);
    }
    assert.equal(policies.size, resourceRules.length + stackRules.length);
    const imds = policies.get("metadata-endpoint-aws-imds")!.getConfigschema()!.getProperties()!.toJavaScript() as Record<string, { default?: unknown }>;
    assert.equal(imds.maxHopLimit.default, 1);
  });

  it("analyze: reports a weak instance with exact messages at the default levels", async () => {
    const r = res(INSTANCE, "worker", { ami: "ami-1", metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 }, associatePublicIpAddress: true });
    const out = diags(await call(client(), "analyze", analyzeRequest(r)));
    assert.deepEqual(out, [
      {
        policy: "metadata-endpoint-aws-imds",
        level: "mandatory",
        urn: "",
        message:
          'metadataOptions.httpTokens is "optional"; set it to "required" or set metadataOptions.httpEndpoint to "disabled": without IMDSv2 session tokens, any process or server-side request forgery that can send a GET to 169.254.169.254 receives the instance role\'s credentials.',
      },
      {
        policy: "workload-subnet-public-ip",
        level: "mandatory",
        urn: "",
        message: "associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: a worker with a public address is reachable from the internet and can bypass the egress filter.",
      },
    ]);
  });

  it("analyze: a hardened resource and an unrelated type pass", async () => {
    const ok = res(INSTANCE, "ok", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } });
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(ok))), []);
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(res("aws:s3/bucket:Bucket", "b", { bucket: "x" })))), []);
  });

  it("analyze: values unknown during preview give advisory notes, never a mandatory violation nor an error", async () => {
    const r = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", { metadataOptions: { httpTokens: WIRE_UNKNOWN, httpPutResponseHopLimit: WIRE_UNKNOWN }, networkInterfaces: WIRE_UNKNOWN });
    const out = diags(await call(client(), "analyze", analyzeRequest(r)));
    assert.ok(out.length >= 1);
    for (const d of out) assert.equal(d.level, "advisory", `${d.policy}: ${d.message}`);
    assert.deepEqual(out.map((d) => d.message).sort(), [
      "metadataOptions.httpPutResponseHopLimit is not known during preview; it is checked again when the value is known.",
      "metadataOptions.httpTokens is not known during preview; it is checked again when the value is known.",
      "networkInterfaces is not known during preview; it is checked again when the value is known.",
    ]);
    for (const type of new Set([...resourceRules.flatMap((x) => Object.keys(x.checks))])) {
      const everything = Object.fromEntries(["metadataOptions", "spec", "networkInterfaces", "identity", "serviceAccount", "egress", "nodeConfig", "securityRules", "metadata", "data", "userData"].map((k) => [k, WIRE_UNKNOWN]));
      const d = diags(await call(client(), "analyze", analyzeRequest(res(type, "u", everything))));
      for (const x of d) if (/not known during preview/.test(x.message)) assert.equal(x.level, "advisory", `${type} ${x.policy}`);
    }
  });

  it("configure, then analyze: levels, options and exemptions from the stack's policy config apply", async () => {
    await call(
      client(),
      "configure",
      configureRequest({
        "metadata-endpoint-aws-imds": { enforcementLevel: "remediate", props: { maxHopLimit: 1 } },
        "workload-subnet-public-ip": { enforcementLevel: "disabled" },
        "host-identity-azure-vm": { enforcementLevel: "advisory", props: { exemptNames: ["acr-puller-*"] } },
        "egress-open-to-internet": { enforcementLevel: "mandatory", props: { scope: "workers" } },
      }),
    );
    const weak = res(INSTANCE, "worker", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 }, associatePublicIpAddress: true });
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(weak))).map((d) => [d.policy, d.level]), [["metadata-endpoint-aws-imds", "mandatory"]]);

    const vm = (name: string) => res("azure-native:compute:VirtualMachine", name, { identity: { type: "SystemAssigned" } });
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(vm("worker-vm")))).map((d) => [d.policy, d.level]), [["host-identity-azure-vm", "advisory"]]);
    // The exempted VM is not blocked, and the exemption is reported, never silent.
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(vm("acr-puller-1")))).map((d) => [d.policy, d.level, d.message.split(":")[0]]), [
      ["host-identity-azure-vm", "advisory", 'Exempted (not enforced) because its name matches "acr-puller-*" in the policy config\'s exemptNames'],
    ]);

    const sg = (name: string) => res("aws:ec2/securityGroup:SecurityGroup", name, { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(sg("web-lb")))), []);
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest(sg("kestra-worker-sg")))).map((d) => [d.policy, d.level]), [["egress-open-to-internet", "mandatory"]]);
  });

  it("remediate: sets the IMDS options and nothing else; a remediated resource then passes", async () => {
    const r = res(INSTANCE, "worker", { ami: "ami-1", tags: { team: "data" }, metadataOptions: { httpTokens: "optional", instanceMetadataTags: "disabled" } });
    const out = await call<pb.AnalyzeRequest, pb.RemediateResponse>(client(), "remediate", analyzeRequest(r));
    const rems = out.getRemediationsList();
    assert.deepEqual(rems.map((x) => x.getPolicyname()), ["metadata-endpoint-aws-imds"]);
    const props = rems[0].getProperties()!.toJavaScript();
    assert.deepEqual(props, { ami: "ami-1", tags: { team: "data" }, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" } });
    const again = await call<pb.AnalyzeRequest, pb.RemediateResponse>(client(), "remediate", analyzeRequest({ ...r, props: props as Record<string, unknown> }));
    assert.deepEqual(again.getRemediationsList().length, 0, "remediation is idempotent");
    assert.deepEqual(diags(await call(client(), "analyze", analyzeRequest({ ...r, props: props as Record<string, unknown> }))), []);
  });

  it("analyzeStack: an internet-gateway route from a worker subnet, with ids unknown (preview)", async () => {
    const subnet = res("aws:ec2/subnet:Subnet", "workload-a", { id: WIRE_UNKNOWN, tags: { "hardening:role": "workload" } });
    const table = res("aws:ec2/routeTable:RouteTable", "rt", { id: WIRE_UNKNOWN });
    const igw = res("aws:ec2/internetGateway:InternetGateway", "igw", { id: WIRE_UNKNOWN });
    const route = res("aws:ec2/route:Route", "default", { routeTableId: WIRE_UNKNOWN, destinationCidrBlock: "0.0.0.0/0", gatewayId: WIRE_UNKNOWN }, { routeTableId: [table.urn], gatewayId: [igw.urn] });
    const assoc = res("aws:ec2/routeTableAssociation:RouteTableAssociation", "a", { subnetId: WIRE_UNKNOWN, routeTableId: WIRE_UNKNOWN }, { subnetId: [subnet.urn], routeTableId: [table.urn] });
    const out = diags(await call(client(), "analyzeStack", analyzeStackRequest([subnet, table, igw, route, assoc])));
    assert.deepEqual(out, [
      {
        policy: "workload-subnet-internet-route",
        level: "mandatory",
        urn: route.urn,
        message:
          'gatewayId sends 0.0.0.0/0 to an internet gateway in route table "rt", which worker subnet "workload-a" uses; route the worker subnet\'s default route to a NAT gateway or the egress firewall, or give it none: an internet-gateway route makes the subnet public and bypasses the egress allow-list.',
      },
    ]);
    const safe = res("aws:ec2/route:Route", "default", { routeTableId: WIRE_UNKNOWN, destinationCidrBlock: "0.0.0.0/0", natGatewayId: WIRE_UNKNOWN }, { routeTableId: [table.urn] });
    assert.deepEqual(diags(await call(client(), "analyzeStack", analyzeStackRequest([subnet, table, igw, safe, assoc]))), []);
  });
});
