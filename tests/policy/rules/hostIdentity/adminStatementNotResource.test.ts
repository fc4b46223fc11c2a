/**
 * adminStatement: an Allow of every action on every resource but a few (`NotResource`) is administrator-level as
 * `Resource: "*"` is; IAM reads NotResource as "all resources except these".
 */
import * as assert from "node:assert/strict";
import { adminStatement } from "../../../../policy/rules/hostIdentity/adminGrant";

const doc = (st: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...st }] });

describe("host-identity-admin-grant: NotResource", () => {
  it("Action * or NotAction on NotResource is administrator-level", () => {
    assert.notEqual(adminStatement(doc({ Action: "*", NotResource: "arn:aws:s3:::audit-logs/*" })), undefined);
    assert.notEqual(adminStatement(doc({ NotAction: "s3:*", NotResource: ["arn:aws:s3:::x"] })), undefined);
  });
  it("positive controls: a scoped action on NotResource, and Action * on one resource, are not", () => {
    assert.equal(adminStatement(doc({ Action: "s3:GetObject", NotResource: "arn:aws:s3:::x/*" })), undefined);
    assert.equal(adminStatement(doc({ Action: "*", Resource: "arn:aws:s3:::x/*" })), undefined);
    assert.notEqual(adminStatement(doc({ Action: "*", Resource: "*" })), undefined);
  });
});
