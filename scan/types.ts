/** The results of `hardening scan`, as plain data: the JSON contract of ARCHITECTURE.md plus counters. */
import type { ScanSeverity } from "./rules";

/** One finding, exactly the fields of the JSON contract. */
export interface ScanFinding {
  /** Path of the file, relative to the working directory when under it (forward slashes), else absolute. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column, in UTF-16 code units (SARIF's default column kind). */
  readonly column: number;
  /** One of SCAN_RULE_IDS. */
  readonly ruleId: string;
  /** `error` blocks (exit 1); `warning` is reported only. */
  readonly severity: ScanSeverity;
  /** The endpoint referenced, canonically spelled; null for findings that are not about an endpoint. */
  readonly endpoint: string | null;
  /** The text matched as written (for a denied type: the type as written). */
  readonly match: string;
  /** What was seen and what to do. */
  readonly message: string;
}

/** Where a finding ends, kept beside the contract fields for SARIF regions. */
export interface FindingEnd {
  /** 1-based line of the match's end. */
  readonly endLine: number;
  /** 1-based column just past the match (SARIF's `endColumn`). */
  readonly endColumn: number;
}

/** A finding as the scanner keeps it: the contract fields plus what the formats need. */
export interface LocatedFinding extends ScanFinding {
  /** Where the match ends (exclusive column), when known. */
  readonly end?: FindingEnd;
  /** The text of the finding's line, trimmed and cut to 200 characters, for fingerprints. */
  readonly lineText: string;
}

/** A finding that an exception suppressed, with the reason given. */
export interface SuppressedFinding extends LocatedFinding {
  /** `comment` for an inline `hardening:ignore`, `config` for a config exception. */
  readonly suppressedBy: "comment" | "config";
  /** The reason written in the exception. */
  readonly reason: string;
}

/** Everything one scan found. */
export interface ScanReport {
  /** Text files read and scanned. */
  readonly filesScanned: number;
  /** Files skipped as binary: none any more (binary-looking files are read), kept for the JSON contract. */
  readonly binaryFilesSkipped: number;
  /** Files that look binary (a NUL byte in the first 8 KiB, as git and grep decide), read all the same. */
  readonly binaryFilesScanned: number;
  /** Files under git's own store (`.git`), counted and not read. */
  readonly ignoredFiles: number;
  /** FIFOs, sockets and devices inside the roots, counted and never read (reading one could block or read a device). */
  readonly specialFilesSkipped?: number;
  /** Symbolic links met inside the roots; never followed (their targets inside a root are scanned there). */
  readonly symlinksSkipped: number;
  /** Findings not suppressed, in walk order, then by line and column. */
  readonly findings: readonly LocatedFinding[];
  /** Findings suppressed by an inline comment or a config exception. */
  readonly suppressed: readonly SuppressedFinding[];
}

/** True when the report holds a finding at error severity (the command exits 1). */
export function hasBlockingFindings(report: ScanReport): boolean {
  return report.findings.some((f) => f.severity === "error");
}

/** What scanning one text found. */
export interface TextScanResult {
  readonly findings: LocatedFinding[];
  readonly suppressed: SuppressedFinding[];
}

