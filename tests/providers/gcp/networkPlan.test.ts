import * as assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidArgsError, metadataCidrs, type HardeningSpec } from "../../../components";
import { gcpNetworkControls } from "../../../providers/gcp/controls";
import { subnetworkArgsFor } from "../../../providers/gcp/mappings";
import { GcpFirewallRulePlan, MAX_FQDNS_PER_RULE, planGcpWorkerNetwork } from "../../../providers/gcp/networkPlan";

const BASE = { region: "europe-west1" };
const plan = (hardening?: HardeningSpec, extra: object = {}) => planGcpWorkerNetwork("w", { ...BASE, ...extra, hardening });

/** The rules every plan has, whatever the tier: the catch-alls, the metadata hygiene denies and the Google VIP. */
const ALWAYS: GcpFirewallRulePlan[] = [
  {
    key: "deny-all",
    action: "deny",
    priority: 65534,
    protocol: "all",
    ports: [],
    destinationRanges: ["0.0.0.0/0"],
    targetTags: [],
    description: "Deny all IPv4 egress not allowed above (the allow-list). Does not apply to the metadata server, which GCP always allows.",
  },
  {
    key: "deny-all-v6",
    action: "deny",
    priority: 65534,
    protocol: "all",
    ports: [],
    destinationRanges: ["::/0"],
    targetTags: [],
    description: "Deny all IPv6 egress.",
  },
  {
    key: "deny-metadata",
    action: "deny",
    priority: 900,
    protocol: "all",
    ports: [],
    destinationRanges: metadataCidrs(4),
    targetTags: [],
    description: "Deny link-local and metadata ranges above every allow. GCP still always allows its own metadata server.",
  },
  {
    key: "deny-metadata-v6",
    action: "deny",
    priority: 900,
    protocol: "all",
    ports: [],
    destinationRanges: metadataCidrs(6),
    targetTags: [],
    description: "Deny IPv6 link-local and metadata ranges above every allow.",
  },
  {
    key: "allow-google-apis",
    action: "allow",
    priority: 1000,
    protocol: "tcp",
    ports: ["443"],
    destinationRanges: ["199.36.153.4/30"],
    targetTags: ["w-worker"],
    description: "Allow HTTPS to Google APIs through restricted.googleapis.com (Private Google Access).",
  },
];

