/**
 * Kestra workers on Kubernetes, as plain data: the worker Deployment's hardened pod template, its worker-only
 * egress, its identity, and the settings of Kestra's Kubernetes task runner so that each task runs in its own
 * short-lived, restricted pod. Pure; kestraWorker.ts turns the plan into resources.
 *
 * Kestra facts used here (kestra.io docs and kestra-io/kestra sources):
 * - a dedicated worker is started with `kestra server worker` (`--thread` sets its thread count);
 * - the image's entrypoint writes KESTRA_CONFIGURATION to /app/confs/application.yml, which a read-only root
 *   filesystem forbids, so the configuration is mounted there from a Secret instead;
 * - the task runner `io.kestra.plugin.ee.kubernetes.runner.Kubernetes` (Enterprise Edition) creates one pod per
 *   task and takes `namespace`, `serviceAccountName`, `podSpec` (merged into the pod spec), `containerDefaultSpec`
 *   (merged into every container, file-transfer init and sidecar included), `delete` and `waitUntilCompletion`;
 *   its service account needs pods get/create/delete/watch/list, pods/log get/watch and pods/exec get/watch.
 */
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { carveOutFor } from "../../components/metadataNetworks";
import { parseCidr, formatCidr } from "../../components/cidr";
import { checkFields, checkPort, checkWholeNumber, InvalidArgsError, isRecord, show } from "../../components/validation";
import { resolveHardeningInto } from "../../components/resolve";
import { EgressProtocol, HardeningSpec, ResolvedHardening, SandboxMode } from "../../components/spec";
import { checkLabels, WORKLOAD_SERVICE_ACCOUNT } from "./workerNamespacePlan";
import type { ProxyEnvVar } from "./egressProxyPlan";
import { Labels } from "./networkPolicies";
import { hardenPodSpec, PodSpec, ResourceDefaults } from "./podSecurity";
import type { KestraTaskPodArgs } from "./taskPodArgs";

/** Where Kestra runs user code. */
export const KestraRunner = {
  /** Inside the worker process (Kestra's default for script tasks without a container runner). */
  Process: "process",
  /** In its own pod per task, through Kestra's Kubernetes task runner (Enterprise Edition). */
  Kubernetes: "kubernetes",
} as const;
/** Where Kestra runs user code. */
export type KestraRunner = (typeof KestraRunner)[keyof typeof KestraRunner];

/** The Kestra task-runner plugin type this package configures. */
export const KESTRA_K8S_TASK_RUNNER = "io.kestra.plugin.ee.kubernetes.runner.Kubernetes";

/** A destination the worker itself needs (Kestra's database, queue, internal storage), outside the task allow-list. */
export interface KestraBackendDestination {
  /** An IPv4/IPv6 network outside the cluster, e.g. a managed database's subnet. Give this or `namespace`. */
  cidr?: string;
  /** A namespace of in-cluster backend pods. Give this or `cidr`. */
  namespace?: string;
  /**
   * Labels of the backend pods in `namespace`.
   * @default {} (every pod in the namespace)
   */
  podLabels?: Labels;
  /** Destination ports, e.g. [5432]. */
  ports: number[];
  /**
   * Transport protocol.
   * @default "tcp"
   */
  protocol?: EgressProtocol;
}

export type { KestraTaskPodArgs } from "./taskPodArgs";

