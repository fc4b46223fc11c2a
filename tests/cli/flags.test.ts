import * as assert from "node:assert/strict";
import { parseFlags } from "../../cli/flags";
import { UsageError } from "../../cli/io";

describe("parseFlags: nothing the user wrote is dropped silently", () => {
  const options = { cloud: { type: "string" }, "stack-config": { type: "string" }, json: { type: "boolean" }, tag: { type: "string", multiple: true } } as const;

  it("refuses a flag given twice, naming both values", () => {
    assert.throws(() => parseFlags(["--cloud", "aws", "--cloud=gcp"], options, false), (e: unknown) => e instanceof UsageError && e.message === '--cloud is given twice ("aws" and "gcp"); give it once');
    assert.throws(() => parseFlags(["--json", "--json"], options, false), /--json is given twice/);
  });

  it("refuses an empty value", () => {
    assert.throws(() => parseFlags(["--stack-config="], options, false), (e: unknown) => e instanceof UsageError && e.message === "--stack-config is empty; give it a value or leave it out");
  });

  it("still takes each flag once, and repeats of a list flag (positive control)", () => {
    const { values } = parseFlags(["--cloud", "aws", "--stack-config", "Pulumi.dev.yaml", "--tag", "a", "--tag", "b", "--json"], options, false);
    assert.deepEqual({ ...values }, { cloud: "aws", "stack-config": "Pulumi.dev.yaml", tag: ["a", "b"], json: true });
  });
});
