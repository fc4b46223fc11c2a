import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { findEndpointReferences } from "../../detect";
import { KESTRA_FLOWS_DIR } from "../corpus";

// Real public Kestra flows, none of which references a metadata endpoint: any error here is a false positive.
const CORPUS = KESTRA_FLOWS_DIR;
const FLOWS = fs.existsSync(CORPUS) ? fs.readdirSync(CORPUS).filter((f) => /\.ya?ml$/.test(f)) : [];

describe("findEndpointReferences on real Kestra flows", () => {
  it("has the corpus", () => assert.ok(FLOWS.length > 800, `expected the 816 flows in ${CORPUS}, found ${FLOWS.length}`));

  it("reports no error on any flow", () => {
    const errors: string[] = [];
    for (const f of FLOWS) {
      const text = fs.readFileSync(path.join(CORPUS, f), "utf8");
      for (const r of findEndpointReferences(text)) {
        if (r.severity === "error") errors.push(`${f}: ${r.match} (${r.spelling})`);
      }
    }
    assert.deepEqual(errors, []);
  });

  it("finds exactly the endpoints the corpus's SOURCES.md names in its grep list", () => {
    const text = fs.readFileSync(path.join(CORPUS, "SOURCES.md"), "utf8");
    assert.deepEqual(
      findEndpointReferences(text).map((r) => [r.severity, r.endpointId, r.match]),
      [
        ["error", "alibaba-metadata", "100.100.100.200"],
        ["error", "oracle-classic-metadata", "192.0.0.192"],
        // `169.254.170` is a three-part address to inet_aton: 169.254.0.170, link-local.
        ["warning", undefined, "169.254.170"],
      ],
    );
  });
});