/** Arguments of {@link KestraWorker}. */
export interface KestraWorkerArgs {
  /**
   * The hardened namespace the workers run in: a KubernetesWorkerNamespace's `namespaceName` (the process-runner
   * worker uses its token-less `workload` ServiceAccount, and task pods use it in the task namespace).
   */
  namespace: pulumi.Input<string>;
  /**
   * The namespace task pods are created in (Kubernetes runner); it should be a hardened namespace too.
   * @default namespace
   */
  taskNamespace?: pulumi.Input<string>;
  /**
   * The hardening contract; `sandbox` decides whether the RuntimeClass is used.
   * @default {}
   */
  hardening?: HardeningSpec;
  /** Kestra image, pinned, e.g. `kestra/kestra:v1.1.0` or a digest. */
  image: string;
  /**
   * Worker replicas.
   * @default 2
   */
  replicas?: number;
  /**
   * Worker threads (`kestra server worker --thread`).
   * @default undefined (Kestra's default: two per CPU core)
   */
  threads?: number;
  /**
   * Kestra configuration YAML (database, queue, storage, ...): stored in a Secret this component creates and
   * mounted at /app/confs/application.yml. Give this or `configurationSecretName`.
   */
  configuration?: pulumi.Input<string>;
  /** Name of an existing Secret in `namespace` with the configuration under the key `application.yml`. */
  configurationSecretName?: string;
  /**
   * Where user code runs.
   * @default "kubernetes"
   */
  runner?: KestraRunner;
  /**
   * RuntimeClass of sandboxed pods (task pods; the worker too with the process runner), when `hardening.sandbox`
   * is `runtime`.
   * @default "gvisor"
   */
  runtimeClassName?: string;
  /**
   * Non-root uid of the worker. The image's `kestra` user has no fixed uid in its Dockerfile [verify against your image].
   * @default 1000
   */
  runAsUser?: number;
  /**
   * Worker requests and limits.
   * @default { requests: { cpu: "500m", memory: "1Gi", ephemeralStorage: "1Gi" }, limits: { cpu: "2", memory: "2Gi", ephemeralStorage: "4Gi" } }
   */
  resources?: ResourceDefaults;
  /**
   * What the worker itself must reach (Kestra's database, queue, storage): required, since the namespace denies
   * all egress by default. Only worker pods get these rules, never task pods.
   */
  backendEgress: KestraBackendDestination[];
  /**
   * API server endpoint networks, needed by the Kubernetes runner when the cluster does not run Cilium (a
   * NetworkPolicy sees the endpoints, not the `kubernetes` Service address).
   * @default []
   */
  apiServerCidrs?: string[];
  /**
   * API server ports.
   * @default [443, 6443]
   */
  apiServerPorts?: number[];
  /**
   * The cluster runs Cilium: the worker reaches the API server through the `kube-apiserver` entity.
   * @default false
   */
  cilium?: boolean;
  /**
   * Task pods of the Kubernetes runner.
   * @default {}
   */
  taskPod?: KestraTaskPodArgs;
  /**
   * Proxy variables for the worker's container and every task container: a KubernetesWorkerNamespace's (or a
   * KubernetesEgressProxy's) `proxyEnv`, when the namespace reaches domains only through an egress proxy.
   * @default [] (no proxy)
   */
  proxyEnv?: pulumi.Input<pulumi.Input<ProxyEnvVar>[]>;
  /**
   * `JAVA_TOOL_OPTIONS` for the worker and task containers: the proxy's `javaToolOptions`. Kestra itself is a JVM,
   * which ignores HTTP_PROXY, so its own HTTP tasks need this to reach allowed domains.
   * @default undefined (not set)
   */
  javaToolOptions?: pulumi.Input<string>;
}

/** Kestra's task-runner settings (a `taskRunner` block for pluginDefaults), as plain data. */
export interface KestraTaskRunnerSettings {
  readonly type: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly delete: boolean;
  readonly waitUntilCompletion: string;
  readonly podSpec: Record<string, unknown>;
  readonly containerDefaultSpec: Record<string, unknown>;
}

