/**
 * Host permissions, where the stack shows them: no administrator-level grant to the identity worker hosts run as
 * (an EC2 instance profile's role, a GCE service account, an Azure VM's managed identity). Any code on the host
 * can fetch that identity's token from the metadata endpoint, so its grants are the workers' grants.
 */
import { matchesAny, stringListOption, stringOption } from "../../config";
import { ResourceIndex } from "../network/cloudNetwork";
import type { CheckContext, ResourceInput, StackFinding, StackRule } from "../types";
import { field, isUnknown, list, show, unknownFinding } from "../values";

const WHY = "any code on a worker host can fetch this identity's token from the metadata endpoint, so the grant is the workers' grant";

// ---- AWS -------------------------------------------------------------------------------------------------------

const ROLE = "aws:iam/role:Role";
const AWS_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const AWS_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const AWS_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";

/** A role reference: by dependency on a Role resource, else the role name as written. */
function roleKey(index: ResourceIndex, r: ResourceInput, key: string, value: unknown): string | undefined {
  const role = index.ref(r, key, [ROLE], value);
  if (role) return `urn:${role.urn}`;
  if (typeof value === "string" && !isUnknown(value)) return `name:${value.includes("/") ? value.slice(value.lastIndexOf("/") + 1) : value}`;
  return undefined;
}

function roleAliases(index: ResourceIndex, role: ResourceInput): string[] {
  const keys = [`urn:${role.urn}`];
  for (const k of ["name", "id"]) if (typeof role.props[k] === "string" && !isUnknown(role.props[k])) keys.push(`name:${role.props[k]}`);
  return keys;
}

function awsFindings(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const adminNames = stringOption(ctx.config, "awsPolicyNames");
  const isAdmin = (arn: unknown): string | undefined => {
    if (typeof arn !== "string") return undefined;
    const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m && adminNames.includes(m[1]) ? m[1] : undefined;
  };
  // Roles that an instance profile hands to EC2 hosts.
  const hostRoles = new Set<string>();
  for (const p of index.ofType(AWS_INSTANCE_PROFILE)) {
    const k = roleKey(index, p, "role", p.props.role);
    if (!k) continue;
    hostRoles.add(k);
    const role = index.ref(p, "role", [ROLE]);
    if (role) roleAliases(index, role).forEach((a) => hostRoles.add(a));
    else for (const r of index.ofType(ROLE)) if (roleAliases(index, r).includes(k)) roleAliases(index, r).forEach((a) => hostRoles.add(a));
  }
  if (hostRoles.size === 0) return [];
  const findings: StackFinding[] = [];
  for (const a of index.ofType(AWS_ROLE_POLICY_ATTACHMENT)) {
    const name = isAdmin(a.props.policyArn);
    const k = roleKey(index, a, "role", a.props.role);
    if (name && k && hostRoles.has(k)) {
      findings.push({
        urn: a.urn,
        type: a.type,
        property: "policyArn",
        message: `policyArn is ${show(a.props.policyArn)} on role ${show(a.props.role)}, which an instance profile gives to EC2 hosts; attach a policy scoped to what the workers need: ${WHY}.`,
      });
    }
  }
  for (const a of index.ofType(AWS_POLICY_ATTACHMENT)) {
    const name = isAdmin(a.props.policyArn);
    if (!name) continue;
    list(a.props.roles).forEach((role, i) => {
      const k = roleKey(index, a, "roles", role);
      if (k && hostRoles.has(k)) {
        findings.push({
          urn: a.urn,
          type: a.type,
          property: `roles[${i}]`,
          message: `roles[${i}] (${show(role)}) gets ${show(a.props.policyArn)} and an instance profile gives it to EC2 hosts; attach a policy scoped to what the workers need: ${WHY}.`,
        });
      }
    });
  }
  return findings;
}

// ---- GCP -------------------------------------------------------------------------------------------------------

const GCE = [
  "gcp:compute/instance:Instance",
  "gcp:compute/instanceTemplate:InstanceTemplate",
  "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
  "gcp:compute/instanceFromTemplate:InstanceFromTemplate",
];
const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const GCP_SA = "gcp:serviceaccount/account:Account";

