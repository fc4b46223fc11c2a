import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { openState, readState, splitState, StateFileError, MAX_DEPTH } from "../../../policy/audit";
import { STACK_EXPORTS_DIR } from "../../corpus";

const resource = (i: number, extra: Record<string, unknown> = {}) => ({
  urn: `urn:pulumi:dev::p::aws:s3/bucket:Bucket::b${i}`,
  type: "aws:s3/bucket:Bucket",
  inputs: { bucket: `b${i}` },
  ...extra,
});

/** What a whole-document parse says the resources are: the reference the split must agree with. */
function resourcesByWholeParse(text: string): unknown[] | undefined {
  const doc = JSON.parse(text) as { deployment?: { resources?: unknown }; checkpoint?: { latest?: { resources?: unknown } } };
  const r = "deployment" in doc ? doc.deployment?.resources : doc.checkpoint?.latest?.resources;
  return Array.isArray(r) ? r : undefined;
}

/** The elements the split found, each parsed on its own. */
function resourcesBySplit(text: string): unknown[] | undefined {
  const bytes = Buffer.from(text, "utf8");
  const split = splitState(bytes, MAX_DEPTH);
  assert.equal(split.kind, "split");
  if (split.kind !== "split") return undefined;
  const doc = JSON.parse(text) as Record<string, unknown>;
  const array = split.arrays.get("deployment" in doc ? "deployment.resources" : "checkpoint.latest.resources");
  return array?.starts.map((s, i) => JSON.parse(bytes.toString("utf8", s, array.ends[i])) as unknown);
}

/** Every outcome of reading a text: the resources, or the error's message. */
function outcome(text: string): unknown {
  try {
    return readState("f.json", text);
  } catch (e) {
    assert.ok(e instanceof StateFileError, String(e));
    return e.message;
  }
}

describe("reading state one resource at a time", () => {
  it("splits every real export and checkpoint into the resources a whole parse finds", () => {
    const files = fs.readdirSync(STACK_EXPORTS_DIR).filter((f) => f.endsWith(".json"));
    assert.ok(files.length >= 5);
    for (const f of files) {
      const text = fs.readFileSync(path.join(STACK_EXPORTS_DIR, f), "utf8");
      assert.deepEqual(resourcesBySplit(text), resourcesByWholeParse(text), f);
      const state = openState(f, text);
      assert.equal(state.resourceCount, resourcesByWholeParse(text)?.length ?? 0, f);
    }
  });

  it("agrees with a whole parse for any JSON inside the resources, pretty-printed or not", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 6, stringUnit: "binary" }), { maxLength: 6 }), fc.boolean(), fc.boolean(), (values, pretty, checkpoint) => {
        const resources = values.map((v, i) => resource(i, { inputs: { v }, outputs: { v: [v] } }));
        const doc = checkpoint ? { version: 3, checkpoint: { stack: "s", latest: { resources } } } : { version: 3, deployment: { resources } };
        const text = JSON.stringify(doc, null, pretty ? 2 : undefined);
        assert.deepEqual(resourcesBySplit(text), resourcesByWholeParse(text));
      }),
      { numRuns: 300 },
    );
  });

  it("accepts exactly what a whole parse accepts, whatever the damage to the text", () => {
    const text = JSON.stringify({ version: 3, deployment: { manifest: { v: "x" }, resources: [resource(0), resource(1, { outputs: { s: "a\"]},[{\\" } }), resource(2)] } });
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.constantFrom("", "{", "}", "[", "]", ",", '"', "\\", ":", " ", "x"), fc.boolean(), (at, insert, replace) => {
        const damaged = text.slice(0, at) + insert + text.slice(replace ? at + 1 : at);
        let wholeOk = true;
        try {
          JSON.parse(damaged);
        } catch {
          wholeOk = false;
        }
        const got = outcome(damaged);
        if (!wholeOk) assert.match(String(got), /^f\.json: is not valid JSON \(/, `accepted damaged text: ${damaged}`);
        else if (typeof got === "string") assert.doesNotMatch(got, /not valid JSON/, damaged);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps JSON's last-key-wins semantics when a key is repeated", () => {
    const text = `{"version":3,"deployment":{"resources":[${JSON.stringify(resource(1))}]},"deployment":{"resources":[${JSON.stringify(resource(2))}]}}`;
    assert.deepEqual(
      readState("dup.json", text).resources.map((r) => r.name),
      ["b2"],
    );
    const inner = `{"version":3,"deployment":{"resources":[${JSON.stringify(resource(1))}],"resources":[]}}`;
    assert.equal(readState("dup.json", inner).resources.length, 0);
  });

  it("refuses nesting past the limit anywhere in the file, not only inside resources", () => {
    const deep = (n: number) => "[".repeat(n) + "]".repeat(n);
    const inManifest = `{"version":3,"deployment":{"manifest":${deep(10_000)},"resources":[]}}`;
    assert.throws(() => openState("m.json", inManifest), /m\.json: nesting deeper than 256 levels/);
    // The root object is depth 0 and "a" holds depth 5 onwards: containers reaching depth 255 are the deepest accepted.
    const atLimit = `{"version":3,"deployment":{"resources":[{"urn":"u","type":"t","inputs":{"a":${deep(MAX_DEPTH - 5)}}}]}}`;
    assert.equal(readState("ok.json", atLimit).resources.length, 1);
    const pastLimit = `{"version":3,"deployment":{"resources":[{"urn":"u","type":"t","inputs":{"a":${deep(MAX_DEPTH - 4)}}}]}}`;
    assert.throws(() => readState("deep.json", pastLimit), /deep\.json: nesting deeper than 256 levels/);
  });

  it("merges outputs under inputs without letting a __proto__ key become a prototype", () => {
    const text = `{"version":3,"deployment":{"resources":[{"urn":"urn:pulumi:s::p::t::n","type":"t","inputs":{"a":1,"__proto__":{"polluted":true}},"outputs":{"a":0,"b":2}}]}}`;
    const [r] = readState("p.json", text).resources;
    assert.deepEqual(Object.keys(r.props), ["a", "b", "__proto__"]);
    assert.equal(r.props.a, 1);
    assert.equal(Object.getPrototypeOf(r.props), Object.prototype);
    assert.equal((r.props as { polluted?: unknown }).polluted, undefined);
  });

  it("names the stack from the checkpoint, else from the first URN, and counts resources before reading them", () => {
    const exp = openState("e.json", JSON.stringify({ version: 3, deployment: { resources: [resource(0), { bad: true }] } }));
    assert.equal(exp.stack, "dev");
    assert.equal(exp.resourceCount, 2);
    // The bad resource is reported when the reader reaches it.
    const seen: string[] = [];
    assert.throws(() => exp.forEachResource((r) => seen.push(r.name)), /e\.json: resource 1 has no "urn" and "type"/);
    assert.deepEqual(seen, ["b0"]);
    const cp = openState("c.json", JSON.stringify({ version: 4, checkpoint: { stack: "org/proj/prod", latest: null } }));
    assert.equal(cp.stack, "org/proj/prod");
    assert.equal(cp.resourceCount, 0);
  });
});
