/**
 * Port and protocol reading the egress rules share (AWS security groups, Azure NSGs, GCP firewalls and firewall
 * policies): the transport a rule names, the ports it writes, and whether rules that each open part of the port
 * range together open all of it.
 */
import { MAX_PORT } from "../../../components/validation";

/** One inclusive range of ports. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/** True when the ranges together cover ports 1-65535 (port 0 carries no traffic, so it need not be covered). */
export function coversAllPorts(ranges: readonly PortRange[]): boolean {
  let next = 1;
  for (const r of [...ranges].sort((a, b) => a.from - b.from)) {
    if (r.from > next) return false;
    next = Math.max(next, r.to + 1);
    if (next > MAX_PORT) return true;
  }
  return false;
}

/** The transport a protocol field names, by name or IANA number: "all" for every protocol (AWS "-1"). */
export function transportOf(v: unknown): "tcp" | "udp" | "all" | undefined {
  const p = typeof v === "string" ? v.toLowerCase() : v;
  if (p === "-1" || p === "all" || p === -1) return "all";
  if (p === "tcp" || p === "6" || p === 6) return "tcp";
  if (p === "udp" || p === "17" || p === 17) return "udp";
  return undefined;
}

/**
 * Written ports as ranges: "N", "N-M" or a number, and "*" for every port; an end past 65535 is cut there.
 * `unread` is true when some entry is none of these (a caller that must not guess skips the rule).
 */
export function readPortList(ports: readonly unknown[]): { ranges: PortRange[]; unread: boolean } {
  const ranges: PortRange[] = [];
  let unread = false;
  for (const p of ports) {
    const s = String(p).trim();
    if (s === "*") {
      ranges.push({ from: 0, to: MAX_PORT });
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (m) ranges.push({ from: Number(m[1]), to: Math.min(Number(m[2] ?? m[1]), MAX_PORT) });
    else unread = true;
  }
  return { ranges, unread };
}

/**
 * True when written ports together cover every port: how the single-rule checks decide "every port" the way the
 * combined check does, so what the combined check leaves to them is reported. Entries that cannot be read cover
 * nothing.
 */
export function portListCoversAll(ports: readonly unknown[]): boolean {
  return coversAllPorts(readPortList(ports).ranges);
}
