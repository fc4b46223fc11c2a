/**
 * Host permissions, where the stack shows them: no administrator-level grant to the identity worker hosts run as
 * (an EC2 instance profile's role, an EKS node role, a GCE service account, an Azure VM's managed identity) or ECS
 * tasks run as (the task role). Any code on the host can fetch that identity's token from the metadata endpoint
 * (a task's code from the ECS credentials endpoint), so its grants are the workers' grants.
 */
import { matchesAny, stringListOption, stringOption } from "../../config";
import { ResourceIndex } from "../network/cloudNetwork";
import type { CheckContext, ResourceInput, StackFinding, StackRule } from "../types";
import { field, isRecord, isUnknown, list, show, unknownFinding } from "../values";

const WHY = "any code on a worker host can fetch this identity's token from the metadata endpoint, so the grant is the workers' grant";

// ---- AWS -------------------------------------------------------------------------------------------------------

const ROLE = "aws:iam/role:Role";
const AWS_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";
const AWS_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const AWS_POLICY_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
const AWS_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const AWS_POLICY = "aws:iam/policy:Policy";
const ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const EKS_NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

const TASK_WHY =
  "any code in the task can fetch this role's credentials from the ECS credentials endpoint (169.254.170.2), so the grant is the workload's grant";

/** How a worker identity reaches workloads: the words for the message and why that makes the grant theirs. */
interface HostUse {
  readonly gives: string;
  readonly why: string;
}

/** The role name an ARN or name points at (`arn:aws:iam::1:role/path/name` and `name` both give `name`). */
function roleNameOf(value: string): string {
  return value.includes("/") ? value.slice(value.lastIndexOf("/") + 1) : value;
}

/** A role reference: by dependency on a Role resource, else the role name (or ARN) as written. */
function roleKey(index: ResourceIndex, r: ResourceInput, key: string, value: unknown): string | undefined {
  const role = index.ref(r, key, [ROLE], value);
  if (role) return `urn:${role.urn}`;
  if (typeof value === "string" && !isUnknown(value) && value !== "") return `name:${roleNameOf(value)}`;
  return undefined;
}

function roleAliases(role: ResourceInput): string[] {
  const keys = [`urn:${role.urn}`];
  for (const k of ["name", "id", "arn"]) if (typeof role.props[k] === "string" && !isUnknown(role.props[k])) keys.push(`name:${roleNameOf(role.props[k] as string)}`);
  return keys;
}

/**
 * True when an IAM policy document grants administrator-level rights: an Allow statement (IAM requires `Effect`;
 * a statement without one is read as Allow) whose `Action` holds "*" or "*:*", or that allows everything but a
 * `NotAction` list, on `Resource` "*"; or one that allows "iam:*" on any resource (managing identities is how a
 * role grants itself the rest, and IAM resource patterns are easy to write too wide). Returns the reason, or
 * "unknown" when the document is not known yet, or undefined.
 */
export function adminStatement(doc: unknown): string | "unknown" | undefined {
  if (isUnknown(doc)) return "unknown";
  let policy: unknown = doc;
  if (typeof doc === "string") {
    try {
      policy = JSON.parse(doc);
    } catch {
      return undefined;
    }
  }
  const statements = field(policy, "Statement");
  const all = Array.isArray(statements) ? statements : [statements];
  for (let i = 0; i < all.length; i++) {
    const st = all[i];
    if (!isRecord(st)) continue;
    const effect = st.Effect ?? "Allow";
    if (isUnknown(effect) || isUnknown(st.Action) || isUnknown(st.Resource) || isUnknown(st.NotResource)) return "unknown";
    if (effect !== "Allow") continue;
    const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
    const actions = asList(st.Action);
    if (actions.some((a) => typeof a === "string" && a.toLowerCase() === "iam:*")) return `Statement[${i}] allows "iam:*" on ${show(st.Resource)}`;
    // NotResource is every resource but those listed: as wide as "*" for this purpose.
    const on = asList(st.Resource).includes("*") ? '"*"' : st.NotResource !== undefined ? `every resource but ${show(st.NotResource)}` : undefined;
    if (on === undefined) continue;
    const star = actions.find((a) => a === "*" || a === "*:*");
    if (star !== undefined) return `Statement[${i}] allows ${show(star)} on ${on}`;
    if (st.NotAction !== undefined) return `Statement[${i}] allows every action but ${show(st.NotAction)} on ${on}`;
  }
  return undefined;
}

