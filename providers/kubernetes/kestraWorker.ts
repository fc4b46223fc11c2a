/**
 * KestraWorker: Kestra workers in a hardened namespace. Thin: planKestraWorker (kestraWorkerPlan.ts) decides and
 * validates; this file creates the planned resources as children of the component.
 */
import * as pulumi from "@pulumi/pulumi";
import * as admission from "@pulumi/kubernetes/admissionregistration/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as policy from "@pulumi/kubernetes/policy/v1";
import * as rbac from "@pulumi/kubernetes/rbac/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { ControlReport } from "../../components/controls";
import { kestraWorkerControlsFor } from "./controls";
import { native } from "./native";
import { KestraWorkerArgs, KestraWorkerPlan, planKestraWorker, proxyContainerEnv, taskRunnerYaml, withContainerEnv, withTaskEnv } from "./kestraWorkerPlan";
import type { ProxyEnvVar } from "./egressProxyPlan";
import { planForComponent } from "../planForComponent";
import { kestraTaskAdmissionPolicyFor } from "./admissionPolicyPlan";
import { kestraForcedRunnerConfig } from "../../components/kestraTaskRunner";
import { withEnforcement } from "../../components/controlCatalogue";

const TYPE = "hardening:index:KestraWorker";

function planOrThrow(name: string, args: KestraWorkerArgs): KestraWorkerPlan {
  return planForComponent("KestraWorker", name, () =>
    planKestraWorker(name, args),
  );
}

/**
 * A Deployment of Kestra workers (`kestra server worker`) whose pods meet Pod Security restricted, with a
 * PodDisruptionBudget, the configuration in a Secret mounted read-only, and an identity that matches the runner:
 * no token with the process runner; with the Kubernetes runner a ServiceAccount bound to a Role limited to pods,
 * their logs and exec in the task namespace, while task pods get no token. Exposes the task runner's settings
 * (`taskRunner`) for Kestra's pluginDefaults. Invalid arguments register nothing at all.
 */
export class KestraWorker extends pulumi.ComponentResource {
  /**
   * The `taskRunner` block for Kestra pluginDefaults (forced), as YAML, so each task runs in its own hardened pod.
   * The same settings as data: `kestraTaskRunnerFor` / `planKestraWorker(...).taskRunner`.
   */
  readonly taskRunner: pulumi.Output<string>;
  /** One entry per control applied or deliberately not relied on. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** Native children. */
  readonly deployment: apps.Deployment;
  readonly disruptionBudget: policy.PodDisruptionBudget;
  readonly configurationSecret: core.Secret | undefined;
  readonly serviceAccount: core.ServiceAccount | undefined;
  readonly role: rbac.Role | undefined;
  readonly roleBinding: rbac.RoleBinding | undefined;
  readonly networkPolicy: networking.NetworkPolicy | undefined;
  /**
   * With the Kubernetes runner: a ValidatingAdmissionPolicy (and binding) that holds every pod the worker's
   * ServiceAccount creates in the task namespace to the task pod settings (ServiceAccount, RuntimeClass, deadline,
   * no token, no host access), so a flow's `podSpec` or `serviceAccountName` override is refused by the API server.
   */
  readonly taskAdmissionPolicy: admission.ValidatingAdmissionPolicy | undefined;
  /** The binding that applies {@link taskAdmissionPolicy} to the task namespace with `Deny`. */
  readonly taskAdmissionPolicyBinding: admission.ValidatingAdmissionPolicyBinding | undefined;
  /**
   * Kestra server configuration pinning every script task to this runner with forced plugin defaults
   * (`kestra.plugins.defaults`, `forced: true`), as YAML to merge into the Kestra configuration or Helm values
   * (`configuration:`). The same as an object: `kestraForcedRunnerConfig({ runner, kubernetes: taskRunner settings })`
   * (not an output: the component schema has no untyped values).
   */
  readonly forcedRunnerConfigYaml: pulumi.Output<string>;
  /** Name of the worker's CiliumNetworkPolicy (CustomResources have no schema type of their own). */
  readonly ciliumPolicyName: pulumi.Output<string> | undefined;

