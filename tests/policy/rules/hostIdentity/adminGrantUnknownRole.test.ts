/**
 * host-identity-admin-grant during preview: a grant to a worker host's identity whose role is not known yet (an
 * Azure roleDefinitionId built from the subscription's id, a GCP role from a variable) is reported as
 * indeterminate (advisory, checked again when known), never passed in silence.
 */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { adminGrantRule } from "../../../../policy/rules/hostIdentity/adminGrant";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const check = (rs: ResourceInput[]) => checkDeclared(adminGrantRule, rs, { config: resolveConfig(adminGrantRule.id, {}) });
const RA = "azure-native:authorization:RoleAssignment";
const VM = "azure-native:compute:VirtualMachine";

describe("host-identity-admin-grant: unknown roles on a worker identity", () => {
  const vm = res(VM, "worker", { identity: { type: "SystemAssigned", principalId: UNKNOWN } });
  it("Azure: an unknown roleDefinitionId for the VM's identity is indeterminate", () => {
    const ra = res(RA, "ra", { roleDefinitionId: UNKNOWN, principalId: UNKNOWN }, { principalId: [vm.urn] });
    const found = check([vm, ra]);
    assert.deepEqual(found.map((f) => [f.urn, f.property, f.indeterminate]), [[ra.urn, "roleDefinitionId", true]]);
  });
  it("Azure positive controls: unknown role for another principal passes; a known Reader role passes; Owner fails", () => {
    assert.deepEqual(check([vm, res(RA, "other", { roleDefinitionId: UNKNOWN, principalId: "11111111-2222-3333-4444-555555555555" })]), []);
    const reader = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7";
    assert.deepEqual(check([vm, res(RA, "r", { roleDefinitionId: reader, principalId: UNKNOWN }, { principalId: [vm.urn] })]), []);
    const owner = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    const o = res(RA, "o", { roleDefinitionId: owner, principalId: UNKNOWN }, { principalId: [vm.urn] });
    assert.deepEqual(check([vm, o]).map((f) => [f.urn, f.indeterminate]), [[o.urn, undefined]]);
  });

  const email = "worker@proj.iam.gserviceaccount.com";
  const gce = res("gcp:compute/instance:Instance", "vm", { serviceAccount: { email, scopes: ["cloud-platform"] } });
  it("GCP: an unknown role granted to the host account (member or binding) is indeterminate", () => {
    const m = res("gcp:projects/iAMMember:IAMMember", "m", { role: UNKNOWN, member: `serviceAccount:${email}` });
    const b = res("gcp:folder/iAMBinding:IAMBinding", "b", { role: UNKNOWN, folder: "folders/1", members: [`serviceAccount:${email}`] });
    assert.deepEqual(check([gce, m, b]).map((f) => [f.urn, f.property, f.indeterminate]), [
      [m.urn, "role", true],
      [b.urn, "role", true],
    ]);
  });
  it("GCP positive control: an unknown role for another account passes", () => {
    assert.deepEqual(check([gce, res("gcp:projects/iAMMember:IAMMember", "m", { role: UNKNOWN, member: "serviceAccount:ci@proj.iam.gserviceaccount.com" })]), []);
  });
});
