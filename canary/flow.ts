/**
 * The canary as a ready-made Kestra flow: a Schedule trigger and one Python script task that runs the probe on the
 * same task runner as the real flows, and fails the execution when anything was reached. Pure: the flow is YAML
 * text, rendered from the environment's controls report.
 */
import { stringify } from "yaml";
import { InvalidArgsError, show } from "../components/validation";
import { CanaryPlanArgs, planCanary } from "./plan";

/** Arguments of {@link kestraCanaryFlow}. */
export interface KestraCanaryFlowArgs extends CanaryPlanArgs {
  /** Kestra namespace of the flow, e.g. `company.platform` (where the flows it watches over run, or beside them). */
  readonly namespace: string;
  /**
   * The flow's id.
   * @default "hardening-canary"
   */
  readonly id?: string;
  /**
   * When it runs (cron, five fields, UTC unless Kestra says otherwise).
   * @default "17 * * * *" (hourly)
   */
  readonly cron?: string;
  /**
   * Image the script task runs in: any image with `python3` (3.8 or newer); pin it by digest in production.
   * @default "python:3.13-slim"
   */
  readonly containerImage?: string;
  /**
   * The task runner real flows use, e.g. `planKestraWorker(...).taskRunner` with its namespace set (or the
   * KestraWorker's `taskRunner` output, parsed). Omitted, the flow sets none and the instance's `pluginDefaults`
   * apply, as they do to every other flow.
   * @default undefined
   */
  readonly taskRunner?: Readonly<Record<string, unknown>>;
}

/** The Python script task type the flow uses. */
export const KESTRA_PYTHON_SCRIPT = "io.kestra.plugin.scripts.python.Script";
/** The schedule trigger type the flow uses. */
export const KESTRA_SCHEDULE = "io.kestra.plugin.core.trigger.Schedule";

// Kestra's own constraints (core models/flows/AbstractFlow.java: @Pattern on id and namespace, @Size 100 and 150).
const FLOW_ID = /^[a-zA-Z0-9][a-zA-Z0-9._-]*$/;
const NAMESPACE = /^[a-z0-9][a-z0-9._-]*$/;
const CRON_FIELD = /^[0-9*,/?LW#A-Za-z-]+$/;

/**
 * The Kestra flow YAML: namespace, id, a Schedule trigger, and the probe as a `io.kestra.plugin.scripts.python.Script`
 * task whose exit code fails the execution when a check is reached (or a positive control refused). The report
 * lands in the execution's outputs (`outputs.probe.vars.canary`) and as the output file `canary.json`.
 *
 * @throws InvalidArgsError listing every problem in the arguments.
 */
export function kestraCanaryFlow(args: KestraCanaryFlowArgs): string {
  const issues: string[] = [];
  const id = args.id ?? "hardening-canary";
  if (typeof id !== "string" || !FLOW_ID.test(id) || id.length > 100) issues.push(`id ${show(id)} must match ${FLOW_ID.source}, at most 100 characters.`);
  if (typeof args.namespace !== "string" || !NAMESPACE.test(args.namespace) || args.namespace.length > 150) {
    issues.push(`namespace ${show(args.namespace)} must be a Kestra namespace such as "company.platform" (${NAMESPACE.source}, at most 150 characters).`);
  }
  const cron = args.cron ?? "17 * * * *";
  const fields = typeof cron === "string" ? cron.trim().split(/\s+/) : [];
  if (typeof cron !== "string" || !((fields.length === 5 && fields.every((f) => CRON_FIELD.test(f))) || /^@(hourly|daily|weekly|monthly)$/.test(cron))) {
    issues.push(`cron ${show(cron)} must be a five-field cron expression such as "17 * * * *" or @hourly.`);
  }
  const image = args.containerImage ?? "python:3.13-slim";
  if (typeof image !== "string" || image.trim() === "" || /\s/.test(image)) issues.push(`containerImage ${show(image)} must be an image reference such as "python:3.13-slim".`);
  const runner = args.taskRunner;
  if (runner !== undefined && (typeof runner !== "object" || runner === null || typeof (runner as Record<string, unknown>).type !== "string")) {
    issues.push(`taskRunner ${show(runner)} must be a task runner block with a type, e.g. planKestraWorker(...).taskRunner.`);
  }
  let plan;
  try {
    plan = planCanary(args);
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || plan === undefined) throw new InvalidArgsError(issues);
  const flow = {
    id,
    namespace: args.namespace,
    description:
      "pulumi-hardening canary: tries every metadata and credential endpoint, the Kubernetes API, a name and an address " +
      "outside the egress allow-list and a write to the root filesystem from a task's own seat, and fails when anything " +
      "is reached. Generated from the environment's controls report; see docs/runbook.md, The canary.",
    labels: { "app.kubernetes.io/managed-by": "pulumi-hardening", "hardening/canary": "true" },
    tasks: [
      {
        id: "probe",
        type: KESTRA_PYTHON_SCRIPT,
        description: "Exit 0: every check refused. Exit 1: something was reached. Exit 2: a positive control failed (inconclusive).",
        containerImage: image,
        ...(runner ? { taskRunner: runner } : {}),
        timeout: "PT10M",
        env: { CANARY_OUTPUT: "canary.json" },
        outputFiles: ["canary.json"],
        script: plan.script,
      },
    ],
    triggers: [{ id: "schedule", type: KESTRA_SCHEDULE, cron }],
  };
  // Block scalars keep the script byte for byte (and its line-level scan exceptions on their lines).
  return stringify(flow, { lineWidth: 0, blockQuote: "literal" });
}
