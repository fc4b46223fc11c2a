/**
 * `hardening audit` lists every exemption that took effect in each format (JSON `exemptions`, text `[exempt]`
 * lines, SARIF results with a suppression), and lists files it could not audit (JSON `errors`, SARIF tool
 * execution notifications) while auditing the others; gzip checkpoints are read.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { main } from "../../cli";
import { gunzipped } from "../../cli/audit";
import { UsageError } from "../../cli/io";
import { validateSarif } from "../sarif";
import { captureIO } from "./helpers";

const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const TOKENS = 'metadataOptions.httpTokens is "optional"; set it to "required" or set metadataOptions.httpEndpoint to "disabled": without IMDSv2 session tokens, any process or server-side request forgery that can send a GET to 169.254.169.254 receives the instance role\'s credentials.';
const template = (stack: string, name: string, tags: Record<string, string> = {}) => ({
  urn: `urn:pulumi:${stack}::kestra::${LT}::${name}`,
  custom: true,
  type: LT,
  inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional", httpPutResponseHopLimit: 1 }, tags },
});
const exportOf = (stack: string, resources: unknown[]) => ({ version: 3, deployment: { resources } });
const checkpointOf = (stack: string, resources: unknown[]) => ({ version: 3, checkpoint: { stack, latest: { resources } } });

describe("hardening audit: exemptions and unreadable files in every format", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-ex-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    return name;
  };
  const audit = async (...argv: string[]) => {
    const io = captureIO({ cwd: dir });
    const code = await main(["audit", ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };

  const tagged = () => write("stack.json", JSON.stringify(exportOf("prod", [
    template("prod", "legacy", { "hardening:exempt": "all: legacy fleet, replaced in OPS-12" }),
    template("prod", "workers"),
  ])));
  const exemption = { source: "tag", key: "hardening:exempt", value: "all: legacy fleet, replaced in OPS-12", reason: "legacy fleet, replaced in OPS-12" };

  it("JSON: the exempted finding is in `exemptions` with its source and reason; the contract's fields are unchanged", async () => {
    const { code, out } = await audit("--format", "json", tagged());
    assert.equal(code, 1, "the unexempted template still blocks");
    const report = JSON.parse(out);
    assert.deepEqual(Object.keys(report), ["version", "resourcesChecked", "violations", "stacks", "exemptions", "errors"]);
    assert.deepEqual(report.violations.map((v: { urn: string }) => v.urn.split("::").pop()), ["workers"]);
    assert.deepEqual(Object.keys(report.violations[0]), ["policy", "urn", "type", "enforcementLevel", "property", "message"]);
    assert.deepEqual(report.exemptions, [
      { policy: "metadata-endpoint-aws-imds", urn: `urn:pulumi:prod::kestra::${LT}::legacy`, type: LT, property: "metadataOptions.httpTokens", message: TOKENS, exemption },
    ]);
    assert.deepEqual(report.stacks, [{ source: "stack.json", stack: "prod", resourcesChecked: 2, violations: 1, exemptions: 1 }]);
    assert.deepEqual(report.errors, []);
  });

  it("JSON with --baseline: exemptions are listed whatever the baseline", async () => {
    const file = tagged();
    write("base.json", (await audit("--format", "json", file)).out);
    const report = JSON.parse((await audit("--format", "json", "--baseline", "base.json", file)).out);
    assert.deepEqual(report.violations, []);
    assert.equal(report.exemptions.length, 1);
  });

  it("text: an [exempt] line naming the tag and its reason, and the count in the summary", async () => {
    const { out } = await audit(tagged());
    assert.ok(out.includes(`  exempted (not enforced): 1\n    [exempt] metadata-endpoint-aws-imds on legacy (${LT}) metadataOptions.httpTokens: exempted because its tag hardening:exempt="all: legacy fleet, replaced in OPS-12", reason: "legacy fleet, replaced in OPS-12"; it would report: ${TOKENS}\n`), out);
    assert.match(out, /1 stack, 2 resources checked: 1 mandatory, 0 advisory; 1 exempted\.\n$/);
  });

  it("SARIF: the exempted finding is a result with an inSource suppression whose justification is the reason; a config exemption is external", async () => {
    const log = JSON.parse((await audit("--format", "sarif", tagged())).out);
    const valid = validateSarif(log);
    assert.ok(valid.ok, valid.errors);
    const results = log.runs[0].results as { level: string; suppressions?: unknown[]; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[];
    assert.deepEqual(results.map((r) => [r.locations[0].logicalLocations[0].fullyQualifiedName.split("::").pop(), r.level, r.suppressions?.length ?? 0]), [["workers", "error", 0], ["legacy", "note", 1]]);
    assert.deepEqual(results[1].suppressions, [
      { kind: "inSource", status: "accepted", justification: 'its tag hardening:exempt="all: legacy fleet, replaced in OPS-12", reason: "legacy fleet, replaced in OPS-12"', properties: exemption },
    ]);
    write("cfg.json", JSON.stringify({ "metadata-endpoint-aws-imds": { exemptNames: ["work*"] } }));
    const byConfig = JSON.parse((await audit("--format", "sarif", "--config", "cfg.json", "stack.json")).out);
    const suppressions = byConfig.runs[0].results.map((r: { suppressions?: { kind: string }[] }) => r.suppressions?.[0]?.kind);
    assert.deepEqual(suppressions.sort(), ["external", "inSource"]);
  });

  it("with the config's honourExemptTags: false the tag exempts nothing and the finding says so", async () => {
    const file = tagged();
    write("cfg.yaml", "metadata-endpoint-aws-imds:\n  honourExemptTags: false\n");
    const report = JSON.parse((await audit("--format", "json", "--config", "cfg.yaml", file)).out);
    assert.deepEqual(report.exemptions, []);
    assert.deepEqual(report.violations.map((v: { urn: string; message: string }) => [v.urn.split("::").pop(), v.message]), [
      ["legacy", `${TOKENS} The hardening:exempt tag "all: legacy fleet, replaced in OPS-12" is not honoured: this policy's config turns resource exemptions off for metadata-endpoint-aws-imds (honourExemptTags: false); ask its administrators to list the resource in exemptUrns or exemptNames.`],
      ["workers", TOKENS],
    ]);
  });

  it("a folder with a corrupt file and a truncated gzip: both named in `errors` and on stderr, the others (gzip included) audited, exit 2", async () => {
    const gz = gzipSync(JSON.stringify(checkpointOf("zipped", [template("zipped", "w")])));
    write("states/a.json", JSON.stringify(exportOf("a", [template("a", "w")])));
    write("states/b.json", '{"version":3,"deployment":{"resources":[{"urn":');
    write("states/c.json.gz", gz);
    write("states/d.json.gz", gz.subarray(0, gz.length - 12));
    const { code, out, err } = await audit("--format", "json", "states");
    assert.equal(code, 2);
    const report = JSON.parse(out);
    assert.deepEqual(report.stacks.map((s: { stack: string; source: string }) => [s.stack, s.source]), [["a", "states/a.json"], ["zipped", "states/c.json.gz"]]);
    assert.deepEqual(report.errors, [
      { source: "states/b.json", message: "states/b.json: is not valid JSON (unexpected end of input)" },
      { source: "states/d.json.gz", message: "states/d.json.gz: is not a readable gzip file (truncated)" },
    ]);
    assert.equal(err, [
      "hardening audit: states/b.json: is not valid JSON (unexpected end of input)",
      "hardening audit: states/d.json.gz: is not a readable gzip file (truncated)",
      "hardening audit: 2 file(s) could not be audited; the report covers the others",
      "",
    ].join("\n"));
    const sarif = JSON.parse((await audit("--format", "sarif", "states")).out);
    assert.ok(validateSarif(sarif).ok, validateSarif(sarif).errors);
    assert.deepEqual(sarif.runs[0].invocations, [{
      executionSuccessful: false,
      toolExecutionNotifications: [
        { level: "error", message: { text: "states/b.json: is not valid JSON (unexpected end of input)" }, locations: [{ physicalLocation: { artifactLocation: { uri: "states/b.json" } } }] },
        { level: "error", message: { text: "states/d.json.gz: is not a readable gzip file (truncated)" }, locations: [{ physicalLocation: { artifactLocation: { uri: "states/d.json.gz" } } }] },
      ],
    }]);
    const text = await audit("states");
    assert.match(text.out, /Not audited: states\/b\.json: is not valid JSON/);
  });

  it("stops decompressing a gzip bomb at the limit, naming the file", async () => {
    const bomb = gzipSync(Buffer.alloc(3 << 20));
    await assert.rejects(gunzipped("states/bomb.json.gz", Readable.from([bomb]), 1 << 20), (e: unknown) =>
      e instanceof UsageError && e.message === "states/bomb.json.gz: decompresses to more than 1 MiB; not a Pulumi checkpoint");
    assert.equal((await gunzipped("ok.json.gz", Readable.from([bomb]), 4 << 20)).length, 3 << 20, "under the limit it is read whole");
  });

  it("reads a gzip checkpoint given by name and on standard input, with the same verdicts as the plain file", async () => {
    const plain = JSON.stringify(checkpointOf("zipped", [template("zipped", "w")]));
    write("plain.json", plain);
    write("state.json.gz", gzipSync(plain));
    const a = JSON.parse((await audit("--format", "json", "plain.json")).out);
    const b = JSON.parse((await audit("--format", "json", "state.json.gz")).out);
    assert.deepEqual(b.violations, a.violations);
    assert.equal(a.violations.length, 1);
    const io = captureIO({ cwd: dir, stdin: gzipSync(plain) });
    assert.equal(await main(["audit", "--format", "json", "-"], io), 1);
    assert.deepEqual(JSON.parse(io.out()).violations, a.violations);
  });
});
