/**
 * The pack as `pulumi policy publish` ships it: bundled into a folder of its own (scripts/bundlePolicy.ts), started
 * the way the CLI starts a pack, serving every rule and judging a resource.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { resourceRules, stackRules } from "../../policy/rules";
import { bundlePolicyPack } from "../../scripts/bundlePolicy";
import { analyzeRequest, call, empty, PackProcess, startPack } from "./packProcess";

describe("the bundled policy pack", function () {
  this.timeout(120_000);
  // Inside the repository, so that the CLI's runner and the two external dependencies resolve from node_modules,
  // as they would from the folder's own node_modules after `pulumi policy publish` installs them.
  const dir = path.join(__dirname, "..", "..", "dist", `test-policy-pack-${process.pid}`);
  let pack: PackProcess | undefined;

  before(async () => {
    const files = bundlePolicyPack(dir);
    assert.deepEqual(files.map((f) => path.basename(f)), ["index.js", "package.json", "PulumiPolicy.yaml"]);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ["@pulumi/policy", "@pulumi/pulumi"]);
    // Nothing outside the folder: no relative import may escape it.
    assert.doesNotMatch(fs.readFileSync(path.join(dir, "index.js"), "utf8"), /require\("\.\.?\//);
    pack = await startPack(dir, 100_000);
  });

  after(async () => {
    await pack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves every rule and reports a weak launch template", async () => {
    const client = pack!.client;
    const info = await call<unknown, pb.AnalyzerInfo>(client, "getAnalyzerInfo", empty());
    assert.deepEqual(
      info.getPoliciesList().map((p) => p.getName()).sort(),
      [...resourceRules, ...stackRules].map((r) => r.id).sort(),
    );
    const type = "aws:ec2/launchTemplate:LaunchTemplate";
    const response = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(
      client,
      "analyze",
      analyzeRequest({ type, name: "workers", urn: `urn:pulumi:dev::p::${type}::workers`, props: { metadataOptions: { httpTokens: "optional" } } }),
    );
    assert.ok(response.getDiagnosticsList().some((d) => d.getPolicyname() === "metadata-endpoint-aws-imds"));
  });
});
