/**
 * `hardening plan DIR` tells a component's invalid arguments from the program's own error by the error's type
 * (a brand that holds across copies of the package: a user's program loads its own), not by its text.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../cli";
import { captureIO } from "./helpers";

const FIXTURES = path.join(__dirname, "..", "fixtures");

async function planProgram(source: string): Promise<{ code: number; err: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(FIXTURES, "userProgram-errors-"));
  try {
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: errors\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, "index.ts"), source);
    const io = captureIO();
    const code = await main(["plan", dir], io);
    return { code, err: io.err(), dir };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("hardening plan DIR: a component's invalid arguments", function () {
  this.timeout(120_000);

  it("lists the problems of an InvalidArgsError thrown by another copy of the package", async () => {
    const r = await planProgram(
      [
        'const file = require.resolve("../../../components/validation/issues");',
        "delete require.cache[file];",
        "// eslint-disable-next-line @typescript-eslint/no-require-imports",
        'const { InvalidArgsError } = require(file) as typeof import("../../../components/validation/issues");',
        'throw new InvalidArgsError(["cidr \\"10.0.0.0/33\\" has a prefix length outside 0-32.", "zoneCount 9 must be a whole number from 1 to 6."], { subject: \'AwsWorkerNetwork "n"\' });',
        "",
      ].join("\n"),
    );
    assert.equal(r.code, 2);
    assert.equal(
      r.err,
      `hardening plan: ${r.dir}: AwsWorkerNetwork "n": invalid arguments (2 problems):\n  cidr "10.0.0.0/33" has a prefix length outside 0-32.\n  zoneCount 9 must be a whole number from 1 to 6.\n`,
    );
  });

  it("reports the program's own error that merely reads like one as the program's error", async () => {
    const r = await planProgram('throw new Error("Thing \\"t\\": invalid arguments:\\n - my own validation");\n');
    assert.equal(r.code, 2);
    assert.equal(r.err, `hardening plan: ${r.dir}: the program failed: Thing "t": invalid arguments:\n`);
  });
});
