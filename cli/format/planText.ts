/** The text form of `hardening plan`: per cloud, the resource tree, the controls report and the pack's verdicts. */
import type { PlanReport } from "./planReport";
import { shortType } from "./mermaid";
import { exemptionLine } from "../../policy/audit/report";

/** Renders the whole report for a terminal. */
export function formatPlanText(report: PlanReport): string {
  const out: string[] = [];
  for (const c of report.clouds) {
    out.push(`== ${c.cloud}: ${c.resources.length} resources, ${c.controls.length} controls, ${c.violations.length} policy violations ==`, "");
    if (c.assumedSettings) {
      out.push(`Assumed settings (no hardening:${c.cloud} block in the stack config): ${JSON.stringify(c.assumedSettings)}`, "");
    }
    const children = new Map<string | undefined, typeof c.resources>();
    const urns = new Set(c.resources.map((r) => r.urn));
    for (const r of c.resources) {
      const parent = r.parent && urns.has(r.parent) ? r.parent : undefined;
      children.set(parent, [...(children.get(parent) ?? []), r]);
    }
    const tree = (parent: string | undefined, depth: number) => {
      for (const r of children.get(parent) ?? []) {
        out.push(`${"  ".repeat(depth + 1)}${r.name}  (${shortType(r.type)})`);
        tree(r.urn, depth + 1);
      }
    };
    out.push("Resources:");
    tree(undefined, 0);
    out.push("", "Controls:");
    for (const k of c.controls) {
      out.push(`  [${k.effective ? "effective" : "NOT effective"}] ${k.id}: ${k.protects}`);
      out.push(`      applied by: ${k.appliedBy}`);
      if (k.limits) out.push(`      limits: ${k.limits}`);
      out.push(`      source: ${k.source}`);
    }
    out.push("", "Policy pack:");
    if (c.violations.length === 0) out.push("  every rule passes");
    for (const v of c.violations) out.push(`  [${v.enforcementLevel}] ${v.policy} on ${v.type} ${v.urn.split("::").pop()}: ${v.property}: ${v.message}`);
    for (const e of c.exemptions ?? []) out.push(`  [exempt] ${exemptionLine(e)}`);
    out.push("");
  }
  return `${out.join("\n")}\n`;
}
