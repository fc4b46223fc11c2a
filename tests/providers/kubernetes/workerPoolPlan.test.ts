import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components/validation";
import {
  KESTRA_K8S_TASK_RUNNER,
  KestraWorkerArgs,
  kestraTaskRunnerFor,
  planKestraWorker,
  taskJobSpecFor,
} from "../../../providers/kubernetes/kestraWorkerPlan";
import { SCRATCH_VOLUME, TOKEN_PATH, TOKEN_VOLUME } from "../../../providers/kubernetes/podSecurity";
import { pssFindings } from "./pss";

type Obj = Record<string, unknown>;

const BASE: KestraWorkerArgs = {
  namespace: "workers",
  image: "kestra/kestra:v1.1.6",
  configurationSecretName: "kestra-configuration",
  backendEgress: [{ namespace: "kestra", podLabels: { app: "postgresql" }, ports: [5432] }],
  runner: "process",
};

function issuesOf(args: unknown): readonly string[] {
  try {
    planKestraWorker("kestra", args as KestraWorkerArgs);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, `expected InvalidArgsError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail("expected the arguments to be refused");
}

/**
 * Builds the pod Kestra's Kubernetes task runner would create for a task with input and output files (main
 * container, file-transfer init container and sidecar, the shared emptyDir), then merges the runner settings the
 * way Kestra documents: podSpec into the pod spec, containerDefaultSpec into every container (nested objects
 * deep-merged with the container's own values winning, lists prepended).
 */
function kestraGeneratedPod(settings: { podSpec: Obj; containerDefaultSpec: Obj }): Obj {
  const files = { name: "kestra-files", mountPath: "/kestra" };
  const pod: Obj = {
    restartPolicy: "Never",
    serviceAccountName: "workload",
    containers: [
      { name: "main", image: "python:3.12", command: ["/bin/sh", "-c", "python main.py"], env: [{ name: "WORKING_DIR", value: "/kestra/working-dir" }], volumeMounts: [files], workingDir: "/kestra/working-dir" },
      { name: "out-files", image: "busybox", command: ["sh", "-c", "until [ -f /kestra/ended ]; do sleep 0.5; done"], volumeMounts: [files] },
    ],
    initContainers: [{ name: "init-files", image: "busybox", command: ["sh", "-c", "until [ -f /kestra/ready ]; do sleep 0.5; done"], volumeMounts: [files] }],
    volumes: [{ name: "kestra-files", emptyDir: {} }],
  };
  const merge = (defaults: Obj, own: Obj): Obj => {
    const out: Obj = { ...defaults };
    for (const [k, v] of Object.entries(own)) {
      const d = defaults[k];
      if (Array.isArray(d) && Array.isArray(v)) out[k] = [...d, ...v];
      else if (d && typeof d === "object" && v && typeof v === "object" && !Array.isArray(v)) out[k] = merge(d as Obj, v as Obj);
      else out[k] = v;
    }
    return out;
  };
  const merged: Obj = { ...pod, ...settings.podSpec, volumes: [...(pod.volumes as Obj[]), ...((settings.podSpec.volumes as Obj[]) ?? [])] };
  for (const list of ["containers", "initContainers"]) merged[list] = (pod[list] as Obj[]).map((c) => merge(settings.containerDefaultSpec, c));
  return merged;
}

describe("planKestraWorker", () => {
  it("runs `kestra server worker` with the configuration mounted from a Secret, hardened, with no token (process runner)", () => {
    const plan = planKestraWorker("kestra", { ...BASE, threads: 8 });
    const spec = plan.podSpec as Obj;
    const worker = (spec.containers as Obj[])[0];
    assert.deepStrictEqual(worker.args, ["server", "worker", "--thread", "8"]);
    assert.deepStrictEqual(worker.env, [{ name: "HOME", value: "/tmp" }]);
    assert.deepStrictEqual(worker.volumeMounts, [
      { name: "kestra-configuration", mountPath: "/app/confs/application.yml", subPath: "application.yml", readOnly: true },
      { name: SCRATCH_VOLUME, mountPath: "/tmp" },
    ]);
    assert.deepStrictEqual(worker.securityContext, {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    assert.deepStrictEqual(spec.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.serviceAccountName, "workload");
    // With the process runner user code runs in the worker, so the worker itself is sandboxed.
    assert.equal(spec.runtimeClassName, "gvisor");
    assert.equal(plan.workerServiceAccountName, undefined);
    assert.deepStrictEqual(plan.roleRules, []);
    assert.deepStrictEqual(plan.workerNetworkPolicy, {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "kestra-worker", "app.kubernetes.io/instance": "kestra" } },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kestra" } }, podSelector: { matchLabels: { app: "postgresql" } } }],
          ports: [{ protocol: "TCP", port: 5432 }],
        },
      ],
    });
    assert.deepStrictEqual(pssFindings(spec), []);
  });

  it("gives the worker a token and a Role limited to task pods, and reaches the API server only (Kubernetes runner)", () => {
    const plan = planKestraWorker("kestra", { ...BASE, runner: "kubernetes", apiServerCidrs: ["10.0.0.0/28"], backendEgress: [{ cidr: "0.0.0.0/0", ports: [443] }] });
    const spec = plan.podSpec as Obj;
    assert.equal(plan.workerServiceAccountName, "kestra-worker");
    assert.equal(spec.serviceAccountName, "kestra-worker");
    assert.equal(spec.automountServiceAccountToken, false);
    assert.deepStrictEqual((spec.containers as Obj[])[0].volumeMounts, [
      { name: "kestra-configuration", mountPath: "/app/confs/application.yml", subPath: "application.yml", readOnly: true },
      { name: SCRATCH_VOLUME, mountPath: "/tmp" },
      { name: TOKEN_VOLUME, mountPath: TOKEN_PATH, readOnly: true },
    ]);
    // Tasks, not the worker, run user code here: the sandbox goes on the task pods.
    assert.equal(spec.runtimeClassName, undefined);
    assert.deepStrictEqual(plan.roleRules, [
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "delete"] },
      { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "watch"] },
      { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
    ]);
    assert.deepStrictEqual((plan.workerNetworkPolicy as Obj).egress, [
      {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32"] } }],
        ports: [{ protocol: "TCP", port: 443 }],
      },
      {
        to: [{ ipBlock: { cidr: "10.0.0.0/28" } }],
        ports: [
          { protocol: "TCP", port: 443 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
    assert.deepStrictEqual(pssFindings(spec), []);
  });

  it("reaches the API server through Cilium's kube-apiserver entity when the cluster runs Cilium", () => {
    const plan = planKestraWorker("kestra", { ...BASE, runner: "kubernetes", cilium: true });
    assert.deepStrictEqual(plan.workerCiliumPolicy, {
      endpointSelector: { matchLabels: { "k8s:app.kubernetes.io/name": "kestra-worker", "k8s:app.kubernetes.io/instance": "kestra" } },
      egress: [
        {
          toEntities: ["kube-apiserver"],
          toPorts: [{ ports: [{ port: "443", protocol: "TCP" }, { port: "6443", protocol: "TCP" }] }],
        },
      ],
    });
  });

  it("sets Kestra's task runner so the pod it generates meets Pod Security restricted, sandboxed, with no token", () => {
    const plan = planKestraWorker("kestra", { ...BASE, runner: "kubernetes", apiServerCidrs: ["10.0.0.0/28"], taskPod: { activeDeadlineSeconds: 1800 } });
    const runner = plan.taskRunner;
    assert.equal(runner.type, KESTRA_K8S_TASK_RUNNER);
    assert.equal(runner.serviceAccountName, "workload");
    assert.equal(runner.delete, true);
    assert.equal(runner.waitUntilCompletion, "PT1800S");
    assert.deepStrictEqual(runner.podSpec, {
      restartPolicy: "Never",
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
      volumes: [{ name: SCRATCH_VOLUME, emptyDir: { sizeLimit: "1Gi" } }],
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      runtimeClassName: "gvisor",
      activeDeadlineSeconds: 1800,
    });
    assert.deepStrictEqual(runner.containerDefaultSpec.env, [{ name: "HOME", value: "/tmp" }]);
    assert.deepStrictEqual(runner.containerDefaultSpec.volumeMounts, [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }]);
    const pod = kestraGeneratedPod(runner);
    assert.deepStrictEqual(pssFindings(pod), []);
    // Without the settings, the same generated pod is refused by restricted admission: the settings do the work.
    assert.ok(pssFindings(kestraGeneratedPod({ podSpec: {}, containerDefaultSpec: {} })).length > 0);
  });

  it("offers Job settings for launchers that run tasks as Jobs", () => {
    const pod = kestraTaskRunnerFor({ namespace: "tasks" }).podSpec;
    assert.deepStrictEqual(taskJobSpecFor(pod, { ttlSecondsAfterFinished: 60 }), {
      backoffLimit: 0,
      activeDeadlineSeconds: 3600,
      ttlSecondsAfterFinished: 60,
      template: { spec: { ...pod, restartPolicy: "Never" } },
    });
  });

  it("refuses bad arguments, listing every problem", () => {
    assert.deepStrictEqual(
      issuesOf({
        namespace: "workers",
        image: "kestra/kestra:latest",
        configuration: "kestra: {}",
        configurationSecretName: "kc",
        backendEgress: [{ cidr: "169.254.169.254/32", ports: [80] }, { namespace: "kestra", cidr: "10.0.0.0/8", ports: [] }],
        runner: "kubernetes",
        replicas: 0,
        hardening: { sandbox: "none", ephemeral: { maxLifetimeHours: 1 } },
        runtimeClassName: "gvisor",
        taskPod: { activeDeadlineSeconds: 7200 },
      }),
      [
        'image "kestra/kestra:latest" is not pinned; give a version tag or a digest so every worker runs the same code.',
        "replicas 0 must be a whole number from 1 to 1000.",
        "gives both configuration and configurationSecretName; give exactly one.",
        'backendEgress[0].cidr "169.254.169.254/32" lies inside 169.254.0.0/16, which workloads must never reach; remove it.',
        "backendEgress[1].ports [] must be a non-empty list of ports.",
        "backendEgress[1] gives both cidr and namespace; give exactly one.",
        'runner "kubernetes" needs the worker to reach the API server, which a default-deny namespace blocks: set apiServerCidrs to the API server endpoint networks (kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes), or cilium: true.',
        "taskPod.activeDeadlineSeconds 7200 outlives hardening.ephemeral.maxLifetimeHours (1 h); lower it or raise the lifetime.",
        'runtimeClassName is set but hardening.sandbox is "none"; set sandbox to "runtime" or remove runtimeClassName.',
      ],
    );
    assert.deepStrictEqual(issuesOf({ ...BASE, runner: "docker" }), [
      'runner "docker" is not supported: Kestra\'s Docker runner needs a privileged Docker-in-Docker sidecar or the node\'s docker.sock, which Pod Security restricted refuses; use "process" (trusted code) or "kubernetes" (untrusted code).',
    ]);
    assert.deepStrictEqual(issuesOf({ namespace: "workers", image: "kestra/kestra:v1.1.6", configurationSecretName: "kc", runner: "process", backendEgress: [] }), [
      "backendEgress is empty, but the namespace denies all egress by default, so the worker could not reach Kestra's database, queue or storage; list them, e.g. [{ namespace: \"kestra\", ports: [5432] }].",
    ]);
  });
});
