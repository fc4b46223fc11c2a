/**
 * vouchForYaml: table cases at the edges of the subset (each checked against the `yaml` parser, so a wrong
 * expectation here cannot hide an unsound answer), and the real corpus: every flow the check vouches for parses
 * without an error, and the check vouches for nearly all of them (the scan's speed depends on it).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { TRIMMED, vouchForYaml } from "../../scan/yamlVouch";
import { CORPUS, parserErrors } from "./helpers";

// [text, vouched]: every vouched text must parse cleanly (asserted), and each false is a case the subset leaves to
// the parser, valid or not.
const CASES: [string, boolean][] = [
  // The common shape.
  ["id: hello\nnamespace: company.team\ntasks:\n  - id: t\n    type: io.kestra.plugin.core.log.Log\n    message: Hi {{ inputs.x }}\n", true],
  ["tasks:\n- id: a\n  type: b\n- id: c\n", true], // a sequence at its key's indentation
  ["- - a\n  - b\n- c: d\n  e: f\n", true],
  ["a:\n  b:\n    c: 1\n  d: 2\ne: 3\n", true],
  ["a: 1\n---\na: 2\n--- # second\nb: 3\n", true], // the same key in two documents
  ["a: b\r\nc: d\r\n", true],
  ["", true],
  ["# only a comment\n\n", true],
  ["a: b\n      # a deeper comment\nc: d\n", true],
  ["a: http://h:8080/p?q=1#frag\nb: b#c\nc: d # comment\n", true],
  ["a: -1\nb: --flag\n", true],
  ["c: ?x\n", false], // valid, but a leading `?` or `:` is left to the parser
  ["$set: 1\n.profile/x.yml: 2\n/p: 3\nx y: 4\nk-1.v_2: 5\n", true],
  ["1: a\n2: b\n007: c\n", true],
  ["1: a\n\"1\": b\n", false], // 1 and "1" differ to the parser, but their spans are equal: left to the parser
  // Quoted scalars.
  ["a: \"x\\\"y\\n\\t\\x41\\u00e9\\\\ \\/\"\nb: 'it''s'\n", true],
  ["a: \"x\n y\"\n", true],
  ["- a: \"x\n   y\"\n", true],
  ["- a: \"x\n  y\"\n", false], // continuation not deeper than the compact mapping: MISSING_CHAR
  ["a: \"x\ny\"\n", false],
  ["a: \"x \\\n  y\"\n", true], // escaped line break
  ["a: \"unclosed\n", false],
  ["a: 'unclosed\n", false],
  ["a: \"bad \\q escape\"\n", false],
  ["a: \"\\U0001F600\"\n", false], // valid, but \U is left to the parser
  ["a: \"x\" y\n", false],
  ["a: \"x\"# no space\n", false],
  // Plain scalars.
  ["a: b\n c\n", true],
  ["a:\n  b\n c\n", true],
  ["- a: b\n   c\n", true],
  ["- a: b\n  c\n", false], // `c` is a key without a colon there
  ["a: b\n  - c\n", true],
  ["a: b\n  # comment\n  d\n", false], // a comment ends the scalar: BAD_INDENT
  ["a: b: c\n", false],
  ["a: b:\n", false],
  ["a: - b\n", false],
  ["a: -\n", false],
  ["a: &x b\nc: *x\n", false],
  ["a: !!str b\n", false],
  ["a: @b\n", false],
  // Flow collections.
  ["a: [x, 'y', \"z\", [1, {b: c}]]\nb: {}\nc: []\nd: {\"k\":1}\n", true],
  ["a: [x, y,]\n", false],
  ["a: [x\n  , y]\n", false],
  ["a: {b: 1, b: 2}\n", false],
  ["a: {b: 1, \"b\": 2}\n", false],
  ["a: [http://x]\n", false],
  ["a: {{ inputs.x }}\n", false],
  // Block scalars.
  ["a: |\n  line\n\n    deeper\n  # not a comment\n  \ttab in content\nb: c\n", true],
  ["a: >-\n  x\nb: |+\n  y\n\nc: d\n", true],
  ["- |\n  x\n- >\n x\n", true],
  ["- a: |\n   x\n", true],
  ["- a: |\n  x\n", false], // content not deeper than the compact mapping: MISSING_CHAR
  ["a: |\n    \n  x\n", false], // a leading empty line wider than the content: MISSING_CHAR
  ["a: |2\n  x\n", false],
  ["a: |#\n  x\n", false],
  ["a: |\n  x\n # trailing comment, less indented\nb: 1\n", true],
  // Keys and duplicates.
  ["a: 1\na: 2\n", false],
  ["a: 1\n\"a\": 2\n", false],
  ["a: 1\n'a': 2\n", false],
  ["1: a\n01: b\n", false],
  ["x:\n  a: 1\ny:\n  a: 1\n", true],
  ["- a: 1\n  a: 2\n", false],
  ["null: 1\n", false],
  ["True: 1\ntrue: 2\n", false],
  [".inf: 1\n", false],
  [".5: a\n.50: b\n", false],
  ["? a\n: b\n", false],
  ["a : b\n", false],
  ["a:b\n", false],
  [`${"k".repeat(1001)}: v\n`, false],
  // Indentation and tabs.
  ["a:\n  b: 1\n c: 2\n", false],
  ["a:\n\tb: 1\n", false],
  ["a:\tb\n", false],
  ["a: b\t# c\n", false],
  ["  a: 1\n", false], // an indented root is left to the parser
  ["a:\n  - b\n  -\n  c: 1\n", false],
  ["- a\nb: c\n", false],
  // Characters outside the subset.
  ["a: b\u0002c\n", false],
  ["\ufeffa: b\n", false],
  ["a: b\rc: d\n", false],
  ["a: b\n...\n", false],
  ["%YAML 1.2\n---\na: b\n", false],
];

describe("scan: vouchForYaml", () => {
  it("trims a type value as String.prototype.trim does (its table of white space, checked on every UTF-16 unit)", () => {
    const differ: string[] = [];
    for (let c = 0; c < 1 << 16; c++) {
      if ((String.fromCharCode(c).trim() === "") !== (TRIMMED[c] === 1)) differ.push(c.toString(16));
    }
    assert.deepEqual(differ, []);
    assert.equal(TRIMMED[0x20] + TRIMMED[0xa0] + TRIMMED[0x3000], 3, "positive control");
  });

  it("vouches only for text the parser accepts, and for the common shapes of a flow", () => {
    for (const [text, expected] of CASES) {
      const vouched = vouchForYaml(text);
      if (vouched) assert.deepEqual(parserErrors(text), [], `vouched for ${JSON.stringify(text)}, which the parser refuses`);
      assert.equal(vouched, expected, JSON.stringify(text));
    }
  });

  it("refuses what the parser refuses among the table cases (the cases are not vacuous)", () => {
    const invalid = CASES.filter(([text]) => parserErrors(text).length > 0);
    assert.ok(invalid.length >= 30, `${invalid.length} invalid cases`);
    assert.deepEqual(invalid.filter(([text]) => vouchForYaml(text)), []);
  });

  it("is linear on a long line, deep nesting and many keys", () => {
    assert.equal(vouchForYaml(`a: ${"x".repeat(5_000_000)}\n`), true);
    assert.equal(vouchForYaml(`a: "${"x".repeat(5_000_000)}\n`), false);
    // Deeper than MAX_DEPTH: left to the parser, which overflows its stack far deeper (and reports it).
    assert.equal(vouchForYaml(Array.from({ length: 65 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")), false);
    assert.equal(vouchForYaml(Array.from({ length: 64 }, (_, i) => `${" ".repeat(i)}k:`).join("\n")), true);
    const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}: v`);
    assert.equal(vouchForYaml(`${keys.join("\n")}\n`), true);
    assert.equal(vouchForYaml(`${keys.join("\n")}\nk77: again\n`), false);
  });

  describe("on the real corpus", () => {
    const files = fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort();
    const texts = files.map((f) => fs.readFileSync(path.join(CORPUS, f), "utf8"));

    it("vouches for no flow the parser refuses, and for at least 99% of the corpus's bytes", () => {
      let vouchedBytes = 0;
      let totalBytes = 0;
      const unsound: string[] = [];
      const refused: string[] = [];
      texts.forEach((text, i) => {
        totalBytes += text.length;
        const errors = parserErrors(text);
        if (!vouchForYaml(text)) refused.push(`${files[i]}${errors.length > 0 ? " (invalid)" : ""}`);
        else if (errors.length > 0) unsound.push(files[i]);
        else vouchedBytes += text.length;
      });
      assert.deepEqual(unsound, []);
      assert.ok(vouchedBytes / totalBytes >= 0.99, `vouched for ${(100 * vouchedBytes / totalBytes).toFixed(1)}% of the bytes; refused ${refused.join(", ")}`);
      // The corpus's two invalid flows are among the refused.
      assert.equal(refused.filter((f) => f.endsWith("(invalid)")).length, 2, refused.join(", "));
    });
  });
});
