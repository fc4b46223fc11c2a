/**
 * Exemptions and worker scope in the pack as the Pulumi CLI drives it (its own process, the analyzer gRPC calls
 * the engine makes): an exemption is reported as an advisory diagnostic naming where it came from; the config's
 * `honourExemptTags` switch turns resource tags off per rule; and with policy/org-policy-config.json a bastion or
 * a plain nginx Deployment in an unrelated namespace gets only advisory diagnostics while worker resources stay
 * mandatory. Configure changes the pack's process-wide state, so the calls run in order, as the engine's.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { ruleById } from "../../policy/registry";
import type { EnforcementLevel } from "../../policy/rules/types";
import { ORG_CONFIG } from "../../scripts/ruleDocs";
import { analyzeRequest, analyzeStackRequest, call, configureRequest, levelName, PackProcess, POLICY_PACK_DIR, startPack, WireResource } from "./packProcess";

const INSTANCE = "aws:ec2/instance:Instance";
const res = (type: string, name: string, props: Record<string, unknown>, stack = "dev"): WireResource => ({
  type, name, urn: `urn:pulumi:${stack}::proj::${type}::${name}`, props,
});
const PUBLIC_IP = "associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: a worker with a public address is reachable from the internet and can bypass the egress filter.";
const TOKENS = 'metadataOptions.httpTokens is "optional"; set it to "required" or set metadataOptions.httpEndpoint to "disabled": without IMDSv2 session tokens, any process or server-side request forgery that can send a GET to 169.254.169.254 receives the instance role\'s credentials.';
const HOST_NETWORK = "spec.template.spec.hostNetwork is true; remove it or set it to false: a host-network pod uses the node's network namespace, so NetworkPolicy does not reliably apply to it and it reaches the node's metadata endpoint with the node's credentials.";

/** An instance with a public IP and optional IMDS tokens: two findings, one per rule. */
const weakInstance = (name: string, tags: Record<string, string>, stack = "dev") =>
  res(INSTANCE, name, { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 }, associatePublicIpAddress: true, tags }, stack);

type Diag = [policy: string, level: string, message: string];
const diags = (r: pb.AnalyzeResponse): Diag[] => r.getDiagnosticsList().map((d) => [d.getPolicyname(), levelName(d.getEnforcementlevel()), d.getMessage()]);

/** A policy-pack config file (`--policy-pack-config`) as the CLI sends it: each rule's level and properties. */
function configureFrom(file: Record<string, Record<string, unknown>>) {
  const out: Record<string, { enforcementLevel: EnforcementLevel; props: Record<string, unknown> }> = {};
  for (const [id, { enforcementLevel, ...props }] of Object.entries(file)) {
    out[id] = { enforcementLevel: (enforcementLevel as EnforcementLevel | undefined) ?? ruleById(id)!.enforcementLevel, props };
  }
  return configureRequest(out);
}

