import * as assert from "node:assert/strict";
import { DEFAULT_HARDENING, resolveHardening } from "../../../components";
import { instanceMetadataDefaultsFor, metadataOptionsFor } from "../../../providers/aws/metadataOptions";

describe("aws metadataOptionsFor", () => {
  it("blocked (the default) keeps the endpoint for the boot (EC2 delivers user data through it), every field strict", () => {
    // The seal after boot is the host firewall's (tests/host/boot.netns.test.ts proves no uid reaches IMDS then).
    assert.deepEqual(metadataOptionsFor(DEFAULT_HARDENING), {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      httpProtocolIpv6: "disabled",
      instanceMetadataTags: "disabled",
    });
  });

  it("tokenRequired keeps the endpoint with IMDSv2 only, hop limit 1, no IPv6, no tags", () => {
    assert.deepEqual(metadataOptionsFor(resolveHardening({ metadataEndpoint: "tokenRequired" })), {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      httpProtocolIpv6: "disabled",
      instanceMetadataTags: "disabled",
    });
  });

  it("never yields a field at AWS's weaker default for either mode", () => {
    for (const mode of ["blocked", "tokenRequired"] as const) {
      const o = metadataOptionsFor(resolveHardening({ metadataEndpoint: mode }));
      assert.notEqual(o.httpTokens, "optional");
      assert.ok(o.httpPutResponseHopLimit <= 1);
    }
  });

  it("the account guardrail demands tokens and hop limit 1, and leaves the endpoint to each instance", () => {
    assert.deepEqual(instanceMetadataDefaultsFor(), { httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
  });
});
