/**
 * CIDR arithmetic on IPv4 and IPv6 networks, as plain data. Parsing is ipaddr.js's (strict: it refuses the
 * octal and short forms that `inet_aton` accepts, which have no place in an allow-list); the arithmetic is BigInt so
 * one code path serves both families.
 */
import * as ipaddr from "ipaddr.js";

/** A parsed network. `first` is the network address as an integer. */
export interface Cidr {
  readonly version: 4 | 6;
  readonly first: bigint;
  readonly prefix: number;
}

/** Bits in an address of the given family. */
export function bitsOf(version: 4 | 6): number {
  return version === 4 ? 32 : 128;
}

function toBigInt(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  const bytes = addr.toByteArray();
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** Formats an integer address of the given family in its canonical text form (IPv6 compressed, lower case). */
export function formatAddress(version: 4 | 6, n: bigint): string {
  const bytes: number[] = [];
  for (let i = 0; i < bitsOf(version) / 8; i++) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** True when `text` is a strict IPv4 dotted quad or an IPv6 address (no zone id). */
export function isIpAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || (ipaddr.IPv6.isValid(text) && !text.includes("%"));
}

/** Parses a plain address into an integer; undefined when it is not a strict address. */
export function parseAddress(text: string): { version: 4 | 6; value: bigint } | undefined {
  if (!isIpAddress(text)) return undefined;
  const addr = ipaddr.parse(text);
  return { version: addr.kind() === "ipv4" ? 4 : 6, value: toBigInt(addr) };
}

/** Result of {@link parseCidr}: the network, or why the text is not one. */
export type ParsedCidr = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/**
 * Parses `a.b.c.d/n` or `x:y::/n`. Refuses host bits set below the prefix (`10.0.0.1/8`), because a firewall
 * rule written that way usually means the author had a single host in mind.
 */
export function parseCidr(text: string): ParsedCidr {
  const slash = text.indexOf("/");
  if (slash < 0) return { ok: false, reason: "has no /prefix length" };
  const addrText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const address = parseAddress(addrText);
  if (!address) return { ok: false, reason: "is not an IPv4 (a.b.c.d/n) or IPv6 (x:y::/n) network" };
  const bits = bitsOf(address.version);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, reason: `has a prefix length outside 0-${bits}` };
  }
  const prefix = Number(prefixText);
  const cidr: Cidr = { version: address.version, first: address.value, prefix };
  const masked = address.value & maskOf(cidr);
  if (masked !== address.value) {
    return { ok: false, reason: `has host bits set; did you mean ${formatCidr({ ...cidr, first: masked })}?` };
  }
  return { ok: true, cidr };
}

/** Parses a CIDR the caller knows to be valid (catalogue constants); throws otherwise. */
export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`internal: ${text} ${parsed.reason}`);
  return parsed.cidr;
}

function maskOf(c: Cidr): bigint {
  const bits = BigInt(bitsOf(c.version));
  const all = (1n << bits) - 1n;
  return all ^ ((1n << (bits - BigInt(c.prefix))) - 1n);
}

/** Number of addresses in the network. */
export function sizeOf(c: Cidr): bigint {
  return 1n << BigInt(bitsOf(c.version) - c.prefix);
}

/** The last address of the network. */
export function lastOf(c: Cidr): bigint {
  return c.first + sizeOf(c) - 1n;
}

/** Canonical text form: `10.0.0.0/8`, `2001:db8::/32`. */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.version, c.first)}/${c.prefix}`;
}

/** True when `inner` lies wholly inside `outer` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.version === inner.version && inner.first >= outer.first && lastOf(inner) <= lastOf(outer);
}

/** True when the two networks share at least one address (same family). */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.first <= lastOf(b) && b.first <= lastOf(a);
}

/** The single-address network of an address: `/32` or `/128`. */
export function hostCidr(address: string): Cidr {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`internal: ${address} is not an address`);
  return { version: parsed.version, first: parsed.value, prefix: bitsOf(parsed.version) };
}
