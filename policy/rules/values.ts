/**
 * Reading property bags safely: unknown preview values, plain-object and string tests, and quoting for messages.
 * Pure; no @pulumi/policy import, so the auditor and the pack share it.
 */
import { mustParseCidr, parseCidr, type Cidr } from "../../components/cidr";
import { subtractCidrs } from "../../components/egressProxy/ranges";
import { isRecord, show as showValue } from "../../components/validation";
import type { Finding } from "./types";

// The sentinels @pulumi/policy (proxy.ts) and the engine's wire format (@pulumi/pulumi runtime/rpc.ts,
// `unknownValue`) use for values not known during preview. The pack hands rules the raw props (see
// policy/binding.ts), so an unknown value arrives as one of these strings; tests/policy/values.test.ts checks the
// list against the SDK's own exports.
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string (and every unknown on the wire)
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

const SENTINEL_LENGTH = 36;

/** True when `v` is a value the engine does not know yet (preview). */
export function isUnknown(v: unknown): boolean {
  // Length first: a Set lookup hashes the whole string, and rules ask this of every value, base64 user data included.
  return typeof v === "string" && v.length === SENTINEL_LENGTH && UNKNOWN_SENTINELS.has(v);
}

/** A plain JSON-like object (not an array, not null): the validation toolkit's check, for the rules. */
export { isRecord };

/** The value at `key` when `obj` is an object, else undefined. */
export function field(obj: unknown, key: string): unknown {
  return isRecord(obj) ? obj[key] : undefined;
}

/** The elements of `v` when it is an array, else an empty list (absent or malformed means "none"). */
export function list(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Renders a seen value for a message: strings quoted, absent values as "not set". Never prints long blobs or secrets. */
export function show(v: unknown): string {
  return showValue(v, { absent: "not set", maxLength: 200 });
}

/** The advisory finding for a value the check needs but the engine does not know yet. */
export function unknownFinding(property: string): Finding {
  return {
    property,
    message: `${property} is not known during preview; it is checked again when the value is known.`,
    indeterminate: true,
  };
}

/** Case-insensitive string equality that treats non-strings as unequal. */
export function eqi(v: unknown, expected: string): boolean {
  return typeof v === "string" && v.toLowerCase() === expected.toLowerCase();
}

/** True for `true`, `"true"` (any case): providers that model booleans as strings (launch templates) included. */
export function isTrueish(v: unknown): boolean {
  return v === true || eqi(v, "true");
}

/** The IPv4 and IPv6 "anywhere" CIDRs (and the spellings NSGs and firewalls use for them). */
export function isAnywhere(v: unknown): boolean {
  if (typeof v !== "string") return false;
  const s = v.trim().toLowerCase();
  return s === "0.0.0.0/0" || s === "::/0" || s === "*" || s === "internet" || s === "0.0.0.0" || s === "any";
}

const WHOLE_FAMILY: readonly [4 | 6, string][] = [
  [4, "0.0.0.0/0"],
  [6, "::/0"],
];

/**
 * The destinations of one list that mean "anywhere": each literal {@link isAnywhere} entry, and, where the other
 * entries of a family together cover all of it (`0.0.0.0/1` plus `128.0.0.0/1`, the split that VPN clients use to
 * override a default route), the family's whole network, labelled with the parts: `0.0.0.0/0 (0.0.0.0/1 + 128.0.0.0/1)`.
 * A family a literal already opens gets no second label. Values that are not CIDRs are ignored.
 */
export function anywhereIn(values: readonly unknown[]): string[] {
  const out = values.filter(isAnywhere).map((v) => String(v));
  const literalFamilies = new Set(out.map((o) => (o === "*" || /^(internet|any)$/i.test(o.trim()) ? 0 : o.includes(":") ? 6 : 4)));
  if (literalFamilies.has(0)) return out;
  for (const [version, whole] of WHOLE_FAMILY) {
    if (literalFamilies.has(version)) continue;
    const parts: { text: string; cidr: Cidr }[] = [];
    for (const v of values) {
      if (typeof v !== "string" || isAnywhere(v)) continue;
      const parsed = parseCidr(v.trim());
      if (parsed.ok && parsed.cidr.version === version) parts.push({ text: v.trim(), cidr: parsed.cidr });
    }
    if (parts.length < 2) continue;
    if (subtractCidrs([mustParseCidr(whole)], parts.map((p) => p.cidr)).length === 0) out.push(`${whole} (${parts.map((p) => p.text).join(" + ")})`);
  }
  return out;
}

/**
 * Maps a type token onto the token rules are keyed by: azure-native's explicitly versioned modules
 * (`azure-native:compute/v20240701:VirtualMachine`, which v2 stacks and generated v3 SDKs carry) onto the default
 * module (`azure-native:compute:VirtualMachine`); every other token is returned unchanged.
 */
export function canonicalType(type: string): string {
  return type.startsWith("azure-native:") ? type.replace(/^(azure-native:[A-Za-z0-9]+)\/v[0-9]{8}(?:preview)?:/, "$1:") : type;
}
