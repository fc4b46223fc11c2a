import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  Cidr,
  cidrContains,
  cidrOverlaps,
  formatCidr,
  forbiddenCidrs,
  forbiddenNetworks,
  INTERNAL_RANGES,
  lastOf,
  METADATA_NETWORKS,
  mustParseCidr,
  nat64Of,
  subtractCidrs,
} from "../../../components";

const v4 = (text: string) => mustParseCidr(text);
const holds = (set: readonly Cidr[], version: 4 | 6, address: bigint) =>
  set.some((c) => c.version === version && c.first <= address && address <= lastOf(c));

describe("egress proxy: refused ranges", () => {
  it("refuses every internal range and metadata network when nothing is listed", () => {
    const forbidden = forbiddenNetworks([]);
    for (const r of INTERNAL_RANGES) assert.ok(forbidden.some((f) => cidrContains(f, v4(r.cidr))), r.cidr);
    for (const m of METADATA_NETWORKS) assert.ok(forbidden.some((f) => cidrContains(f, m.parsed)), m.cidr);
    // A catalogued single outside every internal range is kept as it is (Azure's WireServer); one inside a range
    // (Alibaba's 100.100.100.200 in 100.64.0.0/10) is covered by the range.
    assert.ok(forbiddenCidrs([]).includes("168.63.129.16/32"));
    assert.ok(!forbiddenCidrs([]).includes("100.100.100.200/32"));
  });

  it("reopens a listed internal network, but never a metadata network inside it", () => {
    const forbidden = forbiddenCidrs([v4("10.0.0.0/8"), v4("169.254.0.0/16"), v4("0.0.0.0/0")]);
    assert.ok(!forbidden.includes("10.0.0.0/8"));
    assert.ok(forbidden.includes("169.254.0.0/16"));
    assert.deepEqual(
      forbidden.filter((c) => !c.includes(":")),
      ["100.100.100.200/32", "168.63.129.16/32", "169.254.0.0/16", "192.0.0.192/32"],
    );
  });

  it("carves a single listed address out of loopback and nothing more", () => {
    const forbidden = forbiddenNetworks([v4("127.0.0.1/32")]);
    const loopback = v4("127.0.0.0/8");
    const one = v4("127.0.0.1/32").first;
    for (let a = loopback.first; a <= loopback.first + 300n; a++) assert.equal(holds(forbidden, 4, a), a !== one, formatCidr({ version: 4, first: a, prefix: 32 }));
    assert.ok(holds(forbidden, 4, lastOf(loopback)));
  });

  it("refuses the NAT64 spelling of every refused IPv4 network", () => {
    assert.equal(formatCidr(nat64Of(v4("169.254.0.0/16"))), "64:ff9b::a9fe:0/112");
    const forbidden = forbiddenNetworks([]);
    for (const f of forbidden.filter((c) => c.version === 4)) assert.ok(forbidden.some((g) => cidrContains(g, nat64Of(f))), formatCidr(f));
    // A public IPv4 address through NAT64 stays reachable.
    assert.ok(!holds(forbidden, 6, nat64Of(v4("93.184.216.34/32")).first));
  });

  it("subtracts exactly: what is left is in `from` and in none of `remove`, and nothing else is lost", () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 8, max: 32 })).map(([hi, prefix]) => {
      const first = (BigInt(hi) << 16n) & ~((1n << BigInt(32 - prefix)) - 1n);
      return { version: 4 as const, first, prefix };
    });
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 4 }), fc.array(cidr, { maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 20, maxLength: 20 }), (from, remove, probes) => {
        const rest = subtractCidrs(from, remove);
        for (let i = 0; i < rest.length; i++) for (let j = i + 1; j < rest.length; j++) assert.ok(!cidrOverlaps(rest[i], rest[j]));
        const samples = [...from, ...remove].flatMap((c) => [c.first, lastOf(c)]).concat(probes.map((p) => BigInt(p) << 16n));
        for (const a of samples) assert.equal(holds(rest, 4, a), holds(from, 4, a) && !holds(remove, 4, a));
      }),
      { numRuns: 200 },
    );
  });
});
