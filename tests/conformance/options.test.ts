/**
 * Conformance over every option of every component: each value of each spec field (read from the spec's own enum
 * objects) and each settings variant of each cloud (the settings' booleans and enums, read from the components'
 * own enum objects where they have one), planned by the root program under mocks and run through the pack's offline
 * evaluation. The package's own output must never violate one of its own mandatory rules.
 *
 * Configurations, per cloud: the defaults; every spec value alone; every settings variant alone (each with what the
 * variant needs from the spec); and SAMPLED random combinations of both, drawn by fast-check with a fixed seed, so
 * a failure reproduces. A combination the components refuse (InvalidArgsError, e.g. a Kubernetes domain rule without
 * Cilium or a proxy) is not planned; the test asserts that every spec value and every settings variant planned at
 * least once in each cloud, so no option goes untested because it is always refused.
 */
import * as assert from "node:assert/strict";
import * as fc from "fast-check";
import { InvalidArgsError } from "../../components/validation";
import { EgressMode, EgressProtocol, EgressTier, HostIdentityMode, MetadataEndpointMode, SandboxMode, WorkloadSubnetMode } from "../../components/spec";
import { auditResources } from "../../policy/evaluate";
import { toResourceInputs } from "../../cli/verdicts";
import { CLOUDS, type CloudName } from "../../program/environment";
import { planCloud } from "../../program/plan";
import { AwsInterfaceEndpoint, AwsL7Filter, FlowLogDestination } from "../../providers/aws/networkPlan";
import { GoogleApisVip } from "../../providers/gcp/googleApis";
import { KestraRunner } from "../../providers/kubernetes/kestraWorkerPlan";

type Json = Record<string, unknown>;

/**
 * Egress specs: deny-all, and an allow-list per tier with the rules that tier can enforce (every protocol; wildcard
 * names only where names are matched by DNS, since Cloud NGFW FQDN rules cannot match them), and an IPv6 allow-list,
 * which only the Kubernetes namespace can carry (the cloud worker networks are IPv4-only and refuse it by name).
 */
const v4Rules = [
  ...Object.values(EgressProtocol).map((protocol) => ({ cidr: "203.0.113.0/24", protocol, ports: [protocol === "udp" ? 123 : 443] })),
  { cidr: "0.0.0.0/0", ports: [443] },
];
const EGRESS: Record<string, Json> = {
  denyAll: { mode: EgressMode.DenyAll },
  ...Object.fromEntries(
    Object.values(EgressTier).map((tier) => [
      `allowList/${tier}`,
      {
        mode: EgressMode.AllowList,
        tier,
        allow: [
          ...v4Rules,
          ...(tier === EgressTier.Basic ? [] : [{ domain: "pypi.org" }, { domain: tier === EgressTier.Dns ? "*.githubusercontent.com" : "raw.githubusercontent.com", ports: [443, 80] }]),
        ],
      },
    ]),
  ),
  "allowList/ipv6": { mode: EgressMode.AllowList, tier: EgressTier.Basic, allow: [...v4Rules, { cidr: "::/0", ports: [443] }, { cidr: "2001:db8::/32", protocol: "udp", ports: [123] }] },
};

/** Spec values only some clouds accept (the others refuse them naming the field); coverage is asserted there only. */
const ONLY_IN: Readonly<Record<string, readonly CloudName[]>> = { "egress=allowList/ipv6": ["kubernetes"] };

/** Every spec field and its values; enum fields from the spec's own enum objects. */
const SPEC_AXES: Record<string, Record<string, unknown>> = {
  metadataEndpoint: Object.fromEntries(Object.values(MetadataEndpointMode).map((v) => [v, v])),
  workloadSubnet: Object.fromEntries(Object.values(WorkloadSubnetMode).map((v) => [v, v])),
  egress: EGRESS,
  sandbox: Object.fromEntries(Object.values(SandboxMode).map((v) => [v, v])),
  hostIdentity: Object.fromEntries(Object.values(HostIdentityMode).map((v) => [v, v])),
  ephemeral: { "1h": { maxLifetimeHours: 1 }, "24h": { maxLifetimeHours: 24 }, "168h": { maxLifetimeHours: 168 } },
};

