/**
 * The audit's reports: JSON (the contract in ARCHITECTURE.md), text grouped by stack and rule, and SARIF 2.1.0;
 * and the baseline comparison that turns a scheduled audit into a drift check.
 */
import { createHash } from "node:crypto";
import type { Log, ReportingDescriptor, Result } from "sarif";
import { resourceRules, stackRules } from "../registry";
import { describeExemption, ExemptionRecord } from "../core/evaluate";
import type { Violation } from "../rules/types";
import type { StackAudit } from "./stackAudit";
import { SecretPieceMasker } from "./mask";

/** A file of the audit's inputs that could not be audited: where, and why (one line, the same as on stderr). */
export interface AuditInputError {
  readonly source: string;
  readonly message: string;
}

/** The JSON report. `violations` holds only new ones when a baseline was given. */
export interface AuditReport {
  readonly version: 1;
  readonly resourcesChecked: number;
  readonly violations: Violation[];
  /** Per stack: where it came from, its name, how many resources, violations and exemptions. */
  readonly stacks: { source: string; stack: string; resourcesChecked: number; violations: number; exemptions: number }[];
  /**
   * Every finding an exemption kept from being enforced (whatever the baseline), with where the exemption came
   * from and its reason: no exemption is silent.
   */
  readonly exemptions: ExemptionRecord[];
  /** Input files that could not be audited (the audit then exits 2): each named with its one-line reason. */
  readonly errors: AuditInputError[];
  /** Present with `--baseline`: what the baseline had that is gone now, and how many are still there. */
  readonly baseline?: { readonly file: string; readonly fixed: Violation[]; readonly unchanged: number };
}

/** Identity of a violation across runs: rule, resource and property (messages may quote changing values). */
export function violationKey(v: Pick<Violation, "policy" | "urn" | "property">): string {
  return `${v.policy}\u0000${v.urn}\u0000${v.property}`;
}

/** Builds the report; with a baseline, keeps only violations not in it and lists the ones fixed since. */
export function buildAuditReport(
  audits: readonly StackAudit[],
  baseline?: { file: string; violations: readonly Violation[] },
  errors: readonly AuditInputError[] = [],
): AuditReport {
  const all = audits.flatMap((a) => a.violations);
  const stacks = audits.map((a) => ({
    source: a.source, stack: a.stack, resourcesChecked: a.resourcesChecked, violations: a.violations.length, exemptions: a.exemptions.length,
  }));
  const resourcesChecked = audits.reduce((n, a) => n + a.resourcesChecked, 0);
  const exemptions = audits.flatMap((a) => a.exemptions);
  if (!baseline) return { version: 1, resourcesChecked, violations: all, stacks, exemptions, errors: [...errors] };
  const before = new Set(baseline.violations.map(violationKey));
  const now = new Set(all.map(violationKey));
  return {
    version: 1,
    resourcesChecked,
    violations: all.filter((v) => !before.has(violationKey(v))),
    stacks,
    exemptions,
    errors: [...errors],
    baseline: {
      file: baseline.file,
      fixed: baseline.violations.filter((v) => !now.has(violationKey(v))),
      unchanged: all.filter((v) => before.has(violationKey(v))).length,
    },
  };
}

