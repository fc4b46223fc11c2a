/**
 * Text to IPv6 groups, following RFC 4291 section 2.2 as the WHATWG URL Standard's IPv6 parser implements it: hex
 * groups of 1-4 digits, one `::`, an optional dotted IPv4 tail in the last 32 bits. Leading zeros in the tail are
 * accepted (inet_pton refuses them; being lenient here can only find more).
 */

/** Eight 16-bit groups, or undefined when the text is not an IPv6 address. */
export function parseIpv6Groups(text: string): number[] | undefined {
  if (text.length === 0 || text.length > 64) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] === "" ? [] : halves[0].split(":");
  const tail = halves.length === 2 ? (halves[1] === "" ? [] : halves[1].split(":")) : [];
  const groups: number[] = [];
  const parseSide = (side: string[], isLast: boolean): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < side.length; i++) {
      const g = side[i];
      if (isLast && i === side.length - 1 && g.includes(".")) {
        const v4 = parseDottedTail(g);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) {
        out.push(parseInt(g, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const h = parseSide(head, halves.length === 1);
  const t = parseSide(tail, true);
  if (!h || !t) return undefined;
  if (halves.length === 1) {
    if (h.length !== 8) return undefined;
    return h;
  }
  if (h.length + t.length > 7) return undefined;
  groups.push(...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t);
  return groups;
}

function parseDottedTail(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return undefined;
    value = value * 256 + Number(p);
  }
  return value;
}

/** A map key for eight groups. */
export function ipv6Key(groups: readonly number[]): string {
  return groups.join(":");
}
