/**
 * GCE instances, instance templates and GKE nodes: no default compute service account (and so no broad scopes on
 * it), and the legacy metadata endpoints left off. VPC firewall rules cannot block the metadata server (cloud-controls.md
 * section 3), so what the token endpoint can mint is what matters.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isRecord, isUnknown, list, show, unknownFinding } from "../values";

const DEFAULT_SA = /^[0-9]+-compute@developer\.gserviceaccount\.com$/i;
const CLOUD_PLATFORM = new Set(["cloud-platform", "https://www.googleapis.com/auth/cloud-platform"]);

/**
 * The GCE types carrying `serviceAccount`, `metadata` and `networkInterfaces` at the top level. An instance from a
 * template takes each of them from its template unless it sets the field itself, so an unset field passes there
 * (the template, when in the stack, is checked on its own).
 */
export const GCE_TYPES = [
  "gcp:compute/instance:Instance",
  "gcp:compute/instanceTemplate:InstanceTemplate",
  "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate",
  "gcp:compute/instanceFromTemplate:InstanceFromTemplate",
] as const;

/** True for an email (or absent email) that selects the project's default compute service account. */
function isDefaultEmail(email: unknown): boolean {
  return email === undefined || email === null || email === "" || email === "default" || (typeof email === "string" && DEFAULT_SA.test(email));
}

/**
 * Passes when no service account is attached, or a dedicated one is. `serviceAccount` with no email (or "default")
 * attaches the project's default compute service account, which holds Editor on the project unless an org policy
 * stopped the automatic grant. Scopes are reported only with the default account: they are not a security
 * boundary (GKE hardening guide: "Restrict the permissions ... by using service account permissions, not access
 * scopes"), so with a dedicated account its IAM roles are what counts.
 */
export function checkGceServiceAccount(props: Record<string, unknown>): Finding[] {
  const sa = props.serviceAccount;
  if (sa === undefined || sa === null) return [];
  if (isUnknown(sa)) return [unknownFinding("serviceAccount")];
  const email = field(sa, "email");
  if (isUnknown(email)) return [unknownFinding("serviceAccount.email")];
  if (!isDefaultEmail(email)) return [];
  const findings: Finding[] = [
    {
      property: "serviceAccount.email",
      message:
        `serviceAccount.email is ${show(email)}, the project's default compute service account; omit serviceAccount ` +
        "or use a dedicated service account with only the roles the workers need: any code on the VM can mint that " +
        "account's token from the metadata server, and VPC firewall rules cannot block it.",
    },
  ];
  const scopes = field(sa, "scopes");
  if (isUnknown(scopes)) findings.push(unknownFinding("serviceAccount.scopes"));
  else {
    list(scopes).forEach((s, i) => {
      if (typeof s === "string" && CLOUD_PLATFORM.has(s)) {
        findings.push({
          property: `serviceAccount.scopes[${i}]`,
          message:
            `serviceAccount.scopes[${i}] is ${show(s)} on the default compute service account; use a dedicated ` +
            "service account instead: with cloud-platform the token carries every permission the account's IAM " +
            "roles grant, and narrowing scopes is no substitute: scopes are not a security boundary, and Google's " +
            "hardening guidance is to restrict permissions with service account roles, not access scopes.",
        });
      }
    });
  }
  return findings;
}

/**
 * Passes unless `disable-legacy-endpoints` is set to anything but "true" (case-insensitive). The legacy
 * (v0.1/v1beta1) endpoints answer without the `Metadata-Flavor: Google` header, which is what stops simple
 * request-forgery reads (GCE "migrating-to-v1-metadata-server").
 */
export function checkLegacyEndpoints(path: readonly string[]): (props: Record<string, unknown>) => Finding[] {
  const property = [...path, "disable-legacy-endpoints"].join(".");
  return (props) => {
    let metadata: unknown = props;
    for (const k of path) {
      if (isUnknown(metadata)) return [unknownFinding(property)];
      metadata = field(metadata, k);
    }
    if (isUnknown(metadata)) return [unknownFinding(property)];
    if (!isRecord(metadata)) return [];
    const v = metadata["disable-legacy-endpoints"];
    if (v === undefined || v === null) return [];
    if (isUnknown(v)) return [unknownFinding(property)];
    if (typeof v === "string" && v.trim().toLowerCase() === "true") return [];
    if (v === true) return [];
    return [
      {
        property,
        message:
          `${property} is ${show(v)}; set it to "TRUE" or remove it: the legacy metadata endpoints answer without ` +
          "the Metadata-Flavor header, so a server-side request forgery can read metadata and tokens.",
      },
    ];
  };
}

