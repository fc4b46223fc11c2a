/**
 * Argument checks and constants the Kubernetes planners share (namespacePlan.ts, egressProxyPlan.ts, kestraPlan.ts).
 * Kept apart so that the namespace planner can plan an egress proxy without the two planners importing each other.
 */
import { isRecord, show } from "../../components/validation";
import type { Labels } from "./networkPolicies";

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
