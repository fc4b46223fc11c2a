import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { adminGrantRule } from "../../../../policy/rules/hostIdentity/adminGrant";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const WHY = "any code on a worker host can fetch this identity's token from the metadata endpoint, so the grant is the workers' grant";
const check = (rs: ResourceInput[]) => checkDeclared(adminGrantRule, rs, { config: resolveConfig(adminGrantRule.id, {}) });

const ROLE = "aws:iam/role:Role";
const PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const RPA = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

describe("host-identity-admin-grant (stack)", () => {
  describe("AWS", () => {
    const role = res(ROLE, "worker-role", { name: "worker-role-abc" });
    it("passes: scoped policy on a host role, admin on a role no instance profile uses, no profiles at all", () => {
      const profile = res(PROFILE, "p", { role: "worker-role-abc" });
      assert.deepEqual(check([role, profile, res(RPA, "ssm", { role: "worker-role-abc", policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" })]), []);
      assert.deepEqual(check([role, profile, res(ROLE, "ci", { name: "ci" }), res(RPA, "ci-admin", { role: "ci", policyArn: ADMIN })]), []);
      assert.deepEqual(check([role, res(RPA, "admin", { role: "worker-role-abc", policyArn: ADMIN })]), []);
    });
    it("fails AdministratorAccess on the role an instance profile uses (names known)", () => {
      const a = res(RPA, "admin", { role: "worker-role-abc", policyArn: ADMIN });
      assert.deepEqual(check([role, res(PROFILE, "p", { role: "worker-role-abc" }), a]), [
        {
          urn: a.urn,
          type: RPA,
          property: "policyArn",
          message: `policyArn is "${ADMIN}" (the AWS managed policy AdministratorAccess) on role "worker-role-abc", which an instance profile gives to EC2 hosts; grant a policy scoped to what the workers need: ${WHY}.`,
        },
      ]);
    });
    it("fails PowerUserAccess in the GovCloud partition, linked by property dependencies (preview)", () => {
      const p = res(PROFILE, "p", { role: UNKNOWN }, { role: [role.urn] });
      const a = res(RPA, "pu", { role: UNKNOWN, policyArn: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess" }, { role: [role.urn] });
      assert.deepEqual(check([role, p, a]).map((f) => [f.urn, f.property]), [[a.urn, "policyArn"]]);
    });
    it("fails a PolicyAttachment listing the host role", () => {
      const pa = res("aws:iam/policyAttachment:PolicyAttachment", "pa", { roles: ["other", "worker-role-abc"], policyArn: ADMIN });
      assert.deepEqual(check([role, res(PROFILE, "p", { role: "worker-role-abc" }), pa]).map((f) => [f.urn, f.property]), [[pa.urn, "roles[1]"]]);
    });
  });

  describe("GCP", () => {
    const email = "worker@proj.iam.gserviceaccount.com";
    const vm = res("gcp:compute/instance:Instance", "vm", { serviceAccount: { email, scopes: ["cloud-platform"] } });
    it("passes: a viewer grant, an owner grant to another account, no VMs", () => {
      assert.deepEqual(check([vm, res("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/logging.logWriter", member: `serviceAccount:${email}` })]), []);
      assert.deepEqual(check([vm, res("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/owner", member: "serviceAccount:ci@proj.iam.gserviceaccount.com" })]), []);
      assert.deepEqual(check([res("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/owner", member: `serviceAccount:${email}` })]), []);
    });
    it("fails roles/editor to the VM's service account", () => {
      const m = res("gcp:projects/iAMMember:IAMMember", "m", { role: "roles/editor", member: `serviceAccount:${email}` });
      assert.deepEqual(check([vm, m]), [
        { urn: m.urn, type: m.type, property: "role", message: `role is "roles/editor" for "serviceAccount:${email}", the service account worker VMs run as; grant only the roles the workers need: ${WHY}.` },
      ]);
    });
    it("fails roles/owner in a binding, linked through the Account resource (preview)", () => {
      const sa = res("gcp:serviceaccount/account:Account", "sa", { accountId: "worker", email: UNKNOWN });
      const t = res("gcp:compute/instanceTemplate:InstanceTemplate", "t", { serviceAccount: UNKNOWN }, { serviceAccount: [sa.urn] });
      const b = res("gcp:projects/iAMBinding:IAMBinding", "b", { role: "roles/owner", members: [UNKNOWN] }, { members: [sa.urn] });
      assert.deepEqual(check([sa, t, b]).map((f) => [f.urn, f.property]), [[b.urn, "members[0]"]]);
    });
  });

  describe("Azure", () => {
    const vm = res("azure-native:compute:VirtualMachine", "vm", { identity: { type: "SystemAssigned", principalId: "p-1" } });
    const ra = (def: string, pid: unknown, deps?: Record<string, string[]>) =>
      res("azure-native:authorization:RoleAssignment", "ra", { roleDefinitionId: def, principalId: pid, scope: "/subscriptions/s" }, deps);
    const CONTRIB = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c";
    const READER = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    it("passes: Reader for the VM, Contributor for someone else, no VM", () => {
      assert.deepEqual(check([vm, ra(READER, "p-1")]), []);
      assert.deepEqual(check([vm, ra(CONTRIB, "p-2")]), []);
      assert.deepEqual(check([ra(CONTRIB, "p-1")]), []);
    });
    it("fails Contributor for the VM's identity (principal id known)", () => {
      const r = ra(CONTRIB, "p-1");
      assert.deepEqual(check([vm, r]), [
        { urn: r.urn, type: r.type, property: "roleDefinitionId", message: `roleDefinitionId is "${CONTRIB}" (an administrator-level built-in role) for the managed identity of a worker VM; assign a role scoped to what the workers need: ${WHY}.` },
      ]);
    });
    it("fails Owner for a user-assigned identity a scale set uses (property dependencies)", () => {
      const uai = res("azure-native:managedidentity:UserAssignedIdentity", "id", { principalId: UNKNOWN });
      const vmss = res("azure-native:compute:VirtualMachineScaleSet", "ss", { identity: UNKNOWN }, { identity: [uai.urn] });
      const r = ra("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", UNKNOWN, { principalId: [uai.urn] });
      assert.deepEqual(check([uai, vmss, r]).map((f) => [f.urn, f.property]), [[r.urn, "roleDefinitionId"]]);
    });
  });
});
