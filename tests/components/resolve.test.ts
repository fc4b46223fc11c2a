import * as assert from "node:assert/strict";
import fc from "fast-check";
import { DEFAULT_HARDENING, InvalidArgsError, checkHardening, resolveHardening } from "../../components";

function issuesOf(spec: unknown): readonly string[] {
  try {
    resolveHardening(spec as never);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, `expected InvalidArgsError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail("expected the spec to be refused");
}

describe("resolveHardening", () => {
  it("gives the strictest settings for an empty spec", () => {
    for (const spec of [undefined, {}]) {
      assert.deepEqual(resolveHardening(spec), {
        metadataEndpoint: "blocked",
        workloadSubnet: "isolated",
        egress: { mode: "denyAll", tier: "firewall", allow: [] },
        sandbox: "runtime",
        hostIdentity: "none",
        ephemeral: { maxLifetimeHours: 24 },
      });
    }
    assert.ok(Object.isFrozen(DEFAULT_HARDENING));
  });

  it("keeps explicit weaker choices", () => {
    const r = resolveHardening({ metadataEndpoint: "tokenRequired", sandbox: "none", hostIdentity: "minimal", ephemeral: { maxLifetimeHours: 72 } });
    assert.equal(r.metadataEndpoint, "tokenRequired");
    assert.equal(r.sandbox, "none");
    assert.equal(r.hostIdentity, "minimal");
    assert.equal(r.ephemeral.maxLifetimeHours, 72);
  });

  it("normalises egress rules: case, canonical CIDRs, sorted ports, merged duplicates", () => {
    const r = resolveHardening({
      workloadSubnet: "private",
      egress: {
        mode: "allowList",
        allow: [
          { domain: "PyPI.org.", ports: [443, 80, 443], description: "packages" },
          { domain: "pypi.org", ports: [80, 443], description: "pip" },
          { domain: "*.PythonHosted.org" },
          { cidr: "2001:DB8:0:0::/32", protocol: "udp", ports: [53] },
        ],
      },
    });
    assert.deepEqual(r.egress.allow, [
      { kind: "domain", domain: "pypi.org", protocol: "tcp", ports: [80, 443], description: "packages; pip", except: [] },
      { kind: "domain", domain: "*.pythonhosted.org", protocol: "tcp", ports: [443], description: "", except: [] },
      { kind: "cidr", cidr: "2001:db8::/32", ipVersion: 6, protocol: "udp", ports: [53], description: "", except: [] },
    ]);
  });

  it("carves every metadata network out of a rule that covers it", () => {
    const r = resolveHardening({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "0.0.0.0/0" }, { cidr: "::/0" }] } });
    assert.deepEqual(r.egress.allow[0].except, ["169.254.0.0/16", "168.63.129.16/32", "100.100.100.200/32", "192.0.0.192/32"]);
    assert.deepEqual(r.egress.allow[1].except, ["fe80::/10", "fd00:ec2::254/128", "fd00:ec2::23/128", "fd20:ce::254/128", "fd00:42::42/128"]);
    const narrow = resolveHardening({ workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "100.64.0.0/10" }] } });
    assert.deepEqual(narrow.egress.allow[0].except, ["100.100.100.200/32"]);
  });

  it("refuses rules that name a metadata destination directly", () => {
    assert.deepEqual(
      issuesOf({
        workloadSubnet: "private",
        egress: {
          mode: "allowList",
          allow: [
            { cidr: "169.254.169.254/32" },
            { cidr: "fd00:ec2::254/128" },
            { domain: "Metadata.Google.Internal." },
            { domain: "169.254.169.254.nip.io" },
            { domain: "169.254.169.254" },
          ],
        },
      }),
      [
        'hardening.egress.allow[0].cidr "169.254.169.254/32" lies inside 169.254.0.0/16 (IPv4 link-local: AWS, GCP, Azure, OCI and DigitalOcean metadata and credential services), which workloads must never reach; remove the rule.',
        'hardening.egress.allow[1].cidr "fd00:ec2::254/128" lies inside fd00:ec2::254/128 (aws-imds), which workloads must never reach; remove the rule.',
        'hardening.egress.allow[2].domain "Metadata.Google.Internal." is the gcp-metadata metadata host; it can never be allowed. Remove the rule.',
        'hardening.egress.allow[3].domain "169.254.169.254.nip.io" is under nip.io, a wildcard-DNS service whose names resolve to any address, metadata included; it can never be allowed. Remove the rule.',
        'hardening.egress.allow[4].domain "169.254.169.254" is an IP address; put it in "cidr" as 169.254.169.254/32.',
      ],
    );
  });

  it("refuses wildcards that would cover a metadata host or a wildcard-DNS service, and CIDRs inside a metadata range", () => {
    assert.deepEqual(
      issuesOf({
        workloadSubnet: "private",
        egress: {
          mode: "allowList",
          allow: [
            { domain: "*.google.internal" },
            { domain: "*.internal" },
            { domain: "*.goog" },
            { domain: "*.io" },
            { cidr: "169.254.169.0/24" },
            { domain: "*.googleapis.com" },
          ],
        },
      }),
      [
        'hardening.egress.allow[0].domain "*.google.internal" covers "metadata.google.internal", which workloads must never reach; list the exact names under google.internal the workloads need instead of the wildcard.',
        'hardening.egress.allow[1].domain "*.internal" covers "instance-data.ec2.internal", "metadata.google.internal", which workloads must never reach; list the exact names under internal the workloads need instead of the wildcard.',
        'hardening.egress.allow[2].domain "*.goog" covers "metadata.goog", which workloads must never reach; list the exact names under goog the workloads need instead of the wildcard.',
        'hardening.egress.allow[3].domain "*.io" covers "*.nip.io", "*.sslip.io", "*.xip.io", which workloads must never reach; list the exact names under io the workloads need instead of the wildcard.',
        'hardening.egress.allow[4].cidr "169.254.169.0/24" lies inside 169.254.0.0/16 (IPv4 link-local: AWS, GCP, Azure, OCI and DigitalOcean metadata and credential services), which workloads must never reach; remove the rule.',
      ],
    );
  });

  it("reports every problem at once, with field, value and fix", () => {
    assert.deepEqual(
      issuesOf({
        metdataEndpoint: "blocked",
        metadataEndpoint: "off",
        egress: {
          mode: "allowList",
          tier: "basic",
          allow: [
            { domain: "pypi.org" },
            { cidr: "10.0.0.1/8", ports: [0, 443] },
            { cidr: "8.8.8.8/32", domain: "dns.google" },
          ],
        },
        ephemeral: { maxLifetimeHours: 0.5 },
      }),
      [
        'hardening.metdataEndpoint is not a field; did you mean "metadataEndpoint"?',
        'hardening.metadataEndpoint "off" is not one of "blocked", "tokenRequired".',
        'hardening.egress.allow[0].domain "pypi.org" needs a name-aware egress tier, but tier is "basic" (network rules match addresses only); set hardening.egress.tier to "dns" or "firewall", or use "cidr".',
        'hardening.egress.allow[0].domain "pypi.org" is unreachable from an isolated subnet; set hardening.workloadSubnet to "private" or remove the rule.',
        "hardening.egress.allow[1].ports[0] 0 must be a whole number from 1 to 65535.",
        'hardening.egress.allow[1].cidr "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?',
        'hardening.egress.allow[2] gives both "cidr" and "domain"; give exactly one.',
        "hardening.ephemeral.maxLifetimeHours 0.5 must be a whole number of hours from 1 to 8760.",
      ],
    );
  });

  it("refuses rules with denyAll and an empty allowList", () => {
    assert.deepEqual(issuesOf({ egress: { allow: [{ cidr: "10.0.0.0/8" }] } }), [
      'hardening.egress.allow lists 1 rule(s) but hardening.egress.mode is "denyAll", which would ignore them; set mode to "allowList" or remove the rules.',
    ]);
    assert.deepEqual(issuesOf({ egress: { mode: "allowList" } }), [
      'hardening.egress.allow is empty but hardening.egress.mode is "allowList"; add rules or set mode to "denyAll".',
    ]);
  });

  it("allows private destinations from an isolated subnet", () => {
    const r = resolveHardening({ egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "10.20.0.0/16", ports: [5432] }] } });
    assert.equal(r.egress.allow[0].cidr, "10.20.0.0/16");
  });

  it("never throws anything but InvalidArgsError, whatever the input", () => {
    fc.assert(
      fc.property(fc.anything(), (spec) => {
        const issues = checkHardening(spec as never);
        assert.ok(Array.isArray(issues));
        if (issues.length === 0) resolveHardening(spec as never);
        else assert.throws(() => resolveHardening(spec as never), InvalidArgsError);
      }),
    );
  });
});