const GKE_WHY =
  "GKE nodes run as the project's default compute service account (which holds Editor unless an org policy stopped " +
  "the automatic grant) when none is named, and every pod that reaches the node's metadata server (hostNetwork pods, " +
  "or every pod on a pool without GKE_METADATA) can mint that account's token";

/** One node service-account setting: a finding unless it names a dedicated account. */
function nodeAccount(config: unknown, path: string): Finding[] {
  if (isUnknown(config)) return [unknownFinding(path)];
  const email = field(config, "serviceAccount");
  const property = `${path}.serviceAccount`;
  if (isUnknown(email)) return [unknownFinding(property)];
  if (!isDefaultEmail(email)) return [];
  return [{ property, message: `${property} is ${show(email)}; set it to a dedicated service account with only roles/container.defaultNodeServiceAccount: ${GKE_WHY}.` }];
}

/** GKE node pools: `nodeConfig.serviceAccount` names a dedicated account (an absent nodeConfig means the default one). */
export function checkGkeNodePoolServiceAccount(props: Record<string, unknown>): Finding[] {
  return nodeAccount(props.nodeConfig ?? {}, "nodeConfig");
}

/**
 * GKE clusters: the default node pool's `nodeConfig` (unless `removeDefaultNodePool` deletes it), every inline
 * `nodePools[].nodeConfig`, and, with Autopilot or node auto-provisioning, the auto-provisioned nodes' account
 * (`clusterAutoscaling.autoProvisioningDefaults.serviceAccount`).
 */
export function checkGkeClusterServiceAccount(props: Record<string, unknown>): Finding[] {
  for (const key of ["removeDefaultNodePool", "enableAutopilot", "nodePools", "clusterAutoscaling"]) if (isUnknown(props[key])) return [unknownFinding(key)];
  const findings: Finding[] = [];
  const autopilot = props.enableAutopilot === true;
  if (!autopilot && props.removeDefaultNodePool !== true) findings.push(...nodeAccount(props.nodeConfig ?? {}, "nodeConfig"));
  list(props.nodePools).forEach((pool, i) => findings.push(...nodeAccount(field(pool, "nodeConfig") ?? {}, `nodePools[${i}].nodeConfig`)));
  const autoscaling = props.clusterAutoscaling;
  if (autopilot || field(autoscaling, "enabled") === true) {
    const defaults = field(autoscaling, "autoProvisioningDefaults");
    findings.push(...nodeAccount(defaults ?? {}, "clusterAutoscaling.autoProvisioningDefaults"));
  }
  return findings;
}

/** `metadata-endpoint-gcp-service-account`: GCE and GKE workers carry no default compute service account. */
export const gcpServiceAccountRule: ResourceRule = {
  id: "metadata-endpoint-gcp-service-account",
  description:
    "GCE instances, instance templates, instances from templates and GKE nodes attach no service account or a dedicated one, never the default compute service account, so the metadata server cannot mint a broad token.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs:
    "GCE instances, templates and instances from templates: no default compute service account (`cloud-platform` scope on it reported too). " +
    "GKE node pools and clusters (default pool, inline pools, auto-provisioned nodes): `serviceAccount` names a dedicated account.",
  checks: {
    ...Object.fromEntries(GCE_TYPES.map((t) => [t, checkGceServiceAccount])),
    "gcp:container/nodePool:NodePool": checkGkeNodePoolServiceAccount,
    "gcp:container/cluster:Cluster": checkGkeClusterServiceAccount,
  },
};

const topLevel = checkLegacyEndpoints(["metadata"]);
const nodeConfig = checkLegacyEndpoints(["nodeConfig", "metadata"]);

/** `metadata-endpoint-gcp-legacy-endpoints`: the legacy metadata endpoints stay disabled. */
export const gcpLegacyEndpointsRule: ResourceRule = {
  id: "metadata-endpoint-gcp-legacy-endpoints",
  description: "GCE instances, templates, instances from templates and GKE nodes never re-enable the legacy metadata endpoints (disable-legacy-endpoints is not false).",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "GCE and GKE node metadata: `disable-legacy-endpoints` not false.",
  checks: {
    ...Object.fromEntries(GCE_TYPES.map((t) => [t, topLevel])),
    "gcp:container/cluster:Cluster": nodeConfig,
    "gcp:container/nodePool:NodePool": nodeConfig,
  },
};
