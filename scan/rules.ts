/**
 * The rules `hardening scan` reports, as data: one id per kind of finding, its severity, and the help text the
 * SARIF output and the docs show. Config exceptions and inline ignores must name one of these ids.
 */
import type { ReferenceSeverity } from "../detect/types";

/** Severity of a finding: `error` blocks the merge (exit 1), `warning` is reported only. */
export type ScanSeverity = ReferenceSeverity;

/** One kind of finding. */
export interface ScanRule {
  /** Kebab-case id used in findings, exceptions and SARIF. */
  readonly id: string;
  /** Severity of every finding of this rule. */
  readonly severity: ScanSeverity;
  /** One sentence: what a finding of this rule means. */
  readonly summary: string;
  /** What to do about it (SARIF `help`). */
  readonly help: string;
}

/** A reference to a catalogued metadata or credential endpoint, in any spelling the detector knows. */
export const METADATA_ENDPOINT = "metadata-endpoint";
/** A reference to another link-local address (not a catalogued endpoint, but the same neighbourhood). */
export const LINK_LOCAL_ADDRESS = "link-local-address";
/** A Kestra task, trigger, condition or task runner whose type the plugin-control config does not allow. */
export const DENIED_TASK_TYPE = "denied-task-type";
/** A YAML file that does not parse; its raw text was still scanned. */
export const INVALID_YAML = "invalid-yaml";
/** A `hardening:ignore` comment without a rule id or a reason; it suppresses nothing. */
export const INVALID_IGNORE = "invalid-ignore";
/** A file too large to read, or a flow too large to parse, so part of the checks did not run. */
export const NOT_SCANNED = "not-scanned";

/** A task runner or container setting that gives the task's code the host or another identity. */
export const RUNNER_ESCAPE = "kestra-runner-escape";

/** Every rule of the flow scanner, in the order SARIF lists them. */
export const SCAN_RULES: readonly ScanRule[] = [
  {
    id: METADATA_ENDPOINT,
    severity: "error",
    summary: "References a cloud metadata or credential endpoint (169.254.169.254 and friends, in any spelling).",
    help:
      "Code that runs in a worker must not reach the instance metadata service: it hands out the host's cloud " +
      "credentials. Remove the reference. If it is intended (a test fixture, documentation), add " +
      "`# hardening:ignore metadata-endpoint reason: <why>` on the line or the line before, or an exception in the " +
      "scan config.",
  },
  {
    id: LINK_LOCAL_ADDRESS,
    severity: "warning",
    summary: "References a link-local address that is not a catalogued metadata endpoint.",
    help:
      "Link-local addresses (169.254.0.0/16, fe80::/10) are where clouds put host-local services; tomorrow's " +
      "metadata endpoint will most likely appear there. Check that the reference is needed.",
  },
  {
    id: DENIED_TASK_TYPE,
    severity: "error",
    summary: "A Kestra plugin type (task, trigger, condition or task runner) that the plugin-control config denies.",
    help:
      "The scan config's `plugins.allow`/`plugins.deny` (or the namespace override that applies) does not allow " +
      "this type. Use an allowed plugin, or change the config in review. Legacy names (io.kestra.core.tasks.*) are " +
      "checked as the plugins they became.",
  },
  {
    id: INVALID_YAML,
    severity: "warning",
    summary: "The YAML file does not parse; its raw text was still scanned for endpoint references.",
    help: "Kestra will reject this flow. Fix the YAML; task types in the broken part may not have been checked.",
  },
  {
    id: INVALID_IGNORE,
    severity: "warning",
    summary: "A `hardening:ignore` comment without a known rule id or without a reason; it suppresses nothing.",
    help: "Write `hardening:ignore <rule-id> reason: <why this is safe>`; both the rule id and the reason are required.",
  },
  {
    id: NOT_SCANNED,
    severity: "error",
    summary: "A file was too large to read whole, a flow too large to parse, or a link pointed outside the scanned paths, so some checks did not run.",
    help:
      "Nothing unchecked passes: split the file, or scan the link's target by name. If the file is legitimately " +
      "left unchecked, add an exception for `not-scanned` naming it in the scan config, with the reason.",
  },
  {
    id: RUNNER_ESCAPE,
    severity: "error",
    summary:
      "A Kestra task runner or container setting gives the task's code the host or another identity (host network, " +
      "privileged, host paths such as the Docker socket, added capabilities, or a Kubernetes runner override of the " +
      "pod's host namespaces, ServiceAccount, RuntimeClass, namespace or connection).",
    help:
      "Remove the setting: the worker's forced runner configuration pins safe values, and these settings undo the " +
      "sandbox (`networkMode: host` reaches the metadata endpoint; a mounted docker.sock starts a privileged " +
      "container). Where a namespace really needs one, add a reviewed exception to the scan config: " +
      "`runnerEscapes: { exceptions: [{ namespace: <glob>, kinds: [<kind>], reason: <why> }] }`.",
  },
];

/** Every rule id, for validating exceptions. */
export const SCAN_RULE_IDS: readonly string[] = SCAN_RULES.map((r) => r.id);

/** The rule with this id; throws for an unknown id (a programming error, never user input). */
export function scanRule(id: string): ScanRule {
  const rule = SCAN_RULES.find((r) => r.id === id);
  if (!rule) throw new Error(`unknown scan rule ${id}`);
  return rule;
}
