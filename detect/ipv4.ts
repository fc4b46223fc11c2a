/**
 * Reading IPv4 "numbers-and-dots" the way real parsers do, so that every spelling a resolver or URL parser accepts
 * is recognised:
 *
 * - WHATWG URL Standard, IPv4 parser (what browsers, Node's `URL` and most HTTP clients use) and glibc
 *   `inet_aton(3)` (what `curl`, `wget`, `ping` and libc resolvers use) agree: 1 to 4 parts; each part is hex after
 *   `0x`/`0X` (`0x` alone is 0 in WHATWG), octal after a leading `0`, decimal otherwise; every part but the last is
 *   at most 255 and the last fills the remaining bytes (`a.b.c` puts a 16-bit `c` in the low bytes, `a.b` a 24-bit
 *   `b`, `a` is the whole 32-bit address). WHATWG also drops one trailing dot (`169.254.169.254.`). Neither wraps:
 *   a part out of range makes the host invalid. That is the "strict" reading.
 * - Parsers that ignore leading zeros and read every part as decimal (Python's `ipaddress` before 3.9.5, Go's
 *   `net.ParseIP` before 1.17, many hand-written validators) read `0169.0254.0169.0254` as 169.254.169.254. That is
 *   the "decimal-leading-zeros" reading, applied to four-part all-digit spellings.
 * - Legacy parsers (Netscape and Internet Explorer, Mozilla bug 67730: `http://4294967503.4294967496...` worked)
 *   kept each part modulo 256, and 32-bit arithmetic wraps a single number modulo 2^32. That is the "wrapped"
 *   reading; the detector only reports it when it lands exactly on a catalogued endpoint, since nobody writes
 *   `425.510.425.510` by accident.
 */

/** How a part was written. */
export type Radix = "decimal" | "octal" | "hex";

/** One way a parser may read the token. */
export interface Ipv4Reading {
  /** The 32-bit address, as an unsigned number. */
  readonly value: number;
  readonly kind: "strict" | "decimal-leading-zeros" | "wrapped";
}

/** A token read as IPv4 numbers-and-dots. */
export interface Ipv4Token {
  /** Every reading some parser makes; empty when no parser accepts the token. */
  readonly readings: readonly Ipv4Reading[];
  /** Number of parts (1 to 4), after dropping a trailing dot. */
  readonly parts: number;
  /** The radixes the parts are written in. */
  readonly radixes: ReadonlySet<Radix>;
  /** True when the token ends in a dot. */
  readonly trailingDot: boolean;
  /** True when some part has a leading zero (octal to WHATWG and inet_aton, decimal to lenient parsers). */
  readonly leadingZeros: boolean;
}

const HEX_PART = /^0[xX][0-9a-fA-F]*$/;
const OCTAL_PART = /^0[0-7]*$/;
const DIGITS = /^[0-9]+$/;
// Longer parts are refused before any arithmetic: no parser accepts them (they exceed 2^32 even when wrapping is
// considered, which we only do for numbers of plausible length), and it keeps a megabyte of digits linear.
const MAX_PART_LENGTH = 40;
const TWO_32 = 4294967296;

/** A part's value; BigInt only past 2^53, where Number would round (wrapping needs the exact value). */
type PartValue = number | bigint;

function partValue(digits: string, radix: 8 | 10 | 16): PartValue {
  const n = parseInt(digits, radix);
  if (Number.isSafeInteger(n)) return n;
  const prefix = radix === 16 ? "0x" : radix === 8 ? "0o" : "";
  return BigInt(prefix + digits);
}

/**
 * Reads a token of the form `p(.p){0,3}.?` where each `p` is digits or `0x` hex digits. Returns undefined when the
 * token is not shaped like one (empty part, more than four parts, a part that is neither decimal, octal nor hex).
 */
