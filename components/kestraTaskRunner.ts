/**
 * Kestra server configuration that pins how script tasks run, whatever a flow asks for: plugin defaults with
 * `forced: true` (`kestra.plugins.defaults`) and plugin configurations (`kestra.plugins.configurations`). Pure; the
 * components expose the result as an output (KestraWorker `forcedRunnerConfig` / `forcedRunnerConfigYaml`), and VM
 * pools call {@link kestraForcedRunnerConfig} with the Docker runner. It covers flows that never went through CI
 * (`hardening scan`), because the server applies it to every execution.
 *
 * Kestra facts used (kestra.io docs: workflow-components/plugin-defaults, configuration/plugins-and-execution,
 * task-runners/types/docker-task-runner, plugin-ee-kubernetes runner, migration-guide 0.17.0 volume-mount):
 * - a plugin default's `type` may be a package prefix (`io.kestra.plugin.scripts` applies to every script task);
 * - `forced: true` makes the values win over the flow's own, including flow-level and namespace pluginDefaults;
 * - the Docker runner (`io.kestra.plugin.scripts.runner.docker.Docker`) takes `networkMode`, `privileged`,
 *   `volumes`, `user`, `cpu.cpus`, `memory.memory`, `pullPolicy`; bind mounts are refused unless the plugin
 *   configuration `volume-enabled` is true;
 * - the Kubernetes runner (`io.kestra.plugin.ee.kubernetes.runner.Kubernetes`, Enterprise Edition) takes
 *   `namespace`, `serviceAccountName`, `podSpec`, `containerDefaultSpec`, `delete`, `waitUntilCompletion`, `config`.
 *
 * Limits, which is why the cluster's admission policy stays the backstop: forced defaults merge with what the flow
 * writes, so a key the defaults do not set (a new `podSpec` field) is still the flow's; how Kestra merges lists
 * (replace or append) is not documented [verify on your Kestra version]. Every dangerous key is therefore set
 * explicitly to its safe value, and the scan (rule `kestra-runner-escape`) reports flows that try to override them.
 */
import { stringify } from "yaml";
import { InvalidArgsError, show } from "./validation";

/** The Kestra task runner a pool uses. */
export type KestraForcedRunner = "docker" | "kubernetes" | "process";

/** Kestra's task runner plugin types. */
export const KESTRA_RUNNER_TYPES = {
  docker: "io.kestra.plugin.scripts.runner.docker.Docker",
  kubernetes: "io.kestra.plugin.ee.kubernetes.runner.Kubernetes",
  process: "io.kestra.plugin.core.runner.Process",
} as const;

/** The Docker plugin's own container task, which takes the same host-facing settings as the Docker runner. */
export const KESTRA_DOCKER_RUN_TASK = "io.kestra.plugin.docker.Run";

/** Settings of the Docker runner on a VM host. */
export interface KestraDockerRunnerOptions {
  /**
   * Docker network task containers join. `host` and `container:<id>` are refused (they share another network
   * namespace: the host's, with its metadata endpoint and its firewall exemptions).
   * @default "bridge"
   */
  networkMode?: string;
  /**
   * User the task process runs as inside the container (`uid:gid`).
   * @default "1000:1000"
   */
  user?: string;
  /**
   * CPUs per task container.
   * @default 1
   */
  cpus?: number;
  /**
   * Memory per task container, in Docker's notation.
   * @default "1g"
   */
  memory?: string;
  /**
   * Image pull policy (`ALWAYS`, `IF_NOT_PRESENT`, `NEVER`).
   * @default "ALWAYS"
   */
  pullPolicy?: "ALWAYS" | "IF_NOT_PRESENT" | "NEVER";
}

/** The Kubernetes runner's settings: a KestraWorker's `taskRunner` plan (`kestraTaskRunnerFor`), namespace filled. */
export interface KestraKubernetesRunnerSettings {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly delete: boolean;
  readonly waitUntilCompletion: string;
  readonly podSpec: Readonly<Record<string, unknown>>;
  readonly containerDefaultSpec: Readonly<Record<string, unknown>>;
}

