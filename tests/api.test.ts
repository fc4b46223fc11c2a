/**
 * The public API: each entry point names its exports explicitly, matches its checked-in report (api/*.api.txt,
 * `npm run api:report` rewrites them), and exports nothing internal or unsafe.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { apiReports, ENTRY_POINTS, reportFile, reportText } from "../scripts/apiReport";

/** Names that must never be public: test-only or unsafe configurations and the root program's plumbing. */
const NEVER_PUBLIC = ["allowAllSquidConfigFor", "cloudModule", "createAwsEnvironment", "checkAwsEnvironment", "runProgram", "runUnderMocks", "loadCloud"];

describe("public API", function () {
  this.timeout(120_000);
  let reports: Record<string, string[]>;
  before(() => {
    reports = apiReports();
  });

  it("matches the checked-in API report of every entry point (npm run api:report after a deliberate change)", () => {
    for (const entry of Object.keys(ENTRY_POINTS)) {
      const checkedIn = fs.readFileSync(reportFile(entry), "utf8");
      assert.equal(reportText(entry, reports[entry]), checkedIn, `${entry}: the public API changed; review it, then npm run api:report`);
    }
  });

  it("exports nothing internal or unsafe", () => {
    for (const [entry, lines] of Object.entries(reports)) {
      assert.deepEqual(lines.filter((l) => l.endsWith("@internal")), [], entry);
      assert.deepEqual(lines.map((l) => l.split(" ")[1]).filter((n) => NEVER_PUBLIC.includes(n)), [], entry);
      assert.ok(lines.length > 5, `control: ${entry} still exports its API`);
    }
  });

  it("names every export explicitly (no export * in an entry point)", () => {
    for (const file of Object.values(ENTRY_POINTS)) {
      const source = fs.readFileSync(path.join(__dirname, "..", file), "utf8");
      assert.doesNotMatch(source, /^export (type )?\* from/m, file);
    }
  });
});