/** Where an IAM grant applies: the level's words for messages and the prop naming the resource granted on. */
interface GcpIamLevel {
  readonly module: string;
  readonly level: string;
  readonly target: string;
}
// @pulumi/gcp registers the service-account IAM types under both spellings of the module.
const GCP_IAM_LEVELS: readonly GcpIamLevel[] = [
  { module: "gcp:projects", level: "project", target: "project" },
  { module: "gcp:organizations", level: "organization", target: "orgId" },
  { module: "gcp:folder", level: "folder", target: "folder" },
  { module: "gcp:serviceaccount", level: "service account", target: "serviceAccountId" },
  { module: "gcp:serviceAccount", level: "service account", target: "serviceAccountId" },
];
const iamType = (l: GcpIamLevel, kind: "Member" | "Binding" | "Policy"): string => `${l.module}/iAM${kind}:IAM${kind}`;
const GCP_IAM_TYPES = GCP_IAM_LEVELS.flatMap((l) => [iamType(l, "Member"), iamType(l, "Binding"), iamType(l, "Policy")]);

/** Service accounts worker hosts run as (GCE VMs and GKE nodes): by email, and by the resources their setting depends on. */
function gcpHostAccounts(index: ResourceIndex): Set<string> {
  const hostSas = new Set<string>();
  const addEmail = (email: unknown) => {
    if (typeof email === "string" && !isUnknown(email) && email.includes("@")) hostSas.add(`email:${email.toLowerCase()}`);
  };
  for (const type of GCE) {
    for (const vm of index.ofType(type)) {
      addEmail(field(vm.props.serviceAccount, "email"));
      for (const urn of vm.propertyDependencies?.serviceAccount ?? []) hostSas.add(`urn:${urn}`);
    }
  }
  for (const type of [GKE_NODE_POOL, GKE_CLUSTER]) {
    for (const r of index.ofType(type)) {
      addEmail(field(r.props.nodeConfig, "serviceAccount"));
      list(r.props.nodePools).forEach((p) => addEmail(field(field(p, "nodeConfig"), "serviceAccount")));
      addEmail(field(field(r.props.clusterAutoscaling, "autoProvisioningDefaults"), "serviceAccount"));
      for (const key of ["nodeConfig", "nodePools", "clusterAutoscaling"]) for (const urn of r.propertyDependencies?.[key] ?? []) hostSas.add(`urn:${urn}`);
    }
  }
  for (const sa of index.ofType(GCP_SA)) {
    const email = sa.props.email;
    if (hostSas.has(`urn:${sa.urn}`) && typeof email === "string" && !isUnknown(email)) hostSas.add(`email:${email.toLowerCase()}`);
    if (typeof email === "string" && hostSas.has(`email:${email.toLowerCase()}`)) hostSas.add(`urn:${sa.urn}`);
  }
  return hostSas;
}

/** The bindings of an IAM policy document (`policyData`, JSON), or "unknown" while it is not known. */
function policyBindings(policyData: unknown): { role: unknown; members: readonly unknown[] }[] | "unknown" {
  if (isUnknown(policyData)) return "unknown";
  let doc: unknown = policyData;
  if (typeof policyData === "string") {
    try {
      doc = JSON.parse(policyData);
    } catch {
      return [];
    }
  }
  return list(field(doc, "bindings")).map((b) => ({ role: field(b, "role"), members: list(field(b, "members")) }));
}

