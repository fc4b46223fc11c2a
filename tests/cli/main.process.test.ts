import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { main, USAGE } from "../../cli";
import { captureIO } from "./helpers";

describe("hardening (dispatcher)", () => {
  it("prints usage for no command, one line for an unknown one, and exits 2", async () => {
    const bare = captureIO();
    assert.equal(await main([], bare), 2);
    assert.equal(bare.err(), USAGE);
    for (const argv of [["deploy"], ["--verbose"]]) {
      const io = captureIO();
      assert.equal(await main(argv, io), 2, argv.join(" "));
      assert.equal(io.err().split("\n").length, 2, "one line, no usage block");
      assert.match(io.err(), /\(hardening --help lists the commands\)\n$/);
      assert.equal(io.out(), "");
    }
    const io = captureIO();
    await main(["deploy"], io);
    assert.match(io.err(), /^hardening: unknown command "deploy"; known: "plan", "audit", "scan"\./);
  });

  it("prints usage on stdout and exits 0 for --help", async () => {
    const io = captureIO();
    assert.equal(await main(["--help"], io), 0);
    assert.equal(io.out(), USAGE);
  });

  it("runs as a real process through bin/hardening.js, with the exit code of the command", () => {
    const bin = path.join(__dirname, "..", "..", "bin", "hardening.js");
    const r = spawnSync(process.execPath, [bin, "plan", "--cloud", "nowhere"], { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^hardening plan: --cloud "nowhere" is not one of aws, gcp, azure, kubernetes, all \(hardening plan --help shows the options\)\n/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("runs `audit` in a process started with its node flags, passing stdin, stdout and the exit code through", () => {
    const bin = path.join(__dirname, "..", "..", "bin", "hardening.js");
    const state = {
      version: 3,
      deployment: {
        resources: [
          {
            urn: "urn:pulumi:prod::p::aws:ec2/launchTemplate:LaunchTemplate::workers",
            type: "aws:ec2/launchTemplate:LaunchTemplate",
            inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" } },
          },
        ],
      },
    };
    const r = spawnSync(process.execPath, [bin, "audit", "-", "--format", "json"], { input: JSON.stringify(state), encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { resourcesChecked: number; violations: { policy: string }[] };
    assert.equal(report.resourcesChecked, 1);
    assert.ok(report.violations.some((v) => v.policy === "metadata-endpoint-aws-imds"));
    const bad = spawnSync(process.execPath, [bin, "audit", "-"], { input: "{", encoding: "utf8", timeout: 60_000 });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^hardening audit: -: is not valid JSON/);
    // The flags really are node's: an unknown one would have made the child fail to start.
    const flags = (createRequire(__filename)("../../bin/node-flags.js") as { audit: string[] }).audit;
    assert.deepEqual(spawnSync(process.execPath, [...flags, "-e", "0"]).status, 0);
  });
});
