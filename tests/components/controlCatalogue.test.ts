/**
 * The control catalogue against what the components really report and what the pack really has: every control id a
 * cloud's environment reports (default, the efficacy configurations and the variants below) has exactly one line;
 * every line names registered rules or gives a reason; an effective control is never waved through as "not
 * effective". The reports come from the root program planned offline, the rules from policy/registry.ts.
 */
import * as assert from "node:assert/strict";
import {
  CONTROL_CATALOGUE,
  type CatalogueEntry,
  NOT_EFFECTIVE,
  catalogueEntry,
  duplicateIds,
  withEnforcement,
} from "../../components/controlCatalogue";
import type { ControlReport } from "../../components/controls";
import { ruleById } from "../../policy/registry";
import type { CloudName } from "../../program/environment";
import { planCloud } from "../../program/plan";
import { CONFIGURATIONS, collectControls } from "../../scripts/efficacy";

const SSH = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG1hc3Rlcktlc3RyYUV4YW1wbGVLZXlGb3JUZXN0cw== test";
const L7 = {
  workloadSubnet: "private",
  egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24" }] },
};

/** Settings that reach the controls the efficacy configurations do not: other components, other choices. */
const VARIANTS: { cloud: CloudName; what: string; values: Record<string, unknown> }[] = [
  {
    cloud: "aws",
    what: "ECS on EC2 hosts",
    values: {
      spec: { sandbox: "none", hostIdentity: "minimal", metadataEndpoint: "tokenRequired" },
      aws: { ecsClusterName: "workers", instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/w" },
    },
  },
  {
    cloud: "aws",
    what: "a caller's task role",
    values: {
      spec: { hostIdentity: "minimal" },
      aws: { container: { image: "kestra/kestra:v0.20", taskRoleArn: "arn:aws:iam::123456789012:role/w" } },
    },
  },
  {
    cloud: "aws",
    what: "account IMDS defaults, endpoints, flow logs",
    values: {
      spec: { sandbox: "none" },
      aws: { accountMetadataDefaults: true, endpoints: { interfaceServices: ["ecr.api"] } },
    },
  },
  {
    cloud: "aws",
    what: "the egress proxy group",
    values: { spec: L7, aws: { l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } } },
  },
  {
    cloud: "gcp",
    what: "a GKE node pool, a dedicated service account",
    values: {
      spec: { hostIdentity: "minimal" },
      gcp: {
        serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com",
        gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" },
      },
    },
  },
  {
    cloud: "gcp",
    what: "a GKE node pool without a sandbox",
    values: {
      spec: { sandbox: "none", hostIdentity: "minimal" },
      gcp: {
        serviceAccountEmail: "kestra-worker@my-project.iam.gserviceaccount.com",
        gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" },
      },
    },
  },
  {
    cloud: "azure",
    what: "an AKS node pool, a user-assigned identity",
    values: {
      spec: { hostIdentity: "minimal" },
      azure: {
        sshPublicKey: SSH,
        userAssignedIdentityId:
          "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/w",
        aks: { resourceGroupName: "a", clusterName: "c", vnetSubnetId: "/s" },
      },
    },
  },
  {
    cloud: "azure",
    what: "no IMDS tag deny, AKS without a sandbox",
    values: {
      spec: { sandbox: "none", workloadSubnet: "private" },
      azure: {
        sshPublicKey: SSH,
        denyImdsServiceTag: false,
        aks: { resourceGroupName: "a", clusterName: "c", vnetSubnetId: "/s" },
      },
    },
  },
  {
    cloud: "kubernetes",
    what: "Kestra's process runner",
    values: { spec: { sandbox: "none" }, kubernetes: { kestra: { runner: "process" } } },
  },
  {
    cloud: "kubernetes",
    what: "the namespace's own egress proxy",
    values: {
      spec: L7,
      kubernetes: {
        egressProxy: {
          create: { image: "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000" },
        },
        kestra: { apiServerCidrs: ["10.0.0.1/32"] },
      },
    },
  },
];

