/**
 * Generates docs/egress.md, the exfiltration matrix: per cloud and egress tier, every path an attacker on a worker
 * would try (components/egressPaths.ts), open or closed, and the controls that say why. Computed from the
 * components' own controls reports (the root program planned offline, as `hardening plan` does), so it cannot
 * drift from what the code applies (tests/docs/egress.test.ts).
 *
 *   node --import tsx scripts/egressMatrix.ts            print the matrix
 *   node --import tsx scripts/egressMatrix.ts --write    write docs/egress.md
 *   node --import tsx scripts/egressMatrix.ts --check    exit 1 when docs/egress.md is not what this generates
 */
import { runGeneratedDocCommand } from "./generatedDoc";
import * as path from "node:path";
import { type ControlReport } from "../components";
import { EGRESS_PATH_MEANING, EgressPath, type EgressPathVerdict, egressPathVerdicts } from "../components/egressPaths";
import { CLOUDS, type CloudName } from "../program/environment";
import { planCloud } from "../program/plan";
import { type MatrixConfiguration } from "./efficacy";

const ALLOW_DOMAIN = { domain: "pypi.org", ports: [443], description: "Python packages" };
const ALLOW_CIDR = { cidr: "203.0.113.0/24", ports: [443], description: "an API by address" };
/** A placeholder ACM ARN of an imported CA certificate, for the TLS-inspected configuration. */
export const EXAMPLE_CA_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const FIREWALL = { workloadSubnet: "private" as const, egress: { mode: "allowList" as const, tier: "firewall" as const, allow: [ALLOW_DOMAIN, ALLOW_CIDR] } };

/** The tiers of the matrix: deny-all, then each allow-list tier, then the firewall tier enforced by a proxy. */
export const EGRESS_CONFIGURATIONS: readonly MatrixConfiguration[] = [
  { label: "denyAll", purpose: "the default: nothing leaves", spec: {} },
  { label: "basic", purpose: "allow-list by network rules", spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [ALLOW_CIDR] } } },
  {
    label: "dns",
    purpose: "allow-list with a DNS allow-list",
    spec: { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [ALLOW_DOMAIN, ALLOW_CIDR] } },
    settings: { kubernetes: { cilium: true } },
  },
  {
    label: "firewall",
    purpose: "allow-list by an L7 firewall (AWS: Network Firewall without TLS inspection, networkFirewall.acceptSniSpoofing)",
    spec: FIREWALL,
    settings: { aws: { networkFirewall: { acceptSniSpoofing: true } }, kubernetes: { cilium: true } },
  },
  {
    label: "firewallFenced",
    purpose: "the firewall tier with the settings that need the caller's own resources: AWS Network Firewall TLS inspection (a CA in ACM), a GCP VPC Service Controls perimeter (an access policy)",
    spec: FIREWALL,
    settings: {
      aws: { networkFirewall: { certificateAuthorityArn: EXAMPLE_CA_ARN } },
      gcp: { vpcServiceControls: { accessPolicy: "123456789012", projectNumber: "987654321098" } },
      kubernetes: { cilium: true },
    },
  },
  {
    label: "proxy",
    purpose: "the firewall tier enforced by the Squid egress proxy (AWS l7Filter egressProxy; Kubernetes egressProxy)",
    spec: FIREWALL,
    settings: {
      aws: { l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } },
      kubernetes: { cilium: true, egressProxy: { namespace: "egress", podLabels: { app: "egress-proxy" }, port: 3128 } },
    },
  },
];

const CLOUD_TITLE: Record<CloudName, string> = { aws: "AWS", gcp: "GCP", azure: "Azure", kubernetes: "Kubernetes" };
const PATHS = Object.values(EgressPath);

/** One configuration's verdicts on one cloud, with the report they came from. */
export interface MatrixColumn {
  readonly configuration: MatrixConfiguration;
  readonly controls: readonly ControlReport[];
  readonly verdicts: readonly EgressPathVerdict[];
}

