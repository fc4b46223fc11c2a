import * as assert from "node:assert/strict";
import { parse } from "yaml";
import { InvalidArgsError } from "../../components/validation";
import { kestraForcedRunnerConfig } from "../../components/kestraTaskRunner";
import { kestraTaskRunnerFor } from "../../providers/kubernetes/kestraWorkerPlan";
import { planWorkerNamespace } from "../../providers/kubernetes/workerNamespacePlan";
import { admit } from "../providers/kubernetes/cel";
import { pssFindings } from "../providers/kubernetes/pss";

function issuesOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, String(e));
    return e.issues;
  }
  assert.fail("expected InvalidArgsError");
}

const SAFE_DOCKER = { networkMode: "bridge", privileged: false, volumes: [], user: "1000:1000", cpu: { cpus: 1 }, memory: { memory: "1g" }, pullPolicy: "ALWAYS" };
const CONFIGURATIONS = [
  { type: "io.kestra.plugin.scripts.runner.docker.Docker", values: { "volume-enabled": false } },
  { type: "io.kestra.plugin.docker.Run", values: { "volume-enabled": false } },
];

describe("kestraForcedRunnerConfig", () => {
  it("pins every script task to the Docker runner with no host network, no privilege and no volumes (VM pools)", () => {
    const { config, yaml } = kestraForcedRunnerConfig({ runner: "docker" });
    assert.deepStrictEqual(config, {
      kestra: {
        plugins: {
          defaults: [
            { type: "io.kestra.plugin.scripts", forced: true, values: { taskRunner: { type: "io.kestra.plugin.scripts.runner.docker.Docker", ...SAFE_DOCKER } } },
            { type: "io.kestra.plugin.docker.Run", forced: true, values: SAFE_DOCKER },
          ],
          configurations: CONFIGURATIONS,
        },
      },
    });
    // The YAML is what a YAML reader (Kestra's configuration loader) gets back.
    assert.deepStrictEqual(parse(yaml), config);
  });

  it("pins the Kubernetes runner to the task namespace with host namespaces off, and the pod it makes is admitted", () => {
    const settings = kestraTaskRunnerFor({ namespace: "tasks", runtimeClassName: "gvisor" });
    const { config } = kestraForcedRunnerConfig({ runner: "kubernetes", kubernetes: settings });
    const taskRunner = config.kestra.plugins.defaults[0].values.taskRunner as Record<string, unknown> & { podSpec: Record<string, unknown>; containerDefaultSpec: Record<string, unknown> };
    assert.equal(taskRunner.type, "io.kestra.plugin.ee.kubernetes.runner.Kubernetes");
    assert.equal(taskRunner.namespace, "tasks");
    assert.equal(taskRunner.serviceAccountName, "workload");
    assert.deepStrictEqual(
      [taskRunner.podSpec.hostNetwork, taskRunner.podSpec.hostPID, taskRunner.podSpec.hostIPC, taskRunner.podSpec.automountServiceAccountToken, taskRunner.podSpec.runtimeClassName],
      [false, false, false, false, "gvisor"],
    );
    // A flow's podSpec asking for the host, merged under the forced values (forced keys win): the result is admitted.
    const flowAsks = { hostNetwork: true, runtimeClassName: "runc", serviceAccountName: "default" };
    const spec = {
      ...flowAsks,
      ...taskRunner.podSpec,
      restartPolicy: "Never",
      containers: [{ ...taskRunner.containerDefaultSpec, name: "main", image: "python:3.12" }],
    };
    assert.deepStrictEqual(pssFindings(spec), []);
    const policy = planWorkerNamespace("tasks").admission.policy!;
    assert.deepStrictEqual(admit(policy, { spec }, "system:serviceaccount:kestra:kestra-worker", { workload: false }).refusals, []);
    // Positive control: the flow's values without the forced ones are refused.
    assert.ok(admit(policy, { spec: { ...spec, ...flowAsks } }, "system:serviceaccount:kestra:kestra-worker", { workload: false }).refusals.length >= 3);
  });

  it("pins the process runner (nothing for a flow to ask of a container engine)", () => {
    const { config } = kestraForcedRunnerConfig({ runner: "process", taskTypes: ["io.kestra.plugin.scripts.python"] });
    assert.deepStrictEqual(config.kestra.plugins.defaults[0], {
      type: "io.kestra.plugin.scripts.python", forced: true, values: { taskRunner: { type: "io.kestra.plugin.core.runner.Process" } },
    });
  });

  it("refuses unsafe or malformed options in one error naming each field, value and fix", () => {
    assert.deepStrictEqual(
      issuesOf(() => kestraForcedRunnerConfig({ runner: "docker", docker: { networkMode: "host", user: "0:0", cpus: 0, memory: "lots" }, taskTypes: ["Scripts"] })),
      [
        'docker.networkMode "host" shares another network namespace (the host\'s); use "bridge", "none" or a user-defined network.',
        'docker.user "0:0" must be a non-root numeric "uid:gid" such as "1000:1000".',
        "docker.cpus 0 must be a positive number.",
        'docker.memory "lots" must be a Docker memory size such as "512m" or "2g".',
        'taskTypes[0] "Scripts" must be a Java package or class name such as "io.kestra.plugin.scripts".',
      ],
    );
    assert.deepStrictEqual(issuesOf(() => kestraForcedRunnerConfig({ runner: "kubernetes", docker: {} })), [
      'docker is set but runner is "kubernetes"; remove docker or set runner to "docker".',
      'kubernetes is required with runner "kubernetes": pass a KestraWorker\'s taskRunner settings (kestraTaskRunnerFor).',
    ]);
    assert.deepStrictEqual(issuesOf(() => kestraForcedRunnerConfig({ runner: "docker", docker: { networkMode: "container:kestra" } })), [
      'docker.networkMode "container:kestra" shares another network namespace (the host\'s); use "bridge", "none" or a user-defined network.',
    ]);
    assert.deepStrictEqual(issuesOf(() => kestraForcedRunnerConfig({ runner: "vm" as never })), ['runner "vm" must be "docker", "kubernetes" or "process".']);
  });
});
