/**
 * The admission policies' CEL, run by a real CEL implementation (@bufbuild/cel) against pods: the pods Kestra's
 * Kubernetes task runner builds from this package's settings (shape from the runner's documentation: the task
 * container, plus an init container and a sidecar that move files when the task has input or output files), the
 * Pod Security Standards' own upstream test fixtures (restricted, v1.34: every pass case admitted, every fail case
 * that asks for the host refused, the rest left to Pod Security Admission), the package's own hardened pods
 * (admitted) and escape pods (refused, each with a message naming the field and the fix).
 */
import * as assert from "node:assert/strict";
import { hardenPodSpec } from "../../../providers/kubernetes/podSecurity";
import { kestraTaskRunnerFor, planKestraWorker } from "../../../providers/kubernetes/kestraWorkerPlan";
import { planWorkerNamespace } from "../../../providers/kubernetes/workerNamespacePlan";
import { kestraTaskAdmissionPolicyFor, kestraTrustedWorkload, type AdmissionPolicyPlan } from "../../../providers/kubernetes/admissionPolicyPlan";
import { admit, compileErrors } from "./cel";
import { pssFindings } from "./pss";
import { pssFixtures, PSS_COMMIT, PSS_VERSION, type PssFixture } from "./pssFixtures";

type Pod = Record<string, unknown>;
type Spec = Record<string, unknown>;

const NS = "workers";
const WORKER = "kestra";
const WORKER_SA = `${WORKER}-worker`;
const TASK_RUNNER_USER = `system:serviceaccount:${NS}:${WORKER_SA}`;
const RS_CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller";
/** The namespace's accounts as created: `workload` and the worker's never automount. */
const AUTOMOUNT = { workload: false, [WORKER_SA]: false };

const settings = kestraTaskRunnerFor({ namespace: NS, runtimeClassName: "gvisor" });

/**
 * A pod as Kestra's Kubernetes runner builds it: `podSpec` merged into the pod, `containerDefaultSpec` into every
 * container; with files, an init container and a sidecar that share an emptyDir with the task container.
 */
function kestraTaskPod(overrides: { podSpec?: Spec; container?: Spec; files?: boolean; serviceAccountName?: string } = {}): Pod {
  const c = (name: string, image: string, extra: Spec = {}) => ({ ...structuredClone(settings.containerDefaultSpec), name, image, ...extra, ...(overrides.container ?? {}) });
  const files = overrides.files ?? false;
  const fileMount = { name: "kestra-files", mountPath: "/kestra/working-dir" };
  const podSpec = structuredClone(settings.podSpec) as Spec;
  const spec: Spec = {
    ...podSpec,
    serviceAccountName: overrides.serviceAccountName ?? settings.serviceAccountName,
    restartPolicy: "Never",
    containers: [
      c("main", "ghcr.io/kestra-io/pydata:latest", { command: ["/bin/sh", "-c", "python main.py"], ...(files ? { volumeMounts: [...((settings.containerDefaultSpec.volumeMounts as Spec[]) ?? []), fileMount] } : {}) }),
      ...(files ? [c("out-files", "busybox", { command: ["sh", "-c", "sleep 3600"] })] : []),
    ],
    ...(files ? { initContainers: [c("init-files", "busybox", { command: ["sh", "-c", "sleep 3600"] })] } : {}),
    volumes: [...((podSpec.volumes as Spec[]) ?? []), ...(files ? [{ name: "kestra-files", emptyDir: {} }] : [])],
    ...(overrides.podSpec ?? {}),
  };
  return { apiVersion: "v1", kind: "Pod", metadata: { generateName: "shell-", namespace: NS, labels: { "kestra.io/task-id": "shell" } }, spec };
}

const namespacePlan = planWorkerNamespace(NS, { admission: { trustedWorkloads: [kestraTrustedWorkload(WORKER, "kubernetes")!] } });
const nsPolicy = namespacePlan.admission.policy as AdmissionPolicyPlan;
const workerPlan = planKestraWorker(WORKER, {
  namespace: NS,
  image: "kestra/kestra:v1.1.6",
  configurationSecretName: "kestra-configuration",
  backendEgress: [{ namespace: "kestra", ports: [5432] }],
  apiServerCidrs: ["10.0.0.1/32"],
});
const taskPolicy = kestraTaskAdmissionPolicyFor({
  workerName: WORKER,
  workerNamespace: NS,
  taskNamespace: NS,
  workerServiceAccountName: WORKER_SA,
  taskServiceAccountName: workerPlan.taskRunner.serviceAccountName,
  runtimeClassName: workerPlan.taskRunner.podSpec.runtimeClassName as string,
  activeDeadlineSeconds: workerPlan.taskRunner.podSpec.activeDeadlineSeconds as number,
});
const workerPod: Pod = { metadata: { namespace: NS }, spec: workerPlan.podSpec };

