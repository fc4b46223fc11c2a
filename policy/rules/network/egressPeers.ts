/**
 * What one allowed destination network opens of the metadata networks, for every Kubernetes egress policy dialect
 * (NetworkPolicy `ipBlock`, Cilium `toCIDR`/`toCIDRSet`, Calico `nets`/`notNets`): one body, so that the three
 * dialects agree on what counts as reaching a metadata endpoint.
 *
 * An allowed network either contains metadata networks (each open unless an exception covers it) or lies inside
 * one (it opens itself). One exception, for the package's own `dns.nodeLocalAddress`: a single link-local address
 * that is not a catalogued metadata endpoint address, allowed on port 53 only, is a node-local DNS cache
 * (NodeLocal DNSCache listens on 169.254.20.10) and opens nothing a workload could take credentials from.
 */
import { bitsOf, cidrContains, cidrOverlaps, formatCidr, hostCidr, parseAddress, type Cidr } from "../../../components/cidr";
import { metadataAddresses } from "../../../components/endpoints";
import { carveOutFor, METADATA_NETWORKS } from "../../../components/metadataNetworks";

/** What an egress rule opens: a description of the destination, the networks it opens, and the fix. */
export interface Opening {
  /** The destination as the user wrote it, e.g. `to[1].ipBlock "0.0.0.0/0"`. */
  readonly what: string;
  /** The metadata networks it opens (canonical CIDRs of the catalogue), used to cancel against deny rules. */
  readonly networks: readonly string[];
  /** The networks as the message shows them: the catalogue's CIDRs, or the block itself when it lies inside one. */
  readonly shown: string;
  /** `carve`: the block contains metadata networks (except them); `inside`: it lies inside one. */
  readonly kind: "every" | "carve" | "inside";
}

/** The ports an egress rule allows, reduced to what the node-local DNS exception needs. */
export interface PortsView {
  /** True when the rule allows port 53 only (any protocol), with no range and no named port. */
  readonly dnsOnly: boolean;
  /** The ports as the message shows them: `every port`, `TCP 80`, `UDP 53-1024`, `UDP "dns"`. */
  readonly text: string;
}

/** Every port: what a rule without ports allows. */
export const EVERY_PORT: PortsView = { dnsOnly: false, text: "every port" };

/** One allowed port as the three dialects write it: a protocol, a number, a name or a range. */
export interface PortEntry {
  readonly protocol?: unknown;
  readonly port?: unknown;
  readonly endPort?: unknown;
}

/** Port entries reduced to a {@link PortsView}; `defaultProtocol` is the dialect's (`TCP` for NetworkPolicy). */
export function portsView(entries: readonly PortEntry[], defaultProtocol: string): PortsView {
  if (entries.length === 0) return EVERY_PORT;
  const is53 = (v: unknown) => v === 53 || v === "53";
  const dnsOnly = entries.every((e) => is53(e.port) && (e.endPort === undefined || is53(e.endPort)));
  const text = entries
    .map((e) => {
      const protocol = typeof e.protocol === "string" && e.protocol !== "" ? e.protocol : defaultProtocol;
      if (e.port === undefined || e.port === null) return `${protocol} every port`;
      const port = typeof e.port === "number" || /^\d+$/.test(String(e.port)) ? String(e.port) : JSON.stringify(e.port);
      return e.endPort !== undefined && e.endPort !== null ? `${protocol} ${port}-${String(e.endPort)}` : `${protocol} ${port}`;
    })
    .join(", ");
  return { dnsOnly, text };
}

/**
 * Parses a CIDR as the API servers do: host bits below the prefix are allowed and ignored (`10.0.0.1/8` is
 * `10.0.0.0/8`). Undefined for text that is not a CIDR (the API server rejects it).
 */
export function parsePolicyCidr(text: unknown): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const slash = text.indexOf("/");
  if (slash < 0) return undefined;
  const address = parseAddress(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!address || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const bits = bitsOf(address.version);
  const prefix = Number(prefixText);
  if (prefix > bits) return undefined;
  const hostBits = BigInt(bits - prefix);
  const first = (address.value >> hostBits) << hostBits;
  return { version: address.version, first, prefix };
}

