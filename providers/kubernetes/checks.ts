/**
 * Argument checks and constants the Kubernetes planners share (workerNamespacePlan.ts, egressProxyPlan.ts, kestraWorkerPlan.ts).
 * Kept apart so that the namespace planner can plan an egress proxy without the two planners importing each other.
 */
import { checkFields, isRecord, show } from "../../components/validation";
import { DEFAULT_DNS, type DnsTarget, type Labels } from "./networkPolicies";

/** The Pod Security Standards version pinned by default. */
export const DEFAULT_POD_SECURITY_VERSION = "v1.34";

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Lists problems in a label map under `path`. */
export function checkLabels(issues: string[], path: string, labels: unknown, nonEmpty = false): Labels {
  if (labels === undefined) return {};
  if (!isRecord(labels)) {
    issues.push(`${path} ${show(labels)} must be a map of label keys to values.`);
    return {};
  }
  if (nonEmpty && Object.keys(labels).length === 0) issues.push(`${path} is empty; give at least one label to select pods by.`);
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_KEY.test(k)) issues.push(`${path} key ${show(k)} is not a label key (optional DNS prefix, then up to 63 letters, digits, "-", "_", ".").`);
    if (typeof v !== "string" || !LABEL_VALUE.test(v)) issues.push(`${path}.${k} ${show(v)} is not a label value (up to 63 letters, digits, "-", "_", ".").`);
  }
  return labels as Labels;
}

/**
 * Checks the `dns` argument both the namespace and the egress proxy take: an object whose selectors find the
 * cluster resolver's pods (DEFAULT_DNS where left out). Returns the selectors, and the object itself for the
 * caller's own rule on `nodeLocalAddress` (undefined when `raw` is absent or not an object).
 */
export function checkDnsSelectors(issues: string[], raw: unknown): { dns: Required<Pick<DnsTarget, "namespaceLabels" | "podLabels">>; given?: Record<string, unknown> } {
  if (raw === undefined) return { dns: { ...DEFAULT_DNS } };
  if (!isRecord(raw)) {
    issues.push(`dns ${show(raw)} must be an object such as { podLabels: { "k8s-app": "kube-dns" } }.`);
    return { dns: { ...DEFAULT_DNS } };
  }
  checkFields(issues, "dns", raw, ["namespaceLabels", "podLabels", "nodeLocalAddress"]);
  const namespaceLabels = raw.namespaceLabels === undefined ? DEFAULT_DNS.namespaceLabels : checkLabels(issues, "dns.namespaceLabels", raw.namespaceLabels, true);
  const podLabels = raw.podLabels === undefined ? DEFAULT_DNS.podLabels : checkLabels(issues, "dns.podLabels", raw.podLabels, true);
  return { dns: { namespaceLabels: { ...namespaceLabels }, podLabels: { ...podLabels } }, given: raw };
}
