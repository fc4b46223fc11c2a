/**
 * The parser-free reading of vouched flows (scan/vouchedTree.ts) against the `yaml` parser itself: on every corpus
 * flow and fixture the fast validity check vouches for, and on generated flows, the reader's nodes have the parser's
 * structure, keys and key positions, and every scalar it reads has the parser's value, style and position (the ones
 * it does not read throw when read). The runner-escape check then finds the same escapes, at the same places, either
 * way, and so does a whole scan.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import * as YAML from "yaml";
import { findRunnerEscapes, findRunnerEscapesVouched } from "../../scan/runnerEscapes";
import { readVouchedTree, UNREAD } from "../../scan/vouchedTree";
import { vouchForYaml } from "../../scan/yamlVouch";
import { corpusAndFixtureFlows, scanFlowsWithToggle } from "./helpers";

/** Differences between the parser's node `a` and the reader's `b` (empty when they agree); counts unread scalars. */
function differences(a: unknown, b: unknown, where: string, out: string[], seen: { unread: number; read: number }): void {
  if (YAML.isMap(a) || YAML.isMap(b)) {
    if (!YAML.isMap(a) || !YAML.isMap(b)) return void out.push(`${where}: a map on one side only`);
    if (a.items.length !== b.items.length) return void out.push(`${where}: ${a.items.length} pairs against ${b.items.length}`);
    a.items.forEach((p, i) => {
      differences(p.key, b.items[i].key, `${where}.key${i}`, out, seen);
      differences(p.value, b.items[i].value, `${where}.${String((p.key as YAML.Scalar).value)}`, out, seen);
    });
    return;
  }
  if (YAML.isSeq(a) || YAML.isSeq(b)) {
    if (!YAML.isSeq(a) || !YAML.isSeq(b)) return void out.push(`${where}: a sequence on one side only`);
    if (a.items.length !== b.items.length) return void out.push(`${where}: ${a.items.length} items against ${b.items.length}`);
    a.items.forEach((x, i) => differences(x, b.items[i], `${where}[${i}]`, out, seen));
    return;
  }
  if (YAML.isScalar(a) && YAML.isScalar(b)) {
    let value: unknown;
    try {
      value = b.value;
    } catch (e) {
      if (e !== UNREAD) throw e;
      seen.unread++;
      return;
    }
    seen.read++;
    if (!Object.is(a.value, value)) out.push(`${where}: ${JSON.stringify(a.value)} against ${JSON.stringify(value)}`);
    if (a.type !== b.type) out.push(`${where}: style ${a.type} against ${b.type}`);
    if (a.range![0] !== b.range![0] || a.range![1] !== b.range![1]) out.push(`${where}: at ${a.range!.slice(0, 2)} against ${b.range!.slice(0, 2)}`);
    return;
  }
  if (a !== b) out.push(`${where}: ${String(a)} against ${String(b)}`);
}

/** Compares the reader with the parser on `text` when the check vouches for it; the number of trees compared. */
function agrees(text: string, seen: { unread: number; read: number }, name = "generated"): number {
  if (!vouchForYaml(text)) return 0;
  const tree = readVouchedTree(text);
  if (!tree) return 0;
  const docs = YAML.parseAllDocuments(text, { prettyErrors: false }) as YAML.Document.Parsed[];
  assert.equal(docs.length, 1, `${name}: the reader read one document, the parser ${docs.length}`);
  const out: string[] = [];
  differences(docs[0].contents, tree.contents, "", out, seen);
  assert.deepEqual(out, [], `${name}:\n${text}`);
  return 1;
}

