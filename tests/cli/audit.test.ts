import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli";
import { STACK_EXPORTS_DIR } from "../corpus";
import { validateSarif } from "../sarif";
import { captureIO } from "./helpers";

const CORPUS = STACK_EXPORTS_DIR;
const corpusFiles = fs.readdirSync(CORPUS).filter((f) => f.endsWith(".json"));
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** A small stack export with one weak launch template, one good one, and secrets in both forms. */
function exportWith(extra: { plaintext?: string; ciphertext?: string; httpTokens?: string } = {}) {
  const secretOf = (v: { plaintext?: string; ciphertext?: string }) => ({ [SIG]: SECRET, ...v });
  return {
    version: 3,
    deployment: {
      manifest: { time: "2026-11-01T00:00:00Z", magic: "", version: "v3.200.0" },
      resources: [
        { urn: "urn:pulumi:prod::kestra::pulumi:pulumi:Stack::kestra-prod", custom: false, type: "pulumi:pulumi:Stack" },
        {
          urn: "urn:pulumi:prod::kestra::aws:ec2/launchTemplate:LaunchTemplate::workers",
          custom: true,
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          inputs: {
            metadataOptions: { httpEndpoint: "enabled", httpTokens: extra.httpTokens ?? "optional", httpPutResponseHopLimit: 1 },
            userData: secretOf(extra.plaintext !== undefined ? { plaintext: JSON.stringify(extra.plaintext) } : { ciphertext: extra.ciphertext ?? "AAABAGNpcGhlcnRleHQ=" }),
          },
          outputs: { arn: "arn:aws:ec2:eu-west-1:123456789012:launch-template/lt-1" },
        },
        {
          urn: "urn:pulumi:prod::kestra::aws:ec2/launchTemplate:LaunchTemplate::hardened",
          custom: true,
          type: "aws:ec2/launchTemplate:LaunchTemplate",
          inputs: { metadataOptions: { httpEndpoint: "disabled" } },
        },
      ],
    },
  };
}

