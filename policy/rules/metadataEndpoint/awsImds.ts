/**
 * AWS instance metadata (IMDS): instances, spot instance requests, launch templates, launch configurations and the
 * account/region defaults either turn the endpoint off or require IMDSv2 session tokens with a PUT response hop
 * limit of 1; EKS managed node groups take their metadata options from a launch template.
 */
import type { CheckContext, Finding, ResourceRule, RuleOption } from "../types";
import { field, isRecord, isUnknown, show, unknownFinding } from "../values";

const HOP_LIMIT_WHY =
  "this pack is stricter than AWS's IMDSv2 guidance, which accepts any hop limit: above 1, the session token " +
  "reaches containers one network hop from the host (bridged Docker, pod-network pods), and with it the instance " +
  "role's credentials; AWS's whitepaper \"Security Practices for Multi-Tenant SaaS Applications using Amazon EKS\" " +
  "recommends requiring IMDSv2 and a maximum hop count of 1";

/** The `maxHopLimit` option: its schema holds the one default, which a malformed value also falls back to. */
const MAX_HOP_LIMIT = {
  type: "integer",
  minimum: 1,
  maximum: 64,
  default: 1,
  description: "Highest IMDS PUT response hop limit accepted with tokens required. 1 keeps the token on the host; AWS's own guidance accepts any.",
} as const satisfies RuleOption;

function maxHopLimit(ctx: CheckContext): number {
  const v = ctx.config.maxHopLimit;
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : MAX_HOP_LIMIT.default;
}

/**
 * The IMDS check, one body for every type that carries `metadataOptions` (instance, launch template, launch
 * configuration) and for `InstanceMetadataDefaults`, whose fields sit at the top level. All four use the same
 * camelCase names in @pulumi/aws 7 (`httpEndpoint`, `httpTokens`, `httpPutResponseHopLimit`).
 *
 * Passes when `httpEndpoint` is "disabled" (EC2 UG: no metadata at all), or `httpTokens` is "required" (IMDSv1
 * off) and the hop limit is at most `maxHopLimit` (default 1). An absent `httpTokens` fails: the AMI's default
 * (often "optional") applies.
 */
export function checkImdsOptions(prefix: string): (props: Record<string, unknown>, ctx: CheckContext) => Finding[] {
  // Made once per bound type, not per resource checked.
  const p = (k: string): string => (prefix ? `${prefix}.${k}` : k);
  return (props, ctx) => {
    const options = prefix ? props[prefix] : props;
    if (isUnknown(options)) return [unknownFinding(prefix)];
    const endpoint = field(options, "httpEndpoint");
    if (isUnknown(endpoint)) return [unknownFinding(p("httpEndpoint"))];
    if (endpoint === "disabled") return [];
    const findings: Finding[] = [];
    const tokens = field(options, "httpTokens");
    if (isUnknown(tokens)) findings.push(unknownFinding(p("httpTokens")));
    else if (tokens !== "required") {
      findings.push({
        property: p("httpTokens"),
        message:
          `${p("httpTokens")} is ${show(tokens)}; set it to "required" or set ${p("httpEndpoint")} to "disabled": ` +
          "without IMDSv2 session tokens, any process or server-side request forgery that can send a GET to " +
          "169.254.169.254 receives the instance role's credentials.",
      });
    }
    const hop = field(options, "httpPutResponseHopLimit");
    const max = maxHopLimit(ctx);
    if (isUnknown(hop)) findings.push(unknownFinding(p("httpPutResponseHopLimit")));
    else if (typeof hop !== "number" || hop < 1 || hop > max) {
      findings.push({
        property: p("httpPutResponseHopLimit"),
        message:
          `${p("httpPutResponseHopLimit")} is ${show(hop)}; set it to ${max === 1 ? "1" : `at most ${max}`} or set ` +
          `${p("httpEndpoint")} to "disabled": ${HOP_LIMIT_WHY}.`,
      });
    }
    return findings;
  };
}

/**
 * The IMDS remediation: sets `httpTokens: "required"` and `httpPutResponseHopLimit: 1`, changes nothing else, and
 * returns undefined when nothing needs changing or a value is unknown (so applying it twice is the same as once).
 * A resource with the endpoint disabled is left alone: that already passes.
 */
