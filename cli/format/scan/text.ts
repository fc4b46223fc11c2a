/** The human report: findings grouped by file, then one summary line. */
import type { LocatedFinding, ScanReport } from "../../../scan/types";

const MAX_MATCH = 80;

// File names, task ids and reasons come from the scanned tree: escape control characters so a crafted name
// cannot forge lines or send terminal escapes into a CI log.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
const safe = (s: string): string => s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Renders the report as text, ending with a newline. */
export function toScanText(report: ScanReport): string {
  return [...scanTextLines(report)].join("");
}

/** The text report as lines, each ending with a newline, produced one at a time. */
export function* scanTextLines(report: ScanReport): Generator<string> {
  const out = { push: (line: string) => pending.push(`${line}\n`) };
  const pending: string[] = [];
  const byFile = new Map<string, LocatedFinding[]>();
  for (const f of report.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, list] of byFile) {
    out.push(safe(file));
    yield* pending.splice(0);
    for (const f of list) {
      const match = f.match.length > MAX_MATCH ? `${f.match.slice(0, MAX_MATCH)}…` : f.match;
      const shown = match && !f.message.includes(match) ? `  [${safe(match)}]` : "";
      yield `  ${`${f.line}:${f.column}`.padEnd(9)} ${f.severity.padEnd(7)}  ${f.ruleId.padEnd(18)}  ${safe(f.message)}${shown}\n`;
    }
    out.push("");
  }
  if (report.suppressed.length > 0) {
    out.push("suppressed:");
    yield* pending.splice(0);
    for (const s of report.suppressed) {
      yield `  ${safe(s.file)}:${s.line}:${s.column}  ${s.ruleId}  by ${s.suppressedBy}: ${safe(s.reason)}\n`;
    }
    out.push("");
  }
  yield* pending.splice(0);
  let errors = 0;
  for (const f of report.findings) if (f.severity === "error") errors++;
  const warnings = report.findings.length - errors;
  const counts = [
    plural(report.filesScanned, "file") + " scanned",
    report.binaryFilesSkipped > 0 ? `${plural(report.binaryFilesSkipped, "binary file")} skipped` : "",
    report.binaryFilesScanned > 0 ? `${plural(report.binaryFilesScanned, "binary-looking file")} read as text` : "",
    report.symlinksSkipped > 0 ? `${plural(report.symlinksSkipped, "symlink")} not followed (targets inside the scanned paths, or missing)` : "",
    report.ignoredFiles > 0 ? `${plural(report.ignoredFiles, "file")} in .git not read` : "",
    (report.specialFilesSkipped ?? 0) > 0 ? `${plural(report.specialFilesSkipped ?? 0, "FIFO, socket or device")} not read` : "",
    `${report.suppressed.length} suppressed`,
  ].filter((s) => s !== "").join(", ");
  out.push(
    report.findings.length === 0
      ? `no findings (${counts})`
      : `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(byFile.size, "file")} (${counts})`,
  );
  yield* pending.splice(0);
}