let catalogued: Cidr[] | undefined;
function isCataloguedAddress(c: Cidr): boolean {
  catalogued ??= metadataAddresses().map(hostCidr);
  return catalogued.some((a) => a.version === c.version && a.first === c.first && a.prefix === c.prefix);
}

/**
 * What an allowed network `label` ("to[0].ipBlock") with CIDR text `cidrText`, minus the CIDRs `exceptTexts`, on
 * `ports`, opens of the metadata networks; undefined when it opens none (or is the node-local DNS exception).
 * Text that is not a CIDR opens nothing (the API server rejects it).
 */
export function blockOpening(label: string, cidrText: unknown, exceptTexts: readonly unknown[], ports: PortsView): Opening | undefined {
  const cidr = parsePolicyCidr(cidrText);
  if (!cidr) return undefined;
  const excepts = exceptTexts.map(parsePolicyCidr).filter((c): c is Cidr => c !== undefined);
  const carve = carveOutFor(cidr);
  if (carve.inside.length > 0) {
    const single = cidr.prefix === bitsOf(cidr.version);
    const known = single && isCataloguedAddress(cidr);
    if (single && !known && ports.dnsOnly) return undefined;
    // An except that covers the whole block leaves nothing open.
    if (excepts.some((e) => cidrContains(e, cidr))) return undefined;
    const note = known ? ", a catalogued metadata endpoint address," : single ? ` on ${ports.text},` : ",";
    return {
      what: `${label} ${JSON.stringify(cidrText)}${note.slice(0, -1)}`,
      networks: carve.inside.map((n) => n.cidr),
      shown: `${formatCidr(cidr)} (inside ${carve.inside.map((n) => n.cidr).join(", ")})`,
      kind: "inside",
    };
  }
  const open = carve.except.filter((network) => {
    const parsed = parsePolicyCidr(network) as Cidr;
    return !excepts.some((e) => cidrContains(e, parsed));
  });
  if (open.length === 0) return undefined;
  return { what: `${label} ${JSON.stringify(cidrText)}`, networks: open, shown: open.join(", "), kind: "carve" };
}

/** An opening of every metadata network (of one IP family, when given): a rule with no destination, `world`. */
export function everyNetwork(what: string, version?: 4 | 6): Opening {
  const networks = METADATA_NETWORKS.filter((n) => version === undefined || n.parsed.version === version).map((n) => n.cidr);
  return { what, networks, shown: version === undefined ? "every metadata network" : `every IPv${version} metadata network`, kind: "every" };
}

/**
 * The metadata networks a deny rule's CIDR (minus its exceptions) covers wholly; a network an exception overlaps
 * stays open (Cilium's node-local DNS exception leaves 169.254.0.0/16 partly open).
 */
export function networksDenied(cidrText: unknown, exceptTexts: readonly unknown[]): string[] {
  const cidr = parsePolicyCidr(cidrText);
  if (!cidr) return [];
  const excepts = exceptTexts.map(parsePolicyCidr).filter((c): c is Cidr => c !== undefined);
  return METADATA_NETWORKS.filter((n) => cidrContains(cidr, n.parsed) && !excepts.some((e) => cidrOverlaps(e, n.parsed))).map((n) => n.cidr);
}

/** The opening with the networks in `denied` taken out; undefined when nothing is left open. */
export function withoutDenied(opening: Opening, denied: ReadonlySet<string>): Opening | undefined {
  if (denied.size === 0) return opening;
  const left = opening.networks.filter((n) => !denied.has(n));
  if (left.length === 0) return undefined;
  if (left.length === opening.networks.length) return opening;
  return { ...opening, networks: left, shown: opening.kind === "inside" ? opening.shown : left.join(", "), kind: opening.kind === "every" ? "carve" : opening.kind };
}
