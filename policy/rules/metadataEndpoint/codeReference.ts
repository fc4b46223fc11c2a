/**
 * Code that ships inside infrastructure: boot scripts, container commands and configuration data. The
 * endpoint-reference detector (detect) runs over every such string, decoding base64 where the field is
 * base64 (launch-template user data, Azure custom data, ConfigMap binaryData, Secret data) and anywhere a base64 run
 * hides a reference; a reference to a catalogued metadata or credential endpoint (severity `error`) is a violation.
 * Other link-local addresses (severity `warning`) are left to `hardening scan`, which reports warnings.
 *
 * What is scanned, per type token:
 * - AWS instances, spot instance requests, launch templates and launch configurations: `userData`, `userDataBase64`.
 * - GCP instances, instances from templates and (regional) instance templates: every `metadata` value
 *   (`startup-script`, `user-data`, `windows-startup-script-ps1`, ...) and `metadataStartupScript`.
 * - Azure VMs, scale sets and scale-set VMs: `osProfile.customData` and `userData` (for scale sets, under
 *   `virtualMachineProfile`).
 * - Kubernetes pods and every workload kind (and their patches): each container's, init container's and ephemeral
 *   container's `command`, `args` and `env[].value`.
 * - ConfigMaps (Kestra flows are often kept in them): `data` and `binaryData` (binary data can carry a flow or a
 *   script as well as text can, and is base64 on the wire). Secrets: `stringData` and `data`.
 *
 * References that are the configuration refusing an endpoint are not reported: an iptables/nft line that drops or
 * rejects it (the host firewall), and a Squid destination ACL used only to deny (the egress proxy's squid.conf).
 *
 * Messages show only the short text matched (at most 40 characters; a longer match such as a base64 run is not
 * shown), never the value around it; for a Secret they name the key and the endpoint and show nothing of the value.
 */
import { findEndpointReferences } from "../../../detect";
import type { EndpointDetector, EndpointReference } from "../../../detect/types";
import { asRecord, bindPodCheck, containersOf, dig, type LocatedPodSpec } from "../kubernetes/podSpec";
import { findingsOrUnknown, guardUnknowns, tryKnown } from "../kubernetes/unknown";
import { unknownFinding } from "../values";
import type { Finding, ResourceCheck, ResourceRule } from "../types";

/** A string to scan and where it sits; `text` is undefined when the value is unknown during preview. */
interface TextSource {
  /** Full property path, e.g. `userData`, `metadata["startup-script"]`, `spec.containers[0].args[1]`. */
  readonly path: string;
  readonly text: string | undefined;
  /** True for Secret values: the message must show nothing of them. */
  readonly secret?: boolean;
}

/** The detector's signature, so that the rule can be built around another detector (tests). */
export type { EndpointDetector } from "../../../detect/types";

// A match longer than this is not shown at all: it is a base64 run or similar, whose start is the start of the
// value itself (a script's first line), and the spelling already names what it decodes to.
const MAX_MATCH = 40;

function describe(ref: EndpointReference, base64: boolean): string {
  if (base64) {
    // Worded as the detector words a base64 run it decoded itself, so one reference reads the same either way.
    return `base64-encoded text containing ${ref.spelling}${ref.match.length > MAX_MATCH ? "" : ` ${JSON.stringify(ref.match)}`}`;
  }
  return ref.match.length > MAX_MATCH ? ref.spelling : `${ref.spelling}: ${JSON.stringify(ref.match)}`;
}

/**
 * A line that configures a packet filter to drop, reject or return traffic: `iptables ... -d X ... -j DROP`,
 * an iptables-restore line `-A CHAIN -d X ... -j REJECT`, or nft `ip daddr X ... drop`. A metadata address in such
 * a line is the host firewall blocking it (components/hostFirewall.ts renders exactly these), not code reaching it.
 * Rules that send traffic somewhere (ACCEPT, DNAT, REDIRECT) are still reported.
 *
 * Read word by word, not with one regular expression: the expression this replaces had two `.*` between the
 * address and the verdict, so its cost grew with the square of the line's length (a 19 KB boot-script line took
 * minutes). This reads a line once, in linear time, and accepts what that expression accepted
 * (tests/policy/rules/filterRule.property.test.ts runs the two side by side), except that a line holding a carriage
 * return, U+2028 or U+2029 before its end is never trusted.
 */
const IPTABLES = new Set(["iptables", "ip6tables", "iptables-legacy", "ip6tables-legacy", "iptables-nft", "ip6tables-nft"]);
const APPEND = new Set(["-A", "-I", "--append", "--insert"]);
const IPTABLES_VERDICT = /^(?:DROP|REJECT|RETURN)(?![A-Za-z0-9_])/;
const WORD_CHAR = /[A-Za-z0-9_]/;