describe("planGcpWorkerNetwork", () => {
  it("denyAll (the default): no NAT, no route (Private Google Access off), the fixed rules, a DNS sink, no FQDN policy", () => {
    const p = plan();
    assert.equal(p.subnetCidr, "10.42.0.0/19");
    assert.equal(p.workerTag, "w-worker");
    assert.equal(p.nat, false);
    assert.equal(p.privateGoogleAccess, false);
    assert.deepEqual(p.routes, []);
    assert.deepEqual(p.firewallRules, ALWAYS.filter((r) => r.key !== "allow-google-apis"));
    // Asked for, Private Google Access brings the VIP route and its allow back.
    assert.deepEqual(plan(undefined, { privateGoogleAccess: true }).routes, [
      { key: "route-google-apis", destRange: "199.36.153.4/30", tags: ["w-worker"], priority: 1000, description: "Google APIs through restricted.googleapis.com; the default route was deleted at network creation." },
    ]);
    assert.deepEqual(plan(undefined, { privateGoogleAccess: true }).firewallRules, ALWAYS);
    assert.deepEqual(p.fqdnRules, []);
    // The sink is last and answers everything not bypassed; the Google zones and .internal are bypassed.
    assert.deepEqual(
      p.dnsRules.map((r) => [r.dnsName, r.behavior ?? "local"]),
      [
        ["googleapis.com.", "bypassResponsePolicy"],
        ["*.googleapis.com.", "bypassResponsePolicy"],
        ["pkg.dev.", "bypassResponsePolicy"],
        ["*.pkg.dev.", "bypassResponsePolicy"],
        ["gcr.io.", "bypassResponsePolicy"],
        ["*.gcr.io.", "bypassResponsePolicy"],
        ["internal.", "bypassResponsePolicy"],
        ["*.internal.", "bypassResponsePolicy"],
        ["*.", "local"],
      ],
    );
    assert.deepEqual(p.dnsRules.at(-1)!.localData, [
      { name: "*.", type: "A", ttl: 300, rrdatas: ["192.0.2.1"] },
      { name: "*.", type: "AAAA", ttl: 300, rrdatas: ["100::1"] },
    ]);
  });

  it("privateGoogleAccess false: no Google APIs route, allow or private zone; the subnet has Private Google Access off", () => {
    const plan = planGcpWorkerNetwork("w", { region: "europe-west1", privateGoogleAccess: false });
    assert.equal(plan.privateGoogleAccess, false);
    assert.deepEqual(plan.routes, []);
    assert.equal(plan.firewallRules.some((r) => r.key === "allow-google-apis" || r.action === "allow"), false);
    assert.deepEqual(plan.privateZones, []);
    assert.equal(subnetworkArgsFor(plan, "net").privateIpGoogleAccess, false);
    const ids = gcpNetworkControls(plan).map((c) => `${c.id}:${c.effective}`);
    assert.ok(ids.includes("gcp-private-google-access-off:true") && !ids.some((i) => i.startsWith("gcp-google-apis-other-project")), ids.join(" "));
    // It is the denyAll default; asked for, it is on, and the report says another project's resources stay
    // reachable through the VIP.
    assert.equal(planGcpWorkerNetwork("w", { region: "europe-west1" }).privateGoogleAccess, false);
    const on = planGcpWorkerNetwork("w", { region: "europe-west1", privateGoogleAccess: true });
    assert.equal(subnetworkArgsFor(on, "net").privateIpGoogleAccess, true);
    assert.ok(gcpNetworkControls(on).some((c) => c.id === "gcp-google-apis-other-project" && !c.effective));
    assert.throws(() => planGcpWorkerNetwork("w", { region: "europe-west1", privateGoogleAccess: "no" as never }), /privateGoogleAccess "no" must be true or false/);
  });

  it("the Google private zones point at the chosen VIP", () => {
    const restricted = plan(undefined, { privateGoogleAccess: true }).privateZones;
    assert.deepEqual(restricted[0], {
      key: "zone-googleapis-com",
      dnsName: "googleapis.com.",
      description: "googleapis.com through restricted.googleapis.com, visible to the worker network only",
      records: [
        { name: "restricted.googleapis.com.", type: "A", ttl: 300, rrdatas: ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"] },
        { name: "*.googleapis.com.", type: "CNAME", ttl: 300, rrdatas: ["restricted.googleapis.com."] },
      ],
    });
    assert.deepEqual(restricted[1].records, [
      { name: "pkg.dev.", type: "A", ttl: 300, rrdatas: ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"] },
      { name: "*.pkg.dev.", type: "CNAME", ttl: 300, rrdatas: ["pkg.dev."] },
    ]);
    assert.deepEqual(restricted.map((z) => z.dnsName), ["googleapis.com.", "pkg.dev.", "gcr.io."]);
    const priv = plan(undefined, { googleApisVip: "private", privateGoogleAccess: true });
    assert.equal(priv.routes[0].destRange, "199.36.153.8/30");
    assert.deepEqual(priv.firewallRules.find((r) => r.key === "allow-google-apis")!.destinationRanges, ["199.36.153.8/30"]);
    assert.deepEqual(priv.privateZones[0].records[0].rrdatas, ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"]);
  });

  it("basic: NAT with a tag-scoped default route, one allow per CIDR rule, no DNS allow-list", () => {
    const p = plan({
      workloadSubnet: "private",
      egress: {
        mode: "allowList",
        tier: "basic",
        allow: [
          { cidr: "203.0.113.0/24", ports: [443, 80], description: "mirror" },
          { cidr: "198.51.100.7/32", protocol: "udp", ports: [123] },
        ],
      },
    });
    assert.equal(p.nat, true);
    assert.deepEqual(p.routes[1], {
      key: "route-nat",
      destRange: "0.0.0.0/0",
      tags: ["w-worker"],
      priority: 1000,
      description: "Default route for Cloud NAT, workers only; egress is filtered by the firewall allow-list.",
    });
    assert.deepEqual(p.firewallRules, [
      ...ALWAYS,
      { key: "allow-1", action: "allow", priority: 1000, protocol: "tcp", ports: ["80", "443"], destinationRanges: ["203.0.113.0/24"], targetTags: ["w-worker"], description: "mirror" },
      { key: "allow-2", action: "allow", priority: 1000, protocol: "udp", ports: ["123"], destinationRanges: ["198.51.100.7/32"], targetTags: ["w-worker"], description: "Allow udp/123 to 198.51.100.7/32" },
    ]);
    assert.deepEqual(p.dnsRules, []);
    assert.deepEqual(p.fqdnRules, []);
  });

  it("an isolated subnet with private-range rules gets no NAT and no default route", () => {
    const p = plan({ egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "10.0.0.0/8", ports: [5432] }] } });
    assert.equal(p.nat, false);
    assert.deepEqual(p.routes.map((r) => r.destRange), ["199.36.153.4/30"]);
  });

  it("dns: names resolve through bypass rules, their ports are open to any address, everything else is sunk", () => {
    const p = plan({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }, { domain: "*.PythonHosted.org" }, { domain: "ghcr.io", ports: [443] }] },
    });
    assert.deepEqual(p.firewallRules.slice(ALWAYS.length), [
      {
        key: "allow-named-1",
        action: "allow",
        priority: 1000,
        protocol: "tcp",
        ports: ["443"],
        destinationRanges: ["0.0.0.0/0"],
        targetTags: ["w-worker"],
        description: "Allow tcp/443 for names the DNS allow-list resolves: pypi.org, *.pythonhosted.org, ghcr.io",
      },
    ]);
    const allowed = p.dnsRules.filter((r) => r.ruleName.startsWith("allow-"));
    assert.deepEqual(allowed, [
      { key: "dns-allow-pypi-org", ruleName: "allow-pypi-org", dnsName: "pypi.org.", behavior: "bypassResponsePolicy" },
      { key: "dns-allow-wildcard-pythonhosted-org", ruleName: "allow-wildcard-pythonhosted-org", dnsName: "*.pythonhosted.org.", behavior: "bypassResponsePolicy" },
      { key: "dns-allow-ghcr-io", ruleName: "allow-ghcr-io", dnsName: "ghcr.io.", behavior: "bypassResponsePolicy" },
    ]);
    assert.equal(p.dnsRules.at(-1)!.dnsName, "*.");
    assert.deepEqual(p.fqdnRules, []);
  });

  it("firewall: FQDN rules grouped by protocol and ports, no 0.0.0.0/0 allow, plus the DNS allow-list", () => {
    const p = plan({
      workloadSubnet: "private",
      egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }, { domain: "files.pythonhosted.org" }, { domain: "git.example.com", ports: [22, 443] }] },
    });
    assert.deepEqual(p.fqdnRules, [
      { key: "fqdn-allow-1", priority: 1001, fqdns: ["pypi.org", "files.pythonhosted.org"], protocol: "tcp", ports: ["443"], description: "Allow tcp/443 to the allow-listed names" },
      { key: "fqdn-allow-2", priority: 1002, fqdns: ["git.example.com"], protocol: "tcp", ports: ["22", "443"], description: "Allow tcp/22,443 to the allow-listed names" },
    ]);
    assert.deepEqual(p.firewallRules, ALWAYS);
    assert.deepEqual(
      p.fqdnPolicyDenies.map((r) => [r.key, r.priority, r.destIpRanges]),
      [
        ["fqdn-deny-metadata", 900, metadataCidrs(4)],
        ["fqdn-deny-metadata-v6", 900, metadataCidrs(6)],
      ],
    );
    assert.ok(p.dnsRules.some((r) => r.dnsName === "pypi.org."));
    assert.deepEqual(plan().fqdnPolicyDenies, [], "no policy, no policy rules");
  });

  it("splits more than 100 names into several FQDN rules (the compute API's per-rule limit)", () => {
    const allow = Array.from({ length: 205 }, (_, i) => ({ domain: `h${i}.example.com` }));
    const p = plan({ workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow } });
    assert.deepEqual(p.fqdnRules.map((r) => r.fqdns.length), [MAX_FQDNS_PER_RULE, MAX_FQDNS_PER_RULE, 5]);
    assert.deepEqual(p.fqdnRules.flatMap((r) => r.fqdns), allow.map((a) => a.domain));
  });

  it("lists every problem at once: name, region, VIP, sampling, CIDR and the spec", () => {
    let err: unknown;
    try {
      planGcpWorkerNetwork("Bad_Name", {
        region: "europe",
        networkCidr: "10.0.0.0/8",
        googleApisVip: "public" as never,
        flowLogSampling: 0,
        hardening: { metadataEndpoint: "open" as never },
      });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof InvalidArgsError);
    assert.deepEqual(err.issues, [
      `name "Bad_Name" must be 1-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen (GCE resource names, with Pulumi's suffix, must fit 63 characters).`,
      `region "europe" is not a GCP region; expected a name such as "europe-west1".`,
      `googleApisVip "public" is not one of "restricted", "private".`,
      `flowLogSampling 0 must be a number greater than 0 and at most 1.`,
      `hardening.metadataEndpoint "open" is not one of "blocked", "tokenRequired".`,
      `networkCidr "10.0.0.0/8" must have a prefix from /16 to /24.`,
    ]);
  });

  it("refuses IPv6 CIDR rules and wildcard names in the firewall tier, with the fix", () => {
    assert.throws(
      () =>
        plan({
          workloadSubnet: "private",
          egress: { mode: "allowList", tier: "firewall", allow: [{ cidr: "2001:db8::/32" }, { domain: "*.example.com" }] },
        }),
      (e: unknown) =>
        e instanceof InvalidArgsError &&
        e.issues.length === 2 &&
        e.issues[0].includes("is IPv6, but the GCP worker subnetwork is IPv4-only") &&
        e.issues[1].includes(`"*.example.com" is a wildcard`) &&
        e.issues[1].includes(`set hardening.egress.tier to "dns"`),
    );
  });

  it("property: every CIDR rule becomes exactly one worker-scoped allow, and nothing else allows more", () => {
    const octet = fc.integer({ min: 1, max: 223 }).filter((o) => o !== 10 && o !== 127 && o !== 169 && o !== 172 && o !== 192 && o !== 100);
    const rule = fc.record({ a: octet, b: fc.integer({ min: 0, max: 255 }), port: fc.integer({ min: 1, max: 65535 }) });
    fc.assert(
      fc.property(fc.uniqueArray(rule, { minLength: 1, maxLength: 8, selector: (r) => `${r.a}.${r.b}|${r.port}` }), (rules) => {
        const allow = rules.map((r) => ({ cidr: `${r.a}.${r.b}.0.0/16`, ports: [r.port] }));
        const p = plan({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow } });
        const allows = p.firewallRules.filter((r) => r.action === "allow" && r.key !== "allow-google-apis");
        assert.deepEqual(
          allows.map((r) => [r.destinationRanges, r.ports, r.targetTags]),
          allow.map((a) => [[a.cidr], [String(a.ports[0])], ["w-worker"]]),
        );
        // Every allow sits below the metadata denies and above the catch-all.
        for (const r of allows) assert.ok(r.priority > 900 && r.priority < 65534);
      }),
      { numRuns: 50 },
    );
  });
});

describe("planGcpWorkerNetwork DNS sink, every tier", () => {
  const allow = [{ domain: "pypi.org" }, { cidr: "203.0.113.0/24" }];
  const tiers: [string, HardeningSpec][] = [
    ["denyAll", {}],
    ["basic", { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } }],
    ["dns", { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow } }],
    ["firewall", { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow } }],
  ];
  for (const [tier, hardening] of tiers) {
    it(`${tier}: ${tier === "basic" ? "no response policy (the report says DNS tunnelling stays open)" : "every other name answers addresses nothing routes, never 0.0.0.0 or ::"}`, () => {
      const plan = planGcpWorkerNetwork("w", { region: "europe-west1", hardening });
      const sink = plan.dnsRules.find((r) => r.key === "dns-sink-all");
      if (tier === "basic") {
        assert.equal(sink, undefined);
        return;
      }
      assert.deepEqual(sink?.localData?.map((d) => [d.type, d.rrdatas]), [["A", ["192.0.2.1"]], ["AAAA", ["100::1"]]]);
    });
  }
});
