/**
 * Generates docs/efficacy.md, the control-efficacy matrix: for every control of every cloud, how it is applied,
 * what it stops, what it does not, and the vendor source. The content is the components' own controls reports,
 * taken from the root program run offline (`hardening plan`, under mocks) once per configuration below, so the
 * document says exactly what the code applies and cannot drift from it unnoticed (tests/docs/efficacy.test.ts).
 *
 *   node --import tsx scripts/efficacy.ts            print the matrix
 *   node --import tsx scripts/efficacy.ts --write    write docs/efficacy.md
 *   node --import tsx scripts/efficacy.ts --check    exit 1 when docs/efficacy.md is not what this generates
 */
import { runGeneratedDocCommand } from "./generatedDoc";
import * as path from "node:path";
import { ControlFamily, type ControlReport, type HardeningSpec } from "../components";
import { CLOUDS, type CloudName } from "../program/environment";
import { planCloud } from "../program/plan";

/** One configuration the environments are planned with: a spec, and cloud settings where a cloud needs them. */
export interface MatrixConfiguration {
  /** Short label used in the matrix. */
  readonly label: string;
  /** What it shows, in a few words. */
  readonly purpose: string;
  /** The `hardening:spec` value. */
  readonly spec: HardeningSpec;
  /** `hardening:<cloud>` settings, for clouds that need some for this spec. @default {} */
  readonly settings?: Partial<Record<CloudName, Record<string, unknown>>>;
}

const ALLOW_DOMAIN = { domain: "pypi.org", ports: [443], description: "Python packages" };
const ALLOW_CIDR = { cidr: "203.0.113.0/24", ports: [443], description: "an API by address" };

/** The configurations of the matrix: the defaults, the host-based variants, and each egress tier. */
export const CONFIGURATIONS: readonly MatrixConfiguration[] = [
  { label: "default", purpose: "every field at its strictest default", spec: {} },
  { label: "hosts", purpose: "plain VM hosts instead of a sandbox runtime", spec: { sandbox: "none" } },
  {
    label: "token",
    purpose: "metadata reachable with a session token, on VM hosts",
    spec: { metadataEndpoint: "tokenRequired", sandbox: "none" },
  },
  {
    label: "egress-basic",
    purpose: "allow-list enforced by network rules",
    spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [ALLOW_CIDR] } },
  },
  {
    label: "egress-dns",
    purpose: "allow-list with a DNS allow-list",
    spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [ALLOW_DOMAIN, ALLOW_CIDR] } },
    // NetworkPolicy cannot match names; on Kubernetes domain rules need Cilium (toFQDNs) or an egress proxy.
    settings: { kubernetes: { cilium: true } },
  },
  {
    label: "egress-firewall",
    purpose: "allow-list enforced by an L7 firewall (AWS Network Firewall without TLS inspection: networkFirewall.acceptSniSpoofing)",
    spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [ALLOW_DOMAIN, ALLOW_CIDR] } },
    settings: { aws: { networkFirewall: { acceptSniSpoofing: true } }, kubernetes: { cilium: true } },
  },
  {
    label: "egress-firewall-fenced",
    purpose: "the L7 firewall tier with AWS Network Firewall TLS inspection (a CA in ACM) and a GCP VPC Service Controls perimeter",
    spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [ALLOW_DOMAIN, ALLOW_CIDR] } },
    settings: {
      aws: { networkFirewall: { certificateAuthorityArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" } },
      gcp: { vpcServiceControls: { accessPolicy: "123456789012", projectNumber: "987654321098" } },
      kubernetes: { cilium: true },
    },
  },
];

const FAMILY_MEANING: Record<ControlFamily, string> = {
  metadataEndpoint: "workloads reaching the cloud's instance metadata and credential endpoints",
  workloadSubnet: "where the workload subnet can route to",
  egress: "what workloads can send traffic to",
  sandbox: "how each run is isolated from the host kernel",
  hostIdentity: "what identity the worker hosts carry",
  ephemeral: "how long a worker host lives",
};

const CLOUD_TITLE: Record<CloudName, string> = { aws: "AWS", gcp: "GCP", azure: "Azure", kubernetes: "Kubernetes" };

/** One distinct control entry and the configurations whose plans contain it. */
interface MatrixRow {
  readonly control: Omit<ControlReport, "resources">;
  readonly configurations: string[];
}

/** Plans every cloud under every configuration and collects the distinct controls, in report order. */
export async function collectControls(
  configurations: readonly MatrixConfiguration[] = CONFIGURATIONS,
): Promise<Map<CloudName, MatrixRow[]>> {
  const byCloud = new Map<CloudName, MatrixRow[]>();
  for (const cloud of CLOUDS) {
    const rows = new Map<string, MatrixRow>();
    for (const c of configurations) {
      const values: Record<string, unknown> = { spec: c.spec };
      if (c.settings?.[cloud]) values[cloud] = c.settings[cloud];
      let controls: ControlReport[];
      try {
        controls = (await planCloud(cloud, values)).controls;
      } catch (e) {
        throw new Error(`planning ${cloud} with configuration "${c.label}" failed: ${(e as Error).message}`, { cause: e });
      }
      for (const report of controls) {
        // Resource names depend on the stack's names; the matrix is about what each control is and does.
        const { resources: _resources, ...control } = report;
        const key = JSON.stringify([control.id, control.family, control.effective, control.appliedBy, control.protects, control.limits, control.source, control.preconditions ?? []]);
        const row = rows.get(key) ?? { control, configurations: [] };
        if (!row.configurations.includes(c.label)) row.configurations.push(c.label);
        rows.set(key, row);
      }
    }
    byCloud.set(cloud, [...rows.values()]);
  }
  return byCloud;
}

