/** The JSON report: the contract of ARCHITECTURE.md, plus counters and the suppressed findings at top level. */
import type { ScanFinding, ScanReport } from "../../../scan/types";

/** The JSON document `hardening scan --format json` prints. */
export interface ScanJson {
  /** Format version of this document. */
  readonly version: 1;
  /** Text files read and scanned. */
  readonly filesScanned: number;
  /** Findings not suppressed, exactly the contract's fields. */
  readonly findings: readonly ScanFinding[];
  /** How many findings exceptions suppressed. */
  readonly suppressed: number;
  /** The suppressed findings with their reasons, so a reviewer sees every exception that applied. */
  readonly suppressions: readonly (ScanFinding & { readonly suppressedBy: "comment" | "config"; readonly reason: string })[];
  /** Files skipped as binary: always 0 now (binary-looking files are read); kept for the contract. */
  readonly binaryFilesSkipped: number;
  /** Symbolic links inside the roots, not followed: their targets are inside a root (scanned there) or missing. */
  readonly symlinksSkipped: number;
  /** Files that look binary (a NUL byte early), read all the same. */
  readonly binaryFilesScanned: number;
  /** Files under `.git`, counted and not read. */
  readonly ignoredFiles: number;
}

const contract = (f: ScanFinding): ScanFinding => ({
  file: f.file, line: f.line, column: f.column, ruleId: f.ruleId, severity: f.severity,
  endpoint: f.endpoint, match: f.match, message: f.message,
});

/** Builds the JSON document; findings carry exactly the contract's fields. */
export function toScanJson(report: ScanReport): ScanJson {
  return {
    version: 1,
    filesScanned: report.filesScanned,
    findings: report.findings.map(contract),
    suppressed: report.suppressed.length,
    suppressions: report.suppressed.map((s) => ({ ...contract(s), suppressedBy: s.suppressedBy, reason: s.reason })),
    binaryFilesSkipped: report.binaryFilesSkipped,
    symlinksSkipped: report.symlinksSkipped,
    binaryFilesScanned: report.binaryFilesScanned,
    ignoredFiles: report.ignoredFiles,
  };
}