describe("scan: parser-free reading of vouched flows", () => {
  it("agrees with the parser on every corpus flow and fixture it reads", function () {
    this.timeout(120_000);
    const seen = { unread: 0, read: 0 };
    let trees = 0;
    const files = corpusAndFixtureFlows();
    for (const f of files) trees += agrees(f.text, seen, f.name);
    // Positive controls: nearly every flow is read, with both read and unread scalars.
    assert.ok(trees >= files.length * 0.9, `only ${trees} of ${files.length} files read`);
    assert.ok(seen.read > 10_000 && seen.unread > 1_000, JSON.stringify(seen));
  });

  it("agrees with the parser on generated flows in every spelling the vouched subset allows", function () {
    this.timeout(120_000);
    const word = fc.constantFrom("host", "bridge", "true", "True", "yes", "on", "false", "null", "~", "010", "0x1F", "1e3", "-2", ".5",
      "/var/run/docker.sock:/var/run/docker.sock", "a b", "{{ inputs.x }}", "io.kestra.plugin.scripts.runner.docker.Docker", "x#y", "c: d");
    const key = fc.constantFrom("id", "type", "networkMode", "privileged", "volumes", "config", "values", "spec", "hostPath", "path", "1", "true", "a b");
    const scalar = fc.oneof(
      word.map((w) => (w.includes(": ") || w.startsWith("{") || w.startsWith("~") && w.length > 1 ? `"${w}"` : w)),
      word.map((w) => `"${w}"`),
      word.map((w) => `'${w}'`),
      word.map((w) => `"${w}\\t"`),
      word.map((w) => `'it''s ${w}'`),
      word.map((w) => `${w} # a comment`),
      fc.constant("|\n{i}  line one\n{i}  line two"),
      fc.constant(">-\n{i}  folded\n\n{i}  text"),
      fc.constant("plain\n{i}  continued"),
      fc.constant("\"quoted\n{i}  continued\""),
      fc.constant("[a, \"b\", 'c', 1, true]"),
      fc.constant("{k: v, \"q\": 'w', n: 2}"),
      fc.constant(""),
    );
    type Tree = { kind: "map"; entries: [string, Tree][] } | { kind: "seq"; items: Tree[] } | { kind: "scalar"; text: string };
    const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        scalar.map((text) => ({ kind: "scalar", text }) as Tree),
        fc.uniqueArray(fc.tuple(key, tie("node")), { minLength: 1, maxLength: 4, selector: ([k]) => k }).map((entries) => ({ kind: "map", entries }) as Tree),
        fc.array(tie("node"), { minLength: 1, maxLength: 3 }).map((items) => ({ kind: "seq", items }) as Tree),
      ),
    })).node;
    /** Block YAML for `t` at indentation `ind`, as the value after `key:` or `- ` (`inline`: on that line). */
    const render = (t: Tree, ind: number, step: number, compact: boolean): string => {
      const pad = " ".repeat(ind);
      if (t.kind === "scalar") return ` ${t.text.replace(/\{i\}/g, pad)}`;
      if (t.kind === "map") {
        const lines = t.entries.map(([k, v]) => `${k}:${render(v, ind + step, step, compact)}`);
        return compact ? `\n${pad}${lines.join(`\n${pad}`)}` : `\n${pad}${lines.join(`\n${pad}`)}`;
      }
      return `\n${t.items.map((x) => `${pad}-${x.kind === "map" && compact ? ` ${render(x, ind + 2, step, compact).trimStart()}` : render(x, ind + step, step, compact)}`).join("\n")}`;
    };
    const seen = { unread: 0, read: 0 };
    let trees = 0;
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(key, tree), { minLength: 1, maxLength: 4, selector: ([k]) => k }), fc.constantFrom(2, 4), fc.boolean(), fc.boolean(), (entries, step, compact, comments) => {
        const body = entries.map(([k, v]) => `${k}:${render(v, step, step, compact)}`).join(comments ? "\n# between\n\n" : "\n");
        trees += agrees(`id: f\nnamespace: company.team\n${body}\n`, seen);
      }),
      { numRuns: 3000, seed: 20261206 },
    );
    assert.ok(trees > 1000 && seen.read > 5000 && seen.unread > 500, `${trees} trees, ${JSON.stringify(seen)}`);
  });

  it("finds the same runner escapes as the parsed document, and a scan reports the same with it off", function () {
    this.timeout(120_000);
    let escapes = 0;
    scanFlowsWithToggle("vouchedTree", (withTree, parsed, f) => {
      const expected = findRunnerEscapes(f.text);
      if (vouchForYaml(f.text)) assert.deepEqual(findRunnerEscapesVouched(f.text), expected, f.name);
      escapes += expected.length;
      assert.deepEqual(withTree, parsed, f.name);
    });
    assert.ok(escapes >= 20, `positive control: ${escapes} escapes`);
  });
});
