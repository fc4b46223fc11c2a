/**
 * host-identity-admin-grant on GCP beyond project members and bindings: grants at organization, folder and
 * service-account level, IAM policies (policyData), the impersonation and compute.admin roles, and GKE nodes'
 * service accounts as host identities.
 */
import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { adminGrantRule } from "../../../../policy/rules/hostIdentity/adminGrant";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, res, UNKNOWN } from "../helpers";

const WHY = "any code on a worker host can fetch this identity's token from the metadata endpoint, so the grant is the workers' grant";
const check = (rs: ResourceInput[]) => checkDeclared(adminGrantRule, rs, { config: resolveConfig(adminGrantRule.id, {}) });

const EMAIL = "worker@proj.iam.gserviceaccount.com";
const MEMBER = `serviceAccount:${EMAIL}`;
const VM = res("gcp:compute/instance:Instance", "vm", { serviceAccount: { email: EMAIL, scopes: ["cloud-platform"] } });
const grant = (role: string, where: string) => `role is "${role}"${where} for "${MEMBER}", the service account worker VMs run as; grant only the roles the workers need: ${WHY}.`;

describe("host-identity-admin-grant (GCP levels)", () => {
  it("passes: a log writer at organization level, owner on a folder for another account, a token creator with no host in the stack", () => {
    assert.deepEqual(check([VM, res("gcp:organizations/iAMMember:IAMMember", "m", { orgId: "123", role: "roles/logging.logWriter", member: MEMBER })]), []);
    assert.deepEqual(check([VM, res("gcp:folder/iAMMember:IAMMember", "m", { folder: "folders/9", role: "roles/owner", member: "serviceAccount:ci@proj.iam.gserviceaccount.com" })]), []);
    assert.deepEqual(check([res("gcp:serviceaccount/iAMMember:IAMMember", "m", { serviceAccountId: "projects/p/serviceAccounts/deploy@p.iam.gserviceaccount.com", role: "roles/iam.serviceAccountTokenCreator", member: MEMBER })]), []);
    const policy = JSON.stringify({ bindings: [{ role: "roles/logging.logWriter", members: [MEMBER] }, { role: "roles/owner", members: ["user:alice@example.com"] }] });
    assert.deepEqual(check([VM, res("gcp:organizations/iAMPolicy:IAMPolicy", "p", { orgId: "123", policyData: policy })]), []);
  });

  const cases: [string, ResourceInput, { property: string; message: string }][] = [
    [
      "owner at organization level (IAMMember)",
      res("gcp:organizations/iAMMember:IAMMember", "org-owner", { orgId: "123456789", role: "roles/owner", member: MEMBER }),
      { property: "role", message: grant("roles/owner", ' on organization "123456789"') },
    ],
    [
      "editor at folder level (IAMMember)",
      res("gcp:folder/iAMMember:IAMMember", "folder-editor", { folder: "folders/42", role: "roles/editor", member: MEMBER }),
      { property: "role", message: grant("roles/editor", ' on folder "folders/42"') },
    ],
    [
      "token creator on another service account (IAMMember)",
      res("gcp:serviceaccount/iAMMember:IAMMember", "impersonate", { serviceAccountId: "projects/p/serviceAccounts/deploy@p.iam.gserviceaccount.com", role: "roles/iam.serviceAccountTokenCreator", member: MEMBER }),
      { property: "role", message: grant("roles/iam.serviceAccountTokenCreator", ' on service account "projects/p/serviceAccounts/deploy@p.iam.gserviceaccount.com"') },
    ],
    [
      "compute.admin at project level (IAMMember)",
      res("gcp:projects/iAMMember:IAMMember", "compute-admin", { project: "p", role: "roles/compute.admin", member: MEMBER }),
      { property: "role", message: grant("roles/compute.admin", "") },
    ],
    [
      "token creator at organization level (IAMBinding)",
      res("gcp:organizations/iAMBinding:IAMBinding", "org-binding", { orgId: "123456789", role: "roles/iam.serviceAccountTokenCreator", members: ["user:alice@example.com", MEMBER] }),
      {
        property: "members[1]",
        message: `members[1] ("${MEMBER}") gets "roles/iam.serviceAccountTokenCreator" on organization "123456789" and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
      },
    ],
    [
      "service account user on a service account (IAMBinding, the old module spelling)",
      res("gcp:serviceAccount/iAMBinding:IAMBinding", "sa-binding", { serviceAccountId: "projects/p/serviceAccounts/x@p.iam.gserviceaccount.com", role: "roles/iam.serviceAccountUser", members: [MEMBER] }),
      {
        property: "members[0]",
        message: `members[0] ("${MEMBER}") gets "roles/iam.serviceAccountUser" on service account "projects/p/serviceAccounts/x@p.iam.gserviceaccount.com" and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
      },
    ],
    [
      "owner in a folder's IAM policy",
      res("gcp:folder/iAMPolicy:IAMPolicy", "folder-policy", { folder: "folders/42", policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["group:g@example.com"] }, { role: "roles/owner", members: [MEMBER] }] }) }),
      {
        property: "policyData.bindings[1].members[0]",
        message: `policyData.bindings[1].members[0] ("${MEMBER}") gets "roles/owner" on folder "folders/42" and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
      },
    ],
    [
      "editor in a project's IAM policy",
      res("gcp:projects/iAMPolicy:IAMPolicy", "project-policy", { project: "p", policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: [MEMBER] }] }) }),
      {
        property: "policyData.bindings[0].members[0]",
        message: `policyData.bindings[0].members[0] ("${MEMBER}") gets "roles/editor" and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
      },
    ],
    [
      "viewer at organization level (a basic role)",
      res("gcp:organizations/iAMMember:IAMMember", "org-viewer", { orgId: "1", role: "roles/viewer", member: MEMBER }),
      { property: "role", message: grant("roles/viewer", ' on organization "1"') },
    ],
    [
      "an admin role matched by the roles/*.admin glob",
      res("gcp:projects/iAMMember:IAMMember", "storage-admin", { project: "p", role: "roles/storage.admin", member: MEMBER }),
      { property: "role", message: grant("roles/storage.admin", "") },
    ],
    [
      "a service-agent role (roles/*.serviceAgent)",
      res("gcp:folder/iAMMember:IAMMember", "agent", { folder: "folders/1", role: "roles/run.serviceAgent", member: MEMBER }),
      { property: "role", message: grant("roles/run.serviceAgent", ' on folder "folders/1"') },
    ],
  ];
  for (const [what, grantRes, expected] of cases) {
    it(`fails ${what}`, () => assert.deepEqual(check([VM, grantRes]), [{ urn: grantRes.urn, type: grantRes.type, ...expected }]));
  }

  it("fails owner at organization level for a GKE node pool's service account", () => {
    const pool = res("gcp:container/nodePool:NodePool", "pool", { nodeConfig: { serviceAccount: "gke-nodes@proj.iam.gserviceaccount.com" } });
    const m = res("gcp:organizations/iAMMember:IAMMember", "m", { orgId: "1", role: "roles/owner", member: "serviceAccount:gke-nodes@proj.iam.gserviceaccount.com" });
    assert.deepEqual(check([pool, m]).map((f) => [f.urn, f.property]), [[m.urn, "role"]]);
  });

  it("fails a folder binding linked to the node pool's Account through property dependencies (preview)", () => {
    const sa = res("gcp:serviceaccount/account:Account", "sa", { accountId: "nodes", email: UNKNOWN });
    const pool = res("gcp:container/nodePool:NodePool", "pool", { nodeConfig: UNKNOWN }, { nodeConfig: [sa.urn] });
    const b = res("gcp:folder/iAMBinding:IAMBinding", "b", { folder: "folders/1", role: "roles/compute.admin", members: [UNKNOWN] }, { members: [sa.urn] });
    assert.deepEqual(check([sa, pool, b]).map((f) => [f.urn, f.property]), [[b.urn, "members[0]"]]);
  });

  it("is indeterminate on an unknown policy document", () => {
    const p = res("gcp:organizations/iAMPolicy:IAMPolicy", "p", { orgId: "1", policyData: UNKNOWN });
    assert.deepEqual(check([VM, p]).map((f) => [f.property, f.indeterminate]), [["policyData", true]]);
  });
});
