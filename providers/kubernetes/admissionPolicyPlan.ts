/**
 * Admission for the pods that Kestra (or any launcher) creates at run time, as plain data: a
 * ValidatingAdmissionPolicy and its binding (admissionregistration.k8s.io/v1) whose CEL expressions refuse, in the
 * API server, every pod that breaks the rules the hardening spec promises but Pod Security Admission does not check.
 * Pure; workerNamespace.ts and kestraWorker.ts create the resources.
 *
 * What the policy adds to Pod Security `restricted`:
 * - the sandbox RuntimeClass (`hardening.sandbox: runtime`): PSA never looks at `runtimeClassName`;
 * - no service-account token (`hardening.hostIdentity`): PSA allows token volumes;
 * - only the allowed ServiceAccounts: PSA does not look at `serviceAccountName`;
 * - `activeDeadlineSeconds` within `hardening.ephemeral.maxLifetimeHours`: PSA does not bound a pod's life;
 * - and again no hostPath, no host namespaces, no privileged container: PSA refuses them too, but PSA can be
 *   bypassed by cluster-wide exemptions (usernames, RuntimeClasses, namespaces in its AdmissionConfiguration) and
 *   by anyone allowed to relabel the namespace; the binding is a separate cluster-scoped object.
 *
 * The policy sees the pod after the built-in mutating admission plugins, in particular the ServiceAccount plugin,
 * which fills `serviceAccountName: default` and adds the projected `kube-api-access-*` token volume unless
 * automounting is off. So the token rule looks at the volumes, which is what the container actually gets.
 *
 * Refuse, do not mutate: a MutatingAdmissionPolicy (admissionregistration.k8s.io/v1alpha1 from 1.32, v1beta1 from
 * 1.34, off by default [verify on your version]) could supply `runtimeClassName`, `automountServiceAccountToken:
 * false`, `serviceAccountName` (in place of `default`) and a default `activeDeadlineSeconds`. It is not used: it is
 * not generally available, and a silent rewrite hides from the flow's author that the flow asked for something else.
 * The same values are supplied at the source instead, by Kestra's forced plugin defaults (kestraTaskRunner.ts), and
 * the LimitRange already supplies resource defaults; this policy refuses what still arrives without them.
 *
 * Clusters older than 1.30 have no admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (v1beta1 in 1.28-1.29
 * behind a feature gate, v1alpha1 before): creating it fails the deployment ("no matches for kind"), so nothing is
 * left unenforced silently. Such clusters set `admission: { create: false, reason }` and the controls report says
 * the task-pod rules are then only as good as the forced runner settings.
 */
import { checkFields, isRecord, show } from "../../components/validation";

/** Pods the policy lets through without the task-pod rules: a trusted, controller-managed workload. */
export interface TrustedWorkloadArgs {
  /** ServiceAccount of the trusted pods, e.g. a KestraWorker's `<name>-worker`. */
  serviceAccountName: string;
  /** Why these pods may run without the task-pod rules; shown in the controls report. Required. */
  reason: string;
  /**
   * The pods may mount their ServiceAccount token (the Kestra worker needs it to launch task pods).
   * @default false
   */
  token?: boolean;
  /**
   * The pods may run without the sandbox RuntimeClass.
   * @default false
   */
  unsandboxed?: boolean;
}

/** The worker namespace's admission policy. */
export interface WorkerAdmissionArgs {
  /**
   * Create the ValidatingAdmissionPolicy and its binding. `false` needs `reason` (for clusters older than 1.30) and
   * leaves run-time pods held only by Pod Security and the forced runner settings.
   * @default true
   */
  create?: boolean;
  /**
   * Why the policy is not created; required with `create: false`, shown in the controls report.
   * @default undefined
   */
  reason?: string;
  /**
   * ServiceAccounts pods may use besides the namespace's token-less `workload` one.
   * @default []
   */
  serviceAccounts?: string[];
  /**
   * Controller-managed workloads (Deployment or StatefulSet pods, created by the ReplicaSet or StatefulSet
   * controller) that may run without a deadline, with their own ServiceAccount and, when listed so, a token or no
   * sandbox: the Kestra worker placed in the namespace. A pod that names such a ServiceAccount but is created by
   * anyone else (a task runner) is held to every rule, so a flow cannot borrow the worker's identity.
   * @default []
   */
  trustedWorkloads?: TrustedWorkloadArgs[];
}

