/** The arguments of a worker namespace's canary CronJob, apart from its planner so that the namespace's plan can name them. */
import type { CanaryAcceptance, CanaryCheckOptions } from "../../canary";
import type { KestraTaskPodArgs } from "./taskPodArgs";

/** The canary CronJob of a worker namespace. */
export interface KubernetesCanaryArgs {
  /** Image with `python3` (3.8 or newer), pinned by tag or digest, e.g. `python:3.13-slim@sha256:...`. */
  image: string;
  /**
   * Cron schedule of the CronJob (the controller's time zone, UTC on managed clusters).
   * @default "17 * * * *" (hourly)
   */
  schedule?: string;
  /**
   * Name of the CronJob and its ConfigMap.
   * @default "hardening-canary"
   */
  name?: string;
  /**
   * The task pods' settings, as given to KestraWorker `taskPod`, so the canary's pod is the task pods' pod.
   * @default {}
   */
  taskPod?: KestraTaskPodArgs;
  /**
   * Checks that may be reached here, each with its reason; reported as accepted, never failing a run.
   * @default []
   */
  accept?: CanaryAcceptance[];
  /**
   * Targets besides the catalogue (outside name and address, positive controls, ...).
   * @default {}
   */
  checks?: CanaryCheckOptions;
  /**
   * Seconds each connection may take.
   * @default 3
   */
  timeoutSeconds?: number;
}