export function remediateImdsOptions(prefix: string): (props: Record<string, unknown>, ctx: CheckContext) => Record<string, unknown> | undefined {
  return (props, ctx) => {
    const options = prefix ? props[prefix] : props;
    if (options !== undefined && !(isRecord(options) && Object.getPrototypeOf(options) === Object.prototype)) return undefined;
    const o = options ?? {};
    if ([o.httpEndpoint, o.httpTokens, o.httpPutResponseHopLimit].some(isUnknown)) return undefined;
    if (o.httpEndpoint === "disabled") return undefined;
    const hop = o.httpPutResponseHopLimit;
    const hopOk = typeof hop === "number" && hop >= 1 && hop <= maxHopLimit(ctx);
    if (o.httpTokens === "required" && hopOk) return undefined;
    const fixed = { ...o, httpTokens: "required", httpPutResponseHopLimit: hopOk ? hop : 1 };
    return prefix ? { ...props, [prefix]: fixed } : { ...props, ...fixed };
  };
}

const onOptions = checkImdsOptions("metadataOptions");
const fixOptions = remediateImdsOptions("metadataOptions");

/**
 * EKS managed node groups carry no metadata options of their own. Without `launchTemplate`, "the Amazon EKS API
 * creates one automatically with default values in your account" (EKS user guide, "Customize managed nodes with
 * launch templates"): a template outside the stack, whose metadata options EKS picks and the pack cannot read, so
 * nothing shows the hop limit of 1 that keeps pods from the node role's token; that fails, as an absent
 * `httpTokens` does on an instance. The defaults also differ by AMI: an AMI marked `ImdsSupport: v2.0`, as AL2023's
 * are, sets the hop limit to 2 (EC2 API reference, Image.ImdsSupport; AL2023 user guide, "your default hop limit
 * will be set to 2"), and AL2 node groups have run with tokens optional. AWS's EKS best practices ask for a launch template with "V2 only (token
 * required)" and a hop limit of 1 for exactly this. With `launchTemplate` (by id or name), the template holds the
 * setting and this rule checks it on the `aws:ec2/launchTemplate:LaunchTemplate` resource; a template created
 * outside the stack is outside what the pack can read.
 */
export function checkEksNodeGroup(props: Record<string, unknown>): Finding[] {
  const lt = props.launchTemplate;
  if (isUnknown(lt)) return [unknownFinding("launchTemplate")];
  const id = field(lt, "id");
  const name = field(lt, "name");
  if (isUnknown(id) || isUnknown(name)) return [unknownFinding("launchTemplate")];
  if ((typeof id === "string" && id !== "") || (typeof name === "string" && name !== "")) return [];
  return [
    {
      property: "launchTemplate",
      message:
        "launchTemplate is not set; give the node group a launch template whose metadataOptions set httpTokens " +
        '"required" and httpPutResponseHopLimit 1 (or httpEndpoint "disabled"): without one, EKS launches the nodes ' +
        "from a template of its own with metadata defaults the stack does not pin, and with a hop limit above 1 or " +
        "tokens optional every pod can fetch the node role's credentials from 169.254.169.254.",
    },
  ];
}

/** `metadata-endpoint-aws-imds`: no workload on an EC2 host can fetch the instance role's credentials without a token. */
export const awsImdsRule: ResourceRule = {
  id: "metadata-endpoint-aws-imds",
  description:
    "EC2 instances, spot instance requests, launch templates, launch configurations and the account's IMDS defaults turn the metadata endpoint off, or require IMDSv2 tokens with a hop limit of 1; EKS managed node groups use a launch template.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "EC2 instances, spot instance requests, launch templates, launch configurations, `InstanceMetadataDefaults`: IMDS disabled, or tokens required and hop limit 1 (stricter than AWS's IMDSv2 guidance; the finding says why). EKS node groups: a `launchTemplate` (EKS's own template leaves the metadata options unpinned); the template is checked on its own resource, so one created outside the stack is not seen.",
  remediation: "Sets `httpTokens: required` and the hop limit to 1.",
  options: { maxHopLimit: MAX_HOP_LIMIT },
  checks: {
    "aws:ec2/instance:Instance": onOptions,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": onOptions,
    "aws:ec2/launchTemplate:LaunchTemplate": onOptions,
    "aws:ec2/launchConfiguration:LaunchConfiguration": onOptions,
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": checkImdsOptions(""),
    "aws:eks/nodeGroup:NodeGroup": checkEksNodeGroup,
  },
  remediations: {
    "aws:ec2/instance:Instance": fixOptions,
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": fixOptions,
    "aws:ec2/launchTemplate:LaunchTemplate": fixOptions,
    "aws:ec2/launchConfiguration:LaunchConfiguration": fixOptions,
    "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults": remediateImdsOptions(""),
  },
};