/** The rules the policy enforces, decided. */
export interface PodAdmissionRules {
  /** The RuntimeClass every pod must name; undefined when `hardening.sandbox` is `none`. */
  readonly runtimeClassName?: string;
  /** ServiceAccounts pods may use. */
  readonly serviceAccounts: readonly string[];
  /** The longest `activeDeadlineSeconds` a pod may set (it must set one). */
  readonly maxActiveDeadlineSeconds: number;
  /** Exempted controller-managed workloads. */
  readonly trusted: readonly Required<TrustedWorkloadArgs>[];
  /** Where the rules are reported: the namespace, or "task pods of KestraWorker x". */
  readonly scope: string;
}

/** One CEL validation of the policy. */
export interface AdmissionValidation {
  readonly expression: string;
  readonly message: string;
  readonly messageExpression: string;
  readonly reason: "Forbidden";
}

/** One CEL variable of the policy (`variables.<name>` in the validations). */
export interface AdmissionVariable {
  readonly name: string;
  readonly expression: string;
}

/** The policy and binding specs, plain data. */
export interface AdmissionPolicyPlan {
  /** Cluster-wide name of the policy (and of its binding). */
  readonly name: string;
  readonly rules: PodAdmissionRules;
  /** `spec` of the ValidatingAdmissionPolicy. */
  readonly policySpec: {
    readonly failurePolicy: "Fail";
    readonly matchConstraints: Record<string, unknown>;
    readonly matchConditions?: readonly { readonly name: string; readonly expression: string }[];
    readonly variables: readonly AdmissionVariable[];
    readonly validations: readonly AdmissionValidation[];
  };
  /** `spec` of the ValidatingAdmissionPolicyBinding. */
  readonly bindingSpec: {
    readonly policyName: string;
    readonly validationActions: readonly ["Deny"];
    readonly matchResources: Record<string, unknown>;
  };
}

/**
 * The identities that create pods for Deployments and StatefulSets: the controllers' own ServiceAccounts (the
 * default, `--use-service-account-credentials`, on kubeadm, EKS, GKE and AKS) or the controller manager's user.
 */
export const WORKLOAD_CONTROLLER_USERS: readonly string[] = [
  "system:serviceaccount:kube-system:replicaset-controller",
  "system:serviceaccount:kube-system:statefulset-controller",
  "system:kube-controller-manager",
];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** A CEL string literal. The values quoted are checked names, but quoting never relies on that. */
function lit(value: string): string {
  return JSON.stringify(value);
}

function list(values: readonly string[]): string {
  return `[${values.map(lit).join(", ")}]`;
}

const SA = "object.spec.serviceAccountName";
const SA_SHOWN = `(has(${SA}) ? "\\"" + ${SA} + "\\"" : "(none)")`;

/** The variables the validations share: whether the request comes from a workload controller for a trusted pod. */
export function admissionVariablesFor(rules: PodAdmissionRules): AdmissionVariable[] {
  const names = (f: (t: Required<TrustedWorkloadArgs>) => boolean) => rules.trusted.filter(f).map((t) => t.serviceAccountName);
  const trustedSa = (accounts: string[]) => `variables.controller && has(${SA}) && ${SA} in ${list(accounts)}`;
  return [
    { name: "controller", expression: `request.userInfo.username in ${list(WORKLOAD_CONTROLLER_USERS)}` },
    { name: "trusted", expression: trustedSa(names(() => true)) },
    { name: "tokenAllowed", expression: trustedSa(names((t) => t.token)) },
    { name: "unsandboxedAllowed", expression: trustedSa(names((t) => t.unsandboxed)) },
  ];
}

function validation(expression: string, message: string, messageExpression: string): AdmissionValidation {
  return { expression, message, messageExpression, reason: "Forbidden" };
}

/** `spec.<kind>[].securityContext.privileged` is not true, for one container list. */
function notPrivileged(kind: string): string {
  const c = "c.securityContext";
  return `!has(object.spec.${kind}) || object.spec.${kind}.all(c, !has(${c}) || !has(${c}.privileged) || !${c}.privileged)`;
}

/**
 * The CEL validations for `rules`, each with a message that names the pod field and the fix. Every expression is a
 * boolean over `object` (the Pod), `request` and `variables`.
 */