/** Plans every cloud under every configuration and computes each path's verdict from the controls report. */
export async function collectEgressMatrix(configurations: readonly MatrixConfiguration[] = EGRESS_CONFIGURATIONS): Promise<Map<CloudName, MatrixColumn[]>> {
  const out = new Map<CloudName, MatrixColumn[]>();
  for (const cloud of CLOUDS) {
    const columns: MatrixColumn[] = [];
    for (const configuration of configurations) {
      const values: Record<string, unknown> = { spec: configuration.spec };
      if (configuration.settings?.[cloud]) values[cloud] = configuration.settings[cloud];
      let controls: ControlReport[];
      try {
        controls = (await planCloud(cloud, values)).controls;
      } catch (e) {
        throw new Error(`planning ${cloud} with configuration "${configuration.label}" failed: ${(e as Error).message}`, { cause: e });
      }
      columns.push({ configuration, controls, verdicts: egressPathVerdicts(controls) });
    }
    out.set(cloud, columns);
  }
  return out;
}

function cell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\*/g, "\\*").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Renders the matrix as Markdown. Pure: the same columns give the same bytes. */
export function renderEgressMatrix(byCloud: Map<CloudName, MatrixColumn[]>, configurations: readonly MatrixConfiguration[] = EGRESS_CONFIGURATIONS): string {
  const out: string[] = [];
  out.push("# Exfiltration matrix");
  out.push("");
  out.push("<!-- Generated by scripts/egressMatrix.ts from the components' controls reports. Do not edit by hand:");
  out.push("     run `node --import tsx scripts/egressMatrix.ts --write`. -->");
  out.push("");
  out.push(
    "For each cloud and egress tier, every path code on a worker would use to get data out, **open** or closed, and the " +
      "controls that decide it. A path is closed only where the tier's controls report holds an effective control that " +
      "closes it (components/egressPaths.ts) and none that says it stays open; every `not closed` control is in the " +
      "report with `effective: false` and its vendor source (docs/efficacy.md). tests/docs/egress.test.ts fails when this " +
      "page drifts from the reports, and when a report calls a control effective on a path the vendor says stays open.",
  );
  out.push("");
  out.push("## Paths");
  out.push("");
  out.push("| Path | What the attacker does |");
  out.push("| --- | --- |");
  for (const p of PATHS) out.push(`| \`${p}\` | ${cell(EGRESS_PATH_MEANING[p])} |`);
  out.push("");
  out.push("## Tiers");
  out.push("");
  out.push("| Tier | Shows | `hardening:spec` | Cloud settings |");
  out.push("| --- | --- | --- | --- |");
  for (const c of configurations) {
    const settings = Object.entries(c.settings ?? {}).map(([cloud, s]) => `\`hardening:${cloud}\` \`${cell(JSON.stringify(s))}\``);
    out.push(`| \`${c.label}\` | ${cell(c.purpose)} | \`${cell(JSON.stringify(c.spec))}\` | ${settings.join("<br>") || "none"} |`);
  }
  for (const cloud of CLOUDS) {
    const columns = byCloud.get(cloud) ?? [];
    out.push("");
    out.push(`## ${CLOUD_TITLE[cloud]}`);
    out.push("");
    out.push(`| Path | ${columns.map((c) => `\`${c.configuration.label}\``).join(" | ")} |`);
    out.push(`| --- | ${columns.map(() => "---").join(" | ")} |`);
    for (const p of PATHS) {
      const cells = columns.map((c) => {
        const v = c.verdicts.find((x) => x.path === p) as EgressPathVerdict;
        return `${v.open ? "**open**" : "closed"}${v.by.length > 0 ? ` (${v.by.map((id) => `\`${id}\``).join(", ")})` : ""}`;
      });
      out.push(`| \`${p}\` | ${cells.join(" | ")} |`);
    }
    out.push("");
    out.push(`### Why, ${CLOUD_TITLE[cloud]}`);
    for (const c of columns) {
      out.push("");
      out.push(`#### \`${c.configuration.label}\``);
      out.push("");
      for (const v of c.verdicts) out.push(`- \`${v.path}\` ${v.open ? "**open**" : "closed"}: ${cell(v.why)}`);
    }
  }
  out.push("");
  return out.join("\n");
}

/** The committed matrix's path. */
export const EGRESS_MD = path.resolve(__dirname, "../docs/egress.md");

/** Generates the whole document. */
export async function generateEgressMatrix(): Promise<string> {
  return renderEgressMatrix(await collectEgressMatrix());
}

if (require.main === module) runGeneratedDocCommand("scripts/egressMatrix.ts", EGRESS_MD, generateEgressMatrix);
