/**
 * Checkov's own Terraform test fixtures (tests/fixtures/checkov/<cloud>/, copied by extract.py with the verdicts
 * Checkov's unit tests assert), parsed with a real HCL parser (@cdktf/hcl2json, HashiCorp's hcl compiled to wasm)
 * and translated into the Pulumi inputs the same resources have, so a pack rule's verdict can be set beside
 * Checkov's. The translation is written out per Terraform type below; nothing about a case's verdict is in it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { resolveConfig } from "../../../policy/options";
import { isResourceRule, ruleById } from "../../../policy/registry";
import type { Finding, ResourceInput } from "../../../policy/rules/types";

export const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "checkov");

/** One overlapping Checkov check, as extract.py wrote it into manifest.json. */
export interface ManifestCheck {
  readonly id: string;
  readonly check: string;
  readonly test: string | null;
  readonly fixtures: readonly { readonly file: string; readonly source: string }[];
  readonly pass: readonly string[];
  readonly fail: readonly string[];
  readonly unknown: readonly string[];
}

export interface Manifest {
  readonly repository: string;
  readonly commit: string;
  readonly checks: readonly ManifestCheck[];
}

export function manifest(cloud: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, cloud, "manifest.json"), "utf8")) as Manifest;
}

type Hcl = Record<string, unknown>;

/** Every resource block of a check's fixture files, by `type.name`, as hcl2json gives it (blocks are lists). */
export async function terraformResources(cloud: string, check: ManifestCheck): Promise<Map<string, { type: string; name: string; body: Hcl }>> {
  const out = new Map<string, { type: string; name: string; body: Hcl }>();
  for (const f of check.fixtures) {
    const file = path.join(FIXTURES, cloud, f.file);
    const json = (await parse(path.basename(file), fs.readFileSync(file, "utf8"))) as { resource?: Record<string, Record<string, Hcl[]>> };
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, bodies] of Object.entries(byName)) out.set(`${type}.${name}`, { type, name, body: bodies[0] });
    }
  }
  return out;
}

const camel = (s: string): string => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const first = (v: unknown): Hcl | undefined => (Array.isArray(v) ? (v[0] as Hcl | undefined) : (v as Hcl | undefined));
const blocks = (v: unknown): Hcl[] => (Array.isArray(v) ? (v as Hcl[]) : v === undefined ? [] : [v as Hcl]);

/** Terraform's `metadata` is map(string): a `true` written in HCL reaches the API as "true". Block syntax is accepted too. */
function metadata(v: unknown): Record<string, string> | undefined {
  const m = first(v);
  if (m === undefined) return undefined;
  return Object.fromEntries(Object.entries(m).map(([k, x]) => [k, typeof x === "string" ? x : String(x)]));
}

/** Plain attributes in camelCase, blocks left out (each type below maps the blocks it has). */
function attributes(body: Hcl): Hcl {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => !(Array.isArray(v) && v.length > 0 && typeof v[0] === "object")).map(([k, v]) => [camel(k), v]));
}

function gceProps(body: Hcl): Hcl {
  const props: Hcl = attributes(body);
  delete props.metadata;
  const md = metadata(body.metadata);
  if (md) props.metadata = md;
  const sa = first(body.service_account);
  if (sa) props.serviceAccount = { ...(sa.email !== undefined ? { email: sa.email } : {}), scopes: sa.scopes ?? [] };
  if (body.network_interface !== undefined) {
    props.networkInterfaces = blocks(body.network_interface).map((ni) => ({
      ...attributes(ni),
      ...(ni.access_config !== undefined ? { accessConfigs: blocks(ni.access_config).map(attributes) } : {}),
      ...(ni.ipv6_access_config !== undefined ? { ipv6AccessConfigs: blocks(ni.ipv6_access_config).map(attributes) } : {}),
    }));
  }
  return props;
}

/**
 * `node_config`: `workload_metadata_config.node_metadata = "GKE_METADATA_SERVER"` is the Google provider's old name
 * for `mode = "GKE_METADATA"` (the only field @pulumi/gcp keeps), so it is carried over as that mode.
 */
function nodeConfig(v: unknown): Hcl | undefined {
  const nc = first(v);
  if (nc === undefined) return undefined;
  const out: Hcl = attributes(nc);
  const wmc = first(nc.workload_metadata_config);
  if (wmc) out.workloadMetadataConfig = { mode: wmc.mode ?? (wmc.node_metadata === "GKE_METADATA_SERVER" ? "GKE_METADATA" : wmc.node_metadata) };
  const md = metadata(nc.metadata);
  if (md) out.metadata = md;
  return out;
}

function gkeProps(body: Hcl): Hcl {
  const props: Hcl = attributes(body);
  const nc = nodeConfig(body.node_config);
  if (nc) props.nodeConfig = nc;
  if (body.node_pool !== undefined) props.nodePools = blocks(body.node_pool).map((p) => ({ ...attributes(p), ...(p.node_config ? { nodeConfig: nodeConfig(p.node_config) } : {}) }));
  const wic = first(body.workload_identity_config);
  if (wic) props.workloadIdentityConfig = attributes(wic);
  return props;
}

/** `default_node_pool` becomes the first of `agentPoolProfiles` (azurerm's two spellings of the public-IP flag). */
function aksProps(body: Hcl): Hcl {
  const props: Hcl = attributes(body);
  const pool = first(body.default_node_pool);
  if (pool) {
    const p = attributes(pool);
    const publicIp = pool.enable_node_public_ip ?? pool.node_public_ip_enabled;
    props.agentPoolProfiles = [
      { name: p.name, mode: "System", count: p.nodeCount, vmSize: p.vmSize, ...(publicIp !== undefined ? { enableNodePublicIP: publicIp } : {}) },
    ];
  }
  const identity = first(body.identity);
  if (identity) props.identity = attributes(identity);
  return props;
}