/** The command word after an optional `/dir/` prefix (the prefix needs two slashes, as `\/\S*\/` did). */
function commandName(word: string): { name: string; path: boolean } {
  const slash = word.startsWith("/") ? word.lastIndexOf("/") : -1;
  return slash > 0 ? { name: word.slice(slash + 1), path: true } : { name: word, path: false };
}

function isIptablesDrop(words: readonly string[]): boolean {
  let i = words[0] === "sudo" ? 1 : 0;
  const first = commandName(words[i] ?? "");
  let op = words[i] ?? "";
  if (IPTABLES.has(first.name)) {
    i++;
    if (words[i] === "-w") i++;
    if (words[i] === "-t" && words[i + 1] === "filter") i += 2;
    op = words[i] ?? "";
  } else if (first.path) {
    op = first.name;
  }
  if (!APPEND.has(op)) return false;
  // The chain, then a later word ending in `-d` (or `--destination`, or conntrack's `--ctorigdst`: the host
  // firewall matches original destinations too) with an address after it, then `-j VERDICT`.
  for (let k = i + 2; k < words.length - 1; k++) {
    if (!words[k].endsWith("-d") && !words[k].endsWith("--destination") && !words[k].endsWith("--ctorigdst")) continue;
    for (let j = k + 2; j < words.length - 1; j++) {
      if ((words[j] === "-j" || words[j] === "--jump") && IPTABLES_VERDICT.test(words[j + 1])) return true;
    }
    return false;
  }
  return false;
}

function isNftDrop(words: readonly string[], starts: readonly number[], line: string): boolean {
  const i = words[0] === "sudo" ? 1 : 0;
  if (commandName(words[i] ?? "").name !== "nft") return false;
  if ((words[i + 1] !== "add" && words[i + 1] !== "insert") || words[i + 2] !== "rule") return false;
  for (let k = i + 3; k < words.length - 2; k++) {
    const w = words[k];
    const ip = w.endsWith("ip6") ? w.length - 3 : w.endsWith("ip") ? w.length - 2 : -1;
    if (ip < 0 || (ip > 0 && WORD_CHAR.test(w[ip - 1])) || words[k + 1] !== "daddr") continue;
    // The verdict may follow anywhere after the address's first character, word-bounded in the whole line.
    const verdict = /\b(?:drop|reject)\b/g;
    verdict.lastIndex = starts[k + 2] + 1;
    return verdict.exec(line) !== null;
  }
  return false;
}

