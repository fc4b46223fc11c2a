import * as assert from "node:assert/strict";
import { METADATA_ENDPOINTS, PROTECTED_SERVICES } from "../../components/endpoints";
import { findEndpointReferences } from "../../detect";
import { decode, unicodeToAscii } from "../../detect/normalise";

// The detector reads components/endpoints.ts and nothing else: every entry there is found, under the id of the
// first endpoint that lists it, and every protected service that is not also an endpoint is left alone.
const FIRST_ID = new Map<string, string>();
for (const e of METADATA_ENDPOINTS) for (const a of [...e.addresses, ...e.hostnames]) if (!FIRST_ID.has(a)) FIRST_ID.set(a, e.id);

describe("findEndpointReferences follows the catalogue", () => {
  for (const [address, id] of FIRST_ID) {
    const host = address.includes(":") ? `[${address}]` : address;
    it(`finds ${address} in a URL as ${id}`, () => {
      const text = `uri: http://${host}/x`;
      const refs = findEndpointReferences(text);
      assert.deepEqual(
        refs.map((r) => [r.severity, r.endpointId, r.endpoint, r.start, r.end]),
        [["error", id, address, 12, 12 + host.length]],
      );
    });
  }
  const protectedOnly = [...new Set(PROTECTED_SERVICES.map((s) => s.address))].filter((a) => !FIRST_ID.has(a));
  it("has protected-only addresses to check (AWS DNS and NTP, IPv4 and IPv6)", () => assert.ok(protectedOnly.length >= 4));
  for (const address of protectedOnly) {
    it(`leaves the protected service ${address} alone`, () => {
      const host = address.includes(":") ? `[${address}]` : address;
      assert.deepEqual(findEndpointReferences(`uri: http://${host}/x and ${address}`), []);
    });
  }
});

describe("decode maps every Unicode look-alike of an ASCII character", () => {
  it("turns each code point NFKC and IDNA map to printable ASCII into that ASCII, with offsets on the original", () => {
    let checked = 0;
    for (let cp = 0x80; cp <= 0x2ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      const mapped = ch.normalize("NFKC").replace(/\u3002/g, ".");
      if (!/^[\x21-\x7e]+$/.test(mapped)) continue;
      const d = decode(`<${ch}>`);
      assert.equal(d.text, `<${mapped}>`, `U+${cp.toString(16)}`);
      assert.deepEqual([d.starts![1], d.ends![mapped.length]], [1, 1 + ch.length], `U+${cp.toString(16)} offsets`);
      checked++;
    }
    // Fullwidth forms alone are 94; enclosed alphanumerics, mathematical digits and letters add thousands.
    assert.ok(checked > 1000, `only ${checked} look-alikes`);
  });
  it("drops default-ignorable code points (zero-width space, joiners, soft hyphen, BOM, variation selectors)", () => {
    for (const cp of [0xad, 0x34f, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0xfe0f, 0xe0100]) {
      assert.equal(unicodeToAscii(cp), "", `U+${cp.toString(16)}`);
    }
  });
});
