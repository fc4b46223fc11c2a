/**
 * `hardening plan DIR`: a user's own Pulumi TypeScript program (tests/fixtures/userProgram) run offline under mocks:
 * its resources, the controls reports of the hardening components in it, and the pack's verdicts on every resource.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli";
import type { ProgramPlanReport } from "../../cli/plan";
import { captureIO } from "./helpers";

const FIXTURE = path.join(__dirname, "..", "fixtures", "userProgram");

async function plan(argv: string[]) {
  const io = captureIO();
  const code = await main(["plan", ...argv], io);
  return { code, out: io.out(), err: io.err() };
}

describe("hardening plan DIR (a user's own program)", function () {
  this.timeout(120_000);

  it("plans the program with its project defaults and stack config, every component's controls and the pack's verdicts", async () => {
    const r = await plan([FIXTURE, "--stack", "dev", "--format", "json"]);
    assert.equal(r.err, "");
    const report = JSON.parse(r.out) as ProgramPlanReport;
    assert.deepEqual(report.program, { project: "my-workers", stack: "dev", dir: FIXTURE });
    const types = report.resources.map((x) => x.type);
    assert.ok(types.includes("hardening:index:AwsWorkerNetwork") && types.includes("hardening:index:AwsWorkerPool"));
    assert.ok(report.resources.every((x) => x.urn.startsWith("urn:pulumi:dev::my-workers::")));
    const template = report.resources.find((x) => x.name === "workers-launch-template")!;
    assert.equal(template.inputs.instanceType, "t3.xlarge", "the stack config's value, over the project default");
    // Controls from both components (network and pool).
    const ids = new Set(report.controls.map((c) => c.id));
    assert.ok(ids.has("aws-imds-disabled") || [...ids].some((i) => i.startsWith("aws-imds")), [...ids].join(", "));
    assert.ok(report.controls.some((c) => c.resources.includes("workers-workload-1")), "the network's controls");
    assert.ok(report.controls.some((c) => c.resources.includes("workers-launch-template")), "the pool's controls");
    // The pack's verdicts cover the user's own resource; the components' resources pass.
    assert.ok(report.violations.some((v) => v.urn.endsWith("::legacy") && v.policy === "metadata-endpoint-aws-imds"));
    assert.ok(report.violations.every((v) => v.urn.endsWith("::legacy")), JSON.stringify(report.violations.map((v) => v.urn)));
    assert.equal(r.code, 1, "the open IMDS is a mandatory violation");
    assert.ok(!r.out.includes("AAABAKw"), "the secret's cipher text is never printed");
  });

  it("draws the program as one Mermaid flowchart and as text", async () => {
    const m = await plan([FIXTURE, "--stack", "dev", "--format", "mermaid"]);
    assert.match(m.out, /^flowchart LR\n/);
    const t = await plan([FIXTURE, "--stack", "dev"]);
    assert.match(t.out, /^== my-workers: \d+ resources, \d+ controls, \d+ policy violations ==/);
  });

  it("refuses a directory that is not a Pulumi project, a missing stack file, and --cloud with a directory", async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "noproject-"));
    try {
      const r = await plan([empty]);
      assert.equal(r.code, 2);
      assert.equal(r.err, `hardening plan: ${empty} has no Pulumi.yaml; give the directory of a Pulumi project\n`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    const missing = await plan([FIXTURE, "--stack", "prod"]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /Pulumi\.prod\.yaml does not exist/);
    const cloud = await plan([FIXTURE, "--cloud", "aws"]);
    assert.equal(cloud.code, 2);
    assert.match(cloud.err, /a program directory decides its own clouds/);
  });

  it("lists the exemptions that took effect in JSON and text: a tagged resource is not silently skipped", async () => {
    const dir = fs.mkdtempSync(path.join(FIXTURE, "..", "userProgram-exempt-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: exempt\nruntime: nodejs\n");
      fs.writeFileSync(path.join(dir, "index.ts"), [
        'import * as aws from "@pulumi/aws";',
        'new aws.ec2.LaunchTemplate("legacy", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 }, tags: { "hardening:exempt": "all: vendor image, OPS-7" } });',
        "",
      ].join("\n"));
      const r = await plan([dir, "--format", "json"]);
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out) as ProgramPlanReport;
      assert.deepEqual(report.violations, []);
      assert.deepEqual(report.exemptions.map((e) => [e.policy, e.urn.split("::").pop(), e.property, e.exemption]), [
        ["metadata-endpoint-aws-imds", "legacy", "metadataOptions.httpTokens", { source: "tag", key: "hardening:exempt", value: "all: vendor image, OPS-7", reason: "vendor image, OPS-7" }],
      ]);
      const text = await plan([dir]);
      assert.ok(text.out.includes('  [exempt] metadata-endpoint-aws-imds on legacy (aws:ec2/launchTemplate:LaunchTemplate) metadataOptions.httpTokens: exempted because its tag hardening:exempt="all: vendor image, OPS-7", reason: "vendor image, OPS-7"; it would report: metadataOptions.httpTokens is "optional"'), text.out);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports a component's invalid arguments one per line, and the program's own error as its error", async () => {
    const dir = fs.mkdtempSync(path.join(FIXTURE, "..", "userProgram-bad-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: bad\nruntime: nodejs\n");
      fs.writeFileSync(path.join(dir, "index.ts"), 'import { AwsWorkerNetwork } from "../../../providers/aws";\nnew AwsWorkerNetwork("n", { cidr: "10.0.0.0/33", zoneCount: 9 });\n');
      const r = await plan([dir]);
      assert.equal(r.code, 2);
      const lines = r.err.trimEnd().split("\n");
      assert.match(lines[0], /: AwsWorkerNetwork "n": invalid arguments \(\d+ problems\):$/);
      assert.ok(lines.length >= 3, r.err);
      fs.writeFileSync(path.join(dir, "index.ts"), 'throw new Error("my bug");\n');
      const own = await plan([dir]);
      assert.equal(own.err, `hardening plan: ${dir}: the program failed: my bug\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
