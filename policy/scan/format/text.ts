/** The human report: findings grouped by file, then one summary line. */
import type { LocatedFinding, ScanReport } from "../types";

const MAX_MATCH = 80;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Renders the report as text, ending with a newline. */
export function toScanText(report: ScanReport): string {
  const out: string[] = [];
  const byFile = new Map<string, LocatedFinding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, list] of byFile) {
    out.push(file);
    for (const f of list) {
      const match = f.match.length > MAX_MATCH ? `${f.match.slice(0, MAX_MATCH)}…` : f.match;
      const shown = match && !f.message.includes(match) ? `  [${match}]` : "";
      out.push(`  ${`${f.line}:${f.column}`.padEnd(9)} ${f.severity.padEnd(7)}  ${f.ruleId.padEnd(18)}  ${f.message}${shown}`);
    }
    out.push("");
  }
  if (report.suppressed.length > 0) {
    out.push("suppressed:");
    for (const s of report.suppressed) {
      out.push(`  ${s.file}:${s.line}:${s.column}  ${s.ruleId}  by ${s.suppressedBy}: ${s.reason}`);
    }
    out.push("");
  }
  const errors = report.findings.filter((f) => f.severity === "error").length;
  const warnings = report.findings.length - errors;
  const counts = [
    plural(report.filesScanned, "file") + " scanned",
    report.binaryFilesSkipped > 0 ? `${plural(report.binaryFilesSkipped, "binary file")} skipped` : "",
    report.symlinksSkipped > 0 ? `${plural(report.symlinksSkipped, "symlink")} not followed` : "",
    `${report.suppressed.length} suppressed`,
  ].filter((s) => s !== "").join(", ");
  out.push(
    report.findings.length === 0
      ? `no findings (${counts})`
      : `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(byFile.size, "file")} (${counts})`,
  );
  return `${out.join("\n")}\n`;
}