/** @internal True when `line` is one packet-filter command that drops, rejects or returns; linear in its length. */
export function isFilterRule(line: string): boolean {
  // One command and nothing else: no second command, pipe, substitution or trailing comment could hide in it.
  const bare = line.replace(/--comment\s+"[^"]*"/g, "").replace(/\r$/, "");
  if (/[;&|`#\r\u2028\u2029]|\$\(/.test(bare)) return false;
  const words: string[] = [];
  const starts: number[] = [];
  const word = /\S+/g;
  for (let m = word.exec(bare); m !== null; m = word.exec(bare)) {
    words.push(m[0]);
    starts.push(m.index);
  }
  return isIptablesDrop(words) || isNftDrop(words, starts, bare);
}

/**
 * Squid's destination ACL types: a metadata address or name in one of these is a destination the configuration
 * matches, so what matters is how the ACL is used.
 */
const SQUID_DESTINATION_ACL = /^\s*acl\s+(\S+)\s+(?:dst|dstdomain|dstdom_regex|url_regex)(?:\s|$)/;
/** Access directives whose `deny` refuses the matching requests (squid.conf.documented). */
const SQUID_ACCESS = /^\s*(?:http_access|adapted_http_access|miss_access)\s+(allow|deny)\s+(.*)$/;

/**
 * The names of the Squid destination ACLs in `text` that only refuse: every line naming the ACL is its own `acl`
 * definition, a `deny_info` page, or an access line that denies when the ACL matches (`http_access deny ... name`)
 * or allows only when it does not (`http_access allow ... !name`). A metadata address in such an ACL is the proxy
 * refusing it (components/egressProxy/squidConfig.ts renders exactly these), not code reaching it. An ACL that is
 * also allowed, negated in a deny, nested in another ACL or used by any other directive is not a deny list.
 * Squid's comments start with `#` at the start of a line; a trailing `#` is part of the value, so such a line is
 * not trusted either.
 */
function squidDenyAcls(text: string): ReadonlySet<string> {
  const defined = new Set<string>();
  const denied = new Set<string>();
  const spoiled = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const line of lines) {
    const m = SQUID_DESTINATION_ACL.exec(line);
    if (m) defined.add(m[1]);
  }
  // Squid joins a line ending in `\` with the next; rather than re-join, a continued configuration is not trusted.
  if (defined.size === 0 || lines.some((l) => /\\\s*$/.test(l) && !l.trim().startsWith("#"))) return new Set();
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const words = line.split(/\s+/);
    const access = SQUID_ACCESS.exec(line);
    if (access) {
      for (const word of access[2].split(/\s+/)) {
        const negated = word.startsWith("!");
        const name = negated ? word.slice(1) : word;
        if (!defined.has(name)) continue;
        if ((access[1] === "deny") !== negated) denied.add(name);
        else spoiled.add(name);
      }
      continue;
    }
    if (words[0] === "deny_info") continue;
    // Its own definition (`acl name type ...`) is neutral; any other mention (an all-of/any-of ACL, a peer, an
    // outgoing-address rule, never_direct) spoils the name.
    const mentions = words[0] === "acl" ? words.slice(2) : words;
    for (const word of mentions) {
      const name = word.replace(/^!/, "");
      if (defined.has(name)) spoiled.add(name);
    }
  }
  return new Set([...denied].filter((n) => !spoiled.has(n)));
}

/** True when `line` defines one of the deny-only Squid ACLs of its text. */
function isSquidDenyAcl(line: string, denyAcls: () => ReadonlySet<string>): boolean {
  const m = SQUID_DESTINATION_ACL.exec(line);
  if (!m || line.includes("#")) return false;
  return denyAcls().has(m[1]);
}

/**
 * Base64 values (launch-template user data, Azure custom data) are decoded whole before scanning, so that a
 * reference can be judged by the line it sits on; anything else is scanned as it is (the detector still decodes
 * base64 runs inside it).
 */
function decodedWhole(text: string): { text: string; base64: boolean } {
  const compact = text.replace(/\s+/g, "");
  if (compact.length < 8 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return { text, base64: false };
  const decoded = Buffer.from(compact, "base64").toString("utf8");
  // Only text: binary (or base64 that merely looks like it) is scanned in its original form.
  const isText = /^[\t\n\r\x20-\x7e\u00a0-\uffff]*$/.test(decoded) && !decoded.includes("\ufffd");
  return isText ? { text: decoded, base64: true } : { text, base64: false };
}

/** Per-line verdicts of one text, each line judged at most once; lines found by binary search over their starts. */
class LineVerdicts {
  private readonly starts: number[] = [0];
  private readonly verdicts = new Map<number, boolean>();

  constructor(private readonly text: string, private readonly judge: (line: string) => boolean) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.starts.push(i + 1);
  }

  /** The verdict on the line holding `offset`. */
  refuses(offset: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    let verdict = this.verdicts.get(lo);
    if (verdict === undefined) {
      const end = lo + 1 < this.starts.length ? this.starts[lo + 1] - 1 : this.text.length;
      verdict = this.judge(this.text.slice(this.starts[lo], end));
      this.verdicts.set(lo, verdict);
    }
    return verdict;
  }
}

/** Findings for the error-severity references in the sources: one per distinct reference of each property. */
export function scanSources(sources: readonly TextSource[], detect: EndpointDetector): Finding[] {
  const findings: Finding[] = [];
  for (const source of sources) {
    if (source.text === undefined) {
      findings.push(unknownFinding(source.path));
      continue;
    }
    const seen = new Set<string>();
    const { text, base64 } = decodedWhole(source.text);
    let denyAcls: ReadonlySet<string> | undefined;
    let lines: LineVerdicts | undefined;
    for (const ref of detect(text)) {
      if (ref.severity !== "error") continue;
      // Each line is judged once however many references it holds (a long boot-script line can hold thousands).
      // The Squid deny lists are worked out once per source, and only when a reference needs them.
      lines ??= new LineVerdicts(text, (line) => isFilterRule(line) || isSquidDenyAcl(line, () => (denyAcls ??= squidDenyAcls(text))));
      if (lines.refuses(ref.start)) continue;
      const message = source.secret
        ? `${source.path} (a Secret value, not shown) refers to ${ref.endpoint}; remove the reference: workload code must never reach a cloud metadata or credential endpoint.`
        : `${source.path} refers to ${ref.endpoint} (${describe(ref, base64)}); remove the reference: workload code must never reach a cloud metadata or credential endpoint.`;
      if (seen.has(message)) continue;
      seen.add(message);
      findings.push({ property: source.path, message });
    }
  }
  return findings;
}

/** The string at a path of guarded props, one source per value; an unknown value becomes a source without text. */
function stringSource(path: string, read: () => unknown, secret = false): TextSource[] {
  const value = tryKnown(read);
  if (!value.known) return [{ path: value.path, text: undefined, secret }];
  return typeof value.value === "string" && value.value !== "" ? [{ path, text: value.value, secret }] : [];
}

function stringAt(props: Readonly<Record<string, unknown>>, keys: readonly string[]): TextSource[] {
  return stringSource(keys.join("."), () => dig(props, keys));
}

/** Every string value of a map property, keyed `name["key"]`. */
function mapValues(props: Readonly<Record<string, unknown>>, name: string, secret = false): TextSource[] {
  const map = asRecord(props[name]);
  if (!map) return [];
  const sources: TextSource[] = [];
  for (const key of Object.keys(map)) {
    const path = `${name}[${JSON.stringify(key)}]`;
    const value = tryKnown(() => map[key]);
    if (!value.known) sources.push({ path, text: undefined, secret });
    else if (typeof value.value === "string" && value.value !== "") sources.push({ path, text: value.value, secret });
  }
  return sources;
}

function containerSources(pod: LocatedPodSpec): TextSource[] {
  const sources: TextSource[] = [];
  for (const c of containersOf(pod)) {
    for (const field of ["command", "args"]) {
      const list = c.container[field];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) sources.push(...stringSource(`${c.path}.${field}[${i}]`, () => list[i]));
    }
    const env = c.container.env;
    if (Array.isArray(env)) {
      for (let i = 0; i < env.length; i++) {
        sources.push(...stringSource(`${c.path}.env[${i}].value`, () => asRecord(env[i])?.value));
      }
    }
  }
  return sources;
}