/** A settings variant: the settings it adds, given the spec (some need a value the spec makes necessary). */
type Variant = (spec: Json) => Json;

const hasDomains = (spec: Json) => ((spec.egress as { allow?: { domain?: string }[] } | undefined)?.allow ?? []).some((r) => r.domain !== undefined);
const tierOf = (spec: Json) => (spec.egress as { tier?: string } | undefined)?.tier;
const minimal = (spec: Json) => spec.hostIdentity === HostIdentityMode.Minimal;

/** What each cloud needs for a spec to be plannable at all (the caller's identity for hostIdentity "minimal", ...). */
const REQUIRED: Record<CloudName, Variant> = {
  // Hosts (sandbox "none") take the caller's instance profile; Fargate tasks (the default, "runtime") its task role.
  // Network Firewall enforces domain rules only with TLS inspection: the CA is required (or acceptSniSpoofing).
  aws: (spec) => ({
    ...(hasDomains(spec) && tierOf(spec) === "firewall" ? { networkFirewall: { certificateAuthorityArn: CA_ARN } } : {}),
    ...(!minimal(spec)
      ? {}
      : spec.sandbox === SandboxMode.None
        ? { instanceProfileArn: "arn:aws:iam::123456789012:instance-profile/workers" }
        : { container: { image: "kestra/kestra:latest", taskRoleArn: "arn:aws:iam::123456789012:role/kestra-task" } }),
  }),
  gcp: (spec) => (minimal(spec) ? { serviceAccountEmail: "workers@my-project.iam.gserviceaccount.com" } : {}),
  azure: (spec) =>
    minimal(spec) ? { userAssignedIdentityId: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/workers" } : {},
  kubernetes: (spec) => ({ kestra: { apiServerCidrs: ["10.0.0.1/32"] }, ...(hasDomains(spec) ? { cilium: true } : {}) }),
};

const CA_ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
const SQUID_IMAGE = "ubuntu/squid@sha256:0000000000000000000000000000000000000000000000000000000000000000";

/** Every settings variant of each cloud: its booleans both ways and each value of its enums. */
const SETTINGS_AXES: Record<CloudName, Record<string, Variant>> = {
  aws: {
    ...Object.fromEntries([true, false].map((b) => [`singleNatGateway=${b}`, () => ({ singleNatGateway: b })])),
    ...Object.fromEntries([true, false].map((b) => [`accountMetadataDefaults=${b}`, () => ({ accountMetadataDefaults: b })])),
    ...Object.fromEntries([true, false].map((b) => [`endpoints.s3Gateway=${b}`, () => ({ endpoints: { s3Gateway: b } })])),
    "endpoints.interfaceServices=every": () => ({ endpoints: { s3Gateway: true, interfaceServices: Object.values(AwsInterfaceEndpoint) } }),
    ...Object.fromEntries(
      Object.values(FlowLogDestination).map((d) => [`flowLogs.destination=${d}`, () => ({ flowLogs: { destination: d, ...(d === FlowLogDestination.S3 ? { s3BucketArn: "arn:aws:s3:::flow-logs" } : {}) } })]),
    ),
    "flowLogs.enabled=false": () => ({ flowLogs: { enabled: false } }),
    ...Object.fromEntries(
      // The proxy replaces Network Firewall, so the CA it would need is dropped (the components refuse it unused).
      Object.values(AwsL7Filter).map((f) => [`l7Filter=${f}`, () => ({ l7Filter: f, ...(f === AwsL7Filter.EgressProxy ? { egressProxy: { imageId: "ami-0123456789abcdef0" }, networkFirewall: undefined } : {}) })]),
    ),
    "networkFirewall.acceptSniSpoofing": () => ({ networkFirewall: { certificateAuthorityArn: undefined, acceptSniSpoofing: true } }),
    ecsClusterName: () => ({ ecsClusterName: "workers" }),
  },
  gcp: {
    ...Object.fromEntries(Object.values(GoogleApisVip).map((v) => [`googleApisVip=${v}`, () => ({ googleApisVip: v })])),
    gke: () => ({ gke: { cluster: "workers", serviceAccountEmail: "gke-workers@my-project.iam.gserviceaccount.com" } }),
    "flowLogSampling=0.5": () => ({ flowLogSampling: 0.5 }),
    ...Object.fromEntries([true, false].map((b) => [`privateGoogleAccess=${b}`, () => ({ privateGoogleAccess: b })])),
    vpcServiceControls: () => ({ vpcServiceControls: { accessPolicy: "123456789", projectNumber: "987654321098" } }),
  },
  azure: {
    ...Object.fromEntries([true, false].map((b) => [`denyImdsServiceTag=${b}`, () => ({ denyImdsServiceTag: b })])),
    aks: () => ({ aks: { resourceGroupName: "rg", clusterName: "workers", vnetSubnetId: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/aks" } }),
  },
  kubernetes: {
    ...Object.fromEntries([true, false].map((b) => [`cilium=${b}`, (spec: Json) => ({ cilium: b || hasDomains(spec) })])),
    "dns.nodeLocalAddress": () => ({ dns: { nodeLocalAddress: "169.254.20.10" } }),
    "runtimeClass=existing kata": (spec) => (spec.sandbox === SandboxMode.None ? {} : { runtimeClass: { name: "kata" } }),
    "runtimeClass=created runsc": (spec) => (spec.sandbox === SandboxMode.None ? {} : { runtimeClass: { name: "gvisor", create: true, handler: "runsc", nodeSelector: { sandbox: "gvisor" } } }),
    ...Object.fromEntries(
      // The process runner needs no API access, so it drops the API server the other runner needs.
      Object.values(KestraRunner).map((r) => [`kestra.runner=${r}`, () => ({ kestra: r === KestraRunner.Process ? { runner: r, apiServerCidrs: undefined } : { runner: r, apiServerCidrs: ["10.0.0.1/32"] } })]),
    ),
    ...Object.fromEntries(["v1.34", "v1.35", "latest"].map((v) => [`podSecurityVersion=${v}`, () => ({ podSecurityVersion: v })])),
    "egressProxy.create": (spec) => (hasDomains(spec) && tierOf(spec) !== undefined ? { cilium: false, egressProxy: { create: { image: SQUID_IMAGE } } } : {}),
    namespace: () => ({ namespace: "custom-workers" }),
  },
};

/**
 * The spec values a settings variant needs, where it needs one (the components refuse it otherwise, naming both):
 * the proxy and the L7 filter act on domain rules of the firewall tier, an ECS cluster needs hosts whose agent has an
 * instance profile and IMDS, GKE nodes always run as a service account.
 */
const VARIANT_SPEC: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "egressProxy.create": { egress: "allowList/firewall" },
  ...Object.fromEntries(Object.values(AwsL7Filter).map((f) => [`l7Filter=${f}`, { egress: "allowList/firewall" }])),
  "networkFirewall.acceptSniSpoofing": { egress: "allowList/firewall" },
  ecsClusterName: { sandbox: SandboxMode.None, hostIdentity: HostIdentityMode.Minimal, metadataEndpoint: MetadataEndpointMode.TokenRequired },
  gke: { hostIdentity: HostIdentityMode.Minimal },
};

/** Deep merge of settings blocks (objects merge, everything else is replaced). */
function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === "object" && !Array.isArray(prev) && v && typeof v === "object" && !Array.isArray(v) ? merge(prev as Json, v as Json) : v;
  }
  return out;
}

interface Configuration {
  readonly label: string;
  readonly spec: Json;
  readonly variants: readonly string[];
  /** The spec values it exercises, as `field=value`. */
  readonly specValues: readonly string[];
}

/**
 * The strictest spec (the defaults) with the given field values. An allow-list needs a route out, so it comes with
 * `workloadSubnet: "private"` (the components refuse it on an isolated subnet, naming the field).
 */
function specOf(values: Readonly<Record<string, string>>): Json {
  const spec: Json = Object.fromEntries(Object.entries(values).map(([field, key]) => [field, SPEC_AXES[field][key]]));
  if ((spec.egress as Json | undefined)?.mode === EgressMode.AllowList) spec.workloadSubnet = WorkloadSubnetMode.Private;
  return spec;
}

function configurationsFor(cloud: CloudName): Configuration[] {
  const out: Configuration[] = [{ label: "defaults", spec: {}, variants: [], specValues: [] }];
  for (const [field, values] of Object.entries(SPEC_AXES)) {
    for (const key of Object.keys(values)) out.push({ label: `spec ${field}=${key}`, spec: specOf({ [field]: key }), variants: [], specValues: [`${field}=${key}`] });
  }
  for (const variant of Object.keys(SETTINGS_AXES[cloud])) {
    out.push({ label: `settings ${variant}`, spec: specOf(VARIANT_SPEC[variant] ?? {}), variants: [variant], specValues: [] });
  }
  // Random combinations: one value per spec field and up to three settings variants, from a fixed seed.
  const specArb = fc.record(Object.fromEntries(Object.entries(SPEC_AXES).map(([f, values]) => [f, fc.constantFrom(...Object.keys(values))])) as Record<string, fc.Arbitrary<string>>);
  const variantsArb = fc.uniqueArray(fc.constantFrom(...Object.keys(SETTINGS_AXES[cloud])), { maxLength: 3 });
  for (const [values, variants] of fc.sample(fc.tuple(specArb, variantsArb), { seed: SEED + CLOUDS.indexOf(cloud), numRuns: SAMPLED })) {
    const specValues = Object.entries(values).map(([f, k]) => `${f}=${k}`);
    out.push({ label: `sampled ${specValues.join(" ")}${variants.length ? ` + ${variants.join(", ")}` : ""}`, spec: specOf(values), variants, specValues });
  }
  return out;
}

/** The fixed seed of the sampled combinations, and how many per cloud. */
const SEED = 19;
const SAMPLED = 6;

const show = (vs: { policy: string; urn: string; property: string; message: string }[]) =>
  vs.map((v) => `${v.policy} ${v.urn.split("::").pop()} ${v.property}: ${v.message}`).join("\n");

describe("conformance: every option of every component passes the pack's mandatory rules", function () {
  this.timeout(600_000);
  let planned = 0;
  let refused = 0;
  for (const cloud of CLOUDS) {
    describe(cloud, () => {
      const configurations = configurationsFor(cloud);
      const plannedSpecValues = new Set<string>();
      const plannedVariants = new Set<string>();
      for (const c of configurations) {
        it(c.label, async () => {
          const settings = [REQUIRED[cloud], ...c.variants.map((v) => SETTINGS_AXES[cloud][v])].reduce<Json>((acc, f) => merge(acc, f(c.spec)), {});
          let plan;
          try {
            plan = await planCloud(cloud, { spec: c.spec, [cloud]: settings });
          } catch (e) {
            // A combination the components refuse creates nothing: nothing to judge. Each refusal names a field.
            if (!(e instanceof InvalidArgsError)) throw e;
            assert.ok(e.issues.length > 0 && e.issues.every((i) => /hardening[.:]/.test(i) || /^[a-z][A-Za-z.[\]0-9]* /.test(i)), e.message);
            refused++;
            return;
          }
          planned++;
          c.specValues.forEach((v) => plannedSpecValues.add(v));
          c.variants.forEach((v) => plannedVariants.add(v));
          if (c.specValues.length === 0 && Object.keys(c.spec).length === 0) plannedSpecValues.add("(defaults)");
          const violations = auditResources(toResourceInputs(plan.resources)).filter((v) => v.enforcementLevel === "mandatory");
          assert.equal(show(violations), "", `${cloud} ${c.label} with settings ${JSON.stringify(settings)} fails the pack`);
        });
      }
      it("planned every spec value and every settings variant at least once", () => {
        const specValues = Object.entries(SPEC_AXES)
          .flatMap(([f, values]) => Object.keys(values).map((k) => `${f}=${k}`))
          .filter((v) => ONLY_IN[v] === undefined || ONLY_IN[v].includes(cloud));
        assert.deepEqual(specValues.filter((v) => !plannedSpecValues.has(v)), [], "spec values never planned (always refused)");
        assert.deepEqual(Object.keys(SETTINGS_AXES[cloud]).filter((v) => !plannedVariants.has(v)), [], "settings variants never planned (always refused)");
      });
    });
  }
  after(() => {
    // The count, for the report: how many configurations ran through the pack and how many the components refused.
    console.log(`      conformance over options: ${planned} configurations planned and audited, ${refused} refused by the components`);
  });
});
