/**
 * Issue 19 misses: administrator rights reaching a worker identity through Role.managedPolicyArns, inline role
 * policies (Role.inlinePolicies, aws.iam.RolePolicy), customer-managed policies, and ECS task / EKS node roles.
 */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { adminGrantRule, adminStatement } from "../../../../policy/rules/hostIdentity/adminGrant";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const WHY = "any code on a worker host can fetch this identity's token from the metadata endpoint, so the grant is the workers' grant";
const TASK_WHY = "any code in the task can fetch this role's credentials from the ECS credentials endpoint (169.254.170.2), so the grant is the workload's grant";
const check = (rs: ResourceInput[]) => checkDeclared(adminGrantRule, rs, { config: resolveConfig(adminGrantRule.id, {}) });

const ROLE = "aws:iam/role:Role";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";
const NODES = "aws:eks/nodeGroup:NodeGroup";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const STAR = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });
const SCOPED = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" }] });

describe("host-identity-admin-grant: AWS roles, policies and task roles", () => {
  const profile = res(PROFILE, "p", { role: "worker-role" });

  it("passes scoped managed, inline and customer policies on host, task and node roles (positive control)", () => {
    const role = res(ROLE, "worker-role", { name: "worker-role", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"], inlinePolicies: [{ name: "s3", policy: SCOPED }] });
    const taskRole = res(ROLE, "task-role", { name: "task-role", arn: "arn:aws:iam::1:role/task-role", inlinePolicies: [{ name: "s3", policy: SCOPED }] });
    const task = res(TASK, "app", { taskRoleArn: "arn:aws:iam::1:role/task-role", containerDefinitions: "[]" });
    const pol = res("aws:iam/policy:Policy", "scoped", { policy: SCOPED, arn: "arn:aws:iam::1:policy/scoped" });
    const att = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "att", { role: "task-role", policyArn: "arn:aws:iam::1:policy/scoped" });
    assert.deepEqual(check([role, profile, taskRole, task, pol, att]), []);
    // An admin role no worker uses is not this rule's business.
    assert.deepEqual(check([role, profile, res(ROLE, "ci", { name: "ci", managedPolicyArns: [ADMIN], inlinePolicies: [{ name: "all", policy: STAR }] })]), []);
  });

  it("fails AdministratorAccess in Role.managedPolicyArns of an instance profile's role", () => {
    const role = res(ROLE, "worker-role", { name: "worker-role", managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", ADMIN] });
    assert.deepEqual(check([role, profile]), [
      {
        urn: role.urn,
        type: ROLE,
        property: "managedPolicyArns[1]",
        message: `managedPolicyArns[1] is "${ADMIN}" (the AWS managed policy AdministratorAccess) on role "worker-role", which an instance profile gives to EC2 hosts; grant a policy scoped to what the workers need: ${WHY}.`,
      },
    ]);
  });

  it("fails an inline role policy allowing * on *", () => {
    const role = res(ROLE, "worker-role", { name: "worker-role", inlinePolicies: [{ name: "ok", policy: SCOPED }, { name: "all", policy: STAR }] });
    assert.deepEqual(check([role, profile]), [
      {
        urn: role.urn,
        type: ROLE,
        property: "inlinePolicies[1].policy",
        message: `inlinePolicies[1].policy of role "worker-role" is administrator-level: Statement[0] allows "*" on "*", which an instance profile gives to EC2 hosts; grant a policy scoped to what the workers need: ${WHY}.`,
      },
    ]);
  });

  it("fails an aws.iam.RolePolicy on an ECS task role (preview: linked by dependencies)", () => {
    const role = res(ROLE, "task-role", { name: UNKNOWN, arn: UNKNOWN });
    const task = res(TASK, "app", { taskRoleArn: UNKNOWN, containerDefinitions: "[]" }, { taskRoleArn: [role.urn] });
    const doc = JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["s3:*", "iam:*"], Resource: ["*"] }] });
    const rp = res("aws:iam/rolePolicy:RolePolicy", "rp", { role: UNKNOWN, policy: doc }, { role: [role.urn] });
    assert.deepEqual(check([role, task, rp]), [
      {
        urn: rp.urn,
        type: rp.type,
        property: "policy",
        message: `policy of role "${UNKNOWN}" is administrator-level: Statement[0] allows "iam:*" on ["*"], which ECS task definition "app" gives to its tasks; grant a policy scoped to what the workers need: ${TASK_WHY}.`,
      },
    ]);
  });

  it("fails a customer-managed policy allowing * attached to an EKS node role", () => {
    const role = res(ROLE, "nodes", { name: "nodes-1", arn: "arn:aws:iam::1:role/nodes-1" });
    const group = res(NODES, "ng", { nodeRoleArn: "arn:aws:iam::1:role/nodes-1", launchTemplate: { id: "lt-1", version: "1" } });
    const pol = res("aws:iam/policy:Policy", "everything", { policy: STAR, arn: UNKNOWN });
    const att = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "att", { role: "nodes-1", policyArn: UNKNOWN }, { policyArn: [pol.urn] });
    assert.deepEqual(check([role, group, pol, att]), [
      {
        urn: att.urn,
        type: att.type,
        property: "policyArn",
        message: `policyArn is "${UNKNOWN}" (customer-managed policy "everything" (Statement[0] allows "*" on "*")) on role "nodes-1", which EKS node group "ng" gives to its nodes; grant a policy scoped to what the workers need: ${WHY}.`,
      },
    ]);
  });

  it("fails AdministratorAccess attached to an ECS task role by ARN", () => {
    const task = res(TASK, "app", { taskRoleArn: "arn:aws:iam::1:role/app-task", containerDefinitions: "[]" });
    const att = res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "admin", { role: "app-task", policyArn: ADMIN });
    assert.deepEqual(check([task, att]).map((f) => [f.urn, f.property]), [[att.urn, "policyArn"]]);
  });

  it("is indeterminate for an unknown inline policy on a worker role", () => {
    const role = res(ROLE, "worker-role", { name: "worker-role", inlinePolicies: [{ name: "x", policy: UNKNOWN }] });
    assert.deepEqual(check([role, profile]).map((f) => [f.property, f.indeterminate]), [["inlinePolicies[0].policy", true]]);
  });

  it("reads policy documents as IAM does", () => {
    assert.equal(adminStatement(STAR), 'Statement[0] allows "*" on "*"');
    assert.equal(adminStatement({ Statement: { Action: "*:*", Resource: "*" } }), 'Statement[0] allows "*:*" on "*"');
    assert.equal(adminStatement({ Statement: [{ Effect: "Allow", NotAction: ["iam:*"], Resource: "*" }] }), 'Statement[0] allows every action but ["iam:*"] on "*"');
    assert.equal(adminStatement({ Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }] }), undefined);
    assert.equal(adminStatement({ Statement: [{ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b" }] }), undefined);
    assert.equal(adminStatement({ Statement: [{ Effect: "Allow", Action: "IAM:*", Resource: "arn:aws:iam::1:role/*" }] }), 'Statement[0] allows "iam:*" on "arn:aws:iam::1:role/*"');
    assert.equal(adminStatement({ Statement: [{ Effect: "Allow", Action: "xsiam:*", Resource: "*" }] }), undefined);
    assert.equal(adminStatement("not json"), undefined);
  });
});
