/**
 * Property: vouchForYaml is sound. Whenever it vouches for a text, the `yaml` parser (with the scanner's options)
 * reports no error. Checked on generated documents that sit on the subset's edges (varied indentation, compact
 * and indentless sequences, multi-line plain and quoted scalars, block scalars with leading empty lines, flow
 * collections, colliding keys), on random soups of YAML-looking lines, and on real corpus flows, each also mutated
 * (tabs, broken indentation, unclosed quotes, stray `:`/`-`/`[`/`{`, duplicated lines, truncation). And: a scan with
 * the check reports exactly what a scan that parses every YAML file reports.
 *
 * YAML_VOUCH_RUNS=n multiplies the number of runs, for a longer hunt than the suite's few seconds.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { ScanContext, scanText } from "../../scan/scanner";
import { vouchForYaml, YamlNotes } from "../../scan/yamlVouch";
import { RUNNER_KEY_WATCH } from "../../scan/runnerEscapes";
import { CORPUS, literalDetect, parserErrors } from "./helpers";

const SCALE = Number(process.env.YAML_VOUCH_RUNS ?? 1);
const runs = (n: number) => ({ numRuns: Math.round(n * SCALE) });

// ---- Documents built as trees, rendered in block style.

type Scalar =
  | { kind: "plain"; lines: string[]; deeper: number }
  | { kind: "quoted"; quote: string; lines: string[]; deeper: number }
  | { kind: "flow"; text: string }
  | { kind: "block"; header: string; leading: number[]; lines: [number, string][]; deeper: number };
type Node = Scalar | { kind: "map"; entries: [string, Node][] } | { kind: "seq"; items: Node[] };

// Keys that collide to the parser (`a`/"a"/'a', 1/01), resolve to non-strings, or need quoting.
const KEYS = ["id", "type", "a", "\"a\"", "'a'", "b", "1", "01", "2", "x y", "$gt", ".p", "/p", "null", "True", "k-1", "v.2", ".5", "\"x:y\"", "'q''q'"];
const PLAIN = ["hello", "world {{ x }}", "http://h:1/p", "-x", "a]b", "[c", "}}\"", "--r \\", "?q", ":x", "a #c", "a:b", "é ü 😀", "x  y", "- z", "k: v", "end:", "'s", "\"d"];
const QUOTED = ["a", " b ", "\\\"", "\\n\\t", "\\x41", "\\u00e9", "\\q", "#c", "{{ x }}", "'", "''", "", "\\", "\""];
const FLOW = ["[a, b]", "[]", "{}", "{a: 1, b: [x, {c: d}]}", "{\"a\": 1}", "[-1, 'x', \"y\"]", "{a: 1, \"a\": 2}", "[a b, c]", "[a,]", "{a: }", "[a, [b]", "{{ x }}"];
const BLOCK = ["text", "# not a comment", "- x", "a: b", "\tt", "", "\"q", "---", "..."];

const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.record({ kind: fc.constant("plain" as const), lines: fc.array(fc.constantFrom(...PLAIN), { minLength: 1, maxLength: 3 }), deeper: fc.nat(3) }),
  fc.record({
    kind: fc.constant("quoted" as const), quote: fc.constantFrom("\"", "'"),
    lines: fc.array(fc.constantFrom(...QUOTED), { minLength: 1, maxLength: 3 }), deeper: fc.nat(3),
  }),
  fc.record({ kind: fc.constant("flow" as const), text: fc.constantFrom(...FLOW) }),
  fc.record({
    kind: fc.constant("block" as const), header: fc.constantFrom("|", ">", "|-", ">+", "|2", "| # c"),
    leading: fc.array(fc.nat(6), { maxLength: 2 }), lines: fc.array(fc.tuple(fc.nat(3), fc.constantFrom(...BLOCK)), { maxLength: 4 }),
    deeper: fc.nat(3),
  }),
);

const { node } = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.record({ kind: fc.constant("map" as const), entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), tie("node")), { minLength: 1, maxLength: 4 }) }),
    fc.record({ kind: fc.constant("seq" as const), items: fc.array(tie("node"), { minLength: 1, maxLength: 3 }) }),
  ),
}));

interface Style {
  /** Extra indentation of a nested collection. */
  readonly step: number;
  /** Sequences under a key at the key's indentation. */
  readonly indentless: boolean;
  /** `- key: value` rather than `-` and the mapping below. */
  readonly compact: boolean;
  /** A plain or quoted scalar on the line after its key. */
  readonly ownLine: boolean;
  /** A comment line before every n-th node (0: none), at a varying indentation. */
  readonly comments: number;
}

const style: fc.Arbitrary<Style> = fc.record({
  step: fc.integer({ min: 1, max: 4 }), indentless: fc.boolean(), compact: fc.boolean(), ownLine: fc.boolean(), comments: fc.nat(8),
});

