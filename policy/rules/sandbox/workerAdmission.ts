/**
 * Worker namespaces hold the pods created in them at run time to the hardening rules with a ValidatingAdmissionPolicy
 * (admissionregistration.k8s.io/v1) bound with `Deny`. The pack sees only what Pulumi creates; Kestra's task runner
 * creates its pods later, from flows the package defends against, so only an admission policy in the API server
 * judges them (KubernetesWorkerNamespace and KestraWorker create one, providers/kubernetes/admissionPolicyPlan.ts).
 *
 * Which namespaces are worker namespaces:
 * - a Namespace labelled `app.kubernetes.io/component: worker-namespace` (KubernetesWorkerNamespace sets it), unless
 *   its annotation `hardening.pulumi.io/no-run-time-pods` says why no pods are created there at run time
 *   (KubernetesWorkerNamespace with `admission: { create: false, reason }`, e.g. Kestra's process runner);
 * - the namespace of a Role that grants `create` on `pods`: whoever holds it creates pods at run time (Kestra's
 *   task-runner Role), whether or not the stack creates that Namespace.
 *
 * What counts as covering one: a ValidatingAdmissionPolicyBinding whose `validationActions` include `Deny` and whose
 * `matchResources.namespaceSelector` selects the namespace, naming (`policyName`) a ValidatingAdmissionPolicy of the
 * stack whose `failurePolicy` is not `Ignore`, whose `matchConstraints` match pods on CREATE (and do not exclude
 * them) and select the namespace too. Selectors are evaluated on the namespace's labels as the stack declares them
 * plus `kubernetes.io/metadata.name`, which the API server sets. What the policy's CEL requires is not judged here
 * (tests/providers/kubernetes/admissionPolicy.cel.test.ts proves the package's own). Values unknown during preview
 * give an `indeterminate` finding instead of a guess.
 */
import type { ResourceInput, StackFinding, StackRule } from "../types";
import { asArray, asRecord, dig } from "../kubernetes/podSpec";
import { guardUnknowns, tryKnown } from "../kubernetes/unknown";
import { NO_RUN_TIME_PODS_ANNOTATION } from "../../../components/kubernetesSandbox";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";
const WORKER_LABEL = "app.kubernetes.io/component";
const WORKER_VALUE = "worker-namespace";
const NAME_LABEL = "kubernetes.io/metadata.name";

type Labels = Readonly<Record<string, string>>;

const has = (list: unknown, ...values: string[]) => asArray(list).some((v) => values.includes(v as string));

