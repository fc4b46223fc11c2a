import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli";
import { loadCloud, CloudNotAvailableError } from "../../program/environment";
import { captureIO } from "./helpers";

describe("hardening plan", function () {
  this.timeout(60_000);

  it("prints the JSON contract: resources, controls and the pack's verdicts", async () => {
    const io = captureIO();
    const code = await main(["plan", "--cloud", "gcp", "--format", "json"], io);
    const report = JSON.parse(io.out());
    assert.equal(report.version, 1);
    assert.equal(report.clouds.length, 1);
    const gcp = report.clouds[0];
    assert.equal(gcp.cloud, "gcp");
    assert.ok(gcp.resources.length > 5);
    for (const r of gcp.resources) {
      assert.deepEqual(Object.keys(r).sort(), ["inputs", "name", "parent", "type", "urn"].filter((k) => k !== "parent" || r.parent !== undefined).sort());
      assert.match(r.urn, /^urn:pulumi:plan::hardening::/);
    }
    // Every child names a parent that is itself in the plan.
    const urns = new Set(gcp.resources.map((r: { urn: string }) => r.urn));
    for (const r of gcp.resources) if (r.parent) assert.ok(urns.has(r.parent), `${r.name}: parent ${r.parent} not planned`);
    for (const c of gcp.controls) {
      for (const key of ["id", "protects", "effective", "resources", "source"]) assert.ok(key in c, `control ${c.id} lacks ${key}`);
    }
    assert.ok(Array.isArray(gcp.violations));
    assert.equal(code, gcp.violations.some((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory") ? 1 : 0);
    assert.equal(io.err(), "");
  });

  it("draws a Mermaid topology with components as subgraphs and references as edges", async () => {
    const io = captureIO();
    await main(["plan", "--cloud", "gcp", "--format", "mermaid"], io);
    const text = io.out();
    assert.match(text, /^flowchart LR\n/);
    assert.match(text, /subgraph r\d+\["kestra-workers<br\/>GcpWorkerNetwork"\]/);
    assert.match(text, /\n {2}r\d+ --> r\d+/);
  });

  it("refuses bad flags and values with one line and exit 2", async () => {
    for (const argv of [["plan", "--cloud", "mars"], ["plan", "--format", "xml"], ["plan", "--bogus"], ["plan", "extra"]]) {
      const io = captureIO();
      assert.equal(await main(argv, io), 2, argv.join(" "));
      assert.match(io.err().split("\n")[0], /^hardening plan: /);
      assert.doesNotMatch(io.err(), /\n\s+at /, "printed a stack trace");
    }
  });

  it("reads a stack config file, refuses secrets in it, and reports every spec problem", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.secret.yaml"), "config:\n  hardening:cloud: gcp\n  hardening:token:\n    secure: AAABAKw==\n");
      let io = captureIO({ cwd: dir });
      assert.equal(await main(["plan", "--stack-config", "Pulumi.secret.yaml"], io), 2);
      assert.equal(io.err(), "hardening plan: --stack-config " + path.join(dir, "Pulumi.secret.yaml") + ": hardening:token is a secret; the offline plan does not read secrets\n");
      assert.doesNotMatch(io.err(), /AAABAKw/);

      fs.writeFileSync(
        path.join(dir, "Pulumi.bad.yaml"),
        "config:\n  hardening:spec:\n    metadataEndpoint: off\n    sandbox: maybe\n",
      );
      io = captureIO({ cwd: dir });
      assert.equal(await main(["plan", "--cloud", "gcp", "--stack-config", "Pulumi.bad.yaml"], io), 2);
      assert.match(io.err(), /\n {2}hardening:spec\.metadataEndpoint "off" is not one of "blocked", "tokenRequired"\.\n/);
      assert.match(io.err(), /\n {2}hardening:spec\.sandbox "maybe" is not one of "none", "runtime"\.\n/);
      assert.equal(io.err().trim().split("\n").length, 3, "a summary, then one line per problem");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a cloud whose module is missing", () => {
    assert.throws(() => loadCloud("mars" as never), (e: unknown) => e instanceof CloudNotAvailableError && /the mars environment is not available/.test(e.message));
  });
});