function nicProps(body: Hcl): Hcl {
  const props: Hcl = attributes(body);
  props.ipConfigurations = blocks(body.ip_configuration).map((c) => ({
    name: c.name,
    ...(c.subnet_id !== undefined ? { subnet: { id: c.subnet_id } } : {}),
    ...(c.private_ip_address_allocation !== undefined ? { privateIPAllocationMethod: c.private_ip_address_allocation } : {}),
    ...(c.public_ip_address_id !== undefined ? { publicIPAddress: { id: c.public_ip_address_id } } : {}),
  }));
  return props;
}

const IAM_LEVELS: Record<string, string> = { project: "gcp:projects", folder: "gcp:folder", organization: "gcp:organizations" };

/** The Pulumi type token and inputs of one Terraform resource, for the types the overlapping checks read. */
export function translate(type: string, body: Hcl): { type: string; props: Hcl } {
  const gce: Record<string, string> = {
    google_compute_instance: "gcp:compute/instance:Instance",
    google_compute_instance_template: "gcp:compute/instanceTemplate:InstanceTemplate",
    google_compute_instance_from_template: "gcp:compute/instanceFromTemplate:InstanceFromTemplate",
  };
  if (gce[type]) return { type: gce[type], props: gceProps(body) };
  if (type === "google_container_cluster") return { type: "gcp:container/cluster:Cluster", props: gkeProps(body) };
  if (type === "google_container_node_pool") return { type: "gcp:container/nodePool:NodePool", props: gkeProps(body) };
  const iam = /^google_(project|folder|organization)_iam_(member|binding)$/.exec(type);
  if (iam) {
    const kind = iam[2] === "member" ? "Member" : "Binding";
    return { type: `${IAM_LEVELS[iam[1]]}/iAM${kind}:IAM${kind}`, props: attributes(body) };
  }
  if (type === "azurerm_kubernetes_cluster") return { type: "azure-native:containerservice:ManagedCluster", props: aksProps(body) };
  if (type === "azurerm_network_interface") return { type: "azure-native:network:NetworkInterface", props: nicProps(body) };
  throw new Error(`no translation for ${type}`);
}

export function resourceInput(type: string, name: string, props: Hcl): ResourceInput {
  return { type, name, urn: `urn:pulumi:checkov::fixtures::${type}::${name}`, props };
}

/** How a case's verdict is read from the pack: the rule, the findings that belong to the check's concern, the stack. */
export interface Overlap {
  /** The pack rule whose concern overlaps the check. */
  readonly rule: string;
  /** The finding properties that are the check's concern (other findings of the rule are about other settings). */
  readonly property: RegExp;
  /** Resources the case runs with besides its own (stack rules), given the translated subject. @default none */
  readonly context?: (subject: ResourceInput) => { subject: ResourceInput; others: ResourceInput[] };
  /** Why the overlap is read this way, for docs/policy-agreement. */
  readonly how: string;
}

/** "fail" when the rule reports a decided finding of the concern on the subject, else "pass". */
export function verdict(overlap: Overlap, input: ResourceInput): "pass" | "fail" {
  const rule = ruleById(overlap.rule);
  if (!rule) throw new Error(`no rule ${overlap.rule}`);
  const { subject, others } = overlap.context ? overlap.context(input) : { subject: input, others: [] };
  const config = resolveConfig(rule.id, {});
  let findings: Finding[];
  if (isResourceRule(rule)) {
    const check = rule.checks[subject.type];
    if (!check) throw new Error(`${rule.id} does not read ${subject.type}`);
    findings = check(subject.props, { config, resource: { urn: subject.urn, name: subject.name, type: subject.type } });
  } else {
    findings = rule.check([...others, subject], { config }).filter((f) => f.urn === subject.urn);
  }
  return findings.some((f) => !f.indeterminate && overlap.property.test(f.property)) ? "fail" : "pass";
}

/** One compared case. */
export interface CaseResult {
  readonly check: string;
  readonly resource: string;
  readonly checkov: "pass" | "fail";
  readonly pack: "pass" | "fail";
}

/** Every case with a Checkov verdict (pass or fail; Checkov's UNKNOWN is no verdict), run through the pack. */
export async function compare(cloud: string, overlaps: Readonly<Record<string, Overlap>>): Promise<CaseResult[]> {
  const m = manifest(cloud);
  const results: CaseResult[] = [];
  for (const check of m.checks) {
    const overlap = overlaps[check.id];
    if (!overlap) throw new Error(`${check.id} is in the manifest but has no overlap`);
    const resources = await terraformResources(cloud, check);
    for (const [expected, ids] of [["pass", check.pass], ["fail", check.fail]] as const) {
      for (const id of ids) {
        const tf = resources.get(id);
        if (!tf) throw new Error(`${check.id}: ${id} is not in its fixtures`);
        const { type, props } = translate(tf.type, tf.body);
        results.push({ check: check.id, resource: id, checkov: expected, pack: verdict(overlap, resourceInput(type, tf.name, props)) });
      }
    }
  }
  return results;
}

/** "N of M (P%)", the line docs/policy-agreement/<cloud>.md carries. */
export function agreementLine(results: readonly CaseResult[]): string {
  const agreed = results.filter((r) => r.checkov === r.pack).length;
  return `${agreed} of ${results.length} (${((100 * agreed) / results.length).toFixed(1)}%)`;
}
