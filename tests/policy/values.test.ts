import * as assert from "node:assert/strict";
import { canonicalType, isAnywhere, isUnknown, show } from "../../policy/rules/values";

// The SDK's sentinels are @internal exports of @pulumi/policy/proxy; the list in values.ts must match them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as Record<string, unknown>;

describe("policy/rules/values", () => {
  it("recognises every unknown sentinel @pulumi/policy and the wire format use, and nothing else", () => {
    const sentinels = Object.keys(proxy).filter((k) => /^unknown[A-Z].*Value$/.test(k)).map((k) => proxy[k]);
    assert.equal(sentinels.length, 7);
    for (const s of sentinels) assert.equal(isUnknown(s), true, String(s));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    assert.equal(isUnknown((require("@pulumi/pulumi/runtime/rpc") as { unknownValue: string }).unknownValue), true);
    for (const v of ["", "required", undefined, null, 0, {}, []]) assert.equal(isUnknown(v), false);
  });
  it("maps versioned azure-native tokens onto the default module and leaves others alone", () => {
    assert.equal(canonicalType("azure-native:compute/v20240701:VirtualMachine"), "azure-native:compute:VirtualMachine");
    assert.equal(canonicalType("azure-native:network/v20230201preview:NetworkInterface"), "azure-native:network:NetworkInterface");
    assert.equal(canonicalType("azure-native:compute:VirtualMachine"), "azure-native:compute:VirtualMachine");
    assert.equal(canonicalType("aws:ec2/instance:Instance"), "aws:ec2/instance:Instance");
  });
  it("renders seen values for messages", () => {
    assert.equal(show(undefined), "not set");
    assert.equal(show("x"), '"x"');
    assert.equal(show(2), "2");
    assert.equal(show("a".repeat(300)).length, 200);
  });
  it("knows the anywhere destinations", () => {
    for (const v of ["0.0.0.0/0", "::/0", "*", "Internet"]) assert.equal(isAnywhere(v), true, v);
    for (const v of ["10.0.0.0/8", "0.0.0.0/1", "VirtualNetwork", 0]) assert.equal(isAnywhere(v), false, String(v));
  });
});