type Extract = (props: Readonly<Record<string, unknown>>) => TextSource[];

const awsUserData: Extract = (props) => [...stringAt(props, ["userData"]), ...stringAt(props, ["userDataBase64"])];
const gcpMetadata: Extract = (props) => [
  ...mapValues(props, "metadata"),
  ...stringAt(props, ["metadataStartupScript"]),
];
const azureVm: Extract = (props) => [...stringAt(props, ["osProfile", "customData"]), ...stringAt(props, ["userData"])];
const azureScaleSet: Extract = (props) => [
  ...stringAt(props, ["virtualMachineProfile", "osProfile", "customData"]),
  ...stringAt(props, ["virtualMachineProfile", "userData"]),
];
const configMap: Extract = (props) => [...mapValues(props, "data"), ...mapValues(props, "binaryData")];
const secret: Extract = (props) => [...mapValues(props, "stringData", true), ...mapValues(props, "data", true)];

const EXTRACTORS: Readonly<Record<string, Extract>> = {
  "aws:ec2/instance:Instance": awsUserData,
  "aws:ec2/spotInstanceRequest:SpotInstanceRequest": awsUserData,
  "aws:ec2/launchTemplate:LaunchTemplate": awsUserData,
  "aws:ec2/launchConfiguration:LaunchConfiguration": awsUserData,
  "gcp:compute/instance:Instance": gcpMetadata,
  "gcp:compute/instanceFromTemplate:InstanceFromTemplate": gcpMetadata,
  "gcp:compute/instanceTemplate:InstanceTemplate": gcpMetadata,
  "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate": gcpMetadata,
  "azure-native:compute:VirtualMachine": azureVm,
  "azure-native:compute:VirtualMachineScaleSetVM": azureVm,
  "azure-native:compute:VirtualMachineScaleSet": azureScaleSet,
  "kubernetes:core/v1:ConfigMap": configMap,
  "kubernetes:core/v1:ConfigMapPatch": configMap,
  "kubernetes:core/v1:Secret": secret,
  "kubernetes:core/v1:SecretPatch": secret,
};

/** Builds the code rule around a detector (the real one in {@link codeRules}). */
export function makeCodeMetadataReference(detect: EndpointDetector): ResourceRule {
  const checks: Record<string, ResourceCheck> = {
    ...Object.fromEntries(
      Object.entries(EXTRACTORS).map(([type, extract]): [string, ResourceCheck] => [
        type,
        (props) => findingsOrUnknown(() => scanSources(extract(guardUnknowns(props)), detect)),
      ]),
    ),
    ...bindPodCheck((pod) => scanSources(containerSources(pod), detect)),
  };
  return {
    id: "code-metadata-reference",
    description:
      "Boot scripts, container commands and environment, ConfigMaps and Secrets refer to no cloud metadata or credential endpoint, in any spelling or encoding.",
    enforcementLevel: "mandatory",
    family: "metadataEndpoint",
    docs: "User data, startup scripts, custom data, container commands, args and environment, ConfigMaps and Secrets: no reference to a cloud metadata or credential endpoint, in any spelling or encoding.",
    checks,
  };
}

/** `code-metadata-reference`: a passing resource carries no code or configuration that refers to a metadata endpoint. */
export const codeMetadataReference: ResourceRule = makeCodeMetadataReference((text) => findEndpointReferences(text));

/** Every code rule. */
export const codeRules: ResourceRule[] = [codeMetadataReference];
