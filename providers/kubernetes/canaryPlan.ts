/**
 * The canary on Kubernetes, as plain data: a CronJob in the worker namespace whose pod is exactly a Kestra task pod
 * (the Kubernetes task runner's pod spec from kestraTaskRunnerFor: runtime class, token-less ServiceAccount,
 * security context, resources), running the probe from a ConfigMap, with the namespace's controls report filled in.
 * Pure; KubernetesWorkerNamespace creates the two resources when its `canary` argument is set.
 */
import { ControlReport } from "../../components/controls";
import { checkFields, InvalidArgsError, isRecord, show } from "../../components/validation";
import { planCanary, ExpectedCheck } from "../../canary";
import { kestraTaskRunnerFor, taskJobSpecFor } from "./kestraWorkerPlan";
import type { WorkerNamespacePlan } from "./workerNamespacePlan";
import { ResourceDefaults } from "./podSecurity";
import type { KubernetesCanaryArgs } from "./canaryArgs";

export type { KubernetesCanaryArgs } from "./canaryArgs";

/** The CronJob and ConfigMap to create, as plain data. */
export interface CanaryCronJobPlan {
  /** Name of both resources. */
  readonly name: string;
  /** Annotations of the ConfigMap: the reasoned policy-pack exemption for the probe's on-purpose endpoint references. */
  readonly configMapAnnotations: Readonly<Record<string, string>>;
  /** Labels of both and of the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** ConfigMap `data`: the probe as `canary.py`. */
  readonly configMapData: Readonly<Record<string, string>>;
  /** CronJob `spec`. */
  readonly cronJobSpec: Record<string, unknown>;
  /** The checks with their verdicts, for reports. */
  readonly checks: readonly ExpectedCheck[];
}

/** The pack's rule that the probe's ConfigMap would otherwise trip (policy/rules/code.ts). */
export const CANARY_EXEMPT_RULE = "code-metadata-reference";
const MOUNT = "/opt/hardening-canary";
const VOLUME = "hardening-canary";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$/;
const FIELDS = ["image", "schedule", "name", "taskPod", "accept", "checks", "timeoutSeconds"];

/**
 * Every problem with the arguments that can be seen without the namespace plan, each under `canary.`.
 * The canary's checks and acceptances are validated by {@link planCanaryCronJob}.
 */
export function checkCanaryArgs(raw: unknown): string[] {
  const issues: string[] = [];
  if (!isRecord(raw)) return [`canary ${show(raw)} must be an object such as { image: "python:3.13-slim@sha256:..." }.`];
  checkFields(issues, "canary", raw, FIELDS);
  const image = raw.image;
  if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) {
    issues.push(`canary.image ${show(image)} must be an image with python3, such as "python:3.13-slim@sha256:...".`);
  } else if (!/[:@]/.test(image.split("/").pop() ?? "") || image.endsWith(":latest")) {
    issues.push(`canary.image ${show(image)} is not pinned; give a version tag or a digest.`);
  }
  const schedule = raw.schedule ?? "17 * * * *";
  if (typeof schedule !== "string" || !(schedule.trim().split(/\s+/).length === 5 || /^@(hourly|daily|weekly|monthly)$/.test(schedule))) {
    issues.push(`canary.schedule ${show(schedule)} must be a five-field cron expression such as "17 * * * *".`);
  }
  const name = raw.name ?? "hardening-canary";
  if (typeof name !== "string" || !DNS_LABEL.test(name)) issues.push(`canary.name ${show(name)} must be a DNS label of at most 52 characters (CronJob names are limited).`);
  if (raw.taskPod !== undefined && !isRecord(raw.taskPod)) issues.push(`canary.taskPod ${show(raw.taskPod)} must be an object, as KestraWorker taskPod.`);
  return issues;
}

/**
 * The canary CronJob of a planned worker namespace, with the namespace's controls report as its expectations.
 *
 * @throws InvalidArgsError listing every problem, each under `canary.`.
 */
export function planCanaryCronJob(plan: WorkerNamespacePlan, controls: readonly ControlReport[], args: KubernetesCanaryArgs): CanaryCronJobPlan {
  const issues = checkCanaryArgs(args);
  const taskPod = isRecord(args.taskPod) ? args.taskPod : {};
  let canary;
  try {
    canary = planCanary({ controls, accept: args.accept, checks: args.checks, timeoutSeconds: args.timeoutSeconds, environment: `namespace ${plan.namespaceName}` });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.map((i) => `canary.${i}`));
  }
  let runner;
  try {
    // The task runner's own pod: the same function KestraWorker uses, with the namespace's sandbox and ServiceAccount.
    runner = kestraTaskRunnerFor({
      namespace: plan.namespaceName,
      serviceAccountName: typeof taskPod.serviceAccountName === "string" ? taskPod.serviceAccountName : plan.serviceAccountName,
      runtimeClassName: plan.runtimeClass?.name,
      activeDeadlineSeconds: typeof taskPod.activeDeadlineSeconds === "number" ? taskPod.activeDeadlineSeconds : undefined,
      runAsUser: typeof taskPod.runAsUser === "number" ? taskPod.runAsUser : undefined,
      resources: isRecord(taskPod.resources) ? (taskPod.resources as ResourceDefaults) : undefined,
    });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.map((i) => `canary.${i.replace(/^taskRunner\.podSpec/, "taskPod")}`));
  }
  if (issues.length > 0 || canary === undefined || runner === undefined) throw new InvalidArgsError(issues);
  const name = args.name ?? "hardening-canary";
  const labels = { "app.kubernetes.io/name": "hardening-canary", "app.kubernetes.io/managed-by": "pulumi-hardening" };
  const pod = runner.podSpec as Record<string, unknown> & { volumes?: unknown[] };
  const container = runner.containerDefaultSpec as Record<string, unknown> & { volumeMounts?: unknown[] };
  const podSpec = {
    ...pod,
    serviceAccountName: runner.serviceAccountName,
    volumes: [...(pod.volumes ?? []), { name: VOLUME, configMap: { name, defaultMode: 0o444 } }],
    containers: [
      {
        ...container,
        name: "probe",
        image: args.image,
        command: ["python3", `${MOUNT}/canary.py`],
        volumeMounts: [...(container.volumeMounts ?? []), { name: VOLUME, mountPath: MOUNT, readOnly: true }],
      },
    ],
  };
  // The job's deadline is the task pods' own; finished jobs stay a day so their logs can be read.
  const job = taskJobSpecFor(podSpec, { activeDeadlineSeconds: pod.activeDeadlineSeconds as number, ttlSecondsAfterFinished: 86400 });
  return {
    name,
    configMapAnnotations: {
      "hardening/exempt": `${CANARY_EXEMPT_RULE}: the hardening canary probe names every metadata endpoint on purpose, to prove from a task pod's seat that each is refused`,
    },
    labels,
    configMapData: { "canary.py": canary.script },
    cronJobSpec: {
      schedule: args.schedule ?? "17 * * * *",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 5,
      jobTemplate: { metadata: { labels }, spec: { ...job, template: { metadata: { labels }, spec: (job.template as { spec: unknown }).spec } } },
    },
    checks: canary.checks,
  };
}
