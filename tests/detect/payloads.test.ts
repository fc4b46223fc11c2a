import * as assert from "node:assert/strict";
import { findEndpointReferences } from "../../detect";
import { LOOKALIKES, PAYLOADS } from "./payloads";

/** Payloads the detector gives no error on, by family. */
function misses(): string[] {
  return PAYLOADS.filter((p) => !findEndpointReferences(p.text).some((r) => r.severity === "error")).map((p) => `${p.family}: ${JSON.stringify(p.text)}`);
}

describe("public SSRF payloads (tests/detect/payloads.ts)", () => {
  it("has a broad set from every family", () => {
    const families = new Map<string, number>();
    for (const p of PAYLOADS) families.set(p.family, (families.get(p.family) ?? 0) + 1);
    assert.ok(PAYLOADS.length >= 1000, `only ${PAYLOADS.length} payloads`);
    for (const f of ["patt", "ip.py", "rebinding", "providers", "escapes", "parser", "shell", "pebble", "yaml"]) {
      assert.ok((families.get(f) ?? 0) >= 5, `family ${f} has ${families.get(f) ?? 0} payloads`);
    }
  });

  it("detects at least 99% of them as an endpoint reference (error)", () => {
    const missed = misses();
    const rate = 1 - missed.length / PAYLOADS.length;
    assert.ok(rate >= 0.99, `detected ${(100 * rate).toFixed(2)}% of ${PAYLOADS.length}; missed:\n${missed.join("\n")}`);
  });

  it("gives no error on any look-alike (versions, CIDR lists, dates, templates, shell globs)", () => {
    const errors = LOOKALIKES.flatMap((t) => findEndpointReferences(t).filter((r) => r.severity === "error").map((r) => `${JSON.stringify(t)}: ${r.match} (${r.spelling})`));
    assert.deepEqual(errors, []);
  });
});
