/** The root program's stack config as `pulumi up` gives it: unknown hardening:* keys are named, not ignored. */
import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../components";
import { runProgram } from "../../program/rootProgram";
import { runUnderMocks } from "../../program/offlineEngine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { setAllConfig(c: Record<string, string>, secretKeys?: string[]): void };

async function runWith(config: Record<string, string>): Promise<unknown> {
  try {
    await runUnderMocks(() => {
      runtimeConfig.setAllConfig(config);
      return runProgram();
    }, { project: "hardening", stack: "dev" });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    runtimeConfig.setAllConfig({});
  }
}

describe("root program stack config (pulumi up)", () => {
  it("names a misspelt hardening:* key with the key it probably meant", async () => {
    const e = await runWith({ "hardening:cloud": "kubernetes", "hardening:netwrokCidr": "10.0.0.0/16" });
    assert.ok(e instanceof InvalidArgsError, String(e));
    assert.ok(e.issues.includes('hardening:netwrokCidr is not a setting; did you mean "hardening:networkCidr"?'), e.issues.join("\n"));
  });

  it("runs with known keys only (positive control)", async () => {
    const e = await runWith({ "hardening:cloud": "kubernetes", "hardening:kubernetes": JSON.stringify({ kestra: { runner: "process" } }) });
    assert.equal(e, undefined);
  });
});
