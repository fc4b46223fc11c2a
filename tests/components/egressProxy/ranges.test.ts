import * as assert from "node:assert/strict";
import fc from "fast-check";
import {
  Cidr,
  cidrContains,
  cidrOverlaps,
  formatCidr,
  forbiddenCidrs,
  forbiddenForNames,
  forbiddenNetworks,
  INTERNAL_RANGES,
  lastOf,
  METADATA_NETWORKS,
  mustParseCidr,
  nat64Of,
  PROXY_SELF_RANGES,
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
      // "This host" and loopback are the proxy's own: listing them reopens nothing.
      ["0.0.0.0/8", "100.100.100.200/32", "127.0.0.0/8", "168.63.129.16/32", "169.254.0.0/16", "192.0.0.192/32"],
    );
  });

  it("carves a single listed address out of a private range and nothing more", () => {
    const forbidden = forbiddenNetworks([v4("10.1.2.3/32")]);
    const range = v4("10.1.2.0/24");
    const one = v4("10.1.2.3/32").first;
    for (let a = range.first; a <= range.first + 300n; a++) assert.equal(holds(forbidden, 4, a), a !== one, formatCidr({ version: 4, first: a, prefix: 32 }));
    assert.ok(holds(forbidden, 4, lastOf(v4("10.0.0.0/8"))));
  });

  it("never reopens loopback or the proxy's own addresses, whatever is listed", () => {
    const own = [v4("10.0.1.5/32")];
    const forbidden = forbiddenNetworks([v4("0.0.0.0/0"), v4("::/0"), v4("127.0.0.1/32")], own);
    for (const a of ["127.0.0.1/32", "0.0.0.0/32", "10.0.1.5/32", "::1/128", "::/128"]) assert.ok(forbidden.some((f) => cidrContains(f, v4(a))), a);
    assert.ok(!forbidden.some((f) => cidrContains(f, v4("10.0.1.6/32"))), "the rest of the listed network stays open to literals");
  });

  it("refuses every internal range to names, whatever the cidr rules list", () => {
    const names = forbiddenForNames([v4("10.0.1.5/32")]);
    assert.deepEqual(names, forbiddenCidrs([], [v4("10.0.1.5/32")]));
    for (const r of [...INTERNAL_RANGES.map((x) => x.cidr), ...PROXY_SELF_RANGES]) assert.ok(names.some((f) => cidrContains(v4(f), v4(r))), r);
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