export function podValidationsFor(rules: PodAdmissionRules): AdmissionValidation[] {
  const where = rules.scope;
  // The scope inside a CEL string literal (it contains quotes).
  const w = JSON.stringify(where).slice(1, -1);
  const out: AdmissionValidation[] = [
    validation(
      "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.hostPath))",
      `spec.volumes[].hostPath is refused for ${where}: it gives the pod the node's files; use an emptyDir or a projected volume.`,
      `"spec.volumes[" + object.spec.volumes.filter(v, has(v.hostPath)).map(v, v.name)[0] + "].hostPath is refused for ${w}: it gives the pod the node's files; use an emptyDir or a projected volume."`,
    ),
    validation(
      "!(has(object.spec.hostNetwork) && object.spec.hostNetwork) && !(has(object.spec.hostPID) && object.spec.hostPID) && !(has(object.spec.hostIPC) && object.spec.hostIPC)",
      `spec.hostNetwork, spec.hostPID and spec.hostIPC must be unset or false for ${where}: they share the node's network (and its metadata endpoint), processes or IPC; remove them.`,
      `"spec." + (has(object.spec.hostNetwork) && object.spec.hostNetwork ? "hostNetwork" : has(object.spec.hostPID) && object.spec.hostPID ? "hostPID" : "hostIPC") + " is true, which is refused for ${w}: it shares the node's namespace; remove it."`,
    ),
    validation(
      [notPrivileged("containers"), notPrivileged("initContainers"), notPrivileged("ephemeralContainers")].map((e) => `(${e})`).join(" && "),
      `securityContext.privileged is refused on every container (containers, initContainers, ephemeralContainers) for ${where}: a privileged container is root on the node; remove it.`,
      `"securityContext.privileged is true on a container, which is refused for ${w}: a privileged container is root on the node; remove it."`,
    ),
  ];
  if (rules.runtimeClassName !== undefined) {
    const rc = lit(rules.runtimeClassName);
    out.push(
      validation(
        `variables.unsandboxedAllowed || (has(object.spec.runtimeClassName) && object.spec.runtimeClassName == ${rc})`,
        `spec.runtimeClassName must be ${rc} for ${where} (hardening.sandbox is "runtime"): set it in the pod spec (Kestra: taskRunner.podSpec.runtimeClassName, pinned by the forced plugin defaults).`,
        `"spec.runtimeClassName is " + (has(object.spec.runtimeClassName) ? "\\"" + object.spec.runtimeClassName + "\\"" : "unset") + " but must be " + ${lit(rc)} + " for ${w} (hardening.sandbox is \\"runtime\\"): set it in the pod spec (Kestra: taskRunner.podSpec.runtimeClassName)."`,
      ),
    );
  }
  out.push(
    validation(
      `variables.trusted || (has(${SA}) && ${SA} in ${list(rules.serviceAccounts)})`,
      `spec.serviceAccountName must be one of ${rules.serviceAccounts.join(", ")} for ${where}: set it in the pod spec (Kestra: taskRunner.serviceAccountName); a trusted controller-managed workload is listed in admission.trustedWorkloads.`,
      `"spec.serviceAccountName " + ${SA_SHOWN} + " is not allowed for ${w}; use one of ${rules.serviceAccounts.join(", ")} (Kestra: taskRunner.serviceAccountName)."`,
    ),
    validation(
      "variables.tokenAllowed || (!(has(object.spec.automountServiceAccountToken) && object.spec.automountServiceAccountToken) && (!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.projected) || !has(v.projected.sources) || v.projected.sources.all(s, !has(s.serviceAccountToken)))))",
      `the pod would get a ServiceAccount token (spec.automountServiceAccountToken or a projected serviceAccountToken volume), which is refused for ${where}: set spec.automountServiceAccountToken: false and remove the token volume.`,
      `"spec.serviceAccountName " + ${SA_SHOWN} + " would give the pod an API token (spec.automountServiceAccountToken or a projected serviceAccountToken volume), which is refused for ${w}: set spec.automountServiceAccountToken: false and remove the token volume."`,
    ),
    validation(
      `variables.trusted || (has(object.spec.activeDeadlineSeconds) && object.spec.activeDeadlineSeconds <= ${rules.maxActiveDeadlineSeconds})`,
      `spec.activeDeadlineSeconds must be set, at most ${rules.maxActiveDeadlineSeconds}, for ${where}: every run ends; set it in the pod spec (Kestra: taskRunner.podSpec.activeDeadlineSeconds).`,
      `"spec.activeDeadlineSeconds is " + (has(object.spec.activeDeadlineSeconds) ? string(object.spec.activeDeadlineSeconds) : "unset") + " but must be set, at most ${rules.maxActiveDeadlineSeconds}, for ${w}: set it in the pod spec (Kestra: taskRunner.podSpec.activeDeadlineSeconds)."`,
    ),
  );
  return out;
}