/** Renders `root` as a block-style document; continuation lines are placed relative to the owning collection. */
function render(root: Node, st: Style): string {
  const out: string[] = [];
  let count = 0;
  const pad = (n: number) => " ".repeat(Math.max(0, n));
  const scalarLines = (s: Scalar, first: string, owner: number) => {
    switch (s.kind) {
      case "flow":
        out.push(first + s.text);
        return;
      case "plain":
        out.push(first + s.lines[0]);
        for (const l of s.lines.slice(1)) out.push(pad(owner + s.deeper) + l);
        return;
      case "quoted":
        s.lines.forEach((l, i) => {
          const last = i === s.lines.length - 1 ? s.quote : "";
          out.push(i === 0 ? `${first}${s.quote}${l}${last}` : `${pad(owner + s.deeper)}${l}${last}`);
        });
        return;
      case "block":
        out.push(first + s.header);
        for (const w of s.leading) out.push(pad(w));
        for (const [extra, text] of s.lines) out.push(text === "" ? "" : pad(owner + s.deeper + extra) + text);
        return;
    }
  };
  const walk = (n: Node, col: number, first: string, owner: number) => {
    if (st.comments > 0 && ++count % st.comments === 0) out.push(`${pad((col + count) % 9)}# comment`);
    if (n.kind === "map") {
      n.entries.forEach(([key, value], i) => {
        const lead = i === 0 ? first : pad(col);
        if (value.kind === "map" || value.kind === "seq") {
          out.push(`${lead}${key}:`);
          const indent = value.kind === "seq" && st.indentless ? col : col + st.step;
          walk(value, indent, pad(indent), col);
        } else if (st.ownLine && (value.kind === "plain" || value.kind === "quoted")) {
          out.push(`${lead}${key}:`);
          walk(value, col + st.step, pad(col + st.step), col);
        } else {
          walk(value, col, `${lead}${key}: `, col);
        }
      });
    } else if (n.kind === "seq") {
      n.items.forEach((item, i) => {
        const lead = i === 0 ? first : pad(col);
        if (st.compact || (item.kind !== "map" && item.kind !== "seq")) {
          walk(item, col + 2, `${lead}- `, col);
        } else {
          out.push(`${lead}-`);
          walk(item, col + st.step, pad(col + st.step), col);
        }
      });
    } else {
      scalarLines(n, first, owner);
    }
  };
  walk(root.kind === "map" || root.kind === "seq" ? root : { kind: "map", entries: [["root", root]] }, 0, "", 0);
  return `${out.join("\n")}\n`;
}

const tree = fc.tuple(node, style).map(([n, st]) => render(n, st));

// ---- Soups of YAML-looking lines: mostly invalid, in every way a line can be.

const SOUP_VALUES = [...PLAIN, ...FLOW, "\"q\"", "'q'", "\"unclosed", "|", ">-", "|2", "&a b", "*a", "!!str b", "? b", "-", "---", "...", "b: c: d"];
const soupLine = fc.oneof(
  fc.tuple(fc.nat(8), fc.constantFrom(...KEYS, "?", "[a]", "&x a", "a "), fc.option(fc.constantFrom(...SOUP_VALUES))).map(([i, k, v]) => `${" ".repeat(i)}${k}:${v === null ? "" : ` ${v}`}`),
  fc.tuple(fc.nat(8), fc.integer({ min: 1, max: 2 }), fc.option(fc.constantFrom(...KEYS)), fc.option(fc.constantFrom(...SOUP_VALUES)))
    .map(([i, dashes, k, v]) => `${" ".repeat(i)}${"- ".repeat(dashes)}${k === null ? "" : `${k}:`}${v === null ? "" : ` ${v}`}`.trimEnd()),
  fc.tuple(fc.nat(10), fc.constantFrom(...SOUP_VALUES, ...QUOTED, ...BLOCK)).map(([i, v]) => `${" ".repeat(i)}${v}`),
  fc.nat(8).map((i) => `${" ".repeat(i)}# comment`),
  fc.nat(10).map((i) => " ".repeat(i)),
  fc.constant("---"),
);
const soup = fc.array(soupLine, { minLength: 1, maxLength: 14 }).map((lines) => `${lines.join("\n")}\n`);

// ---- Mutations.

const INSERTS = [":", "-", "[", "]", "{", "}", "\"", "'", "#", "|", ">", "\t", " ", "  ", "\n", "\\", "&", "*", "!", "?", ",",
  "\r", "\r\n", "---\n", "a", "0", ": ", "- ", " #", "\ufeff", "\u0085", "\u0002", "%", "@"];
type Mutation =
  | { op: "insert"; at: number; s: string }
  | { op: "delete"; at: number; n: number }
  | { op: "indent"; at: number; by: number }
  | { op: "duplicateLine" | "truncate" | "tab"; at: number };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), s: fc.constantFrom(...INSERTS) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant("indent" as const), at: fc.nat(), by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ op: fc.constantFrom("duplicateLine" as const, "truncate" as const, "tab" as const), at: fc.nat() }),
);

