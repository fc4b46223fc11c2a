import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import type { ControlReport } from "../../components";
import { CLOUDS } from "../../program/environment";
import { EFFICACY_MD, collectControls, generateEfficacy, renderMatrix } from "../../scripts/efficacy";

describe("docs/efficacy.md", () => {
  it("is exactly what scripts/efficacy.ts generates from the controls reports", async function () {
    this.timeout(60_000);
    const generated = await generateEfficacy();
    const committed = fs.readFileSync(EFFICACY_MD, "utf8");
    assert.ok(
      committed === generated,
      "docs/efficacy.md is out of date with the components' controls reports; run: node --import tsx scripts/efficacy.ts --write",
    );
  });

  it("lists every control of every cloud's default environment with its efficacy", async function () {
    this.timeout(60_000);
    const byCloud = await collectControls([{ label: "default", purpose: "defaults", spec: {} }]);
    const doc = fs.readFileSync(EFFICACY_MD, "utf8");
    for (const cloud of CLOUDS) {
      const rows = byCloud.get(cloud) ?? [];
      assert.ok(rows.length > 0, `${cloud} reported no controls`);
      for (const { control } of rows) {
        assert.ok(doc.includes(`#### \`${control.id}\`: ${control.effective ? "effective" : "**not effective**"}`), `${cloud} ${control.id}`);
      }
    }
  });
});

describe("renderMatrix", () => {
  const control = (over: Partial<ControlReport>): Omit<ControlReport, "resources"> => ({
    id: "x-control",
    family: "metadataEndpoint",
    cloud: "aws",
    appliedBy: "a rule",
    protects: "a threat",
    effective: true,
    limits: "",
    source: "a vendor page",
    ...over,
  });

  it("marks an ineffective control as such in the summary and in its entry, and merges configurations", () => {
    const md = renderMatrix(
      new Map([
        ["aws", [
          { control: control({ id: "aws-sg-deny", effective: false, protects: "nothing: the metadata service" }), configurations: ["a", "b"] },
          { control: control({ id: "aws-imds-off" }), configurations: ["a"] },
        ]],
      ]),
      [
        { label: "a", purpose: "first", spec: {} },
        { label: "b", purpose: "second", spec: { sandbox: "none" } },
        { label: "c", purpose: "third", spec: { hostIdentity: "none" } },
      ],
    );
    assert.match(md, /\| `metadataEndpoint` \| ✗ `aws-sg-deny`<br>✓ `aws-imds-off` \| none \| none \| none \|/);
    assert.match(md, /#### `aws-sg-deny`: \*\*not effective\*\*\n\n- \*\*Applied how:\*\* a rule\n- \*\*Stops:\*\* nothing: the metadata service\n- \*\*Does not stop:\*\* nothing known\n- \*\*Source:\*\* a vendor page\n- \*\*In configurations:\*\* `a`, `b`/);
    assert.match(md, /\| `b` \| second \| `\{"sandbox":"none"\}` \| none \|/);
  });

  it("escapes Markdown in the reports' prose so a wildcard or a pipe cannot break the page", () => {
    const md = renderMatrix(
      new Map([["gcp", [{ control: control({ id: "gcp-x", cloud: "gcp", appliedBy: "allow *.pythonhosted.org | <tag>" }), configurations: ["a"] }]]]),
      [{ label: "a", purpose: "p", spec: {} }],
    );
    assert.ok(md.includes("- **Applied how:** allow \\*.pythonhosted.org | &lt;tag&gt;"));
    assert.ok(md.includes("- **In configurations:** all"), "a control present under every configuration says so");
  });

  it("shows the rules that guard each control, the reason none does, or that the catalogue lacks it", () => {
    const md = renderMatrix(
      new Map([
        ["aws", [
          { control: control({ id: "aws-a", enforcedBy: { rules: ["metadata-endpoint-aws-imds", "code-metadata-reference"] } }), configurations: ["a"] },
          { control: control({ id: "aws-b", enforcedBy: { rules: [], none: "a boot-time *setting*" } }), configurations: ["a"] },
          { control: control({ id: "aws-c" }), configurations: ["a"] },
        ]],
      ]),
      [{ label: "a", purpose: "p", spec: {} }],
    );
    assert.ok(md.includes("- **In configurations:** all\n- **Enforced by:** [`metadata-endpoint-aws-imds`](../policy/README.md#rules), [`code-metadata-reference`](../policy/README.md#rules)\n"));
    assert.ok(md.includes("- **Enforced by:** no rule: a boot-time \\*setting\\*\n"));
    assert.ok(md.includes("- **Enforced by:** not in the control catalogue (components/controlCatalogue.ts)\n"));
  });
});
