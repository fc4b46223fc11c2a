/**
 * KubernetesWorkerNamespace: a namespace where untrusted code may run. Thin: every decision is in
 * planWorkerNamespace (workerNamespacePlan.ts); this file only creates the planned resources, as children of the
 * component, after the plan has validated everything.
 */
import * as pulumi from "@pulumi/pulumi";
import * as admission from "@pulumi/kubernetes/admissionregistration/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as batch from "@pulumi/kubernetes/batch/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as node from "@pulumi/kubernetes/node/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { ControlReport } from "../../components/controls";
import { namespaceControlsFor } from "./controls";
import { KubernetesEgressProxy } from "./egressProxy";
import type { ProxyEnvVar } from "./egressProxyPlan";
import { native } from "./native";
import { KubernetesWorkerNamespaceArgs, planWorkerNamespace, WorkerNamespacePlan } from "./workerNamespacePlan";
import { planForComponent } from "../planForComponent";
import { CanaryCronJobPlan, checkCanaryArgs, planCanaryCronJob } from "./canaryPlan";
import { InvalidArgsError } from "../../components/validation";
import { withEnforcement } from "../../components/controlCatalogue";

const TYPE = "hardening:index:KubernetesWorkerNamespace";

/** Plans or throws an Error that names the component; nothing is registered when it throws. */
function planOrThrow(name: string, args: KubernetesWorkerNamespaceArgs): WorkerNamespacePlan {
  return planForComponent("KubernetesWorkerNamespace", name, () =>
    planWorkerNamespace(name, args),
  );
}

/** The namespace and its canary planned together, every problem of both in one error. */
function planWithCanary(name: string, args: KubernetesWorkerNamespaceArgs): { plan: WorkerNamespacePlan; canary?: CanaryCronJobPlan } {
  if (args?.canary === undefined) return { plan: planOrThrow(name, args) };
  return planForComponent("KubernetesWorkerNamespace", name, () => {
    let plan: WorkerNamespacePlan;
    try {
      plan = planWorkerNamespace(name, args);
    } catch (e) {
      if (!(e instanceof InvalidArgsError)) throw e;
      throw new InvalidArgsError([...e.issues, ...checkCanaryArgs(args.canary)]);
    }
    return { plan, canary: planCanaryCronJob(plan, namespaceControlsFor(name, plan), args.canary!) };
  });
}

/**
 * A namespace that admits only Pod Security `restricted` pods (pinned version, enforced, audited and warned),
 * denies all ingress and egress except DNS to the cluster resolver and the spec's allow-list (metadata networks
 * carved out of every allowed network), gives workloads a ServiceAccount with no token and no bindings, caps
 * resources, and provides the sandbox RuntimeClass. With `egressProxy.create` it also creates the allow-list egress
 * proxy (KubernetesEgressProxy) its pods must use for names, and exposes the proxy's variables for the workers.
 * Invalid arguments register nothing at all.
 */
export class KubernetesWorkerNamespace extends pulumi.ComponentResource {
  /** The namespace's name, for workloads placed in it. */
  readonly namespaceName: pulumi.Output<string>;
  /** The ServiceAccount workloads should use (no token, no bindings). */
  readonly serviceAccountName: pulumi.Output<string>;
  /** The RuntimeClass sandboxed pods must set; undefined when `hardening.sandbox` is `none`. */
  readonly runtimeClassName: string | undefined;
  /** One entry per control applied or deliberately not relied on. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** Native children, for what this abstraction does not cover. */
  readonly namespace: core.Namespace;
  readonly networkPolicies: networking.NetworkPolicy[];
  /** Names of the CiliumNetworkPolicies (CustomResources have no schema type of their own, so names are exposed). */
  readonly ciliumPolicyNames: pulumi.Output<string>[];
  readonly serviceAccount: core.ServiceAccount;
  readonly resourceQuota: core.ResourceQuota;
  readonly limitRange: core.LimitRange;
  readonly runtimeClass: node.RuntimeClass | undefined;
  /**
   * The ValidatingAdmissionPolicy holding run-time pods (Kestra's task pods) to the task-pod rules; undefined with
   * `admission.create: false`.
   */
  readonly admissionPolicy: admission.ValidatingAdmissionPolicy | undefined;
  /** The binding that applies {@link admissionPolicy} to this namespace with `Deny`. */
  readonly admissionPolicyBinding: admission.ValidatingAdmissionPolicyBinding | undefined;
  /**
   * The created proxy's URL, `http://<name>.<namespace>.svc.<clusterDomain>:<port>`; undefined when the namespace
   * uses an existing proxy or none.
   */
  readonly proxyUrl: pulumi.Output<string> | undefined;
  /**
   * HTTP_PROXY, HTTPS_PROXY, NO_PROXY and their lower-case forms for the workers' containers (KestraWorker
   * `proxyEnv`), when this component created the proxy; undefined otherwise.
   */
  readonly proxyEnv: pulumi.Output<ProxyEnvVar[]> | undefined;
  /**
   * The created proxy for JVM programs (which ignore HTTP_PROXY), as the value of `JAVA_TOOL_OPTIONS` (KestraWorker
   * `javaToolOptions`); undefined when this component did not create the proxy.
   */
  readonly javaToolOptions: pulumi.Output<string> | undefined;
  /** The canary CronJob (`canary` argument); undefined without it. Its logs hold the report (docs/runbook.md). */
  readonly canaryCronJob: batch.CronJob | undefined;

