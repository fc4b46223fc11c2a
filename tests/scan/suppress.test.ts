import * as assert from "node:assert/strict";
import { ConfigExceptions, findInlineIgnores, inlineIgnoreFor } from "../../scan/suppress";
import { LineIndex } from "../../scan/lines";

describe("scan: exceptions", () => {
  const parse = (text: string) => {
    const lines = new LineIndex(text);
    return findInlineIgnores(text, (o) => lines.position(o).line);
  };

  it("parses rule ids and the mandatory reason, in any comment syntax", () => {
    const ignores = parse([
      "curl x # hardening:ignore metadata-endpoint reason: SSRF test fixture",
      "// hardening:ignore metadata-endpoint, link-local-address reason: docs example */",
      "<!-- hardening:ignore metadata-endpoint -->",
      "# hardening:ignore",
      "# hardening:ignore metadata-endpont reason: typo",
    ].join("\n"));
    assert.deepEqual(ignores.map((i) => [i.line, i.ruleIds, i.reason, i.problem]), [
      [1, ["metadata-endpoint"], "SSRF test fixture", undefined],
      [2, ["metadata-endpoint", "link-local-address"], "docs example", undefined],
      [3, ["metadata-endpoint"], "", "gives no reason"],
      [4, [], "", "names no rule id"],
      [5, ["metadata-endpont"], "typo", "names unknown rule id \"metadata-endpont\""],
    ]);
  });

  it("covers a finding on the same line or the line after, for the named rule only", () => {
    const ignores = parse("a\n# hardening:ignore metadata-endpoint reason: fixture\nb\nc\n");
    assert.equal(inlineIgnoreFor(ignores, "metadata-endpoint", 2)?.line, 2);
    assert.equal(inlineIgnoreFor(ignores, "metadata-endpoint", 3)?.line, 2);
    assert.equal(inlineIgnoreFor(ignores, "metadata-endpoint", 4), undefined);
    assert.equal(inlineIgnoreFor(ignores, "metadata-endpoint", 1), undefined);
    assert.equal(inlineIgnoreFor(ignores, "denied-task-type", 3), undefined);
  });

  it("never lets an invalid ignore suppress", () => {
    const ignores = parse("# hardening:ignore metadata-endpoint\nx\n");
    assert.equal(inlineIgnoreFor(ignores, "metadata-endpoint", 2), undefined);
  });

  it("matches config exceptions by file glob and rule id", () => {
    const ex = new ConfigExceptions([{ file: "flows/fixtures/**", ruleId: "metadata-endpoint", reason: "fixtures" }]);
    assert.equal(ex.find("flows/fixtures/a/b.yml", "metadata-endpoint")?.reason, "fixtures");
    assert.equal(ex.find("flows/fixtures/.hidden.yml", "metadata-endpoint")?.reason, "fixtures");
    assert.equal(ex.find("flows/prod/b.yml", "metadata-endpoint"), undefined);
    assert.equal(ex.find("flows/fixtures/b.yml", "denied-task-type"), undefined);
  });
});
