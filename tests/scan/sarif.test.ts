import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as Sarif from "sarif";
import { parseScanConfig } from "../../scan/config";
import { FINGERPRINT_KEY, toSarif } from "../../cli/format/scan/sarif";
import { SCAN_RULE_IDS } from "../../scan/rules";
import { scanPaths } from "../../scan/scanner";
import { SARIF_SCHEMA, validateSarif } from "../sarif";
import { FIXTURES, literalDetect, removeTree, tempTree } from "./helpers";


describe("scan: SARIF output", () => {
  let dir: string;
  let log: Sarif.Log;
  before(() => {
    dir = tempTree({
      "flows/nested.yml": fs.readFileSync(path.join(FIXTURES, "flows/nested.yml")),
      "flows/with space/legacy.yml": fs.readFileSync(path.join(FIXTURES, "flows/legacy.yml")),
      "flows/bad.yml": "id: x\nnamespace: y\ntasks:\n  - id: a\n   type: \"io.kestra.plugin.core.log.Lo\\x67\"\n",
      "scripts/probe.sh": "curl 169.254.169.254 # hardening:ignore metadata-endpoint reason: regression test\ncurl 169.254.1.1\ncurl 169.254.169.254 # hardening:ignore metadata-endpoint\n",
    });
    const config = parseScanConfig(fs.readFileSync(path.join(FIXTURES, "configs/deny-shell.yml"), "utf8"), "deny-shell.yml");
    const report = scanPaths(["flows", "scripts"], { cwd: dir, detect: literalDetect, config });
    log = toSarif(report, { toolVersion: "1.2.3", cwd: dir });
  });
  after(() => removeTree(dir));

  it("validates against the SARIF 2.1.0 schema", () => {
    assert.equal(SARIF_SCHEMA.$schema, "http://json-schema.org/draft-07/schema#");
    const { ok, errors } = validateSarif(log);
    assert.ok(ok, errors);
  });

  it("rejects a broken log, so the validation above can fail", () => {
    const broken = JSON.parse(JSON.stringify(log));
    broken.runs[0].results[0].level = "fatal";
    broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    assert.equal(validateSarif(broken).ok, false);
  });

  it("describes every rule with an id, help and a default level", () => {
    const rules = log.runs[0].tool.driver.rules!;
    assert.deepEqual(rules.map((r) => r.id), SCAN_RULE_IDS);
    for (const r of rules) {
      assert.ok(r.help?.text && r.shortDescription?.text);
      assert.ok(r.defaultConfiguration?.level === "error" || r.defaultConfiguration?.level === "warning");
    }
    assert.equal(log.runs[0].tool.driver.version, "1.2.3");
  });

  it("gives each result a rule, a level, a repo-relative location and a fingerprint", () => {
    const results = log.runs[0].results!;
    const summary = results.map((r) => {
      const loc = r.locations![0].physicalLocation!;
      return [r.ruleId, r.level, loc.artifactLocation!.uri, loc.artifactLocation!.uriBaseId, loc.region!.startLine, loc.region!.startColumn, r.suppressions?.[0]?.kind ?? null];
    });
    assert.deepEqual(summary, [
      ["invalid-yaml", "warning", "flows/bad.yml", "%SRCROOT%", 5, 1, null],
      ["denied-task-type", "error", "flows/nested.yml", "%SRCROOT%", 22, 23, null],
      ["metadata-endpoint", "error", "flows/nested.yml", "%SRCROOT%", 26, 35, null],
      ["denied-task-type", "error", "flows/with%20space/legacy.yml", "%SRCROOT%", 8, 15, null],
      ["link-local-address", "warning", "scripts/probe.sh", "%SRCROOT%", 2, 6, null],
      ["metadata-endpoint", "error", "scripts/probe.sh", "%SRCROOT%", 3, 6, null],
      ["invalid-ignore", "warning", "scripts/probe.sh", "%SRCROOT%", 3, 24, null],
      ["metadata-endpoint", "error", "scripts/probe.sh", "%SRCROOT%", 1, 6, "inSource"],
    ]);
    assert.equal(results[7].suppressions![0].justification, "regression test");
    for (const r of results) assert.match(r.partialFingerprints![FINGERPRINT_KEY], /^[0-9a-f]{32}:\d+$/);
    assert.equal(new Set(results.map((r) => r.partialFingerprints![FINGERPRINT_KEY])).size, results.length);
    assert.equal(log.runs[0].originalUriBaseIds!["%SRCROOT%"].uri, `file://${dir}/`);
  });

  it("keeps a fingerprint when lines are inserted above the finding", () => {
    const a = tempTree({ "x.sh": "curl 169.254.169.254\n" });
    const b = tempTree({ "x.sh": "# a new first line\n\ncurl 169.254.169.254\n" });
    try {
      const fp = (d: string) => toSarif(scanPaths(["."], { cwd: d, detect: literalDetect }), { toolVersion: "0", cwd: d })
        .runs[0].results![0].partialFingerprints![FINGERPRINT_KEY];
      assert.equal(fp(a), fp(b));
    } finally {
      removeTree(a);
      removeTree(b);
    }
  });
});
