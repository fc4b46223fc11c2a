import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../program/offlineEngine";

class Thing extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs, opts: pulumi.CustomResourceOptions) {
    super("test:index:Thing", name, props, opts);
  }
}

class Parent extends pulumi.ComponentResource {
  constructor(name: string) {
    super("test:index:Parent", name, {}, {});
    const first = new Thing(`${name}-a`, { size: 1, secret: pulumi.secret("s3cr3t") }, { parent: this });
    new Thing(`${name}-b`, { after: first.id }, { parent: this });
    this.registerOutputs({});
  }
}

describe("runUnderMocks", () => {
  it("records type, name, urn, parent and inputs of every registration", async () => {
    const { resources } = await runUnderMocks(() => new Parent("p"));
    const byName = new Map(resources.map((r) => [r.name, r]));
    assert.deepEqual([...byName.keys()].sort(), ["p", "p-a", "p-b"]);
    assert.equal(byName.get("p")!.urn, "urn:pulumi:plan::hardening::test:index:Parent::p");
    assert.equal(byName.get("p")!.custom, false);
    assert.equal(byName.get("p-a")!.urn, "urn:pulumi:plan::hardening::test:index:Parent$test:index:Thing::p-a");
    assert.equal(byName.get("p-a")!.parent, byName.get("p")!.urn);
    assert.deepEqual(byName.get("p-b")!.inputs, { after: "p-a-id" });
    assert.equal(byName.get("p-a")!.inputs.size, 1);
  });

  it("answers provider calls from the table and names a missing one", async () => {
    const { result } = await runUnderMocks(
      () => pulumi.runtime.invoke("test:index:getZones", {}).then((r) => r.names),
      { calls: { "test:index:getZones": () => ({ names: ["z1", "z2"] }) } },
    );
    assert.deepEqual(result, ["z1", "z2"]);
    await assert.rejects(runUnderMocks(() => pulumi.runtime.invoke("test:index:missing", {})), /no offline answer for provider function test:index:missing/);
  });

  it("keeps separate runs apart", async () => {
    const [a, b] = await Promise.all([runUnderMocks(() => new Parent("x")), runUnderMocks(() => new Parent("y"))]);
    assert.deepEqual(a.resources.map((r) => r.name).sort(), ["x", "x-a", "x-b"]);
    assert.deepEqual(b.resources.map((r) => r.name).sort(), ["y", "y-a", "y-b"]);
  });
});
