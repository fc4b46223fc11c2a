/**
 * IPv6 addresses that reach an IPv4 endpoint: the transition and translation formats that carry an IPv4 address
 * inside an IPv6 one, each a way a host or a NAT64 gateway reaches 169.254.169.254 through IPv6.
 */
import { classifyIpv4, classifyIpv6, Verdict } from "./catalogue";

/** What an IPv6 address refers to and how it carries it. */
export interface Ipv6Verdict extends Verdict {
  readonly spelling: string;
}

interface Embedding {
  readonly name: string;
  readonly matches: (g: readonly number[]) => boolean;
  readonly ipv4: (g: readonly number[]) => number;
}

const low32 = (g: readonly number[]): number => ((g[6] << 16) >>> 0) + g[7];
const zero = (g: readonly number[], from: number, to: number): boolean => g.slice(from, to).every((x) => x === 0);

// RFC 6052 section 2.2: where the IPv4 address sits for each NAT64 prefix length (bits 64-71, the "u" octet, are
// skipped). The local-use prefix 64:ff9b:1::/48 (RFC 8215) lets an operator pick any of these lengths inside it.
function bitsAt(g: readonly number[], bit: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const b = bit + i;
    v = v * 2 + ((g[b >> 4] >> (15 - (b & 15))) & 1);
  }
  return v;
}
const rfc6052 = (prefix: number) => (g: readonly number[]): number => {
  if (prefix === 96) return low32(g);
  if (prefix === 64) return bitsAt(g, 72, 32);
  const before = 64 - prefix;
  return bitsAt(g, prefix, before) * 2 ** (32 - before) + bitsAt(g, 72, 32 - before);
};

const EMBEDDINGS: readonly Embedding[] = [
  // RFC 4291 2.5.5.2: ::ffff:a.b.c.d, the form every dual-stack socket uses for IPv4 peers.
  { name: "IPv4-mapped IPv6", matches: (g) => zero(g, 0, 5) && g[5] === 0xffff, ipv4: low32 },
  // RFC 4291 2.5.5.1 (deprecated, still parsed): ::a.b.c.d.
  { name: "IPv4-compatible IPv6", matches: (g) => zero(g, 0, 6), ipv4: low32 },
  // RFC 2765 SIIT: ::ffff:0:a.b.c.d.
  { name: "IPv4-translated IPv6", matches: (g) => zero(g, 0, 4) && g[4] === 0xffff && g[5] === 0, ipv4: low32 },
  // RFC 6052: the well-known NAT64 prefix 64:ff9b::/96.
  { name: "NAT64 (64:ff9b::/96) IPv6", matches: (g) => g[0] === 0x64 && g[1] === 0xff9b && zero(g, 2, 6), ipv4: low32 },
  // RFC 8215 local-use NAT64 64:ff9b:1::/48, for each RFC 6052 prefix length.
  ...[48, 56, 64, 96].map((prefix): Embedding => ({
    name: `local-use NAT64 (64:ff9b:1::/${prefix}) IPv6`,
    matches: (g) => g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1,
    ipv4: rfc6052(prefix),
  })),
  // RFC 3056 6to4: 2002:AABB:CCDD::/48 carries the IPv4 address in bits 16-47.
  { name: "6to4 (2002::/16) IPv6", matches: (g) => g[0] === 0x2002, ipv4: (g) => ((g[1] << 16) >>> 0) + g[2] },
  // RFC 4380 Teredo 2001:0::/32: the client's IPv4 address, bit-inverted, in the last 32 bits.
  { name: "Teredo (2001::/32) IPv6", matches: (g) => g[0] === 0x2001 && g[1] === 0, ipv4: (g) => (~low32(g)) >>> 0 },
];

/**
 * The most severe thing an IPv6 address reaches: a catalogued IPv6 endpoint, an IPv4 endpoint carried inside it,
 * or link-local space; undefined when none.
 */
export function judgeIpv6(groups: readonly number[]): Ipv6Verdict | undefined {
  const direct = classifyIpv6(groups);
  if (direct?.severity === "error") return { ...direct, spelling: "IPv6" };
  let best: Ipv6Verdict | undefined = direct ? { ...direct, spelling: "link-local IPv6" } : undefined;
  for (const e of EMBEDDINGS) {
    if (!e.matches(groups)) continue;
    const v4 = classifyIpv4(e.ipv4(groups));
    if (!v4) continue;
    if (v4.severity === "error") return { ...v4, spelling: e.name };
    if (!best) best = { ...v4, spelling: e.name };
  }
  return best;
}
