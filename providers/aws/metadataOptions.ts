/**
 * IMDS settings from the hardening spec: the launch template's `metadataOptions` and the account-wide
 * `aws.ec2.InstanceMetadataDefaults` guardrail. Pure; no Pulumi types, so tests and `hardening plan` read them as-is.
 *
 * Why these work on AWS (docs/design/cloud-controls.md section 2): security groups and NACLs do not filter
 * link-local traffic, so the instance's own metadata options are the network-independent control.
 */
import { ResolvedHardening } from "../../components";

/** The launch template's `metadataOptions`, every field set so that no field is left at a weaker AWS default. */
export interface AwsMetadataOptions {
  /** Always `"enabled"`: EC2 delivers user data (the host firewall itself) through IMDS. */
  readonly httpEndpoint: "enabled" | "disabled";
  /** Always `"required"` (IMDSv2 only): the AWS default is `"optional"`, which lets one GET-based SSRF read credentials. */
  readonly httpTokens: "required";
  /** Always 1: a token cannot cross a container's network hop. */
  readonly httpPutResponseHopLimit: 1;
  /** Always `"disabled"`: no IMDS endpoint at fd00:ec2::254. */
  readonly httpProtocolIpv6: "disabled";
  /** Always `"disabled"`: instance tags are not readable through IMDS. */
  readonly instanceMetadataTags: "disabled";
}

/**
 * The `metadataOptions` that implement `hardening.metadataEndpoint` on an EC2 launch template.
 *
 * - `blocked` keeps the endpoint on, IMDSv2 only with hop limit 1, because EC2 delivers user data through IMDS:
 *   with `httpEndpoint: "disabled"` ("you will not be able to access your instance metadata", CFN LaunchTemplate
 *   MetadataOptions) cloud-init never receives the user data, so neither the host firewall nor any boot script
 *   would run. The host firewall (components/hostBoot.ts) lets only root reach it while the host boots and seals it
 *   for every uid once cloud-init's final stage has finished; workerPoolPlan.ts sets `sealAfterBoot` for this mode.
 * - `tokenRequired` keeps the endpoint for the host's agents but demands IMDSv2 session tokens with hop limit 1:
 *   "requests to IMDS from pods [are] rejected, provided those pods do not use host networking" (AWS whitepaper
 *   Security Practices for Multi-Tenant SaaS on EKS). Host-network processes are stopped by the host firewall.
 */
export function metadataOptionsFor(_spec: Pick<ResolvedHardening, "metadataEndpoint">): AwsMetadataOptions {
  return {
    httpEndpoint: "enabled",
    httpTokens: "required",
    httpPutResponseHopLimit: 1,
    httpProtocolIpv6: "disabled",
    instanceMetadataTags: "disabled",
  };
}

/** The account/region default IMDS settings for instances launched without explicit metadata options. */
export interface AwsInstanceMetadataDefaults {
  /** `"required"`: new instances default to IMDSv2 only. */
  readonly httpTokens: "required";
  /** 1: tokens do not cross a container hop. */
  readonly httpPutResponseHopLimit: 1;
  /** `"disabled"`: tags are not exposed through IMDS by default. */
  readonly instanceMetadataTags: "disabled";
}

/**
 * The opt-in account guardrail (`aws.ec2.InstanceMetadataDefaults`): every instance launched in the region without
 * its own metadata options gets IMDSv2 only and hop limit 1. It is account-wide, so it is never applied silently.
 * `httpEndpoint` is left to each instance: disabling IMDS account-wide would break unrelated workloads.
 */
export function instanceMetadataDefaultsFor(): AwsInstanceMetadataDefaults {
  return { httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" };
}
