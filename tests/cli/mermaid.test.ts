/**
 * `hardening plan --format mermaid` through Mermaid's own parser (the `mermaid` package, under a jsdom window),
 * for every cloud and for all clouds in one document.
 */
import * as assert from "node:assert/strict";
import { main } from "../../cli";
import { CLOUDS } from "../../program/environment";
import { captureIO } from "./helpers";

type Parse = (text: string) => Promise<unknown>;
let parse: Parse;

async function plan(argv: string[]): Promise<string> {
  const io = captureIO();
  const code = await main(["plan", ...argv, "--format", "mermaid"], io);
  assert.ok(code === 0 || code === 1, io.err());
  return io.out();
}

describe("hardening plan --format mermaid, read by Mermaid's parser", function () {
  this.timeout(180_000);

  before(async () => {
    const { JSDOM } = await import("jsdom");
    const dom = new JSDOM("<!doctype html><html><body></body></html>");
    Object.assign(globalThis, { window: dom.window, document: dom.window.document });
    const mermaid = ((await import("mermaid")) as unknown as { default: { initialize(c: object): void; parse: Parse } }).default;
    mermaid.initialize({ startOnLoad: false });
    parse = (text) => mermaid.parse(text);
  });

  after(() => {
    delete (globalThis as { window?: unknown }).window;
    delete (globalThis as { document?: unknown }).document;
  });

  it("refuses what it should (controls: two headers in one document, a dangling edge) and accepts a small chart", async () => {
    await assert.rejects(parse("flowchart LR\n  a --> b\nflowchart LR\n  c --> d\n"));
    await assert.rejects(parse("flowchart LR\n  a -->\n"));
    await parse("flowchart LR\n  a --> b\n");
  });

  for (const cloud of CLOUDS) {
    it(`parses the ${cloud} diagram, which has edges`, async () => {
      const text = await plan(["--cloud", cloud]);
      await parse(text);
      assert.match(text, /^flowchart LR\n/);
      assert.match(text, / --> /, "references are drawn as edges");
    });
  }

  it("parses all clouds together as one document with one header", async () => {
    const text = await plan([]);
    await parse(text);
    assert.equal(text.match(/^flowchart /gm)?.length, 1);
    for (const cloud of CLOUDS) assert.match(text, new RegExp(`subgraph ${cloud}_plan\\["${cloud}"\\]`));
  });
});