/** Pods on create, and ephemeral containers added later (`kubectl debug`), in the selected namespaces. */
function matchConstraintsFor(namespaceSelector: Record<string, unknown>): Record<string, unknown> {
  return {
    namespaceSelector,
    resourceRules: [
      // Pod specs are immutable after creation apart from images, tolerations and a shorter deadline, so CREATE
      // decides; UPDATE is not matched so that controllers can still remove finalizers and owner references.
      { apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] },
      { apiGroups: [""], apiVersions: ["v1"], operations: ["UPDATE"], resources: ["pods/ephemeralcontainers"] },
    ],
  };
}

/** The policy and binding for a set of rules, bound to the namespaces `namespaceSelector` selects. */
export function admissionPolicyFor(
  name: string,
  rules: PodAdmissionRules,
  namespaceSelector: Record<string, unknown>,
  matchConditions?: readonly { name: string; expression: string }[],
): AdmissionPolicyPlan {
  return {
    name,
    rules,
    policySpec: {
      failurePolicy: "Fail",
      matchConstraints: matchConstraintsFor(namespaceSelector),
      ...(matchConditions && matchConditions.length > 0 ? { matchConditions } : {}),
      variables: admissionVariablesFor(rules),
      validations: podValidationsFor(rules),
    },
    bindingSpec: { policyName: name, validationActions: ["Deny"], matchResources: { namespaceSelector } },
  };
}

/** The selector of exactly one namespace, by the label the API server sets on every namespace. */
export function namespaceSelectorFor(namespace: string): Record<string, unknown> {
  return { matchLabels: { "kubernetes.io/metadata.name": namespace } };
}

/** The decided `admission` argument of a worker namespace. */
export interface WorkerAdmissionPlan {
  readonly create: boolean;
  /** Why not created, when `create` is false. */
  readonly reason?: string;
  readonly policy?: AdmissionPolicyPlan;
}

const ADMISSION_FIELDS = ["create", "reason", "serviceAccounts", "trustedWorkloads"];
const TRUSTED_FIELDS = ["serviceAccountName", "reason", "token", "unsandboxed"];

function checkServiceAccountName(issues: string[], path: string, v: unknown): v is string {
  if (typeof v === "string" && DNS_SUBDOMAIN.test(v)) return true;
  issues.push(`${path} ${show(v)} must be a ServiceAccount name (lower-case DNS subdomain).`);
  return false;
}

/**
 * Decides a worker namespace's admission policy from its `admission` argument, pushing every problem (field,
 * value, fix) onto `issues`. The policy is named `hardening-worker-pods-<namespace>` (cluster-scoped, so the
 * namespace makes it unique).
 */
