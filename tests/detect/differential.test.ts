/**
 * Differential test: the detector of the checkout gives exactly the findings saved in
 * tests/detect/fixtures/findings.digests.json (see findingsSnapshot.ts) on every payload, look-alike, corpus flow,
 * payload inside a flow and mutated payload; and the same inputs read with the cheap gates switched off
 * (detect/gates.ts) give the same findings as with them on. Speed work on the cheap pass and on the gates in front
 * of the decoding passes must keep every finding as it was.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { findEndpointReferences } from "../../detect";
import { GATES } from "../../detect/gates";
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

/** Runs `fn` with the given gates switched off, restoring them after. */
function withGatesOff<T>(off: Partial<typeof GATES>, fn: () => T): T {
  const saved = { ...GATES };
  Object.assign(GATES, off);
  try {
    return fn();
  } finally {
    Object.assign(GATES, saved);
  }
}

describe("detector: the cheap gates change no finding (gated against ungated, differential)", function () {
  this.timeout(300_000);
  // The real flows and a payload inside every fourth of them: with every line a window, a flow costs a hundred
  // times its gated reading.
  const inputs = snapshotInputs().filter((input, i) => !input.name.includes(" in flow ") || i % 4 === 0);
  const show = (text: string): string => JSON.stringify(findEndpointReferences(text).map((r) => `${r.start}-${r.end} ${r.severity} ${r.endpoint} (${r.spelling})`));

  it("gives the same findings with every character a candidate and every window read every way", () => {
    const changed: string[] = [];
    for (const input of inputs) {
      const gated = show(input.text);
      const open = withGatesOff({ windows: false, readings: false }, () => show(input.text));
      if (gated !== open) changed.push(`${input.name}: ${JSON.stringify(input.text.slice(0, 160))}\n    gated: ${gated}\n    ungated: ${open}`);
    }
    assert.equal(changed.length, 0, `${changed.length} inputs differ:\n${changed.slice(0, 10).join("\n")}`);
  });

  it("finds every endpoint the ungated reading finds when every file's Pebble templates are rendered too", () => {
    // Pebble's gate passes over a print tag that starts with a run-time value (`{{ vars.host | default('169.254.169'
    // ~ '.254') }}`); the window readings find its literal fallback instead, on a narrower span. So this compares
    // what is found (endpoint and severity, in order), not spans.
    const verdicts = (text: string): string => JSON.stringify(findEndpointReferences(text).map((r) => `${r.severity} ${r.endpoint}`));
    const changed: string[] = [];
    for (const input of inputs) {
      const gated = verdicts(input.text);
      const open = withGatesOff({ windows: false, readings: false, pebble: false }, () => verdicts(input.text));
      if (gated !== open) changed.push(`${input.name}: ${JSON.stringify(input.text.slice(0, 160))}\n    gated: ${gated}\n    ungated: ${open}`);
    }
    assert.equal(changed.length, 0, `${changed.length} inputs differ:\n${changed.slice(0, 10).join("\n")}`);
  });
});