/** Reads the violations of an earlier JSON report; throws an Error with a one-line reason otherwise. */
export function parseBaseline(file: string, text: string): Violation[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not a JSON audit report (${(e as Error).message.split("\n")[0]})`, { cause: e });
  }
  const violations = (doc as { version?: unknown; violations?: unknown } | null)?.violations;
  if ((doc as { version?: unknown } | null)?.version !== 1 || !Array.isArray(violations)) {
    throw new Error(`${file}: not a JSON audit report (expected {"version":1,"violations":[...]} from hardening audit --format json)`);
  }
  for (const [i, v] of violations.entries()) {
    const ok = v && typeof v === "object" && ["policy", "urn", "property"].every((k) => typeof (v as Record<string, unknown>)[k] === "string");
    if (!ok) throw new Error(`${file}: violation ${i} lacks policy, urn or property`);
  }
  return violations as Violation[];
}

/** Whether any violation of the report blocks (mandatory; a remediate level reports as mandatory). */
export function isBlocking(report: AuditReport): boolean {
  return report.violations.some((v) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate");
}

/** The JSON form, with the contract's fields first. */
export function formatAuditJson(report: AuditReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function nameOf(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Text for a terminal: per stack, violations grouped by rule; a summary at the end. */
export function formatAuditText(report: AuditReport, audits: readonly StackAudit[]): string {
  return `${[...auditTextLines(report, audits)].join("\n")}\n`;
}

/** The text report's lines (without newlines), produced one at a time; linear in the number of violations. */
export function* auditTextLines(report: AuditReport, audits: readonly StackAudit[]): Generator<string> {
  const shown = report.baseline ? new Set(report.violations.map(violationKey)) : undefined;
  for (const a of audits) {
    const mine = shown ? a.violations.filter((v) => shown.has(violationKey(v))) : a.violations;
    yield `${a.stack} (${a.source}): ${a.resourcesChecked} resources checked, ${mine.length} violation${mine.length === 1 ? "" : "s"}`;
    const byRule = new Map<string, Violation[]>();
    for (const v of mine) {
      const list = byRule.get(v.policy);
      if (list) list.push(v);
      else byRule.set(v.policy, [v]);
    }
    for (const [rule, list] of byRule) {
      yield `  ${rule}`;
      for (const v of list) yield `    [${v.enforcementLevel}] ${nameOf(v.urn)} (${v.type}) ${v.property}: ${v.message}`;
    }
    if (a.exemptions.length > 0) yield `  exempted (not enforced): ${a.exemptions.length}`;
    for (const e of a.exemptions) yield `    [exempt] ${exemptionLine(e)}`;
  }
  const counts = new Map<string, number>();
  for (const v of report.violations) counts.set(v.enforcementLevel, (counts.get(v.enforcementLevel) ?? 0) + 1);
  const count = (level: string) => counts.get(level) ?? 0;
  yield "";
  yield `${audits.length} stack${audits.length === 1 ? "" : "s"}, ${report.resourcesChecked} resources checked: ` +
    `${count("mandatory") + count("remediate")} mandatory, ${count("advisory")} advisory${report.baseline ? " new since the baseline" : ""}` +
    `${report.exemptions.length > 0 ? `; ${report.exemptions.length} exempted` : ""}.`;
  for (const e of report.errors) yield `Not audited: ${e.message}`;
  if (report.baseline) {
    yield `Baseline ${report.baseline.file}: ${report.baseline.fixed.length} fixed since, ${report.baseline.unchanged} still present.`;
    for (const v of report.baseline.fixed) yield `  fixed: ${v.policy} on ${nameOf(v.urn)} ${v.property}`;
  }
}

/** One exemption on one line: rule, resource, what it suppressed, and where the exemption came from. */
export function exemptionLine(e: ExemptionRecord): string {
  return `${e.policy} on ${nameOf(e.urn)} (${e.type}) ${e.property}: exempted because ${describeExemption(e.exemption)}; it would report: ${e.message}`;
}

/** SARIF 2.1.0: one run, the pack's rules as the driver's rules, a result per violation located in its file. */
export function formatAuditSarif(report: AuditReport, audits: readonly StackAudit[], toolVersion: string): string {
  return `${JSON.stringify(auditSarifLog(report, audits, toolVersion), null, 2)}\n`;
}

/** The SARIF log as a value, for writers that stream it. */
export function auditSarifLog(report: AuditReport, audits: readonly StackAudit[], toolVersion: string): Log {
  const rules: ReportingDescriptor[] = [...resourceRules, ...stackRules].map((r) => ({
    id: r.id,
    shortDescription: { text: r.description },
    defaultConfiguration: { level: r.enforcementLevel === "advisory" ? "warning" : r.enforcementLevel === "disabled" ? "none" : "error" },
  }));
  const sourceOf = new Map<string, string>();
  for (const a of audits) for (const v of a.violations) sourceOf.set(violationKey(v), a.source);
  const results: Result[] = report.violations.map((v) => {
    const source = sourceOf.get(violationKey(v)) ?? "-";
    return {
      ruleId: v.policy,
      level: v.enforcementLevel === "advisory" ? "warning" : "error",
      message: { text: `${nameOf(v.urn)} (${v.type}) ${v.property}: ${v.message}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: uriOf(source) }, region: { startLine: 1 } },
          logicalLocations: [{ fullyQualifiedName: v.urn, kind: "resource" }],
        },
      ],
      partialFingerprints: { "hardeningViolation/v1": createHash("sha256").update(violationKey(v)).digest("hex") },
    };
  });
  for (const a of audits) {
    for (const e of a.exemptions) results.push(exemptedResult(e, a.source));
  }
  const run: Log["runs"][number] = {
    tool: { driver: { name: "hardening audit", informationUri: "https://github.com/pulumi-hardening/pulumi-hardening", version: toolVersion, rules } },
    results,
  };
  if (report.errors.length > 0) {
    // Files that could not be audited: tool execution notifications, so a SARIF consumer sees the run was partial.
    run.invocations = [
      {
        executionSuccessful: false,
        toolExecutionNotifications: report.errors.map((e) => ({
          level: "error",
          message: { text: e.message },
          locations: [{ physicalLocation: { artifactLocation: { uri: uriOf(e.source) } } }],
        })),
      },
    ];
  }
  const log: Log = { version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0.json", runs: [run] };
  return log;
}

function uriOf(source: string): string {
  return source === "-" ? "stdin" : source.replace(/\\/g, "/");
}

/**
 * A finding an exemption suppressed, as a SARIF result with a suppression: code scanning shows it as dismissed,
 * with the exemption's reason as its justification. A config list is an `external` suppression, the resource's
 * own tag an `inSource` one.
 */
function exemptedResult(e: ExemptionRecord, source: string): Result {
  return {
    ruleId: e.policy,
    level: "note",
    message: { text: `${nameOf(e.urn)} (${e.type}) ${e.property}: ${e.message}` },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri: uriOf(source) }, region: { startLine: 1 } },
        logicalLocations: [{ fullyQualifiedName: e.urn, kind: "resource" }],
      },
    ],
    partialFingerprints: { "hardeningViolation/v1": createHash("sha256").update(violationKey(e)).digest("hex") },
    suppressions: [
      {
        kind: e.exemption.source === "exemptUrns" || e.exemption.source === "exemptNames" ? "external" : "inSource",
        status: "accepted",
        justification: `${describeExemption(e.exemption)}`,
        properties: { source: e.exemption.source, key: e.exemption.key, value: e.exemption.value, reason: e.exemption.reason },
      },
    ],
  };
}

/**
 * Last line of defence for text already built: masks every piece of a plaintext secret in it (see
 * {@link SecretPieceMasker}), in one pass however many secrets there are. Reports are masked as values before they are written; this is for
 * anything else.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return new SecretPieceMasker(secrets).mask(text);
}
