import * as assert from "node:assert/strict";
import { kubernetesHostNamespaces } from "../../../../policy/rules/metadataEndpoint/kubernetesHostNamespaces";
import { POD_SPEC_TYPES } from "../../../../policy/rules/kubernetes/podSpec";
import type { Finding } from "../../../../policy/rules/types";

const ctx = { config: {} };
const check = (type: string, props: Record<string, unknown>): Finding[] => kubernetesHostNamespaces.checks[type](props, ctx);

const NET =
  "is true; remove it or set it to false: a host-network pod uses the node's network namespace, so NetworkPolicy does not reliably apply to it and it reaches the node's metadata endpoint with the node's credentials.";
const PID = "is true; remove it or set it to false: a pod in the node's PID namespace can see and signal every process on the node.";
const IPC = "is true; remove it or set it to false: a pod in the node's IPC namespace can read other workloads' shared memory.";

describe("metadata-endpoint-kubernetes-host-namespaces", () => {
  const passing: [string, string, Record<string, unknown>][] = [
    ["a Pod with no host namespaces", "kubernetes:core/v1:Pod", { spec: { containers: [{ name: "a" }] } }],
    ["a Deployment with every host namespace false", "kubernetes:apps/v1:Deployment", {
      spec: { template: { spec: { hostNetwork: false, hostPID: false, hostIPC: false, containers: [] } } },
    }],
    ["a CronJob whose hostNetwork sits elsewhere", "kubernetes:batch/v1:CronJob", {
      spec: { hostNetwork: true, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
    }],
    ["a DeploymentPatch that sets nothing", "kubernetes:apps/v1:DeploymentPatch", { spec: { replicas: 3 } }],
  ];
  for (const [what, type, props] of passing) {
    it(`passes ${what}`, () => assert.deepStrictEqual(check(type, props), []));
  }

  const failing: [string, string, Record<string, unknown>, Finding[]][] = [
    ["a Pod on the host network", "kubernetes:core/v1:Pod", { spec: { hostNetwork: true } }, [
      { property: "spec.hostNetwork", message: `spec.hostNetwork ${NET}` },
    ]],
    ["a DaemonSet sharing all three", "kubernetes:apps/v1:DaemonSet", {
      spec: { template: { spec: { hostNetwork: true, hostPID: true, hostIPC: true } } },
    }, [
      { property: "spec.template.spec.hostNetwork", message: `spec.template.spec.hostNetwork ${NET}` },
      { property: "spec.template.spec.hostPID", message: `spec.template.spec.hostPID ${PID}` },
      { property: "spec.template.spec.hostIPC", message: `spec.template.spec.hostIPC ${IPC}` },
    ]],
    ["a CronJob's job template on the host network", "kubernetes:batch/v1:CronJob", {
      spec: { jobTemplate: { spec: { template: { spec: { hostNetwork: true } } } } },
    }, [
      {
        property: "spec.jobTemplate.spec.template.spec.hostNetwork",
        message: `spec.jobTemplate.spec.template.spec.hostNetwork ${NET}`,
      },
    ]],
    ["a StatefulSetPatch switching hostPID on", "kubernetes:apps/v1:StatefulSetPatch", {
      spec: { template: { spec: { hostPID: true } } },
    }, [{ property: "spec.template.spec.hostPID", message: `spec.template.spec.hostPID ${PID}` }]],
  ];
  for (const [what, type, props, expected] of failing) {
    it(`reports ${what}`, () => assert.deepStrictEqual(check(type, props), expected));
  }

  it("binds one body to every pod-bearing type, reading the pod spec where each kind keeps it", () => {
    const where: Record<string, string[]> = {
      "kubernetes:core/v1:Pod": ["spec"],
      "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
      "kubernetes:batch/v1beta1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
      "kubernetes:batch/v2alpha1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
    };
    assert.deepStrictEqual(Object.keys(kubernetesHostNamespaces.checks).sort(), [...POD_SPEC_TYPES].sort());
    for (const type of POD_SPEC_TYPES) {
      const keys = where[type.replace(/Patch$/, "")] ?? ["spec", "template", "spec"];
      let props: Record<string, unknown> = { hostIPC: true };
      for (const key of [...keys].reverse()) props = { [key]: props };
      assert.deepStrictEqual(check(type, props), [{ property: `${keys.join(".")}.hostIPC`, message: `${keys.join(".")}.hostIPC ${IPC}` }], type);
    }
    for (const token of ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:batch/v1:Job", "kubernetes:core/v1:ReplicationController"]) {
      assert.ok(POD_SPEC_TYPES.includes(token) && POD_SPEC_TYPES.includes(`${token}Patch`), token);
    }
  });
});
