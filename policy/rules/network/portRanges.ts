/**
 * Port-range arithmetic the combined-egress rules share (AWS security groups, Azure NSGs, GCP firewalls): whether
 * rules that each open part of the port range together open all of it.
 */

/** The highest TCP/UDP port. */
export const MAX_PORT = 65535;

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

/**
 * True when written ports ("N", "N-M", a number, or "*") together cover every port: how the single-rule checks
 * decide "every port" the way the combined check does, so what the combined check leaves to them is reported.
 * Entries that cannot be read cover nothing.
 */
export function portListCoversAll(ports: readonly unknown[]): boolean {
  const ranges: PortRange[] = [];
  for (const p of ports) {
    const s = String(p).trim();
    if (s === "*") return true;
    const m = /^(\d+)(?:-(\d+))?$/.exec(s);
    if (m) ranges.push({ from: Number(m[1]), to: Number(m[2] ?? m[1]) });
  }
  return coversAllPorts(ranges);
}
