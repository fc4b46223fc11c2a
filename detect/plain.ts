/**
 * The detector's core, on text that has already been decoded: IPv4 numbers-and-dots, IPv6 literals, host names and
 * the environment variables that hold an endpoint.
 * Spans are offsets into that decoded text.
 */
import { CATALOGUED_VARIABLES, classifyIpv4, isIpv4Endpoint, Verdict } from "./catalogue";
import { GATES } from "./gates";
import { hostPosition } from "./hostContext";
import { findHostnames } from "./hostnames";
import { describeIpv4, readIpv4 } from "./ipv4";
import { judgeIpv6 } from "./ipv6";
import { parseIpv6Groups } from "./ipv6Parse";
import { RawFinding } from "./raw";
import { findVariables } from "./variables";

const IPV4_TOKEN = /(?:0[xX][0-9a-fA-F]*|[0-9]+)(?:\.(?:0[xX][0-9a-fA-F]*|[0-9]+)){0,3}\.?/g;
// Groups are bounded ({0,4}) so that a long run of digits and dots with no colon is rejected in linear time.
const IPV6_TOKEN = /(?:[0-9A-Fa-f]{0,4}:){2,8}[0-9A-Fa-f.]*(?:%[0-9A-Za-z_.~-]+)?/g;
const WORD = /[A-Za-z0-9_]/;
/** Every catalogued variable holds an underscore, so text without one names none of them. */
const VARIABLES_NEED_UNDERSCORE = CATALOGUED_VARIABLES.every((v) => v.includes("_"));

/** Every reference in decoded `text`. */
export function findPlain(text: string): RawFinding[] {
  // An IPv6 literal has two colons at least, and every catalogued variable an underscore: without them, those
  // regexes (tried at every position of the window) cannot match.
  const colon = text.indexOf(":");
  const found = [...findIpv4(text), ...(!GATES.readings || (colon >= 0 && text.includes(":", colon + 1)) ? findIpv6(text) : []), ...findHostnames(text)];
  if (GATES.readings && VARIABLES_NEED_UNDERSCORE && !text.includes("_")) return found;
  // `http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is one reference: a variable right after the
  // address of its own endpoint (`$` or `${` between) adds nothing but a second finding on the same spot.
  for (const v of findVariables(text)) {
    if (!found.some((f) => f.endpointId === v.endpointId && f.end <= v.start && v.start - f.end <= 2)) found.push(v);
  }
  return found;
}

function findIpv4(text: string): RawFinding[] {
  const found: RawFinding[] = [];
  IPV4_TOKEN.lastIndex = 0;
  for (let m = IPV4_TOKEN.exec(text); m; m = IPV4_TOKEN.exec(text)) {
    const start = m.index;
    const end = start + m[0].length;
    // A single number below 10 characters cannot reach link-local or catalogued space (169.254.0.0 is 2851995648,
    // 0xa9fe0000), and such numbers are everywhere: skip them before any parsing.
    if (m[0].length < 10 && !m[0].includes(".", 1)) continue;
    // Part of a longer token: `1169.254.169.254` is matched whole (and fails), `v169.254.169.254`, `a-169...` and
    // `10.169.254.169.254` are names or version strings, not addresses. No parser reaches the endpoint through
    // them: the WHATWG host parser sends a name whose last label is numeric to the IPv4 parser, which refuses
    // `v169`, and as a DNS name `v169.254.169.254` does not resolve to 169.254.169.254.
    const before = text[start - 1];
    // A hyphen-joined word before it is a label (`host-169.254.169.254-backup`), unless a port follows: a path
    // redirector names host and port that way (`nicob.net/redir-http-169.254.169.254:80-`).
    const hyphenated = before === "-" && WORD.test(text[start - 2] ?? "") && !(text[end] === ":" && /[0-9]/.test(text[end + 1] ?? ""));
    if (before !== undefined && (WORD.test(before) || before === "." || hyphenated)) continue;
    const after = text[end];
    if (after !== undefined && (WORD.test(after) || (after === "." && WORD.test(text[end + 1] ?? "")) || (after === "-" && WORD.test(text[end + 1] ?? "")))) continue;
    const token = readIpv4(m[0]);
    if (!token || token.readings.length === 0) continue;
    let best: { verdict: Verdict; spelling: string } | undefined;
    for (const reading of token.readings) {
      if (reading.kind === "wrapped" && !isIpv4Endpoint(reading.value)) continue;
      const verdict = classifyIpv4(reading.value);
      if (!verdict || (best && (best.verdict.severity === "error" || verdict.severity === "warning"))) continue;
      best = { verdict, spelling: describeIpv4(token, reading) };
    }
    if (!best) continue;
    // A bare number or hex literal is an address only where a host stands; so is a two-part decimal
    // (`169.16689662` is 169.254.169.254 to inet_aton, and also a plain decimal fraction).
    const ambiguous = token.parts === 1 || (token.parts === 2 && token.radixes.size === 1 && token.radixes.has("decimal"));
    if (ambiguous && !hostPosition(text, start, end, false)) continue;
    found.push({ start, end, ...best.verdict, spelling: best.spelling });
  }
  return found;
}

function findIpv6(text: string): RawFinding[] {
  const found: RawFinding[] = [];
  IPV6_TOKEN.lastIndex = 0;
  for (let m = IPV6_TOKEN.exec(text); m; m = IPV6_TOKEN.exec(text)) {
    let start = m.index;
    let end = start + m[0].length;
    let address = m[0];
    const zoneAt = address.indexOf("%");
    if (zoneAt >= 0) address = address.slice(0, zoneAt);
    // Dots around the literal are punctuation (`see ::ffff:a9fe:a9fe.`), not part of it.
    while (address.startsWith(".")) { address = address.slice(1); start++; }
    if (zoneAt < 0) while (address.endsWith(".")) { address = address.slice(0, -1); end--; }
    const before = text[start - 1];
    if (before !== undefined && (WORD.test(before) || before === ":" || before === ".")) continue;
    if (WORD.test(text[end] ?? "")) continue;
    const groups = parseIpv6Groups(address);
    if (!groups) continue;
    const verdict = judgeIpv6(groups);
    if (!verdict) continue;
    if (text[start - 1] === "[" && text[end] === "]") { start--; end++; }
    const spelling = zoneAt >= 0 ? `${verdict.spelling} with zone id` : verdict.spelling;
    found.push({ start, end, severity: verdict.severity, endpointId: verdict.endpointId, endpoint: verdict.endpoint, spelling });
  }
  return found;
}

