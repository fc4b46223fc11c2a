import * as assert from "node:assert/strict";
import fc from "fast-check";
import { findEndpointReferences } from "../../detect";
import { composeDecoded, joinStringLiterals } from "../../detect/concat";
import { METADATA_ENDPOINTS, PROTECTED_SERVICES } from "../../components/endpoints";

const ENDPOINT_V4 = [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses).filter((a) => !a.includes(":")))];
const toNumber = (a: string): number => a.split(".").reduce((n, p) => n * 256 + Number(p), 0);
const EXCLUDED = new Set([...ENDPOINT_V4, ...PROTECTED_SERVICES.map((s) => s.address)].map(toNumber));
const dotted = (v: number): string => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join(".");

/**
 * How a language glues two literals, and how it quotes them. Literals joined by an operator are found however the
 * address is cut; literals joined by adjacency alone only when the line is looked at for another reason (the
 * prefilter does not stop at every quote), here a piece that still holds the address's first `a.b`.
 */
const GLUES = [
  { quote: "'", glue: " + ", operator: true }, // Python, JavaScript, Groovy, Java (with ")
  { quote: '"', glue: " + ", operator: true },
  { quote: "`", glue: "+", operator: true },
  { quote: "'", glue: " .. ", operator: true }, // Lua
  { quote: '"', glue: " . ", operator: true }, // PHP, Perl
  { quote: "'", glue: "||", operator: true }, // SQL
  { quote: "'", glue: " ", operator: false }, // Python's adjacent literals
  { quote: '"', glue: "", operator: false }, // shell words
] as const;

/** `text` cut at the given places (none before `first`) into literals joined by `glue`. */
function split(text: string, cuts: readonly number[], quote: string, glue: string, first = 1): string {
  const at = [...new Set(cuts.map((c) => first + (c % (text.length - first))))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const c of at) {
    pieces.push(text.slice(from, c));
    from = c;
  }
  pieces.push(text.slice(from));
  return pieces.map((p) => `${quote}${p}${quote}`).join(glue);
}

const splitting = fc.record({
  cuts: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  style: fc.constantFrom(...GLUES),
  line: fc.constantFrom((e: string) => `url = ${e}`, (e: string) => `requests.get(${e})`, (e: string) => `    const u = ${e};`),
});

describe("string literals joined together", () => {
  it("maps every character of the joined text back to where it stands", () => {
    const text = `u = 'http://169.254' + '.169.254/' + "x"`;
    const joined = joinStringLiterals(text)!;
    assert.equal(joined.text, `u = 'http://169.254.169.254/' + "x"`);
    for (let i = 0; i < joined.text.length; i++) assert.equal(text[joined.starts![i]], joined.text[i]);
    assert.equal(joinStringLiterals("no literals here"), undefined);
    // Composition: a reading of the joined text maps through both layers to the original.
    const inner = { text: joined.text.slice(0, 3), starts: [0, 1, 2], ends: [1, 2, 3] };
    assert.deepEqual(composeDecoded(joined, inner).starts, [0, 1, 2]);
  });

  it("finds every catalogued IPv4 endpoint in a URL split across literals, in the languages' glues", () => {
    fc.assert(
      fc.property(fc.constantFrom(...ENDPOINT_V4), splitting, (address, s) => {
        const url = `http://${address}/latest/`;
        const first = s.style.operator ? 1 : url.indexOf(".") + 2;
        const text = s.line(split(url, s.cuts, s.style.quote, s.style.glue, first));
        const refs = findEndpointReferences(text).filter((r) => r.severity === "error");
        assert.ok(refs.some((r) => r.endpoint === address), `${address} not found in ${JSON.stringify(text)}: ${JSON.stringify(refs)}`);
      }),
      { numRuns: 400 },
    );
  });

  it("reports no error for other addresses split the same way", () => {
    const other = fc.nat({ max: 0xffffffff }).filter((v) => !EXCLUDED.has(v) && v >>> 16 !== 0xa9fe);
    fc.assert(
      fc.property(other, splitting, (value, s) => {
        const text = s.line(split(`http://${dotted(value)}/latest/`, s.cuts, s.style.quote, s.style.glue));
        assert.deepEqual(findEndpointReferences(text).filter((r) => r.severity === "error"), [], JSON.stringify(text));
      }),
      { numRuns: 400 },
    );
  });

  it("does not join literals that are separate arguments or lines", () => {
    for (const text of ["print('169.254', '169.254')", "a = '169.254'\nb = '.169.254'", "f('169.254'); g('.169.254')"]) {
      assert.deepEqual(findEndpointReferences(text).filter((r) => r.severity === "error"), [], text);
    }
  });
});