/** Everything the worker component creates, as plain data. */
export interface KestraWorkerPlan {
  readonly hardening: ResolvedHardening;
  readonly runner: KestraRunner;
  readonly replicas: number;
  readonly labels: Labels;
  /** The hardened Deployment pod spec (`spec.template.spec`). */
  readonly podSpec: PodSpec;
  /** Secret name holding application.yml; `create` when the component makes it from `configuration`. */
  readonly configurationSecret: { readonly name: string; readonly create: boolean };
  /** Set with the Kubernetes runner: the worker's own ServiceAccount, bound to the task-runner Role. */
  readonly workerServiceAccountName?: string;
  /** The task-runner Role rules (Kubernetes runner). */
  readonly roleRules: Record<string, unknown>[];
  /** Worker-only NetworkPolicy spec (backend and API server); undefined when the worker needs neither. */
  readonly workerNetworkPolicy?: Record<string, unknown>;
  /** Worker-only CiliumNetworkPolicy spec (API server entity), Cilium and Kubernetes runner only. */
  readonly workerCiliumPolicy?: Record<string, unknown>;
  /** Task runner settings with the namespace left as a placeholder; see {@link kestraTaskRunnerFor}. */
  readonly taskRunner: KestraTaskRunnerSettings;
  /** For reports: how the task namespace is named. */
  readonly taskNamespaceLabel: string;
}

/** The pods/pods-log/pods-exec rules the task runner needs, and nothing else. */
export const TASK_RUNNER_ROLE_RULES: readonly Record<string, unknown>[] = [
  { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"] },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "watch"] },
  // Kestra documents get (WebSocket exec); create is the same capability over SPDY and newer API servers require it
  // for WebSocket upgrades too [verify], so granting both adds no power.
  { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
];

const WORKER_RESOURCES: Required<ResourceDefaults> = {
  requests: { cpu: "500m", memory: "1Gi", ephemeralStorage: "1Gi" },
  limits: { cpu: "2", memory: "2Gi", ephemeralStorage: "4Gi" },
};
const TASK_RESOURCES: Required<ResourceDefaults> = {
  requests: { cpu: "250m", memory: "512Mi", ephemeralStorage: "256Mi" },
  limits: { cpu: "2", memory: "2Gi", ephemeralStorage: "2Gi" },
};
const CONFIG_VOLUME = "kestra-configuration";
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const ARG_FIELDS = [
  "namespace", "taskNamespace", "hardening", "image", "replicas", "threads", "configuration", "configurationSecretName", "runner",
  "runtimeClassName", "runAsUser", "resources", "backendEgress", "apiServerCidrs", "apiServerPorts", "cilium", "taskPod",
  "proxyEnv", "javaToolOptions",
];

function checkPorts(issues: string[], path: string, ports: unknown): number[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    issues.push(`${path} ${show(ports)} must be a non-empty list of ports.`);
    return [];
  }
  return ports.filter((p, i) => checkPort(issues, `${path}[${i}]`, p));
}

/** An ipBlock for a caller-given network, metadata networks carved out; undefined (with an issue) when refused. */
function ipBlockFor(issues: string[], path: string, raw: unknown): Record<string, unknown> | undefined {
  const parsed = typeof raw === "string" ? parseCidr(raw.trim().toLowerCase()) : undefined;
  if (parsed === undefined || !parsed.ok) {
    issues.push(`${path} ${show(raw)} ${parsed && !parsed.ok ? parsed.reason : "must be a CIDR string such as \"10.0.5.0/24\""}.`);
    return undefined;
  }
  const carve = carveOutFor(parsed.cidr);
  if (carve.inside.length > 0) {
    issues.push(`${path} ${show(raw)} lies inside ${carve.inside.map((n) => n.cidr).join(", ")}, which workloads must never reach; remove it.`);
    return undefined;
  }
  const block: Record<string, unknown> = { cidr: formatCidr(parsed.cidr) };
  if (carve.except.length > 0) block.except = carve.except;
  return block;
}

/**
 * The task runner's settings: a hardened `podSpec` (pod-level fields only: security context, no token, sandbox,
 * deadline, scratch volume) and a `containerDefaultSpec` that Kestra merges into every container of the task pod,
 * so the pod it generates meets Pod Security restricted. The pod is deleted when the task ends.
 */
export function kestraTaskRunnerFor(opts: {
  namespace: string;
  serviceAccountName?: string;
  runtimeClassName?: string;
  activeDeadlineSeconds?: number;
  runAsUser?: number;
  resources?: ResourceDefaults;
}): KestraTaskRunnerSettings {
  const runAsUser = opts.runAsUser ?? 1000;
  // Harden a one-container pod shaped like the runner's and split the result: pod-level fields go to podSpec,
  // the container's to containerDefaultSpec. One source of truth with the worker's own hardening.
  // HOME on the scratch volume: with a read-only root, tools that write under $HOME (pip, npm, git caches) would
  // otherwise fail; a task image's passwd rarely has an entry for the uid anyway, which makes HOME "/".
  const hardened = hardenPodSpec(
    { containers: [{ name: "main", env: [{ name: "HOME", value: "/tmp" }] }], restartPolicy: "Never" },
    {
      runAsUser,
      runAsGroup: runAsUser,
      fsGroup: runAsUser,
      resources: opts.resources ?? TASK_RESOURCES,
      runtimeClassName: opts.runtimeClassName,
      path: "taskRunner.podSpec",
    },
  );
  const { containers, ...podLevel } = hardened as { containers: Record<string, unknown>[] } & Record<string, unknown>;
  const { name: _name, ...containerDefaults } = containers[0];
  const deadline = opts.activeDeadlineSeconds ?? 3600;
  return {
    type: KESTRA_K8S_TASK_RUNNER,
    namespace: opts.namespace,
    serviceAccountName: opts.serviceAccountName ?? WORKLOAD_SERVICE_ACCOUNT,
    delete: true,
    waitUntilCompletion: `PT${deadline}S`,
    podSpec: { ...podLevel, activeDeadlineSeconds: deadline },
    containerDefaultSpec: containerDefaults,
  };
}

/**
 * The variables a proxied worker or task container gets: the proxy's variables, then `JAVA_TOOL_OPTIONS` when given.
 */
export function proxyContainerEnv(proxyEnv: readonly ProxyEnvVar[], javaToolOptions?: string): ProxyEnvVar[] {
  const env = proxyEnv.map((e) => ({ name: e.name, value: e.value }));
  return javaToolOptions === undefined || javaToolOptions === "" ? env : [...env, { name: "JAVA_TOOL_OPTIONS", value: javaToolOptions }];
}

/**
 * The pod spec with `env` appended to every container's (and init container's) environment. A variable the
 * container already sets is replaced, so the proxy settings win over an image default spelled the same.
 */
export function withContainerEnv(podSpec: PodSpec, env: readonly ProxyEnvVar[]): PodSpec {
  if (env.length === 0) return podSpec;
  const add = (c: Record<string, unknown>) => {
    const names = new Set(env.map((e) => e.name));
    const own = Array.isArray(c.env) ? (c.env as { name: string }[]).filter((e) => !names.has(e.name)) : [];
    return { ...c, env: [...own, ...env.map((e) => ({ ...e }))] };
  };
  const spec = podSpec as { containers?: Record<string, unknown>[]; initContainers?: Record<string, unknown>[] };
  return {
    ...podSpec,
    ...(spec.containers ? { containers: spec.containers.map(add) } : {}),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(add) } : {}),
  } as PodSpec;
}

