import * as assert from "node:assert/strict";
import fc from "fast-check";
import { METADATA_ENDPOINTS, PROTECTED_SERVICES } from "../../components/endpoints";
import { EndpointReference, findEndpointReferences, forDisplay } from "../../detect";

const ENDPOINT_V4 = [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses).filter((a) => !a.includes(":")))];
const toNumber = (a: string): number => a.split(".").reduce((n, p) => n * 256 + Number(p), 0);
const EXCLUDED = new Set([...ENDPOINT_V4, ...PROTECTED_SERVICES.map((s) => s.address)].map(toNumber));
const isLinkLocal = (v: number): boolean => v >>> 16 === 0xa9fe;
const dotted = (v: number): string => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");

/** How to spell one part: radix, zero padding, letter case. */
const partStyle = fc.record({
  radix: fc.constantFrom("decimal", "octal", "hex"),
  padding: fc.nat({ max: 3 }),
  upper: fc.boolean(),
  upperPrefix: fc.boolean(),
});
type PartStyle = typeof partStyle extends fc.Arbitrary<infer T> ? T : never;

function spellPart(value: number, style: PartStyle): string {
  const pad = "0".repeat(style.padding);
  if (style.radix === "decimal") return String(value);
  if (style.radix === "octal") return `0${pad}${value.toString(8)}`;
  const digits = value.toString(16);
  return `${style.upperPrefix ? "0X" : "0x"}${pad}${style.upper ? digits.toUpperCase() : digits}`;
}

/** Splits a 32-bit value into 1-4 parts the way inet_aton reads them (the last part takes the remaining bytes). */
function splitParts(value: number, count: number): number[] {
  const bytes = [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255];
  const head = bytes.slice(0, count - 1);
  const tail = bytes.slice(count - 1).reduce((n, b) => n * 256 + b, 0);
  return [...head, tail];
}

const FULLWIDTH_DOTS = ["\uff0e", "\u3002", "\uff61"];
const ZERO_WIDTH = ["\u00ad", "\u200b", "\u2060", "\ufeff", "\u200c", "\u200d"];

/** Per character: keep, percent-encode, or swap for a look-alike; optionally a zero-width character before it. */
const charStyle = fc.record({
  how: fc.constantFrom("keep", "keep", "percent", "unicode"),
  zeroWidth: fc.option(fc.constantFrom(...ZERO_WIDTH), { freq: 4 }),
  pick: fc.nat({ max: 2 }),
});
type CharStyle = typeof charStyle extends fc.Arbitrary<infer T> ? T : never;

function lookAlike(c: string, pick: number): string {
  if (c === ".") return FULLWIDTH_DOTS[pick];
  const code = c.charCodeAt(0);
  // Fullwidth forms (U+FF10 digits, U+FF21/U+FF41 letters); circled digits for 1-9 as a second family.
  if (pick === 1 && c >= "1" && c <= "9") return String.fromCodePoint(0x2460 + code - 49);
  if (pick === 2 && c >= "0" && c <= "9") return String.fromCodePoint(0x1d7ce + code - 48); // mathematical bold
  return String.fromCharCode(code + 0xfee0);
}

function encodeChars(host: string, styles: readonly CharStyle[], doublePercent: boolean): string {
  let out = "";
  [...host].forEach((c, i) => {
    const s = styles[i % styles.length];
    if (s.zeroWidth !== null) out += s.zeroWidth;
    if (s.how === "percent") {
      const hex = c.charCodeAt(0).toString(16).padStart(2, "0");
      out += doublePercent ? `%25${hex}` : `%${s.pick === 0 ? hex.toUpperCase() : hex}`;
    } else if (s.how === "unicode") out += lookAlike(c, s.pick);
    else out += c;
  });
  return out;
}

const encoding = fc.record({
  parts: fc.integer({ min: 1, max: 4 }),
  styles: fc.array(partStyle, { minLength: 4, maxLength: 4 }),
  trailingDot: fc.boolean(),
  chars: fc.array(charStyle, { minLength: 1, maxLength: 12 }),
  doublePercent: fc.boolean(),
  prefix: fc.constantFrom("http://", "https://", "http://user:pw@", "http://good.example@", "//", "http://good.example#@"),
  suffix: fc.constantFrom("/", "/latest/meta-data/", ":80/", "", "?a=b", "#top"),
  line: fc.constantFrom((u: string) => `  uri: "${u}"`, (u: string) => `curl -s ${u} | sh`, (u: string) => `fetch('${u}')`, (u: string) => u),
});
type Encoding = typeof encoding extends fc.Arbitrary<infer T> ? T : never;

/** The text, and where the encoded host sits in it. */
function spell(value: number, e: Encoding): { text: string; url: string; hostStart: number; hostEnd: number } {
  const parts = splitParts(value, e.parts).map((p, i) => spellPart(p, e.styles[i]));
  const host = encodeChars(parts.join(".") + (e.trailingDot ? "." : ""), e.chars, e.doublePercent);
  const url = `${e.prefix}${host}${e.suffix}`;
  const text = e.line(url);
  const hostStart = text.indexOf(url) + e.prefix.length;
  return { text, url, hostStart, hostEnd: hostStart + host.length };
}

