/**
 * The audit's secret maskers against naive definitions, on generated text: SecretMasker leaves no whole occurrence
 * of a secret and touches nothing else; SecretPieceMasker leaves no six-character piece of any secret, and leaves
 * text that shares no such piece alone.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { MIN_SUBSTRING_SECRET, SECRET_MARKER, SecretMasker, SecretPieceMasker } from "../../../policy/audit";

const alphabet = fc.constantFrom(..."abcab[]\"\\ 01");
const text = fc.string({ unit: alphabet, maxLength: 80 });
const secrets = fc.array(fc.string({ unit: alphabet, minLength: 1, maxLength: 12 }), { maxLength: 5 });

/** Covered positions by the naive definition: every occurrence of every secret of 6+ characters. */
function naiveWhole(t: string, list: readonly string[]): string {
  const covered = new Array<boolean>(t.length).fill(false);
  for (const s of list.filter((x) => x.length >= MIN_SUBSTRING_SECRET)) {
    for (let i = t.indexOf(s); i >= 0; i = t.indexOf(s, i + 1)) for (let k = i; k < i + s.length; k++) covered[k] = true;
  }
  let out = "";
  for (let i = 0; i < t.length; i++) {
    if (!covered[i]) out += t[i];
    else if (i === 0 || !covered[i - 1]) out += SECRET_MARKER;
  }
  return out;
}

describe("secret maskers (properties)", () => {
  it("SecretMasker masks exactly the occurrences of secrets of 6+ characters (and whole strings equal to shorter ones)", () => {
    fc.assert(fc.property(text, secrets, (t, list) => {
      const masked = new SecretMasker(list).mask(t);
      if (list.includes(t)) return masked === SECRET_MARKER;
      return masked === naiveWhole(t, list);
    }), { numRuns: 5000 });
  });
  it("SecretPieceMasker leaves no six-character piece of any secret, and text without one unchanged", () => {
    fc.assert(fc.property(text, secrets, (t, list) => {
      const masked = new SecretPieceMasker(list).mask(t);
      if (list.includes(t)) return masked === SECRET_MARKER;
      const pieces = list.flatMap((s) => Array.from({ length: Math.max(0, s.length - 5) }, (_, i) => s.slice(i, i + 6)));
      const shares = pieces.some((p) => t.includes(p));
      if (!shares) return masked === t;
      // The marker itself is not a piece of a secret unless a secret holds it; check the unmasked runs only.
      return masked.split(SECRET_MARKER).every((run) => !pieces.some((p) => run.includes(p)));
    }), { numRuns: 5000 });
  });
  it("masks a realistic message (positive control)", () => {
    const m = new SecretPieceMasker(["hunter2hunter2"]);
    assert.equal(m.mask('httpTokens is "oooohunter2hun..."'), `httpTokens is "oooo${SECRET_MARKER}..."`);
    assert.equal(m.mask("nothing to see"), "nothing to see");
  });
});