/** Whether a Kubernetes label selector selects an object with `labels`; an absent selector selects everything. */
export function selects(selector: unknown, labels: Labels): boolean {
  const s = asRecord(selector);
  if (!s) return true;
  for (const [k, v] of Object.entries(asRecord(s.matchLabels) ?? {})) if (labels[k] !== v) return false;
  for (const raw of asArray(s.matchExpressions)) {
    const e = asRecord(raw) ?? {};
    const key = String(e.key);
    const values = asArray(e.values).map(String);
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e.operator) {
      case "In":
        if (!present || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (present && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Whether resource rules match pod CREATE requests. */
function coversPodCreate(rules: unknown): boolean {
  return asArray(rules).some((raw) => {
    const r = asRecord(raw) ?? {};
    return has(r.apiGroups, "", "*") && has(r.resources, "pods", "*") && has(r.operations, "CREATE", "*");
  });
}

interface PolicyView {
  readonly name: string;
  readonly namespaceSelector: unknown;
  readonly ok: boolean;
}

interface BindingView {
  readonly policyName: string;
  readonly namespaceSelector: unknown;
  readonly denies: boolean;
}

interface WorkerNamespace {
  readonly subject: ResourceInput;
  readonly property: string;
  readonly labels: Labels;
  readonly why: string;
}

function indeterminate(r: ResourceInput, path: string): StackFinding {
  return {
    urn: r.urn,
    type: r.type,
    property: path,
    message: `${path} is not known during preview, so whether worker namespaces have an admission policy for run-time pods is checked when the stack is updated.`,
    indeterminate: true,
  };
}

/**
 * `sandbox-kubernetes-worker-admission`: in a passing stack, every worker namespace is covered by a
 * ValidatingAdmissionPolicy bound with Deny that judges pods on creation.
 */
export const kubernetesWorkerAdmissionPolicy: StackRule = {
  id: "sandbox-kubernetes-worker-admission",
  description:
    "Every worker namespace (labelled app.kubernetes.io/component=worker-namespace, or where a Role grants pod creation) is covered by a ValidatingAdmissionPolicy bound with Deny that judges pods on creation, so pods created at run time are held to the hardening rules.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: "Worker namespaces (labelled `app.kubernetes.io/component=worker-namespace` without a `hardening.pulumi.io/no-run-time-pods` reason, or where a Role grants pod creation): a ValidatingAdmissionPolicy bound with `Deny` judges pods on CREATE.",
  types: [NAMESPACE, ROLE, POLICY, BINDING],
  check: (resources) => {
    const findings: StackFinding[] = [];
    const workers = new Map<string, WorkerNamespace>();
    const declaredLabels = new Map<string, Labels>();
    let undecided = false;
    for (const r of resources) {
      const read = tryKnown(() => {
        const props = guardUnknowns(r.props);
        if (r.type === NAMESPACE) {
          const name = dig(props, ["metadata", "name"]);
          const labels = { ...(asRecord(dig(props, ["metadata", "labels"])) ?? {}) } as Record<string, string>;
          if (typeof name !== "string" || name === "") return;
          declaredLabels.set(name, labels);
          const noRunTimePods = asRecord(dig(props, ["metadata", "annotations"]))?.[NO_RUN_TIME_PODS_ANNOTATION];
          if (labels[WORKER_LABEL] === WORKER_VALUE && !(typeof noRunTimePods === "string" && noRunTimePods.trim() !== "") && !workers.has(name)) {
            workers.set(name, { subject: r, property: "metadata.labels", labels, why: `labelled ${WORKER_LABEL}=${WORKER_VALUE}` });
          }
        } else if (r.type === ROLE) {
          const grantsPods = asArray(props.rules).some((raw) => {
            const rule = asRecord(raw) ?? {};
            return has(rule.apiGroups, "", "*") && has(rule.resources, "pods", "*") && has(rule.verbs, "create", "*");
          });
          if (!grantsPods) return;
          const ns = dig(props, ["metadata", "namespace"]);
          const name = typeof ns === "string" && ns !== "" ? ns : "default";
          if (!workers.has(name)) workers.set(name, { subject: r, property: "rules", labels: {}, why: `Role ${String(dig(props, ["metadata", "name"]) ?? r.name)} lets its holders create pods at run time` });
        }
      });
      if (!read.known) findings.push(indeterminate(r, read.path));
    }
    const policies: PolicyView[] = [];
    const bindings: BindingView[] = [];
    for (const r of resources) {
      if (r.type !== POLICY && r.type !== BINDING) continue;
      const read = tryKnown(() => {
        const props = guardUnknowns(r.props);
        const spec = asRecord(props.spec) ?? {};
        if (r.type === POLICY) {
          const mc = asRecord(spec.matchConstraints) ?? {};
          policies.push({
            name: String(dig(props, ["metadata", "name"]) ?? ""),
            namespaceSelector: mc.namespaceSelector,
            ok: spec.failurePolicy !== "Ignore" && coversPodCreate(mc.resourceRules) && !coversPodCreate(mc.excludeResourceRules),
          });
        } else {
          const mr = asRecord(spec.matchResources) ?? {};
          bindings.push({
            policyName: String(spec.policyName ?? ""),
            namespaceSelector: mr.namespaceSelector,
            denies: has(spec.validationActions, "Deny") && !coversPodCreate(mr.excludeResourceRules),
          });
        }
      });
      if (!read.known) {
        findings.push(indeterminate(r, read.path));
        undecided = true;
      }
    }
    if (undecided) return findings;
    for (const [name, w] of workers) {
      const labels: Labels = { ...(declaredLabels.get(name) ?? w.labels), [NAME_LABEL]: name };
      const covered = bindings.some(
        (b) =>
          b.denies &&
          selects(b.namespaceSelector, labels) &&
          policies.some((p) => p.name === b.policyName && p.ok && selects(p.namespaceSelector, labels)),
      );
      if (covered) continue;
      findings.push({
        urn: w.subject.urn,
        type: w.subject.type,
        property: w.property,
        message: `namespace "${name}" is a worker namespace (${w.why}) but no ValidatingAdmissionPolicy bound with validationActions ["Deny"] judges its pods on CREATE (failurePolicy Fail); pods created at run time there are held to nothing but Pod Security: create it with KubernetesWorkerNamespace (admission, the default) or KestraWorker, or bind your own policy to the namespace.`,
      });
    }
    return findings;
  },
};