function mutate(text: string, m: Mutation): string {
  if (text.length === 0) return text;
  const at = m.at % text.length;
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  const lineEnd = text.indexOf("\n", at) < 0 ? text.length : text.indexOf("\n", at);
  switch (m.op) {
    case "insert": return text.slice(0, at) + m.s + text.slice(at);
    case "delete": return text.slice(0, at) + text.slice(at + m.n);
    case "indent": {
      if (m.by >= 0) return text.slice(0, lineStart) + " ".repeat(m.by) + text.slice(lineStart);
      let k = 0;
      while (k < -m.by && text[lineStart + k] === " ") k++;
      return text.slice(0, lineStart) + text.slice(lineStart + k);
    }
    case "duplicateLine": return `${text.slice(0, lineEnd)}\n${text.slice(lineStart, lineEnd)}${text.slice(lineEnd)}`;
    case "truncate": return text.slice(0, at);
    case "tab": {
      // A tab where indentation ends: the parser refuses tabs there.
      let k = lineStart;
      while (text[k] === " ") k++;
      return `${text.slice(0, k)}\t${text.slice(k)}`;
    }
  }
}

/** Checks soundness on `text` and counts what happened, so a test can show the property was not vacuous. */
class Tally {
  vouched = 0;
  invalid = 0;
  total = 0;

  check(text: string): void {
    this.total++;
    const errors = parserErrors(text);
    if (errors.length > 0) this.invalid++;
    const vouched = vouchForYaml(text);
    // Noting keys and types for a caller (runnerEscapes.ts) never changes the verdict.
    assert.equal(vouchForYaml(text, new YamlNotes(RUNNER_KEY_WATCH)), vouched, `the verdict changed with notes on ${JSON.stringify(text)}`);
    if (!vouched) return;
    this.vouched++;
    assert.deepEqual(errors, [], `vouched for ${JSON.stringify(text)}, which the parser refuses`);
  }

  /** At least a tenth of the texts were vouched for and a tenth were invalid. */
  assertBothSides(): void {
    assert.ok(this.vouched >= this.total / 10 && this.invalid >= this.total / 10, JSON.stringify(this));
  }
}

describe("scan: vouchForYaml is sound (property)", function () {
  this.timeout(60000 * Math.max(1, SCALE));

  it("on generated trees and their mutations", () => {
    const tally = new Tally();
    const mutated = new Tally();
    fc.assert(fc.property(tree, fc.array(mutation, { minLength: 1, maxLength: 3 }), (text, ms) => {
      tally.check(text);
      let t = text;
      for (const m of ms) mutated.check(t = mutate(t, m));
    }), runs(1500));
    tally.assertBothSides();
    mutated.assertBothSides();
    if (SCALE > 1) process.stdout.write(`\n  trees ${JSON.stringify(tally)}, mutated ${JSON.stringify(mutated)}\n`);
  });

  it("on soups of YAML-looking lines and their mutations", () => {
    const tally = new Tally();
    fc.assert(fc.property(soup, fc.array(mutation, { maxLength: 2 }), (text, ms) => {
      tally.check(text);
      let t = text;
      for (const m of ms) tally.check(t = mutate(t, m));
    }), runs(1500));
    if (SCALE > 1) process.stdout.write(`\n  soups ${JSON.stringify(tally)}\n`);
    assert.ok(tally.vouched >= tally.total / 20, JSON.stringify(tally));
    assert.ok(tally.invalid >= tally.total / 2, JSON.stringify(tally));
  });

  it("on mutated corpus flows", () => {
    const texts = fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => fs.readFileSync(path.join(CORPUS, f), "utf8"));
    const tally = new Tally();
    fc.assert(fc.property(fc.nat(texts.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (i, ms) => {
      let t = texts[i];
      for (const m of ms) t = mutate(t, m);
      tally.check(t);
    }), runs(400));
    if (SCALE > 1) process.stdout.write(`\n  corpus ${JSON.stringify(tally)}\n`);
    tally.assertBothSides();
  });

  it("a scan with the check reports exactly what a scan that parses every YAML file reports", () => {
    const fast = new ScanContext(literalDetect);
    const full = new ScanContext(literalDetect);
    full.vouch = false;
    let invalidReported = 0;
    fc.assert(fc.property(fc.oneof(tree, soup), fc.array(mutation, { maxLength: 2 }), (text, ms) => {
      let t = text;
      for (const m of ms) t = mutate(t, m);
      const expected = scanText(t, "f.yml", full);
      assert.deepEqual(scanText(t, "f.yml", fast), expected);
      if (expected.findings.some((f) => f.ruleId === "invalid-yaml")) invalidReported++;
    }), runs(800));
    assert.ok(invalidReported >= 100, `${invalidReported} invalid-yaml findings`);
  });
});
