/**
 * GcpWorkerNetwork: a custom-mode VPC with no default route, one regional worker subnet with Private Google Access
 * and flow logs, an egress firewall (deny all, allow the list), and per tier Cloud NAT, a DNS allow-list and
 * Cloud NGFW FQDN rules. The decisions are in networkPlan.ts and mappings.ts; this file only creates resources.
 */
import * as pulumi from "@pulumi/pulumi";
import * as compute from "@pulumi/gcp/compute";
import * as dns from "@pulumi/gcp/dns";
import * as accesscontextmanager from "@pulumi/gcp/accesscontextmanager";
import { ControlReport } from "../../components";
import { gcpNetworkControls } from "./controls";
import {
  firewallArgsFor,
  fqdnPolicyArgsFor,
  fqdnRuleArgsFor,
  networkArgsFor,
  policyDenyRuleArgsFor,
  privateZoneArgsFor,
  recordSetArgsFor,
  responsePolicyArgsFor,
  responsePolicyRuleArgsFor,
  routeArgsFor,
  routerArgsFor,
  routerNatArgsFor,
  subnetworkArgsFor,
} from "./mappings";
import { GcpNetworkPlan, GcpWorkerNetworkArgs, planGcpWorkerNetwork } from "./networkPlan";
import { planForComponent } from "../planForComponent";

export type { GcpWorkerNetworkArgs } from "./networkPlan";

/** Type token of {@link GcpWorkerNetwork}. */
export const GCP_WORKER_NETWORK_TYPE = "hardening:index:GcpWorkerNetwork";

/** Plans or throws one error naming the component and listing every problem. */
export function planNetworkFor(name: string, args: GcpWorkerNetworkArgs): GcpNetworkPlan {
  return planForComponent("GcpWorkerNetwork", name, () =>
    planGcpWorkerNetwork(name, args),
  );
}

/**
 * A hardened GCP network for workers that run untrusted code. Guarantees: no route to the internet except the
 * ones the spec asks for (Google APIs VIP; Cloud NAT for a private subnet with an allow-list), no external IPs,
 * an egress firewall that denies everything not on the allow-list, and the tier's DNS and FQDN filtering. It does
 * not and cannot protect the metadata server; `GcpWorkerPool` does that.
 */
export class GcpWorkerNetwork extends pulumi.ComponentResource {
  /** The VPC's id. */
  readonly networkId: pulumi.Output<string>;
  /** The worker subnetwork's id (one: GCP subnets are regional). */
  readonly workloadSubnetIds: pulumi.Output<string>[];
  /** Network tag workers must carry for the routes and allow rules to apply to them. */
  readonly workerTag: string;
  /** One entry per control applied, including the ineffective ones, in a stable order. */
  readonly controls: pulumi.Output<ControlReport[]>;
  /** The native resources, for what this abstraction does not cover. */
  readonly network: compute.Network;
  /** The native worker subnetwork. */
  readonly subnetwork: compute.Subnetwork;
  /** The native VPC firewall rules of the plan. */
  readonly firewalls: compute.Firewall[];
  /** The native routes of the plan. */
  readonly routes: compute.Route[];
  /** The native Cloud Router; undefined when the subnet has no NAT. */
  readonly router: compute.Router | undefined;
  /** The native Cloud NAT; undefined when the subnet has no NAT. */
  readonly nat: compute.RouterNat | undefined;
  /** The native private DNS zones of the plan (Google API names). */
  readonly privateZones: dns.ManagedZone[];
  /** The native DNS response policy; undefined when the plan has no DNS rules. */
  readonly responsePolicy: dns.ResponsePolicy | undefined;
  /** The native network firewall policy (FQDN rules); undefined when the plan has no FQDN rules. */
  readonly firewallPolicy: compute.NetworkFirewallPolicy | undefined;
  /** The VPC Service Controls perimeter around the workers' project; undefined without `vpcServiceControls`. */
  readonly servicePerimeter: accesscontextmanager.ServicePerimeter | undefined;

  constructor(name: string, args: GcpWorkerNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before anything is registered, the component included: a bad spec creates nothing.
    const plan = planNetworkFor(name, args);
    super(GCP_WORKER_NETWORK_TYPE, name, {}, opts);
    const child = { parent: this };
    const n = (key: string) => `${name}-${key}`;

    this.network = new compute.Network(n("network"), networkArgsFor(plan), child);
    const networkId = this.network.id;
    this.subnetwork = new compute.Subnetwork(n("subnet"), subnetworkArgsFor(plan, networkId), child);
    this.firewalls = plan.firewallRules.map((r) => new compute.Firewall(n(r.key), firewallArgsFor(r, networkId), child));
    this.routes = plan.routes.map((r) => new compute.Route(n(r.key), routeArgsFor(r, networkId), child));

    if (plan.nat) {
      this.router = new compute.Router(n("router"), routerArgsFor(plan, networkId), child);
      this.nat = new compute.RouterNat(n("nat"), routerNatArgsFor(plan, this.router.name, this.subnetwork.id), child);
    }

    this.privateZones = plan.privateZones.map((zone) => {
      const managed = new dns.ManagedZone(n(zone.key), privateZoneArgsFor(zone, networkId), child);
      zone.records.forEach((record, i) => new dns.RecordSet(n(`${zone.key}-${i + 1}`), recordSetArgsFor(record, managed.name), child));
      return managed;
    });

    if (plan.dnsRules.length > 0) {
      const policy = new dns.ResponsePolicy(n("dns-policy"), responsePolicyArgsFor(plan, networkId), child);
      this.responsePolicy = policy;
      plan.dnsRules.forEach((r) => new dns.ResponsePolicyRule(n(r.key), responsePolicyRuleArgsFor(r, policy.responsePolicyName), child));
    }

    if (plan.fqdnRules.length > 0) {
      const policy = new compute.NetworkFirewallPolicy(n("fqdn-policy"), fqdnPolicyArgsFor(plan), child);
      this.firewallPolicy = policy;
      plan.fqdnPolicyDenies.forEach((r) => new compute.NetworkFirewallPolicyRule(n(r.key), policyDenyRuleArgsFor(r, policy.name), child));
      plan.fqdnRules.forEach((r) => new compute.NetworkFirewallPolicyRule(n(r.key), fqdnRuleArgsFor(r, policy.name), child));
      new compute.NetworkFirewallPolicyAssociation(
        n("fqdn-policy-association"),
        { firewallPolicy: policy.name, attachmentTarget: networkId },
        child,
      );
    }

    const perimeter = plan.perimeter;
    this.servicePerimeter = perimeter
      ? new accesscontextmanager.ServicePerimeter(
          n("perimeter"),
          {
            parent: perimeter.parent,
            name: perimeter.name,
            title: perimeter.title,
            perimeterType: perimeter.perimeterType,
            status: {
              resources: [...perimeter.status.resources],
              restrictedServices: [...perimeter.status.restrictedServices],
              vpcAccessibleServices: { enableRestriction: true, allowedServices: [...perimeter.status.vpcAccessibleServices.allowedServices] },
            },
          },
          child,
        )
      : undefined;

    this.networkId = networkId;
    this.workloadSubnetIds = [this.subnetwork.id];
    this.workerTag = plan.workerTag;
    this.controls = pulumi.output(gcpNetworkControls(plan));
    this.registerOutputs({ networkId: this.networkId, workloadSubnetIds: this.workloadSubnetIds, workerTag: this.workerTag, controls: this.controls });
  }
}
