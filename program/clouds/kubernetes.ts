/**
 * The Kubernetes environment for the root program and `hardening plan --cloud kubernetes`: a
 * KubernetesWorkerNamespace and a KestraWorker in it, on the cluster the stack's Kubernetes provider points at.
 * Every setting and the spec are checked by the pure planners before the first resource is created, so a bad
 * config creates nothing.
 *
 * The Kubernetes SDK invokes no provider function for these resources, so the environment plans offline with no
 * answers (`offlineCalls` is empty). `networkCidr` and `zoneCount` do not apply: the cluster's network exists.
 */
import { ControlReport, InvalidArgsError, show } from "../../components";
import { checkFields, isRecord } from "../../components/validation";
import type { CloudModule, EnvironmentConfig, EnvironmentResult } from "../environment";
import { kestraWorkerControlsFor, namespaceControlsFor } from "../../providers/kubernetes/controls";
import { KestraRunner, KestraWorkerArgs, planKestraWorker } from "../../providers/kubernetes/kestraWorkerPlan";
import { kestraTrustedWorkload } from "../../providers/kubernetes/admissionPolicyPlan";
import { KubernetesWorkerNamespaceArgs, planWorkerNamespace } from "../../providers/kubernetes/workerNamespacePlan";

/** The `hardening:kubernetes` settings block. */
export interface KubernetesSettings {
  /** @default the environment's name */
  readonly namespace?: string;
  /** @default "v1.34" */
  readonly podSecurityVersion?: string;
  /** @default false */
  readonly cilium?: boolean;
  /**
   * An existing proxy (`namespace`, `podLabels`, `port`) or `{ create: { image } }` for one the namespace creates,
   * whose variables the Kestra workers then get.
   * @default undefined
   */
  readonly egressProxy?: KubernetesWorkerNamespaceArgs["egressProxy"];
  /** @default kube-system / k8s-app=kube-dns */
  readonly dns?: KubernetesWorkerNamespaceArgs["dns"];
  /** @default { name: "gvisor" } */
  readonly runtimeClass?: KubernetesWorkerNamespaceArgs["runtimeClass"];
  /** @default see KubernetesWorkerNamespaceArgs.quota */
  readonly quota?: KubernetesWorkerNamespaceArgs["quota"];
  /** @default see KubernetesWorkerNamespaceArgs.limitRange */
  readonly limitRange?: KubernetesWorkerNamespaceArgs["limitRange"];
  /** The Kestra workers. @default {} */
  readonly kestra?: KestraSettings;
}

/** The `hardening:kubernetes.kestra` block. */
export interface KestraSettings {
  /** @default "kestra/kestra:v1.1.6" (pin your own version) */
  readonly image?: string;
  /** @default 2 */
  readonly replicas?: number;
  /** @default undefined */
  readonly threads?: number;
  /**
   * How Kestra runs each task. "kubernetes" (the default, and the strict choice) runs every task in its own
   * short-lived pod with no token, away from the worker's credentials; it needs apiServerCidrs (or cilium), since
   * the worker must reach the API server to create those pods. "process" runs user code inside the worker
   * process, sharing its filesystem and credentials: an explicit, weaker choice.
   * @default "kubernetes"
   */
  readonly runner?: KestraRunner;
  /** An existing Secret holding application.yml; never put the configuration itself in stack config. @default "kestra-configuration" */
  readonly configurationSecretName?: string;
  /** @default [] */
  readonly apiServerCidrs?: string[];
  /** @default [{ namespace: "kestra", ports: [5432] }] (PostgreSQL in namespace kestra, the Helm chart's default backend) */
  readonly backendEgress?: KestraWorkerArgs["backendEgress"];
  /** @default 1000 */
  readonly runAsUser?: number;
}

const SETTINGS = ["namespace", "podSecurityVersion", "cilium", "egressProxy", "dns", "runtimeClass", "quota", "limitRange", "kestra"];
const KESTRA_SETTINGS = ["image", "replicas", "threads", "runner", "configurationSecretName", "apiServerCidrs", "backendEgress", "runAsUser"];

function checkSettings(settings: Readonly<Record<string, unknown>>): string[] {
  const issues: string[] = [];
  checkFields(issues, "hardening:kubernetes", settings, SETTINGS, { noun: "setting" });
  const kestra = settings.kestra;
  if (kestra !== undefined && !isRecord(kestra)) issues.push(`hardening:kubernetes.kestra ${show(kestra)} must be an object.`);
  if (isRecord(kestra)) {
    checkFields(issues, "hardening:kubernetes.kestra", kestra, KESTRA_SETTINGS, { noun: "setting" });
  }
  return issues;
}

