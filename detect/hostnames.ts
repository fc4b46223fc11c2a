/**
 * Host names: the catalogue's metadata names (`metadata.google.internal`, `metadata`, `instance-data`, ...) and
 * names under wildcard-DNS services that resolve to an address written inside them (`169-254-169-254.nip.io`).
 */
import { classifyHostname, classifyIpv4, NAME_TRIGGER_SOURCE, Verdict, WILDCARD_SERVICES } from "./catalogue";
import { hostPosition } from "./hostContext";
import { readIpv4 } from "./ipv4";
import { judgeIpv6 } from "./ipv6";
import { parseIpv6Groups } from "./ipv6Parse";
import { RawFinding } from "./raw";

const TRIGGER = new RegExp(NAME_TRIGGER_SOURCE, "gi");
const REGIONAL_INSTANCE_DATA = /^instance-data\.[a-z]{2}(?:-[a-z]+)+-[0-9]\.compute\.internal$/;
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9.-]/.test(c);
const isWordChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Finds catalogued host names and wildcard-DNS names in `text` (already decoded). */
export function findHostnames(text: string): RawFinding[] {
  const found: RawFinding[] = [];
  let lastEnd = -1;
  TRIGGER.lastIndex = 0;
  for (let m = TRIGGER.exec(text); m; m = TRIGGER.exec(text)) {
    let start = m.index;
    let end = m.index + m[0].length;
    if (start < lastEnd) continue;
    while (start > 0 && isNameChar(text[start - 1])) start--;
    while (end < text.length && isNameChar(text[end])) end++;
    // Dots and hyphens at the edges are punctuation around the name, except one trailing dot (a rooted name).
    while (start < end && (text[start] === "." || text[start] === "-")) start++;
    while (end > start && text[end - 1] === "-") end--;
    let nameEnd = end;
    while (nameEnd > start && text[nameEnd - 1] === ".") nameEnd--;
    if (end > nameEnd + 1) end = nameEnd + 1;
    lastEnd = end;
    TRIGGER.lastIndex = Math.max(TRIGGER.lastIndex, end);
    if (isWordChar(text[start - 1])) continue;
    const name = text.slice(start, nameEnd).toLowerCase();
    const finding = judgeName(text, start, end, name);
    if (finding) found.push(finding);
  }
  return found;
}

function judgeName(text: string, start: number, end: number, name: string): RawFinding | undefined {
  const catalogued = classifyHostname(name);
  if (catalogued) {
    // A one-label name (`metadata`) is a host only where a host stands; a dotted one is unambiguous anywhere.
    if (!name.includes(".") && !hostPosition(text, start, end, true)) return undefined;
    if (name.includes(".") && /[A-Za-z0-9_]/.test(text[end] ?? "")) return undefined;
    const spelling = text.endsWith(".", end) ? "metadata host name with trailing dot" : "metadata host name";
    return { start, end, ...catalogued, spelling };
  }
  // EC2 outside us-east-1 names the alias after the region's internal domain (`instance-data.us-west-2.compute.internal`).
  const regional = REGIONAL_INSTANCE_DATA.exec(name);
  if (regional && !/[A-Za-z0-9_]/.test(text[end] ?? "")) {
    const alias = classifyHostname("instance-data");
    if (alias) return { start, end, ...alias, endpoint: name, spelling: "metadata host name (the region's internal domain)" };
  }
  // Names longer than DNS allows (253) resolve nowhere; it also bounds the work below on hostile input.
  if (name.length > 253) return undefined;
  const service = WILDCARD_SERVICES.find((s) => name.endsWith(`.${s}`));
  if (!service) return undefined;
  const embedded = embeddedAddress(name.slice(0, name.length - service.length - 1));
  if (!embedded) return undefined;
  return { start, end, ...embedded.verdict, spelling: `${service} wildcard DNS name (${embedded.how})` };
}

/** The most severe address written inside the labels before a wildcard-DNS service (dotted, dashed or hex). */
function embeddedAddress(labels: string): { verdict: Verdict; how: string } | undefined {
  let best: { verdict: Verdict; how: string } | undefined;
  const consider = (verdict: Verdict | undefined, how: string): void => {
    if (verdict && (!best || (best.verdict.severity === "warning" && verdict.severity === "error"))) best = { verdict, how };
  };
  // nip.io and sslip.io: `a.b.c.d`, `a-b-c-d`, each optionally after a prefix and a separator; 1u.ms mixes the two
  // (`make-1.2.3.4-rebind-169.254-169.254-rr`). Every four consecutive numbers joined by single dots or hyphens.
  const tokens = labels.split(/([.-])/);
  for (let k = 0; k + 6 < tokens.length; k += 2) {
    const parts = [tokens[k], tokens[k + 2], tokens[k + 4], tokens[k + 6]];
    if (!parts.every((p) => /^[0-9]{1,3}$/.test(p))) continue;
    const read = readIpv4(parts.join("."));
    const strict = read?.readings.find((r) => r.kind === "strict");
    const seps = new Set([tokens[k + 1], tokens[k + 3], tokens[k + 5]]);
    const how = seps.size > 1 ? "address with dots and hyphens" : seps.has(".") ? "dotted address" : "dashed address";
    if (strict) consider(classifyIpv4(strict.value), how);
  }
  // nip.io hex form and rbndr.us: eight hex digits as a label or after a hyphen.
  for (const m of labels.matchAll(/(?:^|[.-])([0-9a-f]{8})(?=$|[.-])/g)) {
    consider(classifyIpv4(parseInt(m[1], 16) >>> 0), "hex address");
  }
  // sslip.io IPv6: colons written as dashes (`fd00-ec2--254`).
  for (const label of labels.split(".")) {
    if (!label.includes("-")) continue;
    const candidates = [label, label.replace(/^[a-z0-9]*?-(?=[0-9a-f]{0,4}-)/, "")];
    for (const c of candidates) {
      const groups = parseIpv6Groups(c.replace(/-/g, ":"));
      if (groups) {
        const v = judgeIpv6(groups);
        if (v) consider(v, "dashed IPv6 address");
      }
    }
  }
  return best;
}