  constructor(name: string, args: KubernetesWorkerNamespaceArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const { plan, canary } = planWithCanary(name, args);
    super(TYPE, name, {}, opts);
    const parent = { parent: this };
    this.namespace = new core.Namespace(`${name}-namespace`, { metadata: { name: plan.namespaceName, labels: plan.labels, ...(Object.keys(plan.annotations).length > 0 ? { annotations: plan.annotations } : {}) } }, parent);
    const ns = this.namespace.metadata.name;
    this.networkPolicies = plan.networkPolicies.map(
      (p) =>
        new networking.NetworkPolicy(
          `${name}-${p.key}`,
          { metadata: { name: p.key, namespace: ns }, spec: native<k8sInput.networking.v1.NetworkPolicySpec>(p.spec) },
          parent,
        ),
    );
    const ciliumPolicies = plan.ciliumPolicies.map(
      (p) =>
        new CustomResource(
          `${name}-${p.key}`,
          { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy", metadata: { name: p.key, namespace: ns }, spec: p.spec },
          parent,
        ),
    );
    this.serviceAccount = new core.ServiceAccount(
      `${name}-workload`,
      { metadata: { name: plan.serviceAccountName, namespace: ns }, automountServiceAccountToken: false },
      parent,
    );
    this.resourceQuota = new core.ResourceQuota(`${name}-quota`, { metadata: { name: "worker-quota", namespace: ns }, spec: { hard: plan.quota } }, parent);
    this.limitRange = new core.LimitRange(
      `${name}-limits`,
      { metadata: { name: "worker-limits", namespace: ns }, spec: native<k8sInput.core.v1.LimitRangeSpec>(plan.limitRange) },
      parent,
    );
    const rc = plan.runtimeClass;
    this.runtimeClass =
      rc?.create === true
        ? new node.RuntimeClass(
            `${name}-runtime-class`,
            {
              metadata: { name: rc.name },
              handler: rc.handler as string,
              ...(rc.nodeSelector ? { scheduling: { nodeSelector: rc.nodeSelector } } : {}),
            },
            parent,
          )
        : undefined;
    this.runtimeClassName = rc?.name;
    const ap = plan.admission.policy;
    this.admissionPolicy = ap
      ? new admission.ValidatingAdmissionPolicy(
          `${name}-admission`,
          { metadata: { name: ap.name }, spec: native<k8sInput.admissionregistration.v1.ValidatingAdmissionPolicySpec>(ap.policySpec) },
          parent,
        )
      : undefined;
    this.admissionPolicyBinding = ap
      ? new admission.ValidatingAdmissionPolicyBinding(
          `${name}-admission-binding`,
          {
            metadata: { name: ap.name },
            spec: native<k8sInput.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec>(ap.bindingSpec),
          },
          { parent: this, dependsOn: this.admissionPolicy ? [this.admissionPolicy] : [] },
        )
      : undefined;
    // Its plan was checked with this one, so it cannot fail here. It admits this namespace by name, so it follows it.
    // Not kept as a property: the schema analyzer cannot express a component of this package as another
    // component's output (a resource reference needs a custom resource's type); its values are exposed instead.
    const createdProxy = plan.egressProxy
      ? new KubernetesEgressProxy(plan.egressProxy.name, plan.egressProxy.args, { parent: this, dependsOn: [this.namespace] })
      : undefined;
    this.proxyUrl = createdProxy?.proxyUrl;
    this.proxyEnv = createdProxy?.proxyEnv;
    this.javaToolOptions = createdProxy?.javaToolOptions;
    this.ciliumPolicyNames = ciliumPolicies.map((p) => p.metadata.name);
    // Workloads placed through namespaceName depend on every policy, quota and limit: none of their pods can be
    // created before the rules that confine them (a pod started before its policy may run unprotected).
    // With a proxy of its own, they also wait for the proxy, which is their only way out for names.
    const guards = [
      ...this.networkPolicies,
      ...ciliumPolicies,
      this.resourceQuota,
      this.limitRange,
      ...(this.admissionPolicyBinding ? [this.admissionPolicyBinding] : []),
      ...(createdProxy ? [createdProxy.deployment, createdProxy.service] : []),
    ].map((r) => r.urn);
    this.namespaceName = pulumi.all([ns, ...guards]).apply(([n]) => n);
    this.serviceAccountName = this.serviceAccount.metadata.name;
    this.canaryCronJob = canary ? createCanary(name, canary, this.namespaceName, this) : undefined;
    this.controls = pulumi.output(withEnforcement(namespaceControlsFor(name, plan)));
    this.registerOutputs({
      namespaceName: this.namespaceName,
      serviceAccountName: this.serviceAccountName,
      controls: this.controls,
      ...(createdProxy ? { proxyUrl: this.proxyUrl, proxyEnv: this.proxyEnv, javaToolOptions: this.javaToolOptions } : {}),
    });
  }
}

/** The canary's ConfigMap and CronJob, in the namespace once its policies exist (namespaceName waits for them). */
function createCanary(name: string, canary: CanaryCronJobPlan, ns: pulumi.Output<string>, parent: pulumi.Resource): batch.CronJob {
  const script = new core.ConfigMap(
    `${name}-canary-script`,
    { metadata: { name: canary.name, namespace: ns, labels: canary.labels, annotations: canary.configMapAnnotations }, data: canary.configMapData },
    { parent },
  );
  return new batch.CronJob(
    `${name}-canary`,
    { metadata: { name: canary.name, namespace: ns, labels: canary.labels }, spec: native<k8sInput.batch.v1.CronJobSpec>(canary.cronJobSpec) },
    { parent, dependsOn: [script] },
  );
}