describe("hardening audit", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: unknown) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    return file;
  };
  const audit = async (argv: string[], stdin?: string) => {
    const io = captureIO({ cwd: dir, stdin });
    const code = await main(["audit", ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };

  it("reads every real export and checkpoint of the corpus, counting every resource", async () => {
    assert.ok(corpusFiles.length >= 14);
    let expected = 0;
    for (const f of corpusFiles) {
      const doc = JSON.parse(fs.readFileSync(path.join(CORPUS, f), "utf8"));
      expected += (doc.deployment ?? doc.checkpoint.latest).resources.length;
    }
    const { code, out, err } = await audit(["--format", "json", CORPUS]);
    assert.equal(err, "");
    const report = JSON.parse(out);
    assert.equal(report.version, 1);
    assert.equal(report.resourcesChecked, expected);
    assert.equal(report.stacks.length, corpusFiles.length);
    for (const v of report.violations) assert.deepEqual(Object.keys(v), ["policy", "urn", "type", "enforcementLevel", "property", "message"]);
    // The ts-lb-attach-ec2 recording really runs an instance with IMDSv1 and a public IP.
    assert.ok(report.violations.some((v: { policy: string; urn: string }) => v.policy === "metadata-endpoint-aws-imds" && v.urn.endsWith("::instance")));
    assert.equal(code, 1);
  });

  it("finds the weak launch template and exits 1; passes the hardened one", async () => {
    const file = write("stack.json", exportWith());
    const { code, out } = await audit(["--format", "json", file]);
    const report = JSON.parse(out);
    assert.equal(code, 1);
    assert.equal(report.resourcesChecked, 3);
    const urns = report.violations.map((v: { urn: string }) => v.urn);
    assert.ok(urns.includes("urn:pulumi:prod::kestra::aws:ec2/launchTemplate:LaunchTemplate::workers"));
    assert.ok(!urns.includes("urn:pulumi:prod::kestra::aws:ec2/launchTemplate:LaunchTemplate::hardened"));
    const v = report.violations.find((x: { property: string }) => x.property === "metadataOptions.httpTokens");
    assert.equal(v.enforcementLevel, "mandatory");
    assert.equal(v.type, "aws:ec2/launchTemplate:LaunchTemplate");
  });

  it("writes SARIF 2.1.0 that the schema accepts, one result per violation, located in its file and resource", async () => {
    const file = write("stack.json", exportWith());
    const { out } = await audit(["--format", "sarif", file]);
    const log = JSON.parse(out);
    const valid = validateSarif(log);
    assert.ok(valid.ok, valid.errors);
    const json = JSON.parse((await audit(["--format", "json", file])).out);
    const results = log.runs[0].results;
    assert.equal(results.length, json.violations.length);
    const imds = results.find((r: { ruleId: string }) => r.ruleId === "metadata-endpoint-aws-imds");
    assert.equal(imds.level, "error");
    assert.equal(imds.locations[0].physicalLocation.artifactLocation.uri, file.replace(/\\/g, "/"));
    assert.equal(imds.locations[0].logicalLocations[0].fullyQualifiedName, "urn:pulumi:prod::kestra::aws:ec2/launchTemplate:LaunchTemplate::workers");
    assert.ok(log.runs[0].tool.driver.rules.some((r: { id: string }) => r.id === "metadata-endpoint-aws-imds"));
  });

  it("never prints a secret value, ciphertext or plaintext, in any format", async () => {
    const plaintext = "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/ # TOPSECRET-d41d8cd9";
    const files = [
      write("plain.json", exportWith({ plaintext })),
      write("cipher.json", exportWith({ ciphertext: "CIPHERTEXT-5f4dcc3b5aa765d61d8327deb882cf99" })),
    ];
    for (const format of ["text", "json", "sarif"]) {
      const { out, err } = await audit(["--format", format, ...files]);
      for (const leak of ["TOPSECRET-d41d8cd9", "CIPHERTEXT-5f4dcc3b5aa765d61d8327deb882cf99", "latest/meta-data"]) {
        assert.ok(!out.includes(leak) && !err.includes(leak), `${format} printed ${leak}`);
      }
    }
  });

  it("reads standard input and self-managed checkpoint folders, skipping history and backups", async () => {
    const stdin = await audit(["--format", "json", "-"], JSON.stringify(exportWith()));
    assert.equal(JSON.parse(stdin.out).stacks[0].source, "-");
    const checkpoint = { version: 4, features: [], checkpoint: { stack: "organization/kestra/dev", latest: exportWith().deployment } };
    write(".pulumi/stacks/kestra/dev.json", checkpoint);
    write(".pulumi/history/kestra/dev/dev-1.history.json", { kind: "update", result: "succeeded" });
    write(".pulumi/backups/kestra/dev/dev.1.json", { broken: true });
    write(".pulumi/meta.yaml", "version: 1");
    const { out, code } = await audit(["--format", "json", ".pulumi"]);
    const report = JSON.parse(out);
    assert.deepEqual(report.stacks.map((s: { stack: string; source: string }) => [s.stack, s.source]), [
      ["organization/kestra/dev", path.join(".pulumi", "stacks", "kestra", "dev.json")],
    ]);
    assert.equal(code, 1);
  });

  it("with --baseline, reports only what is new and what was fixed since", async () => {
    const before = write("before.json", exportWith());
    const first = await audit(["--format", "json", before]);
    write("baseline.json", first.out);
    const after = exportWith({ httpTokens: "required" });
    after.deployment.resources.push({
      urn: "urn:pulumi:prod::kestra::aws:ec2/instance:Instance::new-worker",
      custom: true,
      type: "aws:ec2/instance:Instance",
      inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 1 } } as never,
      outputs: {} as never,
    });
    const afterFile = write("after.json", after);
    const { out, code } = await audit(["--format", "json", "--baseline", "baseline.json", afterFile]);
    const report = JSON.parse(out);
    assert.deepEqual(report.violations.map((v: { urn: string }) => v.urn.split("::").pop()), ["new-worker"]);
    assert.deepEqual(report.baseline.fixed.map((v: { property: string }) => v.property), ["metadataOptions.httpTokens"]);
    assert.equal(code, 1);
    const text = await audit(["--baseline", "baseline.json", afterFile]);
    assert.match(text.out, /Baseline baseline\.json: 1 fixed since/);
  });

  it("takes the pack's config format: levels, 'all', exemptions; refuses a bad config listing every problem", async () => {
    const file = write("stack.json", exportWith());
    write("advisory.yaml", "all: advisory\n");
    const advisory = await audit(["--format", "json", "--config", "advisory.yaml", file]);
    assert.equal(advisory.code, 0);
    assert.ok(JSON.parse(advisory.out).violations.every((v: { enforcementLevel: string }) => v.enforcementLevel === "advisory"));
    write("exempt.json", JSON.stringify({ "metadata-endpoint-aws-imds": { exemptNames: ["work*"] } }));
    const exempt = await audit(["--format", "json", "--config", "exempt.json", file]);
    assert.ok(!JSON.parse(exempt.out).violations.some((v: { policy: string }) => v.policy === "metadata-endpoint-aws-imds"));
    write("bad.yaml", "no-such-rule: mandatory\nmetadata-endpoint-aws-imds:\n  enforcementLevel: loud\n  exemptNamez: []\n");
    const bad = await audit(["--config", "bad.yaml", file]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /"no-such-rule" is not a rule of this pack; rules: code-metadata-reference, /);
    assert.match(bad.err, /metadata-endpoint-aws-imds\.enforcementLevel is "loud"; allowed: "advisory", "mandatory", "remediate", "disabled"/);
    assert.match(bad.err, /metadata-endpoint-aws-imds: "exemptNamez" is not a setting of metadata-endpoint-aws-imds; did you mean "exemptNames"\?/);
    assert.equal(bad.err.trim().split("\n").length, 1);
  });

  describe("bad input: exit 2, one line naming the file, never a stack trace, nothing written", () => {
    const cases: [string, string | (() => string), RegExp][] = [
      ["truncated.json", () => JSON.stringify(exportWith()).slice(0, 200), /truncated\.json: is not valid JSON/],
      ["invalid.json", "{ version: 3 }", /invalid\.json: is not valid JSON/],
      ["v2.json", JSON.stringify({ version: 2, deployment: { resources: [] } }), /v2\.json: has deployment version 2; this auditor reads versions 3 and 4/],
      ["v5.json", JSON.stringify({ version: 5, checkpoint: { latest: { resources: [] } } }), /v5\.json: has deployment version 5/],
      ["package.json", JSON.stringify({ name: "x", version: "1.0.0" }), /package\.json: is not a Pulumi stack export or checkpoint/],
      ["empty.json", "", /empty\.json: is empty/],
      ["string.json", () => JSON.stringify("x".repeat(5_000_000)), /string\.json: is not a Pulumi stack export or checkpoint/],
      ["deep.json", () => `{"version":3,"deployment":{"resources":[{"urn":"u","type":"t","inputs":${"[".repeat(10_000)}${"]".repeat(10_000)}}]}}`, /deep\.json: nesting deeper than 256 levels/],
      ["noresources.json", JSON.stringify({ version: 3, deployment: { resources: [{ id: 1 }] } }), /noresources\.json: resource 0 has no "urn" and "type"/],
    ];
    for (const [name, content, expected] of cases) {
      it(name, async () => {
        const file = write(name, typeof content === "function" ? content() : content);
        const before = fs.statSync(file).mtimeMs;
        const { code, out, err } = await audit([name]);
        assert.equal(code, 2);
        assert.equal(out, "");
        assert.match(err, expected);
        assert.equal(err.trim().split("\n").length, 1, err);
        assert.doesNotMatch(err, /\n\s+at /);
        assert.equal(fs.statSync(file).mtimeMs, before);
      });
    }
    it("a bad file after good ones: nothing on stdout, the bad file named", async () => {
      write("a-good.json", exportWith());
      write("b-bad.json", `{"version":3,"deployment":{"resources":[${JSON.stringify(exportWith().deployment.resources[1])},{"id":1}]}}`);
      const { code, out, err } = await audit(["a-good.json", "b-bad.json", "a-good.json"]);
      assert.equal(code, 2);
      assert.equal(out, "");
      assert.equal(err, 'hardening audit: b-bad.json: resource 1 has no "urn" and "type"; not Pulumi state\n');
    });
    it("a path that does not exist", async () => {
      const { code, err } = await audit(["missing.json"]);
      assert.equal(code, 2);
      assert.equal(err, "hardening audit: cannot read missing.json: no such file or directory\n");
    });
    it("no input at all", async () => {
      const { code, err } = await audit([]);
      assert.equal(code, 2);
      assert.match(err, /^hardening audit: give at least one stack export/);
    });
  });

  it("prints a progress line only on a terminal, and only on stderr", async () => {
    const big = exportWith();
    for (let i = 0; i < 5000; i++) {
      big.deployment.resources.push({ urn: `urn:pulumi:prod::kestra::aws:s3/bucket:Bucket::b${i}`, custom: true, type: "aws:s3/bucket:Bucket", inputs: {} as never, outputs: {} as never });
    }
    const file = write("big.json", big);
    const tty = captureIO({ cwd: dir, tty: true });
    await main(["audit", "--format", "json", file], tty);
    assert.match(tty.err(), /checking 5003 resources in .*big\.json/);
    JSON.parse(tty.out());
    const pipe = captureIO({ cwd: dir, tty: false });
    await main(["audit", "--format", "json", file], pipe);
    assert.equal(pipe.err(), "");
  });
});