/** Both policies, as the API server applies them to a task pod the worker creates. */
function refusals(pod: Pod, user = TASK_RUNNER_USER): string[] {
  return [...admit(nsPolicy, pod, user, AUTOMOUNT).refusals, ...admit(taskPolicy, pod, user, AUTOMOUNT).refusals];
}

describe("admission policy CEL (evaluated by @bufbuild/cel)", () => {
  it("every expression of both policies compiles", () => {
    assert.deepStrictEqual(compileErrors(nsPolicy), []);
    assert.deepStrictEqual(compileErrors(taskPolicy), []);
    // Positive control: the compile check does reject broken CEL.
    const broken = { ...nsPolicy, policySpec: { ...nsPolicy.policySpec, validations: [{ ...nsPolicy.policySpec.validations[0], expression: "object.spec.volumes.all(v," }] } };
    assert.equal(compileErrors(broken as AdmissionPolicyPlan).length, 1);
  });

  describe("admits", () => {
    const admitted: [string, Pod, string][] = [
      ["a Kestra task pod from the package's runner settings", kestraTaskPod(), TASK_RUNNER_USER],
      ["a Kestra task pod with input and output files (init container and sidecar)", kestraTaskPod({ files: true }), TASK_RUNNER_USER],
      ["a hardened pod the package builds for the namespace", { spec: hardenPodSpec({ serviceAccountName: "workload", activeDeadlineSeconds: 600, containers: [{ name: "job", image: "python:3.12" }] }, { runAsUser: 1000, runtimeClassName: "gvisor" }) }, "alice"],
      ["the Kestra worker's own Deployment pod, created by the ReplicaSet controller", workerPod, RS_CONTROLLER],
    ];
    for (const [what, pod, user] of admitted) {
      it(what, () => {
        assert.deepStrictEqual(pssFindings(pod.spec as Spec), [], "fixture must meet Pod Security restricted");
        assert.deepStrictEqual(refusals(pod, user), []);
      });
    }
    it("a task pod not created by the worker is outside the task policy (its matchCondition), not outside the namespace policy", () => {
      assert.equal(admit(taskPolicy, kestraTaskPod(), "alice", AUTOMOUNT).matched, false);
      assert.equal(admit(nsPolicy, kestraTaskPod({ podSpec: { runtimeClassName: "runc" } }), "alice", AUTOMOUNT).refusals.length, 1);
    });
  });

  describe("refuses, naming the field and the fix", () => {
    const escapes: [string, Pod, RegExp[]][] = [
      // The Kestra task pod with one host-facing change each (the upstream fixtures are run below).
      ["hostPath to the Docker socket", kestraTaskPod({ podSpec: { volumes: [{ name: "sock", hostPath: { path: "/var/run/docker.sock" } }] } }), [/^spec\.volumes\[sock\]\.hostPath is refused .*use an emptyDir/, /^spec\.volumes\[sock\]\.hostPath is refused .*use an emptyDir/]],
      ["hostPath /", kestraTaskPod({ podSpec: { volumes: [{ name: "root", hostPath: { path: "/" } }] } }), [/^spec\.volumes\[root\]\.hostPath/, /^spec\.volumes\[root\]\.hostPath/]],
      ["hostNetwork", kestraTaskPod({ podSpec: { hostNetwork: true } }), [/^spec\.hostNetwork is true, which is refused/, /^spec\.hostNetwork is true, which is refused/]],
      ["hostPID", kestraTaskPod({ podSpec: { hostPID: true } }), [/^spec\.hostPID is true/, /^spec\.hostPID is true/]],
      ["hostIPC", kestraTaskPod({ podSpec: { hostIPC: true } }), [/^spec\.hostIPC is true/, /^spec\.hostIPC is true/]],
      ["a privileged container", kestraTaskPod({ container: { securityContext: { privileged: true } } }), [/^securityContext\.privileged is true/, /^securityContext\.privileged is true/]],
      ["a privileged init container", { spec: { ...kestraTaskPod().spec as Spec, initContainers: [{ name: "i", image: "busybox", securityContext: { privileged: true } }] } }, [/^securityContext\.privileged/, /^securityContext\.privileged/]],
      ["a privileged ephemeral container", { spec: { ...kestraTaskPod().spec as Spec, ephemeralContainers: [{ name: "d", image: "busybox", securityContext: { privileged: true } }] } }, [/^securityContext\.privileged/, /^securityContext\.privileged/]],
      // What Pod Security Admission does not check.
      ["no runtimeClassName", kestraTaskPod({ podSpec: { runtimeClassName: undefined } }), [/^spec\.runtimeClassName is unset but must be "gvisor" .*taskRunner\.podSpec\.runtimeClassName/, /^spec\.runtimeClassName is unset/]],
      ["another runtimeClassName (runc)", kestraTaskPod({ podSpec: { runtimeClassName: "runc" } }), [/^spec\.runtimeClassName is "runc" but must be "gvisor"/, /^spec\.runtimeClassName is "runc"/]],
      ["the namespace's default ServiceAccount (and its automounted token)", kestraTaskPod({ serviceAccountName: "default", podSpec: { automountServiceAccountToken: undefined } }), [/^spec\.serviceAccountName "default" is not allowed .*use one of workload/, /^spec\.serviceAccountName "default" would give the pod an API token/, /^spec\.serviceAccountName "default" is not allowed/, /^spec\.serviceAccountName "default" would give/]],
      ["the worker's own ServiceAccount, asked for by a flow", kestraTaskPod({ serviceAccountName: WORKER_SA }), [/^spec\.serviceAccountName "kestra-worker" is not allowed/, /^spec\.serviceAccountName "kestra-worker" is not allowed/]],
      ["automountServiceAccountToken: true", kestraTaskPod({ podSpec: { automountServiceAccountToken: true } }), [/would give the pod an API token/, /would give the pod an API token/]],
      ["a projected serviceAccountToken volume", kestraTaskPod({ podSpec: { volumes: [{ name: "t", projected: { sources: [{ serviceAccountToken: { path: "t", audience: "vault" } }] } }] } }), [/would give the pod an API token/, /would give the pod an API token/]],
      ["no activeDeadlineSeconds", kestraTaskPod({ podSpec: { activeDeadlineSeconds: undefined } }), [/^spec\.activeDeadlineSeconds is unset but must be set, at most 86400/, /^spec\.activeDeadlineSeconds is unset but must be set, at most 3600/]],
      ["a deadline beyond the task deadline", kestraTaskPod({ podSpec: { activeDeadlineSeconds: 7200 } }), [/^spec\.activeDeadlineSeconds is 7200 but must be set, at most 3600/]],
      ["a deadline beyond the namespace's host lifetime", kestraTaskPod({ podSpec: { activeDeadlineSeconds: 90000 } }), [/at most 86400/, /at most 3600/]],
    ];
    // Each escape is refused by both policies (the namespace's and the worker's task policy), in that order.
    for (const [what, rawPod, expected] of escapes) {
      it(what, () => {
        // JSON round trip drops the undefined overrides, as the API server never sees them.
        const pod = JSON.parse(JSON.stringify(rawPod)) as Pod;
        const got = refusals(pod);
        assert.equal(got.length, expected.length, `refusals: ${JSON.stringify(got, null, 1)}`);
        expected.forEach((re, i) => assert.match(got[i], re));
      });
    }
  });

  it("the worker's ServiceAccount is trusted only for pods the ReplicaSet controller creates", () => {
    // The same pod through a task runner holding the worker's pods/create right: no deadline, token, no sandbox.
    const got = admit(nsPolicy, workerPod, TASK_RUNNER_USER, AUTOMOUNT).refusals;
    assert.equal(got.length, 4, JSON.stringify(got));
    // Without the trusted entry, the controller's pod is refused too (the namespace is strict by default).
    const strict = planWorkerNamespace(NS).admission.policy as AdmissionPolicyPlan;
    assert.equal(admit(strict, workerPod, RS_CONTROLLER, AUTOMOUNT).refusals.length, 4);
  });

  it("with sandbox none there is no RuntimeClass rule, and the rest still holds", () => {
    const plan = planWorkerNamespace(NS, { hardening: { sandbox: "none" } }).admission.policy as AdmissionPolicyPlan;
    assert.deepStrictEqual(compileErrors(plan), []);
    assert.deepStrictEqual(admit(plan, kestraTaskPod({ podSpec: { runtimeClassName: "runc" } }), "alice", AUTOMOUNT).refusals, []);
    assert.equal(admit(plan, kestraTaskPod({ podSpec: { hostNetwork: true } }), "alice", AUTOMOUNT).refusals.length, 1);
  });

  describe(`the Pod Security Standards' upstream fixtures (kubernetes/pod-security-admission@${PSS_COMMIT.slice(0, 12)}, restricted ${PSS_VERSION})`, () => {
    const pass = pssFixtures("pass");
    const fail = pssFixtures("fail");
    /** What the namespace asks of every pod beyond Pod Security restricted, as the task runner's settings give it. */
    const asTaskPod = (f: PssFixture): Pod => {
      const pod = structuredClone(f.pod);
      pod.metadata = { ...pod.metadata, namespace: NS };
      pod.spec = {
        ...pod.spec,
        serviceAccountName: settings.serviceAccountName,
        automountServiceAccountToken: false,
        runtimeClassName: settings.podSpec.runtimeClassName,
        activeDeadlineSeconds: settings.podSpec.activeDeadlineSeconds,
      };
      return pod;
    };
    /** Asks for the host in a way the admission policies refuse themselves (read from the pod, not from CEL). */
    const asksForTheHost = (spec: Spec): boolean => {
      const containers = ["containers", "initContainers", "ephemeralContainers"].flatMap((k) => (spec[k] as Spec[] | undefined) ?? []);
      return (
        spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true ||
        ((spec.volumes as Spec[] | undefined) ?? []).some((v) => v.hostPath !== undefined) ||
        containers.some((c) => (c.securityContext as Spec | undefined)?.privileged === true)
      );
    };

    it("holds every upstream file of the version (22 pass, 74 fail), each from a known generator", () => {
      assert.deepStrictEqual([pass.length, fail.length], [22, 74]);
      // Every fail case of the host checks the policies duplicate does ask for the host (the classification below
      // cannot silently let one through).
      for (const f of fail.filter((x) => ["hostnamespaces", "hostpathvolumes", "privileged"].includes(x.check))) assert.ok(asksForTheHost(f.pod.spec), f.upstream);
    });

    for (const f of pass) {
      it(`admits ${f.upstream} (${f.generator})`, () => {
        assert.deepStrictEqual(pssFindings(f.pod.spec, f.pod.metadata), [], "the pack's Pod Security restricted rules admit the upstream pass case");
        assert.deepStrictEqual(refusals(asTaskPod(f)), []);
        // As the upstream file is, the only refusals are the package's own rules beyond Pod Security Admission.
        for (const m of refusals(f.pod, "alice")) assert.match(m, /^spec\.(runtimeClassName|serviceAccountName|activeDeadlineSeconds) /);
      });
    }

    for (const f of fail) {
      if (asksForTheHost(f.pod.spec)) {
        it(`refuses ${f.upstream} (${f.generator}) in both policies, naming the field`, () => {
          const got = refusals(asTaskPod(f));
          assert.ok(got.length >= 2, `refusals: ${JSON.stringify(got)}`);
          for (const m of got) assert.match(m, /^(spec\.(hostNetwork|hostPID|hostIPC) is true|spec\.volumes\[[^\]]+\]\.hostPath is refused|securityContext\.privileged is true)/);
        });
      } else {
        // Left to Pod Security Admission, which the namespace enforces at this very level and version; the pack's
        // port of the same checks must see it.
        it(`leaves ${f.upstream} (${f.generator}) to Pod Security Admission restricted ${PSS_VERSION}, which the pack's rules also refuse`, () => {
          assert.deepStrictEqual(
            Object.entries(namespacePlan.labels).filter(([k]) => k.startsWith("pod-security.kubernetes.io/enforce")),
            [["pod-security.kubernetes.io/enforce", "restricted"], ["pod-security.kubernetes.io/enforce-version", PSS_VERSION]],
          );
          assert.notDeepStrictEqual(pssFindings(f.pod.spec, f.pod.metadata), [], "the pack's Pod Security restricted rules refuse the upstream fail case");
        });
      }
    }
  });
});