function awsFindings(index: ResourceIndex, ctx: CheckContext): StackFinding[] {
  const adminNames = stringOption(ctx.config, "awsPolicyNames");
  // Customer-managed policies whose documents are administrator-level, by URN and by ARN.
  const adminPolicies = new Map<string, string>();
  const unknownPolicies = new Set<string>();
  for (const p of index.ofType(AWS_POLICY)) {
    const why = adminStatement(p.props.policy);
    const keys = [`urn:${p.urn}`, ...(typeof p.props.arn === "string" && !isUnknown(p.props.arn) ? [`arn:${p.props.arn}`] : [])];
    if (why === "unknown") keys.forEach((k) => unknownPolicies.add(k));
    else if (why) keys.forEach((k) => adminPolicies.set(k, `customer-managed policy "${p.name}" (${why})`));
  }
  /** Why a managed-policy ARN (or the Policy resources it was computed from) is administrator-level. */
  const adminArn = (arn: unknown, deps: readonly string[]): string | "unknown" | undefined => {
    if (typeof arn === "string" && !isUnknown(arn)) {
      const m = /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
      if (m && adminNames.includes(m[1])) return `the AWS managed policy ${m[1]}`;
      if (adminPolicies.has(`arn:${arn}`)) return adminPolicies.get(`arn:${arn}`);
    }
    for (const u of deps) if (adminPolicies.has(`urn:${u}`)) return adminPolicies.get(`urn:${u}`);
    if (isUnknown(arn) && deps.some((u) => unknownPolicies.has(`urn:${u}`))) return "unknown";
    return undefined;
  };

  // Roles that workloads can take the credentials of: an instance profile's (EC2 hosts), an ECS task definition's
  // task role, an EKS node group's node role.
  const hostRoles = new Map<string, HostUse>();
  const addHostRole = (r: ResourceInput, key: string, use: HostUse): void => {
    const k = roleKey(index, r, key, r.props[key]);
    if (!k) return;
    const aliases = [k];
    const role = index.ref(r, key, [ROLE]);
    if (role) aliases.push(...roleAliases(role));
    else for (const x of index.ofType(ROLE)) if (roleAliases(x).includes(k)) aliases.push(...roleAliases(x));
    for (const a of aliases) if (!hostRoles.has(a)) hostRoles.set(a, use);
  };
  for (const p of index.ofType(AWS_INSTANCE_PROFILE)) addHostRole(p, "role", { gives: "an instance profile gives to EC2 hosts", why: WHY });
  for (const t of index.ofType(ECS_TASK_DEFINITION)) addHostRole(t, "taskRoleArn", { gives: `ECS task definition "${t.name}" gives to its tasks`, why: TASK_WHY });
  for (const g of index.ofType(EKS_NODE_GROUP)) addHostRole(g, "nodeRoleArn", { gives: `EKS node group "${g.name}" gives to its nodes`, why: WHY });
  if (hostRoles.size === 0) return [];

  const findings: StackFinding[] = [];
  const report = (r: ResourceInput, property: string, what: string, use: HostUse): void => {
    findings.push({ urn: r.urn, type: r.type, property, message: `${what}, which ${use.gives}; grant a policy scoped to what the workers need: ${use.why}.` });
  };
  const unknown = (r: ResourceInput, property: string): void => {
    findings.push({ urn: r.urn, type: r.type, ...unknownFinding(property) });
  };
  for (const a of index.ofType(AWS_ROLE_POLICY_ATTACHMENT)) {
    const k = roleKey(index, a, "role", a.props.role);
    const use = k ? hostRoles.get(k) : undefined;
    if (!use) continue;
    const why = adminArn(a.props.policyArn, a.propertyDependencies?.policyArn ?? []);
    if (why === "unknown") unknown(a, "policyArn");
    else if (why) report(a, "policyArn", `policyArn is ${show(a.props.policyArn)} (${why}) on role ${show(a.props.role)}`, use);
  }
  for (const a of index.ofType(AWS_POLICY_ATTACHMENT)) {
    const why = adminArn(a.props.policyArn, a.propertyDependencies?.policyArn ?? []);
    if (!why) continue;
    list(a.props.roles).forEach((role, i) => {
      const k = roleKey(index, a, "roles", role);
      const use = k ? hostRoles.get(k) : undefined;
      if (!use) return;
      if (why === "unknown") unknown(a, "policyArn");
      else report(a, `roles[${i}]`, `roles[${i}] (${show(role)}) gets ${show(a.props.policyArn)} (${why})`, use);
    });
  }
  for (const role of index.ofType(ROLE)) {
    const use = roleAliases(role).map((k) => hostRoles.get(k)).find((u) => u !== undefined);
    if (!use) continue;
    const arns = role.props.managedPolicyArns;
    if (isUnknown(arns)) unknown(role, "managedPolicyArns");
    list(arns).forEach((arn, i) => {
      const why = adminArn(arn, isUnknown(arn) ? (role.propertyDependencies?.managedPolicyArns ?? []) : []);
      if (why === "unknown") unknown(role, `managedPolicyArns[${i}]`);
      else if (why) report(role, `managedPolicyArns[${i}]`, `managedPolicyArns[${i}] is ${show(arn)} (${why}) on role "${role.name}"`, use);
    });
    const inline = role.props.inlinePolicies;
    if (isUnknown(inline)) unknown(role, "inlinePolicies");
    list(inline).forEach((p, i) => {
      const why = adminStatement(field(p, "policy"));
      if (why === "unknown") unknown(role, `inlinePolicies[${i}].policy`);
      else if (why) report(role, `inlinePolicies[${i}].policy`, `inlinePolicies[${i}].policy of role "${role.name}" is administrator-level: ${why}`, use);
    });
  }
  for (const rp of index.ofType(AWS_ROLE_POLICY)) {
    const k = roleKey(index, rp, "role", rp.props.role);
    const use = k ? hostRoles.get(k) : undefined;
    if (!use) continue;
    const why = adminStatement(rp.props.policy);
    if (why === "unknown") unknown(rp, "policy");
    else if (why) report(rp, "policy", `policy of role ${show(rp.props.role)} is administrator-level: ${why}`, use);
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
      // A role not known yet (preview) on the host's account is checked again when it is known.
      if (isUnknown(m.props.role) && used(m, "member", m.props.member)) findings.push({ urn: m.urn, type: m.type, ...unknownFinding("role") });
      else if (isAdmin(m.props.role) && used(m, "member", m.props.member)) {
        findings.push({
          urn: m.urn,
          type: m.type,
          property: "role",
          message: `role is ${show(m.props.role)}${where(l, m)} for ${show(m.props.member)}, the service account worker VMs run as; grant only the roles the workers need: ${WHY}.`,
        });
      }
    }
    for (const b of index.ofType(iamType(l, "Binding"))) {
      if (isUnknown(b.props.role)) {
        if (list(b.props.members).some((member) => used(b, "members", member))) findings.push({ urn: b.urn, type: b.type, ...unknownFinding("role") });
        continue;
      }
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
    const pid = ra.props.principalId;
    const hit =
      (typeof pid === "string" && hostPrincipals.has(`id:${pid}`)) ||
      (ra.propertyDependencies?.principalId ?? []).some((u) => hostPrincipals.has(`urn:${u}`));
    // A role not known yet (preview: built from the subscription's id) on a host identity is checked again when known.
    if (isUnknown(def)) {
      if (hit) findings.push({ urn: ra.urn, type: ra.type, ...unknownFinding("roleDefinitionId") });
      continue;
    }
    const guid = def.slice(def.lastIndexOf("/") + 1).toLowerCase();
    if (!adminIds.includes(guid)) continue;
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
    "The identity worker hosts and tasks run as (EC2 instance profile role, ECS task role, EKS node role, GCE or GKE node service account, Azure VM managed identity) holds no administrator-level grant in the stack, at any level.",
  enforcementLevel: "mandatory",
  family: "hostIdentity",
  docs:
    "Administrator-level grants to an instance profile's role, an ECS task role or an EKS node role (managed policies by attachment or `managedPolicyArns`, customer-managed or inline policies allowing `*`, `*:*` or `iam:*` or a `NotAction` on `Resource: \"*\"`), " +
    "a GCE VM's or GKE node's service account (project, folder, organization and service-account IAM members, bindings and policies), or an Azure VM identity.",
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
    AWS_ROLE_POLICY,
    AWS_POLICY,
    ECS_TASK_DEFINITION,
    EKS_NODE_GROUP,
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