  constructor(name: string, args: KestraWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    const parent = { parent: this };
    const ns = pulumi.output(args.namespace);
    const taskNs = pulumi.output(args.taskNamespace ?? args.namespace);

    this.configurationSecret = plan.configurationSecret.create
      ? new core.Secret(
          `${name}-configuration`,
          {
            metadata: { name: plan.configurationSecret.name, namespace: ns },
            type: "Opaque",
            stringData: { "application.yml": pulumi.secret(args.configuration as pulumi.Input<string>) },
          },
          parent,
        )
      : undefined;

    if (plan.workerServiceAccountName !== undefined) {
      this.serviceAccount = new core.ServiceAccount(
        `${name}-worker`,
        // The worker's pod mounts its token through an explicit projected volume; nothing else gets it by default.
        { metadata: { name: plan.workerServiceAccountName, namespace: ns }, automountServiceAccountToken: false },
        parent,
      );
      this.role = new rbac.Role(
        `${name}-task-runner`,
        { metadata: { name: `${name}-task-runner`, namespace: taskNs }, rules: native<k8sInput.rbac.v1.PolicyRule[]>(plan.roleRules) },
        parent,
      );
      this.roleBinding = new rbac.RoleBinding(
        `${name}-task-runner-binding`,
        {
          metadata: { name: `${name}-task-runner`, namespace: taskNs },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: plan.workerServiceAccountName, namespace: ns }],
        },
        parent,
      );
    }

    this.networkPolicy = plan.workerNetworkPolicy
      ? new networking.NetworkPolicy(
          `${name}-worker-egress`,
          { metadata: { name: `${name}-worker-egress`, namespace: ns }, spec: native<k8sInput.networking.v1.NetworkPolicySpec>(plan.workerNetworkPolicy) },
          parent,
        )
      : undefined;
    const ciliumPolicy = plan.workerCiliumPolicy
      ? new CustomResource(
          `${name}-worker-apiserver`,
          {
            apiVersion: "cilium.io/v2",
            kind: "CiliumNetworkPolicy",
            metadata: { name: `${name}-worker-apiserver`, namespace: ns },
            spec: plan.workerCiliumPolicy,
          },
          parent,
        )
      : undefined;

    // Proxy variables (from a namespace or proxy output) go into the worker's and the task pods' containers.
    const env = pulumi
      .all([pulumi.output(args.proxyEnv ?? []), pulumi.output(args.javaToolOptions)])
      .apply(([proxyEnv, jto]) => proxyContainerEnv(proxyEnv as ProxyEnvVar[], jto));
    const podSpec = args.proxyEnv === undefined && args.javaToolOptions === undefined ? plan.podSpec : env.apply((e) => withContainerEnv(plan.podSpec, e));

    // The Deployment starts only after its identity, configuration and egress rules exist.
    const dependsOn = [this.configurationSecret, this.serviceAccount, this.roleBinding, this.networkPolicy, ciliumPolicy].filter(
      (r): r is NonNullable<typeof r> => r !== undefined,
    );
    this.deployment = new apps.Deployment(
      `${name}-deployment`,
      {
        metadata: { name: `${name}-worker`, namespace: ns, labels: plan.labels },
        spec: {
          replicas: plan.replicas,
          selector: { matchLabels: plan.labels },
          template: { metadata: { labels: plan.labels }, spec: native<pulumi.Input<k8sInput.core.v1.PodSpec>>(podSpec) },
        },
      },
      { parent: this, dependsOn },
    );
    this.disruptionBudget = new policy.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: { name: `${name}-worker`, namespace: ns }, spec: { maxUnavailable: 1, selector: { matchLabels: plan.labels } } },
      parent,
    );
    this.ciliumPolicyName = ciliumPolicy?.metadata.name;
    if (plan.runner === "kubernetes" && plan.workerServiceAccountName !== undefined) {
      const workerSa = plan.workerServiceAccountName;
      const policy = pulumi.all([ns, taskNs]).apply(([workerNamespace, taskNamespace]) =>
        kestraTaskAdmissionPolicyFor({
          workerName: name,
          workerNamespace,
          taskNamespace,
          workerServiceAccountName: workerSa,
          taskServiceAccountName: plan.taskRunner.serviceAccountName,
          runtimeClassName: plan.taskRunner.podSpec.runtimeClassName as string | undefined,
          activeDeadlineSeconds: plan.taskRunner.podSpec.activeDeadlineSeconds as number,
        }),
      );
      this.taskAdmissionPolicy = new admission.ValidatingAdmissionPolicy(
        `${name}-task-admission`,
        { metadata: { name: policy.name }, spec: policy.policySpec.apply((s) => native<k8sInput.admissionregistration.v1.ValidatingAdmissionPolicySpec>(s)) },
        parent,
      );
      this.taskAdmissionPolicyBinding = new admission.ValidatingAdmissionPolicyBinding(
        `${name}-task-admission-binding`,
        {
          metadata: { name: policy.name },
          spec: policy.bindingSpec.apply((s) => native<k8sInput.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec>(s)),
        },
        { parent: this, dependsOn: [this.taskAdmissionPolicy] },
      );
    } else {
      this.taskAdmissionPolicy = undefined;
      this.taskAdmissionPolicyBinding = undefined;
    }
    const forced = pulumi.all([taskNs, env]).apply(([n, e]) =>
      plan.runner === "kubernetes"
        ? kestraForcedRunnerConfig({ runner: "kubernetes", kubernetes: withTaskEnv({ ...plan.taskRunner, namespace: n }, e) })
        : kestraForcedRunnerConfig({ runner: "process" }),
    );
    this.forcedRunnerConfigYaml = forced.apply((f) => f.yaml);
    this.taskRunner = pulumi.all([taskNs, env]).apply(([n, e]) => taskRunnerYaml(withTaskEnv({ ...plan.taskRunner, namespace: n }, e)));
    this.controls = pulumi.output(withEnforcement(kestraWorkerControlsFor(name, plan)));
    this.registerOutputs({
      taskRunner: this.taskRunner,
      controls: this.controls,
      forcedRunnerConfigYaml: this.forcedRunnerConfigYaml,
    });
  }
}