// Markdown-significant characters that occur in the reports' prose (`*.example.org`, `<name>`).
function text(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\*/g, "\\*").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function cell(s: string): string {
  return text(s).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The policy rules that guard a control on any stack (its catalogue line), or why none does. */
function enforcement(control: Omit<ControlReport, "resources">): string {
  const e = control.enforcedBy;
  if (!e) return "not in the control catalogue (components/controlCatalogue.ts)";
  if (e.rules.length > 0) return e.rules.map((r) => `[\`${r}\`](../policy/README.md#rules)`).join(", ");
  return `no rule: ${text(e.none ?? "")}`;
}

/** Renders the matrix as Markdown. Pure: the same rows give the same bytes. */
export function renderMatrix(byCloud: Map<CloudName, MatrixRow[]>, configurations: readonly MatrixConfiguration[] = CONFIGURATIONS): string {
  const families = Object.values(ControlFamily);
  const out: string[] = [];
  out.push("# Control efficacy matrix");
  out.push("");
  out.push("<!-- Generated by scripts/efficacy.ts from the components' controls reports. Do not edit by hand:");
  out.push("     run `node --import tsx scripts/efficacy.ts --write` (npm run docs:efficacy). -->");
  out.push("");
  out.push(
    "Every control the components apply, per cloud: how it is applied, what it stops, what it does not stop, and the " +
      "vendor document that says so. It is generated from the same controls reports that `hardening plan` prints and " +
      "that each component exposes as its `controls` output, by planning each cloud's environment offline under the " +
      "configurations below.",
  );
  out.push("");
  out.push(
    "A control marked **not effective** is listed on purpose: it is a rule that looks like protection and is not " +
      "(a security-group or firewall rule against 169.254.169.254 on a cloud that exempts the metadata server), or a " +
      "setting the cloud does not offer. The components never rely on those; the report says what they use instead.",
  );
  out.push("");
  out.push(
    "**Enforced by** names the policy-pack rules ([policy/README.md](../policy/README.md)) that fail any stack where " +
      "the control's setting is weakened, or says why no rule can; it comes from the control catalogue " +
      "(components/controlCatalogue.ts).",
  );
  out.push("");
  out.push("## Configurations");
  out.push("");
  out.push("| Label | Shows | `hardening:spec` | Cloud settings |");
  out.push("| --- | --- | --- | --- |");
  for (const c of configurations) {
    const settings = Object.entries(c.settings ?? {}).map(([cloud, s]) => `\`hardening:${cloud}\` \`${JSON.stringify(s)}\``);
    out.push(`| \`${c.label}\` | ${cell(c.purpose)} | \`${cell(JSON.stringify(c.spec))}\` | ${settings.join("<br>") || "none"} |`);
  }
  out.push("");
  out.push("## Summary");
  out.push("");
  out.push("✓ effective, ✗ not effective (recorded so nobody mistakes it for protection).");
  out.push("");
  out.push(`| Family | ${CLOUDS.map((c) => CLOUD_TITLE[c]).join(" | ")} |`);
  out.push(`| --- | ${CLOUDS.map(() => "---").join(" | ")} |`);
  for (const family of families) {
    const cells = CLOUDS.map((cloud) => {
      const ids = new Map<string, boolean>();
      for (const r of byCloud.get(cloud) ?? []) {
        if (r.control.family !== family) continue;
        // An id listed as effective anywhere is shown effective; its rows below say under which configurations.
        ids.set(r.control.id, (ids.get(r.control.id) ?? false) || r.control.effective);
      }
      return [...ids].map(([id, effective]) => `${effective ? "✓" : "✗"} \`${id}\``).join("<br>") || "none";
    });
    out.push(`| \`${family}\` | ${cells.join(" | ")} |`);
  }
  for (const family of families) {
    out.push("");
    out.push(`## \`${family}\`: ${FAMILY_MEANING[family]}`);
    for (const cloud of CLOUDS) {
      const rows = (byCloud.get(cloud) ?? []).filter((r) => r.control.family === family);
      if (rows.length === 0) continue;
      out.push("");
      out.push(`### ${CLOUD_TITLE[cloud]}`);
      for (const { control, configurations: used } of rows) {
        out.push("");
        out.push(`#### \`${control.id}\`: ${control.effective ? "effective" : "**not effective**"}`);
        out.push("");
        out.push(`- **Applied how:** ${text(control.appliedBy)}`);
        out.push(`- **Stops:** ${text(control.protects)}`);
        out.push(`- **Does not stop:** ${control.limits ? text(control.limits) : "nothing known"}`);
        for (const p of control.preconditions ?? []) out.push(`- **Holds only if:** ${text(p)}`);
        out.push(`- **Source:** ${text(control.source)}`);
        const all = configurations.every((c) => used.includes(c.label));
        out.push(`- **In configurations:** ${all ? "all" : used.map((l) => `\`${l}\``).join(", ")}`);
        out.push(`- **Enforced by:** ${enforcement(control)}`);
      }
    }
  }
  out.push("");
  return out.join("\n");
}

/** The committed matrix's path. */
export const EFFICACY_MD = path.resolve(__dirname, "../docs/efficacy.md");

/** Generates the whole document. */
export async function generateEfficacy(): Promise<string> {
  return renderMatrix(await collectControls());
}

if (require.main === module) runGeneratedDocCommand("scripts/efficacy.ts", EFFICACY_MD, generateEfficacy);
