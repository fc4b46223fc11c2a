/**
 * The SARIF 2.1.0 report, in the shape GitHub code scanning ingests: rules with ids and help in
 * tool.driver.rules, results with ruleId, level and a physical location relative to %SRCROOT% (the working
 * directory, i.e. the repository root in CI), partialFingerprints so an alert survives lines moving, and
 * suppressed findings as results carrying `suppressions` with the reason.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type * as Sarif from "sarif";
import { SCAN_RULES } from "../../../scan/rules";
import type { LocatedFinding, ScanReport, SuppressedFinding } from "../../../scan/types";

/** The schema URI written in `$schema` (SchemaStore's copy, which editors resolve). */
export const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** Key of our fingerprint in partialFingerprints. */
export const FINGERPRINT_KEY = "hardeningFinding/v1";

/** What the SARIF run says about the tool and where paths are relative to. */
export interface SarifOptions {
  /** The package version, for tool.driver.version. */
  readonly toolVersion: string;
  /** Absolute directory that relative `file` paths are relative to (%SRCROOT%). */
  readonly cwd: string;
}

const SECURITY_SEVERITY: Readonly<Record<string, string>> = { error: "8.0", warning: "4.0" };

function uriOf(file: string): { uri: string; uriBaseId?: string } {
  if (path.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split("/").map(encodeURIComponent).join("/"), uriBaseId: "%SRCROOT%" };
}

/** Builds the SARIF log. */
export function toSarif(report: ScanReport, options: SarifOptions): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = SCAN_RULES.map((r) => ({
    id: r.id,
    name: r.id.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase()),
    shortDescription: { text: r.summary },
    fullDescription: { text: r.summary },
    help: { text: r.help, markdown: r.help },
    defaultConfiguration: { level: r.severity },
    properties: { tags: ["security"], precision: "high", "security-severity": SECURITY_SEVERITY[r.severity] },
  }));
  const ruleIndex = new Map(SCAN_RULES.map((r, i) => [r.id, i]));
  const occurrences = new Map<string, number>();
  const result = (f: LocatedFinding, suppression?: SuppressedFinding): Sarif.Result => {
    // Stable across edits elsewhere in the file: what was found and on which line text, not where.
    const base = createHash("sha256").update([f.ruleId, f.file, f.endpoint ?? "", f.match, f.lineText].join("\0")).digest("hex").slice(0, 32);
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    const region: Sarif.Region = { startLine: f.line, startColumn: f.column };
    if (f.end && (f.end.endLine > f.line || f.end.endColumn > f.column)) {
      region.endLine = f.end.endLine;
      region.endColumn = f.end.endColumn;
    }
    return {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId),
      level: f.severity,
      message: { text: f.message },
      locations: [{ physicalLocation: { artifactLocation: uriOf(f.file), region } }],
      partialFingerprints: { [FINGERPRINT_KEY]: `${base}:${n}` },
      ...(suppression
        ? { suppressions: [{ kind: suppression.suppressedBy === "comment" ? "inSource" : "external", justification: suppression.reason }] }
        : {}),
    };
  };
  return {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [{
      tool: {
        driver: {
          name: "hardening scan",
          version: options.toolVersion,
          semanticVersion: options.toolVersion,
          rules,
        },
      },
      originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(options.cwd.endsWith(path.sep) ? options.cwd : options.cwd + path.sep).href } },
      columnKind: "utf16CodeUnits",
      results: [...report.findings.map((f) => result(f)), ...report.suppressed.map((s) => result(s, s))],
      properties: {
        filesScanned: report.filesScanned,
        binaryFilesSkipped: report.binaryFilesSkipped,
        symlinksSkipped: report.symlinksSkipped,
        binaryFilesScanned: report.binaryFilesScanned,
        ignoredFiles: report.ignoredFiles,
        specialFilesSkipped: report.specialFilesSkipped ?? 0,
        suppressed: report.suppressed.length,
      },
    }],
  };
}
