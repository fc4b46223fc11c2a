/** jsonChunks writes exactly what JSON.stringify(value, null, 2) writes, at every streaming depth. */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { jsonChunks } from "../../../cli/format/jsonStream";

describe("jsonChunks (streamed JSON)", () => {
  it("joins to JSON.stringify(value, null, 2) for any JSON value and depth", () => {
    const value = fc.jsonValue({ maxDepth: 5 });
    fc.assert(fc.property(value, fc.nat(6), (v, depth) => [...jsonChunks(v, depth)].join("") === JSON.stringify(v, null, 2)), { numRuns: 3000 });
  });
  it("omits undefined properties and writes null for undefined elements, as JSON.stringify does", () => {
    const v = { a: undefined, b: [undefined, 1, { c: undefined, d: "x\ny" }], e: {} };
    assert.equal([...jsonChunks(v, 4)].join(""), JSON.stringify(v, null, 2));
  });
});
