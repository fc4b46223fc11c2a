import * as assert from "node:assert/strict";
import fc from "fast-check";
import { cidrContains, cidrOverlaps, InvalidArgsError, ipv6SubnetCidr, mustParseCidr, planSubnets } from "../../../components";

describe("planSubnets", () => {
  const cases = [
    { cidr: "10.42.0.0/16", zones: 2, egress: false, firewall: false, expect: ["workload-1 10.42.0.0/19", "workload-2 10.42.32.0/19"] },
    {
      cidr: "10.42.0.0/16", zones: 3, egress: true, firewall: true,
      expect: [
        "workload-1 10.42.0.0/19", "workload-2 10.42.32.0/19", "workload-3 10.42.64.0/19",
        "egress-1 10.42.128.0/24", "egress-2 10.42.129.0/24", "egress-3 10.42.130.0/24",
        "firewall-1 10.42.192.0/24", "firewall-2 10.42.193.0/24", "firewall-3 10.42.194.0/24",
      ],
    },
    {
      cidr: "192.168.10.0/24", zones: 2, egress: true, firewall: false,
      expect: ["workload-1 192.168.10.0/27", "workload-2 192.168.10.32/27", "egress-1 192.168.10.128/28", "egress-2 192.168.10.144/28"],
    },
    {
      cidr: "172.16.0.0/20", zones: 6, egress: true, firewall: false,
      expect: [
        "workload-1 172.16.0.0/24", "workload-2 172.16.1.0/24", "workload-3 172.16.2.0/24",
        "workload-4 172.16.3.0/24", "workload-5 172.16.4.0/24", "workload-6 172.16.5.0/24",
        "egress-1 172.16.8.0/25", "egress-2 172.16.8.128/25", "egress-3 172.16.9.0/25",
        "egress-4 172.16.9.128/25", "egress-5 172.16.10.0/25", "egress-6 172.16.10.128/25",
      ],
    },
  ];
  for (const c of cases) {
    it(`splits ${c.cidr} into ${c.zones} zones (egress ${c.egress}, firewall ${c.firewall})`, () => {
      const plan = planSubnets({ networkCidr: c.cidr, zoneCount: c.zones, egressSubnets: c.egress, firewallSubnets: c.firewall });
      assert.deepEqual(plan.subnets.map((s) => `${s.key} ${s.cidr}`), c.expect);
    });
  }

  it("refuses bad arguments, every problem at once", () => {
    assert.throws(
      () => planSubnets({ networkCidr: "10.0.0.0/33", zoneCount: 0 }),
      (e: unknown) => {
        assert.ok(e instanceof InvalidArgsError);
        assert.deepEqual(e.issues, [
          'networkCidr "10.0.0.0/33" has a prefix length outside 0-32.',
          "zoneCount 0 must be a whole number from 1 to 6.",
        ]);
        return true;
      },
    );
    assert.throws(() => planSubnets({ networkCidr: "10.0.0.0/8", zoneCount: 2 }), /must have a prefix from \/16 to \/24/);
    assert.throws(() => planSubnets({ networkCidr: "fd00::/48", zoneCount: 2 }), /must be IPv4/);
    assert.throws(
      () => planSubnets({ networkCidr: "10.0.0.0/24", zoneCount: 6, egressSubnets: true }),
      /is too small for 6 zones with egress subnets: each \/28 takes a slot of a \/26 quarter that holds 4; use a \/23 or larger/,
    );
  });

  const args = fc.record({
    prefix: fc.integer({ min: 16, max: 24 }),
    base: fc.integer({ min: 0, max: 0xffffffff }),
    zones: fc.integer({ min: 1, max: 6 }),
    egress: fc.boolean(),
    firewall: fc.boolean(),
  });
  const toArgs = (a: { prefix: number; base: number; zones: number; egress: boolean; firewall: boolean }) => {
    const masked = (a.base >>> (32 - a.prefix)) << (32 - a.prefix) >>> 0;
    const ip = [24, 16, 8, 0].map((s) => (masked >>> s) & 255).join(".");
    return { networkCidr: `${ip}/${a.prefix}`, zoneCount: a.zones, egressSubnets: a.egress, firewallSubnets: a.firewall };
  };
  const tryPlan = (a: ReturnType<typeof toArgs>) => {
    try {
      return planSubnets(a);
    } catch (e) {
      assert.ok(e instanceof InvalidArgsError && /too small/.test(e.message), String(e));
      return undefined;
    }
  };

  it("property: subnets never overlap and all lie inside the network", () => {
    fc.assert(
      fc.property(args, (a) => {
        const plan = tryPlan(toArgs(a));
        if (!plan) return;
        const net = mustParseCidr(plan.networkCidr);
        const parsed = plan.subnets.map((s) => mustParseCidr(s.cidr));
        parsed.forEach((p, i) => {
          assert.ok(cidrContains(net, p), `${plan.subnets[i].cidr} outside ${plan.networkCidr}`);
          assert.ok(p.prefix <= 28, `${plan.subnets[i].cidr} smaller than /28`);
          for (let j = i + 1; j < parsed.length; j++) assert.ok(!cidrOverlaps(p, parsed[j]), `${plan.subnets[i].cidr} overlaps ${plan.subnets[j].cidr}`);
        });
        assert.equal(new Set(plan.subnets.map((s) => s.ipv6Index)).size, plan.subnets.length);
      }),
    );
  });

  it("property: stable under re-planning, and tiers never move workload subnets", () => {
    fc.assert(
      fc.property(args, (a) => {
        const full = tryPlan(toArgs(a));
        if (!full) return;
        assert.deepEqual(planSubnets(toArgs(a)), full);
        const bare = planSubnets({ ...toArgs(a), egressSubnets: false, firewallSubnets: false });
        for (const s of bare.subnets) assert.deepEqual(full.subnets.find((f) => f.key === s.key), s);
        const fewer = tryPlan({ ...toArgs(a), zoneCount: Math.max(1, a.zones - 1) });
        // Within the same slot bucket (<= 4 or > 4 zones) removing a zone keeps every other subnet where it was.
        if (fewer && (a.zones <= 4) === (Math.max(1, a.zones - 1) <= 4)) {
          for (const s of fewer.subnets) assert.deepEqual(full.subnets.find((f) => f.key === s.key), s);
        }
      }),
    );
  });
});