function checkShape(text: string, refs: readonly EndpointReference[]): void {
  let previousEnd = 0;
  for (const r of refs) {
    assert.ok(r.start >= previousEnd && r.start < r.end && r.end <= text.length, `bad span ${r.start}-${r.end}`);
    assert.equal(r.match, forDisplay(text.slice(r.start, r.end)));
    previousEnd = r.end;
  }
}

describe("findEndpointReferences: properties", () => {
  it("finds every catalogued IPv4 endpoint however it is encoded, as an error on the host's span", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENDPOINT_V4), encoding, (address, e) => {
        const { text, url, hostStart, hostEnd } = spell(toNumber(address), e);
        const refs = findEndpointReferences(text);
        checkShape(text, refs);
        const hit = refs.find((r) => r.severity === "error" && r.start < hostEnd && r.end > hostStart);
        assert.ok(hit, `no error for ${JSON.stringify(text)}: ${JSON.stringify(refs)}`);
        assert.equal(hit.endpoint, address);
        assert.ok(hit.start >= hostStart && hit.end <= hostEnd, `span ${hit.start}-${hit.end} outside host ${hostStart}-${hostEnd}`);
        // The encodings are real: where Node's WHATWG URL parser accepts the URL, it reaches the same address.
        // (`#@` is the exception by design: WHATWG reads the host before `#`, older parsers the one after `@`.)
        if (url.startsWith("http") && !e.doublePercent && !e.prefix.includes("#")) {
          let parsed: URL | undefined;
          try {
            parsed = new URL(url);
          } catch {
            parsed = undefined;
          }
          if (parsed) assert.equal(parsed.hostname, address, `Node reads ${JSON.stringify(url)} as ${parsed.hostname}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("never reports an error for other addresses encoded the same way", () => {
    const other = fc.nat({ max: 0xffffffff }).filter((v) => !EXCLUDED.has(v) && !isLinkLocal(v));
    fc.assert(
      fc.property(other, encoding, (value, e) => {
        const { text } = spell(value, e);
        const refs = findEndpointReferences(text);
        checkShape(text, refs);
        assert.deepEqual(refs, [], `${dotted(value)} as ${JSON.stringify(text)}`);
      }),
      { numRuns: 400 },
    );
  });

  it("reports other link-local addresses as warnings without an endpoint id", () => {
    const linkLocal = fc.nat({ max: 0xffff }).map((low) => (0xa9fe0000 + low) >>> 0).filter((v) => !EXCLUDED.has(v));
    fc.assert(
      fc.property(linkLocal, encoding, (value, e) => {
        const { text } = spell(value, e);
        const refs = findEndpointReferences(text);
        assert.deepEqual(refs.map((r) => [r.severity, r.endpointId, r.endpoint]), [["warning", undefined, dotted(value)]], JSON.stringify(text));
      }),
      { numRuns: 200 },
    );
  });

  it("never throws, and every finding is a sorted, non-overlapping span whose match is the original text", () => {
    const tokens = fc.constantFrom(
      "169", "254", ".", "0x", "a9fe", "0251", ":", "::", "ffff", "[", "]", "%", "%25", "%3", "@", "//", "http:", "\\",
      "\\u00", "\\x3", "&#4", "metadata", "Metadata", ".nip.io", "-", "\u200b", "１", "。", "\n", "\t", "\r", " ", "\"",
      "Y3VybCBodHRwOi8v", "MTY5LjI1NC4xNjkuMjU0", "=", "2852039166", "\ud835", "\udfcf", "host: ", "curl ", "\\\n",
    );
    const noisy = fc.array(tokens, { maxLength: 60 }).map((t) => t.join(""));
    const text = fc.oneof(noisy, fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 100 }), fc.string({ maxLength: 200 }));
    fc.assert(
      fc.property(text, fc.boolean(), (t, decodeBase64) => checkShape(t, findEndpointReferences(t, { decodeBase64 }))),
      { numRuns: 1500 },
    );
  });
});

describe("findEndpointReferences: hostile input completes", function () {
  // Each case is about a megabyte; a quadratic step would take minutes. Timing is not asserted, completion is.
  this.timeout(60_000);
  const MB = 1 << 20;
  const cases: Record<string, string> = {
    "a line of digits and dots": "1.2.3.4.5.6.7.8.9.0.".repeat(MB / 20),
    "a line of digits": "1234567890".repeat(MB / 10),
    "percent signs": "%".repeat(MB),
    "nested percent-encoding": "%25".repeat(MB / 3),
    "percent-encoded digits": "%31%36%39.".repeat(MB / 10),
    "base64 of text": Buffer.from("curl http://example.com/ ".repeat(MB / 32)).toString("base64"),
    "base64-looking letters": "QUFB".repeat(MB / 4),
    colons: ":".repeat(MB),
    "hex groups": "ffff:".repeat(MB / 5),
    backslashes: "\\u00".repeat(MB / 4),
    "fullwidth digits": "１６９．".repeat(MB / 4),
    "zero-width characters": "\u200b".repeat(MB),
    "metadata words": "metadata.".repeat(MB / 9),
    "curl arguments": "curl 2852039167 ".repeat(MB / 16),
    "URL prefixes": "http://".repeat(MB / 7),
  };
  for (const [name, text] of Object.entries(cases)) {
    it(`completes on a megabyte of ${name}`, () => {
      const refs = findEndpointReferences(text);
      checkShape(text, refs);
    });
  }
});
