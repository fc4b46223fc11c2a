/**
 * KubernetesEgressProxy: the allow-list forward proxy for worker namespaces. Thin: every decision is in
 * planEgressProxy (egressProxyPlan.ts); this file only creates the planned resources, as children of the
 * component, after the plan has validated everything.
 */
import * as pulumi from "@pulumi/pulumi";
import * as apps from "@pulumi/kubernetes/apps/v1";
import * as core from "@pulumi/kubernetes/core/v1";
import * as networking from "@pulumi/kubernetes/networking/v1";
import * as policy from "@pulumi/kubernetes/policy/v1";
import type * as k8sInput from "@pulumi/kubernetes/types/input";
import { ControlReport } from "../../components/controls";
import { configMapNameOf, EgressProxyPlan, egressProxyControlsFor, KubernetesEgressProxyArgs, planEgressProxy, ProxyEnvVar } from "./egressProxyPlan";
import { native } from "./native";
import { EgressProxyTarget } from "./networkPolicies";
import { planForComponent } from "../planForComponent";
import { withEnforcement } from "../../components/controlCatalogue";

const TYPE = "hardening:index:KubernetesEgressProxy";

/** Plans or throws an Error that names the component; nothing is registered when it throws. */
function planOrThrow(name: string, args: KubernetesEgressProxyArgs): EgressProxyPlan {
  return planForComponent("KubernetesEgressProxy", name, () =>
    planEgressProxy(name, args),
  );
}

/**
 * A Squid forward proxy that lets workers reach only the spec's allow-list, and refuses every destination that
 * resolves to a metadata, link-local, loopback, private or reserved address. Pods meet Pod Security restricted
 * with a read-only root filesystem, and a PodDisruptionBudget keeps all but one running through drains;
 * NetworkPolicies let only the worker namespaces in and let the proxy out only
 * to the internet minus those ranges, on the listed ports, plus DNS. Pass `target` to KubernetesWorkerNamespace's
 * `egressProxy`, and `proxyEnv` to the workers' containers. Invalid arguments register nothing at all.
 */
export class KubernetesEgressProxy extends pulumi.ComponentResource {
  /** The namespace the proxy runs in. */
  readonly namespaceName: pulumi.Output<string>;
  /** The URL workers use for HTTP and HTTPS: `http://<name>.<namespace>.svc.<clusterDomain>:<port>`. */
  readonly proxyUrl: pulumi.Output<string>;
  /** What KubernetesWorkerNamespace's `egressProxy` argument takes (known at plan time, so it can be passed directly). */
  readonly target: EgressProxyTarget;
  /** HTTP_PROXY, HTTPS_PROXY, NO_PROXY and their lower-case forms, for the workers' containers. */
  readonly proxyEnv: pulumi.Output<ProxyEnvVar[]>;
  /** The proxy for JVM programs (which ignore HTTP_PROXY), as the value of `JAVA_TOOL_OPTIONS`. */
  readonly javaToolOptions: pulumi.Output<string>;
  /** The rendered squid.conf. */
  readonly squidConfig: pulumi.Output<string>;
  /** One entry per control applied, with what it does not stop. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** Native children, for what this abstraction does not cover. */
  readonly namespace: core.Namespace | undefined;
  /** The ConfigMap holding the rendered squid.conf (native child). */
  readonly configMap: core.ConfigMap;
  /** The proxy's own ServiceAccount: no token mounted, no role bound (native child). */
  readonly serviceAccount: core.ServiceAccount;
  /** The NetworkPolicies: only the worker namespaces in, only DNS and the allowed internet out (native children). */
  readonly networkPolicies: networking.NetworkPolicy[];
  /** The hardened Squid Deployment (native child). */
  readonly deployment: apps.Deployment;
  /** The Service workers send their requests to (native child). */
  readonly service: core.Service;
  /** The PodDisruptionBudget keeping a proxy up through node drains (native child). */
  readonly disruptionBudget: policy.PodDisruptionBudget;

  constructor(name: string, args: KubernetesEgressProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    const parent = { parent: this };
    this.namespace = plan.createNamespace
      ? new core.Namespace(`${name}-namespace`, { metadata: { name: plan.namespaceName, labels: plan.namespaceLabels } }, parent)
      : undefined;
    const ns = this.namespace ? this.namespace.metadata.name : pulumi.output(plan.namespaceName);
    const labels = plan.podLabels;
    this.networkPolicies = plan.networkPolicies.map(
      (p) =>
        new networking.NetworkPolicy(
          `${name}-${p.key}`,
          { metadata: { name: `${name}-${p.key}`, namespace: ns, labels }, spec: native<k8sInput.networking.v1.NetworkPolicySpec>(p.spec) },
          parent,
        ),
    );
    this.configMap = new core.ConfigMap(
      `${name}-squid`,
      {
        // No exemption needed: the configuration names the metadata addresses only in the deny ACL forbidden_dst,
        // which the code rule recognises as a deny list.
        metadata: { name: configMapNameOf(name), namespace: ns, labels },
        data: { "squid.conf": plan.squid.config },
      },
      parent,
    );
    this.serviceAccount = new core.ServiceAccount(
      `${name}-service-account`,
      { metadata: { name, namespace: ns, labels }, automountServiceAccountToken: false },
      parent,
    );
    // The proxy starts only once the policies that confine it exist and its configuration is in place.
    this.deployment = new apps.Deployment(
      `${name}-deployment`,
      {
        metadata: { name, namespace: ns, labels },
        spec: {
          replicas: plan.replicas,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels, annotations: { "hardening.pulumi.com/squid-config-sha256": plan.configHash } },
            spec: native<k8sInput.core.v1.PodSpec>(plan.podSpec),
          },
        },
      },
      { parent: this, dependsOn: [...this.networkPolicies, this.configMap, this.serviceAccount] },
    );
    this.service = new core.Service(
      `${name}-service`,
      {
        metadata: { name, namespace: ns, labels },
        spec: { type: "ClusterIP", selector: labels, ports: [{ name: "proxy", protocol: "TCP", port: plan.port, targetPort: "proxy" }] },
      },
      parent,
    );
    // A node drain evicts at most one proxy pod at a time, so workers keep a way out.
    this.disruptionBudget = new policy.PodDisruptionBudget(
      `${name}-pdb`,
      { metadata: { name, namespace: ns, labels }, spec: { maxUnavailable: 1, selector: { matchLabels: labels } } },
      parent,
    );
    this.namespaceName = ns;
    this.proxyUrl = pulumi.all([this.service.metadata.name]).apply(() => plan.proxyUrl);
    this.target = plan.target;
    this.proxyEnv = pulumi.output(plan.env.map((e) => ({ ...e })));
    this.javaToolOptions = pulumi.output(plan.javaToolOptions);
    this.squidConfig = pulumi.output(plan.squid.config);
    this.controls = pulumi.output(withEnforcement(egressProxyControlsFor(name, plan)));
    this.registerOutputs({ namespaceName: this.namespaceName, proxyUrl: this.proxyUrl, proxyEnv: this.proxyEnv, javaToolOptions: this.javaToolOptions, squidConfig: this.squidConfig, controls: this.controls });
  }
}
