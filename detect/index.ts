/**
 * The endpoint-reference detector: finds, in any string, every reference to a catalogued metadata or credential
 * endpoint (components/endpoints.ts) in the spellings docs/scan.md lists, and every other link-local address.
 *
 * How: a cheap first pass ({@link candidateWindows}) finds the few lines that could hold a reference; only those are
 * decoded (percent-encoding, escapes, Unicode look-alikes; normalise.ts), read again as a shell would hand them on
 * (shell.ts) and with joined string literals glued (concat.ts), and parsed as a resolver or URL parser would
 * (ipv4.ts, ipv6.ts, hostnames.ts, hostContext.ts). Lines holding Pebble tags are also read as rendered (pebble.ts).
 * Base64 runs are decoded and searched the same way. docs/scan.md lists the spellings and the known limits.
 */
import { base64Runs } from "./base64";
import { composeDecoded, hasStringGlue, joinStringLiterals } from "./concat";
import { IPV4_ENDPOINT_BYTES } from "./catalogue";
import { GATES } from "./gates";
import { Decoded, decode, urlWithBreak } from "./normalise";
import { mayHoldTemplates, renderTemplates } from "./pebble";
import { findPlain } from "./plain";
import { candidateWindows, Window } from "./candidates";
import { expandGlobs, mayNeedShellReading, unquote } from "./shell";
import { RawFinding } from "./raw";
import { DetectOptions, EndpointReference } from "./types";

export type { DetectOptions, EndpointDetector, EndpointReference, ReferenceSeverity } from "./types";

/** Base64 inside base64 is followed once; deeper nesting is not how user data is written. */
const MAX_BASE64_DEPTH = 2;

/**
 * Every reference in `text` to a metadata/credential endpoint of the catalogue (severity `error`) or to another
 * link-local address (severity `warning`), sorted by start offset, with no two findings overlapping. Offsets are
 * UTF-16 offsets into `text` itself, whatever decoding was needed to see the reference. Never throws on any string.
 *
 * @example
 * findEndpointReferences("curl http://0xa9fea9fe/latest/meta-data/")
 * // [{ endpointId: "aws-imds", endpoint: "169.254.169.254", severity: "error", start: 12, end: 22,
 * //    match: "0xa9fea9fe", spelling: "hex integer IPv4" }]
 */
export function findEndpointReferences(text: string, options?: DetectOptions): EndpointReference[] {
  return detect(text, options?.decodeBase64 ?? true, 0);
}

/** One way of reading a window, and the words added to a finding's spelling when only this reading finds it. */
interface Reading {
  readonly decoded: Decoded;
  readonly how?: string;
}

function detect(text: string, decodeBase64: boolean, depth: number): EndpointReference[] {
  const found: EndpointReference[] = [];
  for (const w of candidateWindows(text)) {
    const slice = text.slice(w.start, w.end);
    const decoded = decode(slice);
    const readings: Reading[] = [{ decoded }];
    // A tab or line end inside a URL: read it both joined (as the WHATWG parser does) and as written.
    if (!GATES.readings || urlWithBreak(slice)) readings.push({ decoded: decode(slice, true) });
    // String literals glued together (`"169.254" + ".169.254"`), after escapes are undone (`\"169.254\" + ...` in
    // a JSON or YAML string): read once more as the one string they make.
    const joined = joinStringLiterals(decoded.text);
    if (joined) readings.push({ decoded: composeDecoded(decoded, joined) });
    // What a shell hands the client: quotes and escapes removed, globs expanded.
    if (!GATES.readings || mayNeedShellReading(slice)) readings.push(...shellReadings(slice));
    for (const r of readings) collect(text, w, r, found);
  }
  // Pebble templates: lines that only spell an address once rendered (`http://{{ '169.254' }}.169.254/`).
  if (!GATES.pebble || mayHoldTemplates(text)) {
    for (const line of renderTemplates(text)) {
      // The cheap pass again, on the rendered line: most rendered values (dates, names, defaults) hold no candidate.
      if (GATES.pebble && candidateWindows(line.rendered.text).length === 0) continue;
      const decoded = composeDecoded(line.rendered, decode(line.rendered.text));
      const window = { start: line.start, end: line.end, cutStart: false, cutEnd: false };
      collect(text, window, { decoded, how: "built by a Pebble template" }, found);
      for (const r of shellReadings(decoded.text)) {
        collect(text, window, { decoded: composeDecoded(decoded, r.decoded), how: `built by a Pebble template, ${r.how}` }, found);
      }
    }
  }
  if (decodeBase64 && depth < MAX_BASE64_DEPTH) {
    for (const run of base64Runs(text)) {
      const inner = worst(detect(run.decoded, true, depth + 1));
      if (!inner) continue;
      found.push({
        endpointId: inner.endpointId,
        endpoint: inner.endpoint,
        severity: inner.severity,
        start: run.start,
        end: run.end,
        match: forDisplay(text.slice(run.start, run.end)),
        spelling: `base64-encoded text containing ${inner.spelling} ${JSON.stringify(inner.match.slice(0, 80))}`,
      });
    }
  }
  return resolveOverlaps(found);
}