/** The task runner settings with `env` added to `containerDefaultSpec`, which Kestra merges into every task container. */
export function withTaskEnv(settings: KestraTaskRunnerSettings, env: readonly ProxyEnvVar[]): KestraTaskRunnerSettings {
  if (env.length === 0) return settings;
  const [container] = (withContainerEnv({ containers: [{ ...settings.containerDefaultSpec }] } as PodSpec, env) as { containers: Record<string, unknown>[] }).containers;
  return { ...settings, containerDefaultSpec: container };
}

/** The task runner settings as the YAML block to paste under `pluginDefaults[].values.taskRunner`. */
export function taskRunnerYaml(settings: KestraTaskRunnerSettings): string {
  return stringify(settings);
}

/**
 * A Job spec around a hardened pod spec, for launchers that run tasks as Jobs: no retries, a wall-clock deadline,
 * and deletion of the finished Job and its pod after `ttlSecondsAfterFinished`. (Kestra's own task runner creates
 * bare pods and deletes them itself; this is for other launchers.)
 */
export function taskJobSpecFor(
  podSpec: PodSpec,
  settings: { activeDeadlineSeconds?: number; ttlSecondsAfterFinished?: number } = {},
): Record<string, unknown> {
  return {
    backoffLimit: 0,
    activeDeadlineSeconds: settings.activeDeadlineSeconds ?? 3600,
    ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished ?? 300,
    template: { spec: { ...podSpec, restartPolicy: "Never" } },
  };
}

