import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { awsImdsRule } from "../../../../policy/rules/metadataEndpoint/awsImds";
import { runCheck, UNKNOWN } from "../helpers";

const HOP_WHY =
  "this pack is stricter than AWS's IMDSv2 guidance, which accepts any hop limit: above 1, the session token " +
  "reaches containers one network hop from the host (bridged Docker, pod-network pods), and with it the instance " +
  "role's credentials; AWS's whitepaper \"Security Practices for Multi-Tenant SaaS Applications using Amazon EKS\" " +
  "recommends requiring IMDSv2 and a maximum hop count of 1";
const tokensMsg = (seen: string, p = "metadataOptions.") =>
  `${p}httpTokens is ${seen}; set it to "required" or set ${p}httpEndpoint to "disabled": without IMDSv2 session ` +
  "tokens, any process or server-side request forgery that can send a GET to 169.254.169.254 receives the instance role's credentials.";
const hopMsg = (seen: string, p = "metadataOptions.") =>
  `${p}httpPutResponseHopLimit is ${seen}; set it to 1 or set ${p}httpEndpoint to "disabled": ${HOP_WHY}.`;

const TYPES = ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/launchConfiguration:LaunchConfiguration"];

describe("metadata-endpoint-aws-imds", () => {
  for (const type of TYPES) {
    describe(type, () => {
      const passing: Record<string, unknown>[] = [
        { metadataOptions: { httpEndpoint: "disabled" } },
        { metadataOptions: { httpEndpoint: "disabled", httpTokens: "optional", httpPutResponseHopLimit: 3 } },
        { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } },
        { metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" } },
      ];
      for (const props of passing) it(`passes ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(awsImdsRule, type, props), []));

      const failing: [Record<string, unknown>, { property: string; message: string }[]][] = [
        [{}, [
          { property: "metadataOptions.httpTokens", message: tokensMsg("not set") },
          { property: "metadataOptions.httpPutResponseHopLimit", message: hopMsg("not set") },
        ]],
        [{ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }, [{ property: "metadataOptions.httpTokens", message: tokensMsg('"optional"') }]],
        [{ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } }, [{ property: "metadataOptions.httpPutResponseHopLimit", message: hopMsg("2") }]],
        [{ metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" } }, [{ property: "metadataOptions.httpPutResponseHopLimit", message: hopMsg("not set") }]],
      ];
      for (const [props, expected] of failing) it(`fails ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(awsImdsRule, type, props), expected));
    });
  }

  it("checks the account defaults (top-level fields) with the same body", () => {
    const t = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults";
    assert.deepEqual(runCheck(awsImdsRule, t, { httpTokens: "required", httpPutResponseHopLimit: 1 }), []);
    assert.deepEqual(runCheck(awsImdsRule, t, { httpEndpoint: "disabled" }), []);
    assert.deepEqual(runCheck(awsImdsRule, t, { httpTokens: "no-preference", httpPutResponseHopLimit: -1 }), [
      { property: "httpTokens", message: tokensMsg('"no-preference"', "") },
      { property: "httpPutResponseHopLimit", message: hopMsg("-1", "") },
    ]);
  });

  it("accepts a higher hop limit only when the config allows it, and says so", () => {
    const props = { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } };
    assert.deepEqual(runCheck(awsImdsRule, TYPES[0], props, { maxHopLimit: 2 }), []);
    const [f] = runCheck(awsImdsRule, TYPES[0], { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 3 } }, { maxHopLimit: 2 });
    assert.match(f.message, /^metadataOptions\.httpPutResponseHopLimit is 3; set it to at most 2 /);
  });

  it("reports unknown values as indeterminate, never as a plain violation", () => {
    assert.deepEqual(runCheck(awsImdsRule, TYPES[0], { metadataOptions: UNKNOWN }), [
      { property: "metadataOptions", message: "metadataOptions is not known during preview; it is checked again when the value is known.", indeterminate: true },
    ]);
    const f = runCheck(awsImdsRule, TYPES[0], { metadataOptions: { httpTokens: UNKNOWN, httpPutResponseHopLimit: 1 } });
    assert.deepEqual(f.map((x) => [x.property, x.indeterminate]), [["metadataOptions.httpTokens", true]]);
  });

  describe("remediation", () => {
    const fix = (type: string, props: Record<string, unknown>) => awsImdsRule.remediations![type](props, { config: resolveConfig(awsImdsRule.id, {}) });
    it("sets tokens required and hop limit 1, keeping every other property", () => {
      const props = { ami: "ami-1", tags: { a: "b" }, metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2, instanceMetadataTags: "enabled" } };
      assert.deepEqual(fix(TYPES[0], props), {
        ami: "ami-1",
        tags: { a: "b" },
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "enabled" },
      });
      assert.deepEqual(props.metadataOptions.httpTokens, "optional", "the input is not mutated");
    });
    it("is idempotent: a fixed resource passes and needs no second fix", () => {
      for (const type of TYPES) {
        const once = fix(type, { metadataOptions: { httpEndpoint: "enabled" } })!;
        assert.deepEqual(runCheck(awsImdsRule, type, once), []);
        assert.equal(fix(type, once), undefined);
      }
    });
    it("leaves a disabled endpoint, an unknown value and a passing resource alone", () => {
      assert.equal(fix(TYPES[1], { metadataOptions: { httpEndpoint: "disabled" } }), undefined);
      assert.equal(fix(TYPES[1], { metadataOptions: { httpTokens: UNKNOWN } }), undefined);
      assert.equal(fix(TYPES[1], { metadataOptions: UNKNOWN }), undefined);
      assert.equal(fix(TYPES[1], { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }), undefined);
    });
    it("fixes the account defaults at the top level", () => {
      const t = "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults";
      assert.deepEqual(fix(t, { httpTokens: "no-preference", instanceMetadataTags: "disabled" }), {
        httpTokens: "required",
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: "disabled",
      });
    });
  });
});
