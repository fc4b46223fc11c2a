/** Issue 19 misses: IMDS options on spot instance requests and EKS managed node groups. */
import * as assert from "node:assert/strict";
import { awsImdsRule } from "../../../../policy/rules/metadataEndpoint/awsImds";
import { runCheck, UNKNOWN } from "../helpers";

const SPOT = "aws:ec2/spotInstanceRequest:SpotInstanceRequest";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const TOKENS =
  'metadataOptions.httpTokens is "optional"; set it to "required" or set metadataOptions.httpEndpoint to "disabled": without IMDSv2 session ' +
  "tokens, any process or server-side request forgery that can send a GET to 169.254.169.254 receives the instance role's credentials.";
const NO_TEMPLATE =
  "launchTemplate is not set; give the node group a launch template whose metadataOptions set httpTokens " +
  '"required" and httpPutResponseHopLimit 1 (or httpEndpoint "disabled"): without one, EKS launches the nodes ' +
  "from a template of its own with metadata defaults the stack does not pin, and with a hop limit above 1 or " +
  "tokens optional every pod can fetch the node role's credentials from 169.254.169.254.";

describe("metadata-endpoint-aws-imds: spot instance requests and EKS node groups", () => {
  it("passes a spot request with tokens required and hop limit 1 (positive control)", () => {
    assert.deepEqual(runCheck(awsImdsRule, SPOT, { spotPrice: "0.03", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } }), []);
  });
  it("fails a spot request that leaves IMDSv1 on", () => {
    assert.deepEqual(runCheck(awsImdsRule, SPOT, { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }), [
      { property: "metadataOptions.httpTokens", message: TOKENS },
    ]);
  });
  it("remediates a spot request like an instance", () => {
    const fix = awsImdsRule.remediations?.[SPOT];
    assert.ok(fix, "no remediation bound to spot instance requests");
    assert.deepEqual(fix({ metadataOptions: { httpTokens: "optional" } }, { config: { maxHopLimit: 1 } }), {
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    });
  });

  it("passes node groups with a launch template by id or by name (the template is checked on its own resource)", () => {
    assert.deepEqual(runCheck(awsImdsRule, NODE_GROUP, { launchTemplate: { id: "lt-0abc", version: "3" } }), []);
    assert.deepEqual(runCheck(awsImdsRule, NODE_GROUP, { launchTemplate: { name: "workers", version: "$Latest" } }), []);
  });
  it("fails a node group without a launch template (EKS's own template)", () => {
    assert.deepEqual(runCheck(awsImdsRule, NODE_GROUP, { clusterName: "c", nodeRoleArn: "arn:aws:iam::1:role/n" }), [
      { property: "launchTemplate", message: NO_TEMPLATE },
    ]);
    assert.deepEqual(runCheck(awsImdsRule, NODE_GROUP, { launchTemplate: { version: "1" } }), [{ property: "launchTemplate", message: NO_TEMPLATE }]);
  });
  it("is indeterminate while the template reference is unknown", () => {
    assert.deepEqual(runCheck(awsImdsRule, NODE_GROUP, { launchTemplate: { id: UNKNOWN, version: UNKNOWN } }).map((f) => [f.property, f.indeterminate]), [
      ["launchTemplate", true],
    ]);
  });
});
