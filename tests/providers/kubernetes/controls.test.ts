import * as assert from "node:assert/strict";
import { HardeningSpec } from "../../../components/spec";
import { kestraWorkerControlsFor, namespaceControlsFor } from "../../../providers/kubernetes/controls";
import { KestraWorkerArgs, planKestraWorker } from "../../../providers/kubernetes/kestraWorkerPlan";
import { KubernetesWorkerNamespaceArgs, planWorkerNamespace } from "../../../providers/kubernetes/workerNamespacePlan";

const ids = (args: KubernetesWorkerNamespaceArgs) => namespaceControlsFor("w", planWorkerNamespace("w", args)).map((c) => `${c.effective ? "+" : "-"}${c.id}`);
const allowList = (allow: NonNullable<HardeningSpec["egress"]>["allow"]): HardeningSpec => ({ workloadSubnet: "private", egress: { mode: "allowList", allow } });

describe("Kubernetes controls report", () => {
  const cases: { what: string; args: KubernetesWorkerNamespaceArgs; ids: string[] }[] = [
    {
      what: "denyAll with a sandbox",
      args: {},
      ids: [
        "+k8s-pod-security-restricted", "+k8s-networkpolicy-default-deny", "+k8s-networkpolicy-dns-cluster-resolver",
        "+k8s-networkpolicy-metadata-blocked", "-k8s-networkpolicy-hostnetwork-pods", "-k8s-dns-tunnelling", "+k8s-serviceaccount-no-token",
        "+k8s-runtimeclass-sandbox", "+k8s-admission-run-time-pods", "+k8s-resource-limits", "-k8s-node-lifetime",
      ],
    },
    {
      what: "CIDR allow-list without a sandbox",
      args: { hardening: { ...allowList([{ cidr: "0.0.0.0/0" }]), sandbox: "none" } },
      ids: [
        "+k8s-pod-security-restricted", "+k8s-networkpolicy-default-deny", "+k8s-networkpolicy-dns-cluster-resolver",
        "+k8s-networkpolicy-metadata-blocked", "-k8s-networkpolicy-hostnetwork-pods", "+k8s-networkpolicy-egress-allow-list",
        "-k8s-dns-tunnelling", "+k8s-serviceaccount-no-token", "-k8s-no-sandbox", "+k8s-admission-run-time-pods", "+k8s-resource-limits", "-k8s-node-lifetime",
      ],
    },
    {
      what: "domains on Cilium",
      args: { cilium: true, hardening: allowList([{ domain: "pypi.org" }]) },
      ids: [
        "+k8s-pod-security-restricted", "+k8s-networkpolicy-default-deny", "+k8s-networkpolicy-dns-cluster-resolver",
        "+k8s-networkpolicy-metadata-blocked", "-k8s-networkpolicy-hostnetwork-pods", "+k8s-cilium-metadata-deny",
        "+k8s-cilium-fqdn-allow-list", "+k8s-cilium-internal-deny", "-k8s-cilium-fqdn-cdn", "-k8s-dns-tunnelling", "+k8s-serviceaccount-no-token", "+k8s-runtimeclass-sandbox", "+k8s-admission-run-time-pods", "+k8s-resource-limits", "-k8s-node-lifetime",
      ],
    },
    {
      what: "domains through a proxy",
      args: { egressProxy: { namespace: "egress", podLabels: { app: "squid" }, port: 3128 }, hardening: allowList([{ domain: "pypi.org" }]) },
      ids: [
        "+k8s-pod-security-restricted", "+k8s-networkpolicy-default-deny", "+k8s-networkpolicy-dns-cluster-resolver",
        "+k8s-networkpolicy-metadata-blocked", "-k8s-networkpolicy-hostnetwork-pods", "+k8s-egress-proxy",
        "-k8s-egress-proxy-cdn-fronting", "-k8s-dns-tunnelling", "+k8s-serviceaccount-no-token", "+k8s-runtimeclass-sandbox", "+k8s-admission-run-time-pods", "+k8s-resource-limits", "-k8s-node-lifetime",
      ],
    },
  ];
  for (const c of cases) {
    it(`lists what ${c.what} applies, and what it does not rely on`, () => {
      assert.deepStrictEqual(ids(c.args), c.ids);
    });
  }

  it("names the carved-out networks and says when the Pod Security version tracks the cluster", () => {
    const report = namespaceControlsFor("w", planWorkerNamespace("w", { podSecurityVersion: "latest", hardening: allowList([{ cidr: "169.0.0.0/8" }]) }));
    const metadata = report.find((c) => c.id === "k8s-networkpolicy-metadata-blocked");
    assert.equal(metadata?.appliedBy, "NetworkPolicy ipBlock rules whose except lists the metadata networks inside each cidr (169.254.0.0/16)");
    assert.deepStrictEqual(metadata?.resources, ["w-default-deny", "w-allow-egress"]);
    assert.match(report[0].limits, /version "latest" changes what is admitted on every cluster upgrade/);
    for (const c of report) assert.ok(c.source.length > 0 && c.cloud === "kubernetes", c.id);
  });

  it("moves the sandbox and token limits to what the admission policy guarantees, and says when there is none", () => {
    const report = namespaceControlsFor("w", planWorkerNamespace("w"));
    const rc = report.find((c) => c.id === "k8s-runtimeclass-sandbox");
    assert.match(rc?.limits ?? "", /pods without this runtimeClassName are refused by the admission policy/);
    const ap = report.find((c) => c.id === "k8s-admission-run-time-pods");
    assert.equal(
      ap?.appliedBy,
      "ValidatingAdmissionPolicy hardening-worker-pods-w (failurePolicy Fail) bound with Deny to namespace w: pods must set runtimeClassName gvisor, use ServiceAccount workload, mount no token, set activeDeadlineSeconds <= 86400, and have no hostPath, host namespace or privileged container",
    );
    assert.deepStrictEqual(ap?.resources, ["w-admission", "w-admission-binding"]);
    const off = namespaceControlsFor("w", planWorkerNamespace("w", { admission: { create: false, reason: "cluster is 1.29" } }));
    const none = off.find((c) => c.id === "k8s-admission-run-time-pods");
    assert.equal(none?.effective, false);
    assert.match(none?.appliedBy ?? "", /cluster is 1\.29/);
    assert.match(off.find((c) => c.id === "k8s-runtimeclass-sandbox")?.limits ?? "", /only pods built by these helpers are sandboxed/);
  });

  it("reports the worker's identity by runner, and the Docker runner as unsupported", () => {
    const base: KestraWorkerArgs = { namespace: "w", image: "kestra/kestra:v1.1.6", configurationSecretName: "kc", backendEgress: [{ namespace: "kestra", ports: [5432] }] };
    const k8s = kestraWorkerControlsFor("k", planKestraWorker("k", { ...base, runner: "kubernetes", apiServerCidrs: ["10.0.0.0/28"] }));
    assert.deepStrictEqual(k8s.map((c) => `${c.effective ? "+" : "-"}${c.id}`), [
      "+k8s-kestra-worker-restricted-pod", "+k8s-kestra-worker-disruption-budget", "+k8s-kestra-task-pods", "+k8s-kestra-task-pod-admission", "+k8s-kestra-worker-rbac", "-k8s-kestra-docker-runner",
    ]);
    assert.deepStrictEqual(k8s.find((c) => c.id === "k8s-kestra-worker-rbac")?.resources, ["k-worker", "k-task-runner", "k-task-runner-binding"]);
    const proc = kestraWorkerControlsFor("k", planKestraWorker("k", { ...base, runner: "process" }));
    assert.deepStrictEqual(proc.map((c) => `${c.effective ? "+" : "-"}${c.id}`), [
      "+k8s-kestra-worker-restricted-pod", "+k8s-kestra-worker-disruption-budget", "-k8s-kestra-process-runner", "-k8s-kestra-docker-runner",
    ]);
  });
});