describe("ipv6SubnetCidr", () => {
  it("numbers /64s inside a /56", () => {
    assert.equal(ipv6SubnetCidr("2600:1f18:abc:de00::/56", 0), "2600:1f18:abc:de00::/64");
    assert.equal(ipv6SubnetCidr("2600:1f18:abc:de00::/56", 9), "2600:1f18:abc:de09::/64");
    assert.equal(ipv6SubnetCidr("2600:1f18:abc:de00::/56", 255), "2600:1f18:abc:deff::/64");
    assert.throws(() => ipv6SubnetCidr("2600:1f18:abc:de00::/56", 256), /does not fit/);
    assert.throws(() => ipv6SubnetCidr("10.0.0.0/16", 1), /not an IPv6 network/);
  });
});

describe("every network component refuses a worker network over a reserved range", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planAwsWorkerNetwork } = require("../../../providers/aws/networkPlan") as typeof import("../../../providers/aws/networkPlan");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planGcpWorkerNetwork } = require("../../../providers/gcp/networkPlan") as typeof import("../../../providers/gcp/networkPlan");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planAzureWorkerNetwork } = require("../../../providers/azure/networkPlan") as typeof import("../../../providers/azure/networkPlan");
  const plans: Record<string, (cidr: string) => unknown> = {
    aws: (cidr) => planAwsWorkerNetwork({ cidr }),
    gcp: (cidr) => planGcpWorkerNetwork("w", { region: "europe-west1", networkCidr: cidr }),
    azure: (cidr) => planAzureWorkerNetwork({ location: "westeurope", networkCidr: cidr }),
  };
  for (const [cloud, plan] of Object.entries(plans)) {
    it(`${cloud}: the metadata range and loopback are refused, naming the field; a private range plans`, () => {
      for (const cidr of ["169.254.0.0/16", "127.0.0.0/16"]) {
        assert.throws(() => plan(cidr), (e: unknown) => e instanceof InvalidArgsError && e.issues.some((i) => i.includes(`"${cidr}" overlaps`) && i.includes('use a private range such as "10.42.0.0/16"')), `${cloud} ${cidr}`);
      }
      assert.doesNotThrow(() => plan("10.42.0.0/16"));
    });
  }
});