function createEnvironment(config: EnvironmentConfig): EnvironmentResult {
  const s = config.settings as KubernetesSettings;
  const issues = checkSettings(config.settings);
  const kestra: KestraSettings = isRecord(s.kestra) ? (s.kestra as KestraSettings) : {};
  const workerName = `${config.name}-kestra`;
  const runner = kestra.runner ?? KestraRunner.Kubernetes;
  // The worker runs in the namespace it launches task pods into: the admission policy trusts its Deployment's
  // pods (created by the ReplicaSet controller), never pods its token creates. A process-runner worker launches
  // no pods, and runs user code itself without a deadline, so that namespace has no run-time pods to admit.
  const trusted = kestraTrustedWorkload(workerName, runner === KestraRunner.Process ? "process" : "kubernetes");
  const namespaceArgs: KubernetesWorkerNamespaceArgs = {
    namespaceName: s.namespace,
    hardening: config.hardening,
    podSecurityVersion: s.podSecurityVersion,
    cilium: s.cilium,
    egressProxy: s.egressProxy,
    dns: s.dns,
    runtimeClass: s.runtimeClass,
    quota: s.quota,
    limitRange: s.limitRange,
    admission: trusted
      ? { trustedWorkloads: [trusted] }
      : { create: false, reason: "Kestra's process runner: user code runs inside the long-lived worker pod and no pods are created at run time" },
  };
  const namespacePlanned = (() => {
    try {
      return planWorkerNamespace(config.name, namespaceArgs);
    } catch (e) {
      if (!(e instanceof InvalidArgsError)) throw e;
      issues.push(...e.issues.map((i) => (i.startsWith("hardening") ? i : `hardening:kubernetes.${i}`)));
      return undefined;
    }
  })();
  const workerArgs: KestraWorkerArgs = {
    namespace: namespacePlanned?.namespaceName ?? config.name,
    hardening: config.hardening,
    image: kestra.image ?? "kestra/kestra:v1.1.6",
    replicas: kestra.replicas,
    threads: kestra.threads,
    runner,
    configurationSecretName: kestra.configurationSecretName ?? "kestra-configuration",
    apiServerCidrs: kestra.apiServerCidrs,
    backendEgress: kestra.backendEgress ?? [{ namespace: "kestra", ports: [5432] }],
    runAsUser: kestra.runAsUser,
    runtimeClassName: namespacePlanned?.runtimeClass?.name,
    cilium: s.cilium,
  };
  const workerPlanned = (() => {
    try {
      return planKestraWorker(workerName, workerArgs);
    } catch (e) {
      if (!(e instanceof InvalidArgsError)) throw e;
      // The spec's own problems were reported by the namespace plan already.
      issues.push(...e.issues.filter((i) => !i.startsWith("hardening")).map((i) => `hardening:kubernetes.kestra.${i}`));
      return undefined;
    }
  })();
  if (issues.length > 0 || namespacePlanned === undefined || workerPlanned === undefined) throw new InvalidArgsError(issues);

  // Loaded only now, so a config error costs no SDK load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KubernetesWorkerNamespace } = require("../../providers/kubernetes/workerNamespace") as typeof import("../../providers/kubernetes/workerNamespace");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { KestraWorker } = require("../../providers/kubernetes/kestraWorker") as typeof import("../../providers/kubernetes/kestraWorker");
  const ns = new KubernetesWorkerNamespace(config.name, namespaceArgs);
  // A proxy the namespace created is the workers' only way out for names: they get its variables.
  const worker = new KestraWorker(workerName, {
    ...workerArgs,
    namespace: ns.namespaceName,
    ...(ns.proxyEnv ? { proxyEnv: ns.proxyEnv, javaToolOptions: ns.javaToolOptions } : {}),
  });
  const controls: ControlReport[] = [...namespaceControlsFor(config.name, namespacePlanned), ...kestraWorkerControlsFor(workerName, workerPlanned)];
  return {
    controls,
    outputs: {
      namespace: ns.namespaceName,
      serviceAccountName: ns.serviceAccountName,
      kestraDeployment: worker.deployment.metadata.name,
      taskRunner: worker.taskRunner,
      kestraForcedRunnerConfig: worker.forcedRunnerConfigYaml,
      ...(ns.proxyUrl ? { proxyUrl: ns.proxyUrl } : {}),
    },
  };
}

/** The Kubernetes cloud module: builds the environment; invokes no provider function, so it needs no offline answers. */
export const cloudModule: CloudModule = {
  cloud: "kubernetes",
  createEnvironment,
  offlineCalls: {},
  // The API server's endpoints differ per cluster and have no safe default; the offline plan assumes an example.
  planSettings: { kestra: { apiServerCidrs: ["10.0.0.1/32"] } },
};