/** Arguments of {@link kestraForcedRunnerConfig}. */
export interface KestraForcedRunnerOptions {
  /** The runner every script task is pinned to. */
  runner: KestraForcedRunner;
  /**
   * Docker runner settings (runner `docker`).
   * @default {}
   */
  docker?: KestraDockerRunnerOptions;
  /** Kubernetes runner settings (runner `kubernetes`); required with that runner. */
  kubernetes?: KestraKubernetesRunnerSettings;
  /**
   * Task type prefixes the runner is forced on.
   * @default ["io.kestra.plugin.scripts"]
   */
  taskTypes?: string[];
}

/** One entry of `kestra.plugins.defaults`. */
export interface KestraPluginDefault {
  readonly type: string;
  readonly forced: true;
  readonly values: Readonly<Record<string, unknown>>;
}

/** One entry of `kestra.plugins.configurations`. */
export interface KestraPluginConfiguration {
  readonly type: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** What {@link kestraForcedRunnerConfig} returns. */
export interface KestraForcedRunnerConfig {
  /** The configuration as an object: `{ kestra: { plugins: { defaults, configurations } } }`. */
  readonly config: {
    readonly kestra: {
      readonly plugins: { readonly defaults: readonly KestraPluginDefault[]; readonly configurations: readonly KestraPluginConfiguration[] };
    };
  };
  /** The same as YAML, to merge into Kestra's application.yml or the Helm chart's `configuration:` value. */
  readonly yaml: string;
}

const HOST_NETWORK_MODES = /^(host|container:.*)$/i;
const MEMORY = /^[0-9]+(\.[0-9]+)?[bkmg]?$/i;
const USER = /^[0-9]+(:[0-9]+)?$/;

/** Host-facing settings of a Docker container (runner or Docker Run task), pinned safe. */
function dockerSafeValues(o: Required<KestraDockerRunnerOptions>): Record<string, unknown> {
  return {
    networkMode: o.networkMode,
    privileged: false,
    // Empty, and bind mounts are refused anyway while volume-enabled is false (the configuration below).
    volumes: [],
    user: o.user,
    cpu: { cpus: o.cpus },
    memory: { memory: o.memory },
    pullPolicy: o.pullPolicy,
  };
}

/** The Kubernetes runner's values with every host-facing pod field set explicitly, so a flow's merge cannot add it. */
function kubernetesSafeValues(k: KestraKubernetesRunnerSettings): Record<string, unknown> {
  return {
    type: KESTRA_RUNNER_TYPES.kubernetes,
    namespace: k.namespace,
    serviceAccountName: k.serviceAccountName,
    delete: k.delete,
    waitUntilCompletion: k.waitUntilCompletion,
    podSpec: { ...k.podSpec, hostNetwork: false, hostPID: false, hostIPC: false, automountServiceAccountToken: false, serviceAccountName: k.serviceAccountName },
    containerDefaultSpec: k.containerDefaultSpec,
  };
}

/**
 * The Kestra server configuration that pins every script task (and the Docker plugin's Run task) to one runner with
 * safe settings: for `docker`, no host network, not privileged, no volumes (and `volume-enabled: false`); for
 * `kubernetes`, the given namespace, token-less ServiceAccount, sandbox RuntimeClass, deadline and restricted
 * container defaults, with host namespaces set false; for `process`, the process runner (no container engine for a
 * flow to ask things of).
 *
 * @throws InvalidArgsError listing every problem (field, value, fix).
 */
export function kestraForcedRunnerConfig(opts: KestraForcedRunnerOptions): KestraForcedRunnerConfig {
  const issues: string[] = [];
  const runner = opts?.runner;
  if (!(runner === "docker" || runner === "kubernetes" || runner === "process")) {
    issues.push(`runner ${show(runner)} must be "docker", "kubernetes" or "process".`);
  }
  const d = opts?.docker ?? {};
  const docker: Required<KestraDockerRunnerOptions> = {
    networkMode: d.networkMode ?? "bridge",
    user: d.user ?? "1000:1000",
    cpus: d.cpus ?? 1,
    memory: d.memory ?? "1g",
    pullPolicy: d.pullPolicy ?? "ALWAYS",
  };
  if (opts?.docker !== undefined && runner !== "docker") issues.push(`docker is set but runner is ${show(runner)}; remove docker or set runner to "docker".`);
  if (typeof docker.networkMode !== "string" || docker.networkMode === "" || HOST_NETWORK_MODES.test(docker.networkMode)) {
    issues.push(`docker.networkMode ${show(docker.networkMode)} shares another network namespace (the host's); use "bridge", "none" or a user-defined network.`);
  }
  if (typeof docker.user !== "string" || !USER.test(docker.user) || /^0(:|$)/.test(docker.user)) {
    issues.push(`docker.user ${show(docker.user)} must be a non-root numeric "uid:gid" such as "1000:1000".`);
  }
  if (typeof docker.cpus !== "number" || !(docker.cpus > 0)) issues.push(`docker.cpus ${show(docker.cpus)} must be a positive number.`);
  if (typeof docker.memory !== "string" || !MEMORY.test(docker.memory)) issues.push(`docker.memory ${show(docker.memory)} must be a Docker memory size such as "512m" or "2g".`);
  if (!["ALWAYS", "IF_NOT_PRESENT", "NEVER"].includes(docker.pullPolicy)) issues.push(`docker.pullPolicy ${show(docker.pullPolicy)} must be "ALWAYS", "IF_NOT_PRESENT" or "NEVER".`);
  if (runner === "kubernetes" && opts.kubernetes === undefined) issues.push("kubernetes is required with runner \"kubernetes\": pass a KestraWorker's taskRunner settings (kestraTaskRunnerFor).");
  if (runner !== "kubernetes" && opts?.kubernetes !== undefined) issues.push(`kubernetes is set but runner is ${show(runner)}; remove kubernetes or set runner to "kubernetes".`);
  if (runner === "kubernetes" && opts.kubernetes !== undefined && (typeof opts.kubernetes.namespace !== "string" || opts.kubernetes.namespace === "")) {
    issues.push(`kubernetes.namespace ${show(opts.kubernetes.namespace)} must be the task namespace.`);
  }
  const taskTypes = opts?.taskTypes ?? ["io.kestra.plugin.scripts"];
  if (!Array.isArray(taskTypes) || taskTypes.length === 0) issues.push(`taskTypes ${show(taskTypes)} must be a non-empty list of task type prefixes such as "io.kestra.plugin.scripts".`);
  else {
    taskTypes.forEach((t, i) => {
      if (typeof t !== "string" || !/^[a-z][a-z0-9_]*(\.[A-Za-z0-9_]+)+$/.test(t)) issues.push(`taskTypes[${i}] ${show(t)} must be a Java package or class name such as "io.kestra.plugin.scripts".`);
    });
  }
  if (issues.length > 0) throw new InvalidArgsError(issues);

  const taskRunner =
    runner === "docker"
      ? { type: KESTRA_RUNNER_TYPES.docker, ...dockerSafeValues(docker) }
      : runner === "kubernetes"
        ? kubernetesSafeValues(opts.kubernetes as KestraKubernetesRunnerSettings)
        : { type: KESTRA_RUNNER_TYPES.process };
  const defaults: KestraPluginDefault[] = taskTypes.map((type) => ({ type, forced: true, values: { taskRunner } }));
  // The Docker plugin's Run task starts containers itself, outside any taskRunner: pin its host-facing settings too.
  defaults.push({ type: KESTRA_DOCKER_RUN_TASK, forced: true, values: dockerSafeValues(docker) });
  const configurations: KestraPluginConfiguration[] = [
    { type: KESTRA_RUNNER_TYPES.docker, values: { "volume-enabled": false } },
    { type: KESTRA_DOCKER_RUN_TASK, values: { "volume-enabled": false } },
  ];
  const config = { kestra: { plugins: { defaults, configurations } } };
  return { config, yaml: stringify(config) };
}