/** Every control report the environments produce, default, efficacy configurations and variants. */
async function everyReport(): Promise<ControlReport[]> {
  const out: ControlReport[] = [];
  for (const rows of (await collectControls(CONFIGURATIONS)).values())
    out.push(...rows.map((r) => ({ ...r.control, resources: [] })));
  for (const v of VARIANTS) {
    try {
      out.push(...(await planCloud(v.cloud, v.values)).controls);
    } catch (e) {
      throw new Error(`${v.cloud} (${v.what}): ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}

/** The problems of catalogue lines: unknown rule ids, neither rules nor a reason, both. */
function lineProblems(entries: readonly CatalogueEntry[], isRule: (id: string) => boolean): string[] {
  const problems: string[] = [];
  for (const e of entries) {
    const { rules, none } = e.enforcedBy;
    for (const r of rules)
      if (!isRule(r)) problems.push(`${e.id}: enforcedBy names "${r}", which is not a rule of policy/registry.ts`);
    if (rules.length === 0 && !none?.trim()) problems.push(`${e.id}: enforcedBy names no rule and gives no reason`);
    if (rules.length > 0 && none !== undefined)
      problems.push(`${e.id}: enforcedBy names rules and a reason for having none`);
    if (new Set(rules).size !== rules.length) problems.push(`${e.id}: enforcedBy names a rule twice`);
  }
  return problems;
}

/** The problems of reports against the catalogue: ids without a line, effective controls with no rule or reason. */
function reportProblems(
  reports: readonly ControlReport[],
  lookup: (id: string) => CatalogueEntry | undefined,
): string[] {
  const problems = new Set<string>();
  for (const r of reports) {
    const e = lookup(r.id);
    if (!e) {
      problems.add(`${r.cloud} reports ${r.id}, which has no line in components/controlCatalogue.ts`);
      continue;
    }
    if (!r.effective) continue;
    if (e.enforcedBy.rules.length === 0 && !e.enforcedBy.none?.trim())
      problems.add(`${r.id} is effective but names no rule and no reason`);
    if (e.enforcedBy.none === NOT_EFFECTIVE)
      problems.add(`${r.id} is reported effective but its catalogue line says it is not`);
  }
  return [...problems];
}

describe("control catalogue", function () {
  this.timeout(180_000);
  let reports: ControlReport[];
  before(async () => {
    reports = await everyReport();
  });

  it("has one line per id", () => {
    assert.deepEqual(duplicateIds(CONTROL_CATALOGUE), []);
    // The check itself finds a repeated id.
    const line = CONTROL_CATALOGUE[0];
    assert.deepEqual(duplicateIds([...CONTROL_CATALOGUE, { ...line }]), [line.id]);
  });

  it("names only registered rules, and either rules or a reason on every line", () => {
    assert.deepEqual(
      lineProblems(CONTROL_CATALOGUE, (id) => ruleById(id) !== undefined),
      [],
    );
    // Each problem is found.
    assert.deepEqual(
      lineProblems(
        [
          { id: "x-typo", enforcedBy: { rules: ["metadata-endpoint-aws-imdss"] } },
          { id: "x-empty", enforcedBy: { rules: [] } },
          { id: "x-blank", enforcedBy: { rules: [], none: " " } },
          { id: "x-both", enforcedBy: { rules: ["metadata-endpoint-aws-imds"], none: "why" } },
        ],
        (id) => ruleById(id) !== undefined,
      ),
      [
        'x-typo: enforcedBy names "metadata-endpoint-aws-imdss", which is not a rule of policy/registry.ts',
        "x-empty: enforcedBy names no rule and gives no reason",
        "x-blank: enforcedBy names no rule and gives no reason",
        "x-both: enforcedBy names rules and a reason for having none",
      ],
    );
  });

  it("has a line for every control any cloud's environments report, and effective ones are enforced or explained", () => {
    assert.ok(reports.length > 100, `only ${reports.length} reports were collected`);
    for (const cloud of ["aws", "gcp", "azure", "kubernetes"])
      assert.ok(
        reports.some((r) => r.cloud === cloud),
        `${cloud} reported nothing`,
      );
    assert.deepEqual(reportProblems(reports, catalogueEntry), []);
    // Each problem is found: an id missing from the catalogue, an effective control with a "not effective" line.
    const effective = reports.find((r) => r.effective)!;
    assert.deepEqual(
      reportProblems([{ ...effective, id: "aws-new-control" }, effective], (id) =>
        id === effective.id ? { id, enforcedBy: { rules: [], none: NOT_EFFECTIVE } } : undefined,
      ),
      [
        `${effective.cloud} reports aws-new-control, which has no line in components/controlCatalogue.ts`,
        `${effective.id} is reported effective but its catalogue line says it is not`,
      ],
    );
  });

  it("lists no control that no component reports under any configuration or variant", () => {
    const reported = new Set(reports.map((r) => r.id));
    assert.deepEqual(
      CONTROL_CATALOGUE.map((e) => e.id).filter((id) => !reported.has(id)),
      [],
    );
  });

  it("fills enforcedBy into the plan's reports from the catalogue, as a copy", async () => {
    const { controls } = await planCloud("aws", { spec: { sandbox: "none" } });
    for (const c of controls) assert.deepEqual(c.enforcedBy, catalogueEntry(c.id)!.enforcedBy, c.id);
    const imds = controls.find((c) => c.id === "aws-imds-sealed-after-boot")!;
    assert.deepEqual(imds.enforcedBy, { rules: ["metadata-endpoint-aws-imds"] });
    imds.enforcedBy!.rules.push("changed");
    assert.deepEqual(
      catalogueEntry("aws-imds-sealed-after-boot")!.enforcedBy.rules,
      ["metadata-endpoint-aws-imds"],
      "the catalogue is not shared with a report",
    );
    // An id the catalogue does not know is passed through without enforcedBy.
    const [unknown] = withEnforcement([{ ...imds, id: "aws-not-catalogued", enforcedBy: undefined }]);
    assert.equal(unknown.enforcedBy, undefined);
  });
});