/** The findings in one reading of a window, mapped back to offsets in `text`. */
function collect(text: string, w: Window, r: Reading, found: EndpointReference[]): void {
  const decoded = r.decoded;
  for (const f of findPlain(decoded.text)) {
    if ((w.cutStart && f.start === 0) || (w.cutEnd && f.end === decoded.text.length)) continue;
    const start = w.start + (decoded.starts ? decoded.starts[f.start] : f.start);
    const end = w.start + (decoded.ends ? decoded.ends[f.end - 1] : f.end);
    found.push(reference(text, start, end, f, decoded.starts !== undefined, r.how));
  }
}

/**
 * The shell's readings of a window: unquoted (escapes and empty expansions dropped), then each expansion of its
 * globs; every reading is decoded too, so `'%31'69.254.169.254` still counts.
 */
function shellReadings(slice: string): Reading[] {
  const readings: Reading[] = [];
  const unquoted = unquote(slice);
  const base: Decoded = unquoted ? composeDecoded(unquoted, decode(unquoted.text)) : { text: slice, starts: undefined, ends: undefined };
  if (unquoted) readings.push({ decoded: base, how: "shell quoting or escapes removed" });
  for (const g of expandGlobs(base.text, IPV4_ENDPOINT_BYTES) ?? []) {
    readings.push({ decoded: composeDecoded(base, g), how: "curl URL glob or shell brace expansion" });
  }
  return readings;
}

function reference(text: string, start: number, end: number, f: RawFinding, wasDecoded: boolean, how?: string): EndpointReference {
  const original = text.slice(start, end);
  const tricks = wasDecoded ? obfuscations(original) : [];
  if (how) tricks.push(how);
  return {
    endpointId: f.endpointId,
    endpoint: f.endpoint,
    severity: f.severity,
    start,
    end,
    match: forDisplay(original),
    spelling: tricks.length > 0 ? `${f.spelling}, ${tricks.join(", ")}` : f.spelling,
  };
}

/** The encodings visible in a matched span, for the finding message. */
function obfuscations(original: string): string[] {
  const tricks: string[] = [];
  if (/%25[0-9a-fA-F]{2}/.test(original)) tricks.push("double percent-encoded");
  else if (/%(?:[0-9a-fA-F]{2}|[uU][0-9a-fA-F]{4})/.test(original)) tricks.push("percent-encoded");
  if (/\\(?:[uUx0-7]|\/)/.test(original)) tricks.push("escaped");
  if (/&(?:#|[A-Za-z]{2,8};)/.test(original)) tricks.push("HTML character references");
  if (/\\\r?\n/.test(original)) tricks.push("escaped line break (YAML double-quoted scalar or shell)");
  if (/\p{Default_Ignorable_Code_Point}/u.test(original)) tricks.push("zero-width characters");
  if (/(?!\p{Default_Ignorable_Code_Point})[\u0080-\u{10ffff}]/u.test(original)) tricks.push("Unicode look-alikes (NFKC/IDNA)");
  if (/[\t\n\r]/.test(original)) tricks.push("tab or newline inside the URL");
  if (hasStringGlue(original)) tricks.push("split across string literals joined together");
  return tricks;
}

/** The text with control and invisible format characters escaped, so a report shows what is really there. */
export function forDisplay(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, (c) => {
    if (c === "\t") return "\\t";
    if (c === "\n") return "\\n";
    if (c === "\r") return "\\r";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

const rank = (r: EndpointReference): number => (r.severity === "error" ? 2 : 1);

function worst(refs: readonly EndpointReference[]): EndpointReference | undefined {
  let best: EndpointReference | undefined;
  for (const r of refs) if (!best || rank(r) > rank(best)) best = r;
  return best;
}

/** Sorted by start; of overlapping findings the more severe stays, then the longer (an IPv6 literal over its tail). */
function resolveOverlaps(found: EndpointReference[]): EndpointReference[] {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: EndpointReference[] = [];
  for (const f of found) {
    const last = kept[kept.length - 1];
    if (last && f.start < last.end) {
      if (rank(f) > rank(last) || (rank(f) === rank(last) && f.end - f.start > last.end - last.start)) kept[kept.length - 1] = f;
      continue;
    }
    kept.push(f);
  }
  return kept;
}