export function planWorkerAdmission(
  issues: string[],
  raw: unknown,
  context: { namespaceName: string; workloadServiceAccount: string; runtimeClassName?: string; maxLifetimeHours: number },
): WorkerAdmissionPlan {
  const args = raw === undefined ? {} : raw;
  if (!isRecord(args)) {
    issues.push(`admission ${show(raw)} must be an object such as { trustedWorkloads: [...] }.`);
    return { create: false };
  }
  checkFields(issues, "admission", args, ADMISSION_FIELDS);
  const create = args.create ?? true;
  if (typeof create !== "boolean") issues.push(`admission.create ${show(create)} must be true or false.`);
  if (create === false) {
    if (typeof args.reason !== "string" || args.reason.trim() === "") {
      issues.push("admission.create is false but admission.reason is missing; say why run-time pods go without the admission policy (e.g. \"cluster is 1.29, no admissionregistration.k8s.io/v1\").");
    }
    return { create: false, reason: String(args.reason ?? "") };
  }
  if (args.reason !== undefined) issues.push("admission.reason is set but admission.create is not false; remove it.");
  const extra = args.serviceAccounts ?? [];
  const serviceAccounts = [context.workloadServiceAccount];
  if (!Array.isArray(extra)) issues.push(`admission.serviceAccounts ${show(extra)} must be a list of ServiceAccount names.`);
  else extra.forEach((sa, i) => checkServiceAccountName(issues, `admission.serviceAccounts[${i}]`, sa) && !serviceAccounts.includes(sa) && serviceAccounts.push(sa));
  const trusted: Required<TrustedWorkloadArgs>[] = [];
  const rawTrusted = args.trustedWorkloads ?? [];
  if (!Array.isArray(rawTrusted)) issues.push(`admission.trustedWorkloads ${show(rawTrusted)} must be a list such as [{ serviceAccountName: "kestra-worker", reason: "..." }].`);
  else {
    rawTrusted.forEach((t, i) => {
      const path = `admission.trustedWorkloads[${i}]`;
      if (!isRecord(t)) {
        issues.push(`${path} ${show(t)} must be an object such as { serviceAccountName: "kestra-worker", reason: "the Kestra worker" }.`);
        return;
      }
      checkFields(issues, `${path}`, t, TRUSTED_FIELDS);
      const ok = checkServiceAccountName(issues, `${path}.serviceAccountName`, t.serviceAccountName);
      if (typeof t.reason !== "string" || t.reason.trim() === "") issues.push(`${path}.reason ${show(t.reason)} must say why these pods run without the task-pod rules.`);
      for (const flag of ["token", "unsandboxed"]) {
        if (t[flag] !== undefined && typeof t[flag] !== "boolean") issues.push(`${path}.${flag} ${show(t[flag])} must be true or false.`);
      }
      if (ok && t.serviceAccountName === context.workloadServiceAccount) {
        issues.push(`${path}.serviceAccountName ${show(t.serviceAccountName)} is the namespace's workload ServiceAccount, which untrusted pods use; give the trusted workload a ServiceAccount of its own.`);
      }
      trusted.push({ serviceAccountName: String(t.serviceAccountName), reason: String(t.reason), token: t.token === true, unsandboxed: t.unsandboxed === true });
    });
  }
  if (!DNS_LABEL.test(context.namespaceName)) return { create: true };
  const rules: PodAdmissionRules = {
    ...(context.runtimeClassName !== undefined ? { runtimeClassName: context.runtimeClassName } : {}),
    serviceAccounts,
    maxActiveDeadlineSeconds: Math.round(context.maxLifetimeHours * 3600),
    trusted,
    scope: `pods in worker namespace "${context.namespaceName}"`,
  };
  return {
    create: true,
    policy: admissionPolicyFor(`hardening-worker-pods-${context.namespaceName}`, rules, namespaceSelectorFor(context.namespaceName)),
  };
}

/**
 * The policy a KestraWorker with the Kubernetes runner adds for its task pods, wherever the task namespace is:
 * it matches only pods created by the worker's own ServiceAccount (the task runner), in the task namespace, and
 * holds them to the task pod settings exactly (ServiceAccount, RuntimeClass, deadline, no token), so a flow's
 * `podSpec` or `serviceAccountName` override is refused even in a namespace without a worker-namespace policy.
 * Namespaces may be unknown at plan time, so this takes them as strings from the component's outputs.
 */
export function kestraTaskAdmissionPolicyFor(opts: {
  workerName: string;
  workerNamespace: string;
  taskNamespace: string;
  workerServiceAccountName: string;
  taskServiceAccountName: string;
  runtimeClassName?: string;
  activeDeadlineSeconds: number;
}): AdmissionPolicyPlan {
  const user = `system:serviceaccount:${opts.workerNamespace}:${opts.workerServiceAccountName}`;
  const rules: PodAdmissionRules = {
    ...(opts.runtimeClassName !== undefined ? { runtimeClassName: opts.runtimeClassName } : {}),
    serviceAccounts: [opts.taskServiceAccountName],
    maxActiveDeadlineSeconds: opts.activeDeadlineSeconds,
    trusted: [],
    scope: `task pods of KestraWorker "${opts.workerName}"`,
  };
  return admissionPolicyFor(
    `hardening-kestra-tasks-${opts.workerNamespace}-${opts.workerName}`,
    rules,
    namespaceSelectorFor(opts.taskNamespace),
    [{ name: "created-by-kestra-task-runner", expression: `request.userInfo.username == ${lit(user)}` }],
  );
}

/**
 * The `admission.trustedWorkloads` entry a worker namespace needs for a KestraWorker with the Kubernetes runner
 * placed in it: the worker's own ServiceAccount, with its token and without the sandbox (user code runs in the task
 * pods, not in the worker). Undefined for the process runner, whose worker runs user code itself under the
 * namespace's `workload` ServiceAccount, which cannot be exempted: such a namespace has no run-time pods to admit
 * and is given `admission: { create: false, reason }` instead.
 */
export function kestraTrustedWorkload(workerName: string, runner: "kubernetes" | "process"): TrustedWorkloadArgs | undefined {
  if (runner !== "kubernetes") return undefined;
  return {
    serviceAccountName: `${workerName}-worker`,
    reason: `the Kestra worker "${workerName}" (Deployment): launches task pods with its token; user code runs in the task pods, not here`,
    token: true,
    unsandboxed: true,
  };
}
