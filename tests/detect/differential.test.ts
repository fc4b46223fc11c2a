/**
 * Differential test: the detector of the checkout gives exactly the findings saved in
 * tests/detect/fixtures/findings.digests.json (see findingsSnapshot.ts) on every payload, look-alike, corpus flow,
 * payload inside a flow and mutated payload. Speed work on the cheap pass and on the gates in front of the decoding
 * passes must keep every finding as it was.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { findEndpointReferences } from "../../detect";
import { DIGESTS_FILE, findingsDigest, snapshotInputs } from "./findingsSnapshot";

describe("detector: findings unchanged on the saved inputs (differential)", function () {
  this.timeout(120_000);

  it("gives the saved findings on every input", () => {
    const saved = JSON.parse(fs.readFileSync(DIGESTS_FILE, "utf8")) as { inputs: number; digests: string[] };
    const inputs = snapshotInputs();
    assert.equal(inputs.length, saved.inputs, "the inputs changed; regenerate with `node --import tsx tests/detect/findingsSnapshot.ts --write`");
    const changed: string[] = [];
    inputs.forEach((input, i) => {
      if (findingsDigest(input.text) === saved.digests[i]) return;
      const now = findEndpointReferences(input.text).map((r) => `${r.start}-${r.end} ${r.severity} ${r.endpoint} ${JSON.stringify(r.match)} (${r.spelling})`);
      changed.push(`${input.name}: ${JSON.stringify(input.text.slice(0, 200))}\n    now: ${now.join("; ") || "nothing"}`);
    });
    assert.equal(changed.length, 0, `${changed.length} inputs give other findings than saved:\n${changed.slice(0, 20).join("\n")}`);
  });
});