describe("the pack over gRPC: exemptions are reported, tag exemptions can be switched off, rules can be scoped", function () {
  let pack: PackProcess | undefined;
  before(async function () {
    this.timeout(180_000);
    pack = await startPack(POLICY_PACK_DIR, 170_000);
  });
  after(async function () {
    this.timeout(10_000);
    await pack?.stop();
  });
  const analyze = async (r: WireResource) => diags(await call(pack!.client, "analyze", analyzeRequest(r)));

  it("default config: an `all:` tag exempts, and each suppressed finding goes out as an advisory diagnostic naming the tag and its reason", async () => {
    const tag = "all: legacy bastion, tracked in OPS-12";
    const because = `Exempted (not enforced) because its tag hardening:exempt=${JSON.stringify(tag)}, reason: "legacy bastion, tracked in OPS-12": `;
    assert.deepEqual(await analyze(weakInstance("bastion", { "hardening:exempt": tag })), [
      ["metadata-endpoint-aws-imds", "advisory", because + TOKENS],
      ["workload-subnet-public-ip", "advisory", because + PUBLIC_IP],
    ]);
    // Positive control: without the tag both are mandatory.
    assert.deepEqual(await analyze(weakInstance("bastion", {})), [
      ["metadata-endpoint-aws-imds", "mandatory", TOKENS],
      ["workload-subnet-public-ip", "mandatory", PUBLIC_IP],
    ]);
  });

  it("honourExemptTags: false for one rule: that rule enforces despite the tag and says why; the other still honours it", async () => {
    await call(pack!.client, "configure", configureRequest({
      "metadata-endpoint-aws-imds": { enforcementLevel: "mandatory" },
      "workload-subnet-public-ip": { enforcementLevel: "mandatory", props: { honourExemptTags: false } },
    }));
    const tag = "all: legacy bastion";
    assert.deepEqual(await analyze(weakInstance("bastion", { "hardening:exempt": tag })), [
      ["metadata-endpoint-aws-imds", "advisory", `Exempted (not enforced) because its tag hardening:exempt="all: legacy bastion", reason: "legacy bastion": ${TOKENS}`],
      ["workload-subnet-public-ip", "mandatory", `${PUBLIC_IP} The hardening:exempt tag "all: legacy bastion" is not honoured: this policy's config turns resource exemptions off for workload-subnet-public-ip (honourExemptTags: false); ask its administrators to list the resource in exemptUrns or exemptNames.`],
    ]);
    // An exemption in the config itself is still honoured, and still reported.
    await call(pack!.client, "configure", configureRequest({
      "workload-subnet-public-ip": { enforcementLevel: "mandatory", props: { honourExemptTags: false, exemptNames: ["bast*"] } },
    }));
    assert.deepEqual((await analyze(weakInstance("bastion", {}))).filter(([p]) => p === "workload-subnet-public-ip"), [
      ["workload-subnet-public-ip", "advisory", `Exempted (not enforced) because its name matches "bast*" in the policy config's exemptNames: ${PUBLIC_IP}`],
    ]);
  });

  it("policy/org-policy-config.json: a bastion and nginx in an unrelated namespace only advise; tagged workers and worker namespaces stay mandatory; tags exempt nothing", async () => {
    const org = JSON.parse(fs.readFileSync(ORG_CONFIG, "utf8")) as Record<string, Record<string, unknown>>;
    await call(pack!.client, "configure", configureFrom(org));
    const outside = "Reported as advisory: outside this rule's scope (the resource matches none of scopeTags, scopeNamespaceLabels).";

    assert.deepEqual(await analyze(weakInstance("bastion", {})), [
      ["metadata-endpoint-aws-imds", "advisory", `${TOKENS} ${outside}`],
      ["workload-subnet-public-ip", "advisory", `${PUBLIC_IP} ${outside}`],
    ]);
    const notHonoured = (rule: string) => `The hardening:exempt tag "all: we know" is not honoured: this policy's config turns resource exemptions off for ${rule} (honourExemptTags: false); ask its administrators to list the resource in exemptUrns or exemptNames.`;
    assert.deepEqual(await analyze(weakInstance("worker", { "hardening:role": "workload", "hardening:exempt": "all: we know" })), [
      ["metadata-endpoint-aws-imds", "mandatory", `${TOKENS} ${notHonoured("metadata-endpoint-aws-imds")}`],
      ["workload-subnet-public-ip", "mandatory", `${PUBLIC_IP} ${notHonoured("workload-subnet-public-ip")}`],
    ]);

    // Kubernetes: the engine analyzes a Namespace before what is created in it.
    const ns = (name: string, labels: Record<string, string>) => res("kubernetes:core/v1:Namespace", name, { metadata: { name, labels } });
    const nginx = (namespace: string) => res("kubernetes:apps/v1:Deployment", "nginx", {
      metadata: { namespace },
      spec: { selector: { matchLabels: { app: "nginx" } }, template: { metadata: { labels: { app: "nginx" } }, spec: { hostNetwork: true, containers: [{ name: "nginx", image: "nginx:1.27" }] } } },
    });
    await analyze(ns("web", { team: "web" }));
    await analyze(ns("tasks", { "app.kubernetes.io/component": "worker-namespace" }));
    const web = await analyze(nginx("web"));
    assert.ok(web.length >= 5, `nginx is still told what it lacks: ${web.length} diagnostics`);
    assert.deepEqual(web.filter(([, level]) => level !== "advisory"), [], "nothing mandatory outside the worker scope");
    assert.ok(web.some(([p, , m]) => p === "metadata-endpoint-kubernetes-host-namespaces" && m === `${HOST_NETWORK} Reported as advisory: outside this rule's scope (the resource in namespace "web" matches none of scopeTags, scopeNamespaceLabels).`));
    const tasks = await analyze(nginx("tasks"));
    assert.deepEqual(tasks.map(([p, l]) => [p, l]), web.map(([p]) => [p, "mandatory"]), "the same findings are mandatory in a worker namespace");
    assert.ok(tasks.some(([p, , m]) => p === "metadata-endpoint-kubernetes-host-namespaces" && m === HOST_NETWORK));

    // A stack rule is scoped the same way: the missing egress NetworkPolicy, reported on the Namespace, is advisory
    // for "web" and mandatory for the worker namespace "tasks".
    const stack = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(pack!.client, "analyzeStack", analyzeStackRequest([
      ns("web", { team: "web" }), nginx("web"), ns("tasks", { "app.kubernetes.io/component": "worker-namespace" }), { ...nginx("tasks"), urn: nginx("tasks").urn.replace("::nginx", "::nginx-tasks"), name: "nginx-tasks" },
    ]));
    const egress = stack.getDiagnosticsList().filter((d) => d.getPolicyname() === "egress-kubernetes-metadata-networks").map((d) => [d.getUrn().split("::").pop(), levelName(d.getEnforcementlevel())]);
    assert.deepEqual(egress, [["web", "advisory"], ["tasks", "mandatory"]]);
  });

  it("scopeStacks: the stack name comes from the URN the engine sends", async () => {
    await call(pack!.client, "configure", configureRequest({ "workload-subnet-public-ip": { enforcementLevel: "mandatory", props: { scopeStacks: ["prod-*"] } } }));
    const pub = (stack: string) => analyze(weakInstance("w", {}, stack)).then((d) => d.filter(([p]) => p === "workload-subnet-public-ip"));
    assert.deepEqual(await pub("prod-eu"), [["workload-subnet-public-ip", "mandatory", PUBLIC_IP]]);
    assert.deepEqual(await pub("dev"), [["workload-subnet-public-ip", "advisory", `${PUBLIC_IP} Reported as advisory: outside this rule's scope (stack "dev" matches none of scopeStacks).`]]);
  });

  it("wrote nothing on stderr", () => assert.equal(pack!.stderr(), ""));
});