function gcpFindings(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const adminRoles = stringOption(ctx.config, "gcpRoles");
  const hostSas = gcpHostAccounts(index);
  if (hostSas.size === 0) return [];
  // A member names a host account by email (whatever its "type:" prefix says), or (preview) the grant's member list
  // depends on the host's Account.
  const used = (r: ResourceInput, key: string, member: unknown): boolean => {
    if (typeof member === "string" && hostSas.has(`email:${member.slice(member.indexOf(":") + 1).toLowerCase()}`)) return true;
    return (r.propertyDependencies?.[key] ?? []).some((u) => hostSas.has(`urn:${u}`));
  };
  const isAdmin = (role: unknown): role is string => typeof role === "string" && matchesAny(role, adminRoles);
  // Project grants keep their original wording; the other levels name where the role applies.
  const where = (l: GcpIamLevel, r: ResourceInput): string => (l.module === "gcp:projects" ? "" : ` on ${l.level} ${show(r.props[l.target])}`);
  const findings: StackFinding[] = [];
  for (const l of GCP_IAM_LEVELS) {
    for (const m of index.ofType(iamType(l, "Member"))) {
      if (isAdmin(m.props.role) && used(m, "member", m.props.member)) {
        findings.push({
          urn: m.urn,
          type: m.type,
          property: "role",
          message: `role is ${show(m.props.role)}${where(l, m)} for ${show(m.props.member)}, the service account worker VMs run as; grant only the roles the workers need: ${WHY}.`,
        });
      }
    }
    for (const b of index.ofType(iamType(l, "Binding"))) {
      if (!isAdmin(b.props.role)) continue;
      list(b.props.members).forEach((member, i) => {
        if (used(b, "members", member)) {
          findings.push({
            urn: b.urn,
            type: b.type,
            property: `members[${i}]`,
            message: `members[${i}] (${show(member)}) gets ${show(b.props.role)}${where(l, b)} and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
          });
        }
      });
    }
    for (const p of index.ofType(iamType(l, "Policy"))) {
      const bindings = policyBindings(p.props.policyData);
      if (bindings === "unknown") {
        findings.push({ urn: p.urn, type: p.type, ...unknownFinding("policyData") });
        continue;
      }
      bindings.forEach(({ role, members }, i) => {
        if (!isAdmin(role)) return;
        members.forEach((member, j) => {
          if (used(p, "policyData", member)) {
            findings.push({
              urn: p.urn,
              type: p.type,
              property: `policyData.bindings[${i}].members[${j}]`,
              message: `policyData.bindings[${i}].members[${j}] (${show(member)}) gets ${show(role)}${where(l, p)} and worker VMs run as it; grant only the roles the workers need: ${WHY}.`,
            });
          }
        });
      });
    }
  }
  return findings;
}

// ---- Azure -----------------------------------------------------------------------------------------------------

const AZ_VMS = ["azure-native:compute:VirtualMachine", "azure-native:compute:VirtualMachineScaleSet"];
const AZ_UAI = "azure-native:managedidentity:UserAssignedIdentity";
const AZ_ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment";

function azureFindings(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const adminIds = stringOption(ctx.config, "azureRoleDefinitionIds").map((s) => s.toLowerCase());
  const hostPrincipals = new Set<string>();
  for (const type of AZ_VMS) {
    for (const vm of index.ofType(type)) {
      hostPrincipals.add(`urn:${vm.urn}`);
      const pid = field(vm.props.identity, "principalId");
      if (typeof pid === "string" && !isUnknown(pid)) hostPrincipals.add(`id:${pid}`);
      for (const urn of vm.propertyDependencies?.identity ?? []) hostPrincipals.add(`urn:${urn}`);
    }
  }
  if (hostPrincipals.size === 0) return [];
  for (const uai of index.ofType(AZ_UAI)) {
    const pid = uai.props.principalId;
    if (hostPrincipals.has(`urn:${uai.urn}`) && typeof pid === "string") hostPrincipals.add(`id:${pid}`);
  }
  const findings: StackFinding[] = [];
  for (const ra of index.ofType(AZ_ROLE_ASSIGNMENT)) {
    const def = ra.props.roleDefinitionId;
    if (typeof def !== "string") continue;
    const guid = def.slice(def.lastIndexOf("/") + 1).toLowerCase();
    if (!adminIds.includes(guid)) continue;
    const pid = ra.props.principalId;
    const hit =
      (typeof pid === "string" && hostPrincipals.has(`id:${pid}`)) ||
      (ra.propertyDependencies?.principalId ?? []).some((u) => hostPrincipals.has(`urn:${u}`));
    if (hit) {
      findings.push({
        urn: ra.urn,
        type: ra.type,
        property: "roleDefinitionId",
        message: `roleDefinitionId is ${show(def)} (an administrator-level built-in role) for the managed identity of a worker VM; assign a role scoped to what the workers need: ${WHY}.`,
      });
    }
  }
  return findings;
}

/** Runs the three clouds' checks over one stack. */
export function checkAdminGrants(resources: readonly ResourceInput[], ctx: CheckContext): StackFinding[] {
  const index = new ResourceIndex(resources);
  return [...awsFindings(index, ctx), ...gcpFindings(index, ctx), ...azureFindings(index, ctx)];
}

/** `host-identity-admin-grant`: worker hosts' identities hold no administrator-level grants. */
export const adminGrantRule: StackRule = {
  id: "host-identity-admin-grant",
  description:
    "The identity worker hosts run as (EC2 instance profile role, GCE or GKE node service account, Azure VM managed identity) holds no administrator-level grant in the stack, at any level.",
  enforcementLevel: "mandatory",
  family: "hostIdentity",
  docs:
    "Administrator-level grants to an instance profile's role, a GCE VM's or GKE node's service account (project, folder, organization and " +
    "service-account IAM members, bindings and policies), or an Azure VM identity.",
  options: {
    awsPolicyNames: stringListOption("AWS managed policy names treated as administrator-level.", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]),
    // Globs (picomatch, case-insensitive), at any level: project, folder, organization, or one service account.
    // - The basic roles: Google's IAM docs ("Basic roles") advise against them in production; Viewer alone reads the
    //   configuration, metadata and startup scripts of every resource in the scope.
    // - Every admin role (CIS GCP 1.5, "Ensure that Service Account has no Admin privileges"; Checkov CKV_GCP_42):
    //   compute.admin sets any VM's metadata and service account, the IAM and resource-manager admins grant roles.
    // - The roles that act as, mint tokens for or create keys of other service accounts, and the service-agent roles,
    //   which carry such permissions and are meant for Google's own agents only (Google's "Best practices for using
    //   service accounts" and "Service agents"; the list is Checkov's CKV_GCP_44/45/49, drawn from Google's
    //   permissions reference).
    gcpRoles: stringListOption("Globs of GCP roles no worker host's identity may hold, at project, folder, organization or service-account level.", [
      "roles/owner",
      "roles/editor",
      "roles/viewer",
      "roles/*.admin",
      "roles/*Admin",
      "roles/*.serviceAgent",
      "roles/iam.serviceAccountTokenCreator",
      "roles/iam.serviceAccountOpenIdTokenCreator",
      "roles/iam.serviceAccountUser",
      "roles/iam.workloadIdentityUser",
      "roles/dataflow.developer",
      "roles/deploymentmanager.editor",
      "roles/cloudbuild.builds.editor",
      "roles/cloudbuild.builds.builder",
      "roles/backupdr.computeEngineOperator",
      "roles/dataproc.hubAgent",
      "roles/composer.worker",
      "roles/run.sourceDeveloper",
    ]),
    // Built-in role GUIDs (learn.microsoft.com, "Azure built-in roles"): the last two can grant any role, so they
    // are administrator-level too.
    azureRoleDefinitionIds: stringListOption(
      "Azure role definition GUIDs treated as administrator-level (Owner, Contributor, User Access Administrator, Role Based Access Control Administrator).",
      ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "b24988ac-6180-42a0-ab88-20f7382dd24c", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", "f58310d9-a9f6-439a-9e8d-f62e7b41a168"],
    ),
  },
  types: [
    ROLE,
    AWS_INSTANCE_PROFILE,
    AWS_ROLE_POLICY_ATTACHMENT,
    AWS_POLICY_ATTACHMENT,
    ...GCE,
    GKE_NODE_POOL,
    GKE_CLUSTER,
    GCP_SA,
    ...GCP_IAM_TYPES,
    ...AZ_VMS,
    AZ_UAI,
    AZ_ROLE_ASSIGNMENT,
  ],
  check: checkAdminGrants,
};
