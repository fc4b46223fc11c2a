import * as assert from "node:assert/strict";
import { defineHardening, InvalidArgsError, type HardeningSpec } from "../../components";

/** A component's `hardening` argument is typed like this; the assignment below is the compile-time proof. */
function takesArgs(args: { hardening?: HardeningSpec }): HardeningSpec | undefined {
  return args.hardening;
}

describe("defineHardening", () => {
  const literal = {
    workloadSubnet: "private",
    egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org", ports: [443, 80] }] },
  } as const;

  it("takes an `as const` spec and returns a copy the components' args accept", () => {
    const spec = defineHardening(literal);
    assert.deepEqual(takesArgs({ hardening: spec }), literal);
    spec.egress?.allow?.[0]?.ports?.push(8443);
    assert.deepEqual(literal.egress.allow[0].ports, [443, 80], "the readonly input is never modified");
  });

  it("reports every problem of the spec at once, before any resource exists", () => {
    const bad = { metadataEndpoint: "block", sandbox: "gvisor", egress: { mode: "denyAll", allow: [{ domain: "pypi.org" }] } } as const;
    // The literal's typos are type errors too; the cast is what a JavaScript or YAML-fed caller would pass.
    const err = (() => {
      try {
        defineHardening(bad as unknown as HardeningSpec);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof InvalidArgsError, `expected InvalidArgsError, got ${String(err)}`);
    assert.ok(err.issues.length >= 3, err.message);
    assert.match(err.issues.join("\n"), /metadataEndpoint/);
    assert.match(err.issues.join("\n"), /sandbox/);
    assert.match(err.issues.join("\n"), /allow/);
  });
});
