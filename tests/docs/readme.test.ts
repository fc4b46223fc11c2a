import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { README, renderDiagrams, withDiagrams } from "../../scripts/readmeDiagrams";

describe("README.md", () => {
  it("shows each cloud's topology exactly as hardening plan draws it now", async function () {
    this.timeout(60_000);
    const committed = fs.readFileSync(README, "utf8");
    const expected = withDiagrams(committed, await renderDiagrams());
    assert.ok(committed === expected, "README.md's diagrams are out of date; run: npm run docs:readme");
  });

  it("opens with the two set-up commands a fresh machine needs", () => {
    const head = fs.readFileSync(README, "utf8").split("\n").slice(0, 6).join("\n");
    assert.match(head, /npm ci && npm run plan/);
    assert.match(head, /npm ci && npm test/);
  });
});