/**
 * Decides the Kestra worker: hardened Deployment pod spec, configuration Secret, identity (none with the process
 * runner; a Role limited to task pods with the Kubernetes runner), worker-only egress and the task-runner settings.
 *
 * @throws InvalidArgsError listing every problem, including fields of the pod spec that cannot be hardened.
 */
export function planKestraWorker(name: string, args: KestraWorkerArgs): KestraWorkerPlan {
  const issues: string[] = [];
  if (!isRecord(args)) throw new InvalidArgsError([`args ${show(args)} must be an object.`]);
  checkFields(issues, "args", args, ARG_FIELDS);
  if (!DNS_LABEL.test(name) || name.length > 40) {
    issues.push(`name ${show(name)} must be a DNS label of at most 40 characters (it prefixes the ServiceAccount and Secret names).`);
  }
  const hardening = resolveHardeningInto(args.hardening, issues);
  if (args.namespace === undefined) issues.push("namespace is required: the hardened namespace the workers run in.");
  if (typeof args.image !== "string" || args.image.trim() === "" || /\s/.test(args.image)) {
    issues.push(`image ${show(args.image)} must be a container image reference such as "kestra/kestra:v1.1.0".`);
  } else if (!/[:@]/.test(args.image.split("/").pop() ?? "") || args.image.endsWith(":latest")) {
    issues.push(`image ${show(args.image)} is not pinned; give a version tag or a digest so every worker runs the same code.`);
  }
  const replicas = args.replicas ?? 2;
  checkWholeNumber(issues, "replicas", replicas, 1, 1000);
  if (args.threads !== undefined) checkWholeNumber(issues, "threads", args.threads, 1, 1024);
  const runner = args.runner ?? KestraRunner.Kubernetes;
  if (String(runner).toLowerCase() === "docker") {
    issues.push(
      'runner "docker" is not supported: Kestra\'s Docker runner needs a privileged Docker-in-Docker sidecar or the node\'s docker.sock, which Pod Security restricted refuses; use "process" (trusted code) or "kubernetes" (untrusted code).',
    );
  } else if (!Object.values(KestraRunner).includes(runner)) issues.push(`runner ${show(runner)} must be "process" or "kubernetes".`);
  const hasConfig = args.configuration !== undefined;
  const hasSecret = args.configurationSecretName !== undefined;
  if (hasConfig === hasSecret) {
    issues.push(`gives ${hasConfig ? "both" : "neither"} configuration and configurationSecretName; give exactly one.`);
  }
  if (hasSecret && (typeof args.configurationSecretName !== "string" || !DNS_LABEL.test(args.configurationSecretName))) {
    issues.push(`configurationSecretName ${show(args.configurationSecretName)} must be a Secret name.`);
  }
  const runAsUser = args.runAsUser ?? 1000;
  checkWholeNumber(issues, "runAsUser", runAsUser, 1, 2147483647);
  const cilium = args.cilium ?? false;

  const backendRules: Record<string, unknown>[] = [];
  (Array.isArray(args.backendEgress) ? args.backendEgress : []).forEach((d, i) => {
    const path = `backendEgress[${i}]`;
    if (!isRecord(d)) {
      issues.push(`${path} ${show(d)} must be an object such as { cidr: "10.0.5.0/24", ports: [5432] }.`);
      return;
    }
    const ports = checkPorts(issues, `${path}.ports`, d.ports);
    const protocol = d.protocol ?? "tcp";
    if (protocol !== "tcp" && protocol !== "udp") issues.push(`${path}.protocol ${show(protocol)} must be "tcp" or "udp".`);
    const portList = ports.map((port) => ({ protocol: String(protocol).toUpperCase(), port }));
    if ((d.cidr === undefined) === (d.namespace === undefined)) {
      issues.push(`${path} gives ${d.cidr === undefined ? "neither" : "both"} cidr and namespace; give exactly one.`);
      return;
    }
    if (d.cidr !== undefined) {
      if (d.podLabels !== undefined) issues.push(`${path}.podLabels only applies with namespace.`);
      const ipBlock = ipBlockFor(issues, `${path}.cidr`, d.cidr);
      if (ipBlock) backendRules.push({ to: [{ ipBlock }], ports: portList });
      return;
    }
    if (typeof d.namespace !== "string" || !DNS_LABEL.test(d.namespace)) issues.push(`${path}.namespace ${show(d.namespace)} must be a namespace name.`);
    const podLabels = checkLabels(issues, `${path}.podLabels`, d.podLabels);
    backendRules.push({
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": String(d.namespace) } }, podSelector: { matchLabels: { ...podLabels } } }],
      ports: portList,
    });
  });

  if (Array.isArray(args.backendEgress) ? args.backendEgress.length === 0 : args.backendEgress === undefined) {
    issues.push(
      "backendEgress is empty, but the namespace denies all egress by default, so the worker could not reach Kestra's database, queue or storage; list them, e.g. [{ namespace: \"kestra\", ports: [5432] }].",
    );
  } else if (!Array.isArray(args.backendEgress)) issues.push(`backendEgress ${show(args.backendEgress)} must be a list of destinations.`);

  const apiRules: Record<string, unknown>[] = [];
  const apiPorts = args.apiServerPorts === undefined ? [443, 6443] : checkPorts(issues, "apiServerPorts", args.apiServerPorts);
  const apiCidrs = args.apiServerCidrs ?? [];
  if (!Array.isArray(apiCidrs)) issues.push(`apiServerCidrs ${show(apiCidrs)} must be a list of CIDRs.`);
  else {
    if (runner === KestraRunner.Process && apiCidrs.length > 0) {
      issues.push("apiServerCidrs is set but the process runner needs no API access; remove it or set runner to \"kubernetes\".");
    }
    if (runner === KestraRunner.Kubernetes && apiCidrs.length === 0 && cilium !== true) {
      issues.push(
        "runner \"kubernetes\" needs the worker to reach the API server, which a default-deny namespace blocks: set apiServerCidrs to the API server endpoint networks (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or cilium: true.",
      );
    }
    const blocks = apiCidrs.map((c, i) => ipBlockFor(issues, `apiServerCidrs[${i}]`, c)).filter((b) => b !== undefined);
    if (blocks.length > 0) apiRules.push({ to: blocks.map((ipBlock) => ({ ipBlock })), ports: apiPorts.map((port) => ({ protocol: "TCP", port })) });
  }

  const taskPod = isRecord(args.taskPod) ? args.taskPod : {};
  if (args.taskPod !== undefined && !isRecord(args.taskPod)) issues.push(`taskPod ${show(args.taskPod)} must be an object.`);
  const deadline = taskPod.activeDeadlineSeconds ?? 3600;
  checkWholeNumber(issues, "taskPod.activeDeadlineSeconds", deadline, 60, 7 * 24 * 3600);
  if (hardening !== undefined && typeof deadline === "number" && deadline > hardening.ephemeral.maxLifetimeHours * 3600) {
    issues.push(
      `taskPod.activeDeadlineSeconds ${deadline} outlives hardening.ephemeral.maxLifetimeHours (${hardening.ephemeral.maxLifetimeHours} h); lower it or raise the lifetime.`,
    );
  }
  const runtimeClassName = hardening?.sandbox === SandboxMode.Runtime ? (args.runtimeClassName ?? "gvisor") : undefined;
  if (hardening?.sandbox === SandboxMode.None && args.runtimeClassName !== undefined) {
    issues.push(`runtimeClassName is set but hardening.sandbox is "none"; set sandbox to "runtime" or remove runtimeClassName.`);
  }

  const labels: Labels = { "app.kubernetes.io/name": "kestra-worker", "app.kubernetes.io/instance": name };
  const secretName = hasSecret ? String(args.configurationSecretName) : `${name}-configuration`;
  const workerSa = runner === KestraRunner.Kubernetes ? `${name}-worker` : undefined;
  const rawPod: PodSpec = {
    serviceAccountName: workerSa ?? WORKLOAD_SERVICE_ACCOUNT,
    containers: [
      {
        name: "worker",
        image: args.image,
        args: ["server", "worker", ...(args.threads !== undefined ? ["--thread", String(args.threads)] : [])],
        // With a read-only root, HOME must be on the scratch volume for anything that writes under it.
        env: [{ name: "HOME", value: "/tmp" }],
        volumeMounts: [{ name: CONFIG_VOLUME, mountPath: "/app/confs/application.yml", subPath: "application.yml", readOnly: true }],
      },
    ],
    volumes: [{ name: CONFIG_VOLUME, secret: { secretName, defaultMode: 0o440, items: [{ key: "application.yml", path: "application.yml" }] } }],
  };
  let podSpec: PodSpec = {};
  let taskRunner: KestraTaskRunnerSettings | undefined;
  try {
    podSpec = hardenPodSpec(rawPod, {
      runAsUser,
      runAsGroup: runAsUser,
      fsGroup: runAsUser,
      resources: args.resources ?? WORKER_RESOURCES,
      // With the process runner user code runs in the worker, so the worker is what must be sandboxed.
      runtimeClassName: runner === KestraRunner.Process ? runtimeClassName : undefined,
      serviceAccountToken: runner === KestraRunner.Kubernetes,
      scratchSizeLimit: "4Gi",
      path: "spec.template.spec",
    });
    taskRunner = kestraTaskRunnerFor({
      namespace: "",
      serviceAccountName: typeof taskPod.serviceAccountName === "string" ? taskPod.serviceAccountName : undefined,
      runtimeClassName,
      activeDeadlineSeconds: typeof deadline === "number" ? deadline : undefined,
      runAsUser: typeof taskPod.runAsUser === "number" ? taskPod.runAsUser : undefined,
      resources: isRecord(taskPod.resources) ? (taskPod.resources as ResourceDefaults) : undefined,
    });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  if (issues.length > 0 || hardening === undefined || taskRunner === undefined) throw new InvalidArgsError(issues);

  const egress = [...backendRules, ...apiRules];
  return {
    hardening,
    runner,
    replicas,
    labels,
    podSpec,
    configurationSecret: { name: secretName, create: hasConfig },
    ...(workerSa ? { workerServiceAccountName: workerSa } : {}),
    roleRules: runner === KestraRunner.Kubernetes ? TASK_RUNNER_ROLE_RULES.map((r) => structuredClone(r)) : [],
    ...(egress.length > 0 ? { workerNetworkPolicy: { podSelector: { matchLabels: { ...labels } }, policyTypes: ["Egress"], egress } } : {}),
    ...(cilium === true && runner === KestraRunner.Kubernetes
      ? {
          workerCiliumPolicy: {
            endpointSelector: { matchLabels: Object.fromEntries(Object.entries(labels).map(([k, v]) => [`k8s:${k}`, v])) },
            egress: [{ toEntities: ["kube-apiserver"], toPorts: [{ ports: apiPorts.map((p) => ({ port: String(p), protocol: "TCP" })) }] }],
          },
        }
      : {}),
    taskRunner,
    taskNamespaceLabel: args.taskNamespace === undefined ? "the worker namespace" : "the task namespace",
  };
}