export function readIpv4(token: string): Ipv4Token | undefined {
  let text = token;
  const trailingDot = text.endsWith(".");
  if (trailingDot) text = text.slice(0, -1);
  if (text.length === 0) return undefined;
  const raw = text.split(".");
  if (raw.length > 4) return undefined;
  const radixes = new Set<Radix>();
  const strict: PartValue[] = [];
  let strictOk = true;
  let leadingZeros = false;
  let allDigits = true;
  for (const written of raw) {
    // WHATWG and inet_aton accept any number of leading zeros (`0000...0251` is octal 251, `0x0000a9` is 0xa9):
    // only significant digits count toward the length limit.
    const p = written.length > MAX_PART_LENGTH ? withoutExtraZeros(written) : written;
    if (p.length === 0 || p.length > MAX_PART_LENGTH) return undefined;
    if (HEX_PART.test(p)) {
      radixes.add("hex");
      allDigits = false;
      strict.push(p.length === 2 ? 0 : partValue(p.slice(2), 16));
    } else if (!DIGITS.test(p)) {
      return undefined;
    } else if (p.length > 1 && p[0] === "0") {
      leadingZeros = true;
      radixes.add("octal");
      if (OCTAL_PART.test(p)) strict.push(partValue(p.slice(1), 8));
      else strictOk = false; // "08": not octal, so WHATWG and inet_aton both refuse the host
    } else {
      radixes.add("decimal");
      strict.push(partValue(p, 10));
    }
  }
  const readings: Ipv4Reading[] = [];
  if (strictOk) {
    const value = combine(strict);
    if (value !== undefined) readings.push({ value, kind: "strict" });
    else {
      const wrapped = combineWrapped(strict);
      if (wrapped !== undefined) readings.push({ value: wrapped, kind: "wrapped" });
    }
  }
  if (leadingZeros && allDigits && raw.length === 4) {
    const value = combine(raw.map((p) => partValue(p.length > MAX_PART_LENGTH ? withoutExtraZeros(p) : p, 10)));
    if (value !== undefined && !readings.some((r) => r.value === value)) {
      readings.push({ value, kind: "decimal-leading-zeros" });
    }
  }
  return { readings, parts: raw.length, radixes, trailingDot, leadingZeros };
}

/** `0000251` as `0251`, `0x0000a9` as `0xa9`: the same value in every radix the part can be read in. */
function withoutExtraZeros(part: string): string {
  if (HEX_PART.test(part)) {
    let k = 2;
    while (k < part.length - 1 && part[k] === "0") k++;
    return `0x${part.slice(k)}`;
  }
  let k = 0;
  while (k < part.length - 1 && part[k] === "0") k++;
  return k > 0 ? `0${part.slice(k)}` : part;
}

/** WHATWG IPv4 parser steps 8-10: every part but the last fits a byte, the last fills what is left. */
function combine(parts: readonly PartValue[]): number | undefined {
  const n = parts.length;
  for (let i = 0; i < n - 1; i++) if (parts[i] > 255) return undefined;
  const last = parts[n - 1];
  if (typeof last === "bigint" || last >= 2 ** (8 * (5 - n))) return undefined;
  let value = last;
  for (let i = 0; i < n - 1; i++) value += (parts[i] as number) * 2 ** (8 * (3 - i));
  return value;
}

/** Legacy wrapping: four parts each modulo 256, or a single number modulo 2^32. */
function combineWrapped(parts: readonly PartValue[]): number | undefined {
  const mod = (p: PartValue, m: number): number => (typeof p === "bigint" ? Number(p % BigInt(m)) : p % m);
  if (parts.length === 4) return parts.reduce<number>((acc, p) => acc * 256 + mod(p, 256), 0);
  if (parts.length === 1) return mod(parts[0], TWO_32);
  return undefined;
}

/** A short human description of the spelling, for finding messages: "octal 4-part IPv4", "hex integer IPv4". */
export function describeIpv4(token: Ipv4Token, reading: Ipv4Reading): string {
  const words: string[] = [];
  if (token.radixes.size > 1) words.push("mixed-radix");
  else if (token.radixes.has("hex")) words.push("hex");
  else if (token.radixes.has("octal")) words.push(reading.kind === "decimal-leading-zeros" ? "zero-padded" : "octal");
  if (token.parts === 1) words.push("integer");
  else if (token.parts < 4) words.push(`${token.parts}-part`);
  else if (words.length === 0) words.push("dotted");
  let text = `${words.join(" ")} IPv4`;
  if (reading.kind === "wrapped") text += " (wrapping past 255 or 2^32, as legacy parsers do)";
  if (reading.kind === "decimal-leading-zeros") text += " (leading zeros read as decimal by lenient parsers)";
  if (token.trailingDot) text += " with trailing dot";
  return text;
}
