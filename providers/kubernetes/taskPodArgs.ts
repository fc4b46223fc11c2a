/** The settings of Kestra's Kubernetes task pods, apart from their planner so that other plans can name them. */
import type { ResourceDefaults } from "./podSecurity";

/** Settings of the per-task pods launched by Kestra's Kubernetes task runner. */
export interface KestraTaskPodArgs {
  /**
   * Hard wall-clock limit of a task pod; the kubelet kills it after this (`activeDeadlineSeconds`), and the runner
   * stops waiting (`waitUntilCompletion`).
   * @default 3600
   */
  activeDeadlineSeconds?: number;
  /**
   * Non-root uid of task containers (task images often default to root, which restricted refuses).
   * @default 1000
   */
  runAsUser?: number;
  /**
   * Requests and limits of every task container.
   * @default { requests: { cpu: "250m", memory: "512Mi", ephemeralStorage: "256Mi" }, limits: { cpu: "2", memory: "2Gi", ephemeralStorage: "2Gi" } }
   */
  resources?: ResourceDefaults;
  /**
   * ServiceAccount of task pods in the task namespace: one without a token or bindings.
   * @default "workload" (the one KubernetesWorkerNamespace creates)
   */
  serviceAccountName?: string;
}
