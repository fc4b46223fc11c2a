/**
 * The pack against Checkov on Checkov's own GCP fixtures, for every Checkov check whose concern a pack rule shares:
 * each case's verdict must be Checkov's, except the cases listed in STRICTER (each with its reason, also in
 * docs/policy-agreement/gcp.md). The doc's agreement line is the one computed here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { ResourceInput } from "../../../policy/rules/types";
import { agreementLine, compare, type CaseResult, type Overlap, resourceInput } from "./checkovFixtures";

const WORKER_SA = "workers@fixture-project.iam.gserviceaccount.com";
const vmRunningAs = (email: string, i = 0): ResourceInput =>
  resourceInput("gcp:compute/instance:Instance", `worker-${i}`, { serviceAccount: { email, scopes: ["cloud-platform"] } });

/** Role-only checks: the grant is made to the workers' service account, which a worker VM runs as. */
const grantToWorkers: Overlap["context"] = (subject) => {
  const props = { ...subject.props };
  if ("member" in props) props.member = `serviceAccount:${WORKER_SA}`;
  if ("members" in props) props.members = [`serviceAccount:${WORKER_SA}`];
  return { subject: { ...subject, props }, others: [vmRunningAs(WORKER_SA)] };
};
/** Member-dependent checks: a worker VM runs as every service-account email among the grant's members. */
const vmsForMembers: Overlap["context"] = (subject) => {
  const members = [subject.props.member, ...((subject.props.members as unknown[]) ?? [])].filter((m): m is string => typeof m === "string");
  const emails = members.map((m) => m.slice(m.indexOf(":") + 1)).filter((e) => e.endsWith(".iam.gserviceaccount.com"));
  return { subject, others: emails.map((e, i) => vmRunningAs(e, i)) };
};

const ROLE_ONLY = "Checkov judges the role whoever holds it; the pack judges roles held by a worker host's identity, so each grant is run as a grant to the service account a worker VM in the stack runs as.";
const IAM = { rule: "host-identity-admin-grant", property: /./, context: grantToWorkers, how: ROLE_ONLY };

export const GCP_OVERLAPS: Readonly<Record<string, Overlap>> = {
  CKV_GCP_32: { rule: "host-identity-gcp-project-ssh-keys", property: /^metadata\.block-project-ssh-keys$/, how: "the rule's block-project-ssh-keys findings" },
  CKV_GCP_34: { rule: "host-identity-gcp-project-ssh-keys", property: /^metadata\.enable-oslogin$/, how: "the rule's enable-oslogin findings" },
  CKV_GCP_30: { rule: "metadata-endpoint-gcp-service-account", property: /^serviceAccount\.email$/, how: "the rule's default-account findings" },
  CKV_GCP_31: { rule: "metadata-endpoint-gcp-service-account", property: /^serviceAccount\.scopes\[/, how: "the rule's cloud-platform-scope findings (reported with the default account only)" },
  CKV_GCP_40: { rule: "workload-subnet-public-ip", property: /^networkInterfaces\[\d+\]\.(ipv6)?[aA]ccessConfigs$/, how: "the rule's access-config findings" },
  CKV_GCP_69: { rule: "metadata-endpoint-gke-metadata-server", property: /^nodeConfig\.workloadMetadataConfig/, how: "the rule's node-config mode findings (its Workload Identity finding on clusters is another setting)" },
  CKV_GCP_41: IAM,
  CKV_GCP_44: IAM,
  CKV_GCP_45: IAM,
  CKV_GCP_49: IAM,
  CKV_GCP_115: IAM,
  CKV_GCP_116: IAM,
  CKV_GCP_117: IAM,
  CKV_GCP_42: {
    rule: "host-identity-admin-grant",
    property: /./,
    context: vmsForMembers,
    how: "Checkov judges admin roles held by service accounts; each grant is run with a worker VM running as every service-account email among its members.",
  },
};

/** Cases where the pack fails what Checkov passes, on purpose: `check resource` -> reason. */
export const GCP_STRICTER: Readonly<Record<string, string>> = {
  "CKV_GCP_30 google_compute_instance.pass2":
    'Checkov passes any instance whose name starts with "gke-" as a GKE node; the name of a VM the stack creates does not make it one, and its default account is as reachable from the metadata server as any other.',
  "CKV_GCP_31 google_compute_instance.pass2": 'The same "gke-" name exemption as CKV_GCP_30.',
  "CKV_GCP_41 google_project_iam_member.test_success":
    "CKV_GCP_41 looks only at Service Account User and Token Creator, so it passes roles/editor; the pack refuses editor to a worker's identity too (as Checkov's own CKV_GCP_117 and CKV_GCP_42 do for it).",
};

describe("agreement with Checkov: GCP", function () {
  this.timeout(60_000);
  let results: CaseResult[];
  before(async () => {
    results = await compare("gcp", GCP_OVERLAPS);
  });

  it("agrees with every verdict of Checkov's fixtures, or the case is listed as deliberately stricter", () => {
    const disagreements = results.filter((r) => r.checkov !== r.pack).map((r) => `${r.check} ${r.resource}: checkov ${r.checkov}, pack ${r.pack}`);
    const expected = Object.keys(GCP_STRICTER).map((k) => `${k}: checkov pass, pack fail`);
    assert.deepEqual(disagreements.sort(), expected.sort());
  });

  it("documents the agreement and every deliberate difference in docs/policy-agreement/gcp.md", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "policy-agreement", "gcp.md"), "utf8");
    assert.ok(doc.includes(`Agreement: ${agreementLine(results)}`), `the doc must say "Agreement: ${agreementLine(results)}"`);
    for (const k of Object.keys(GCP_STRICTER)) assert.ok(doc.includes(k.split(" ")[1]) && doc.includes(k.split(" ")[0]), `${k} is not in the doc`);
  });
});
