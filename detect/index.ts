/**
 * The endpoint-reference detector: finds, in any string, every reference to a catalogued metadata or credential
 * endpoint (components/endpoints.ts) however it is spelled, and every other link-local address.
 *
 * How: a cheap first pass ({@link candidateWindows}) finds the few lines that could hold a reference; only those are
 * decoded (percent-encoding, escapes, Unicode look-alikes; normalise.ts) and parsed as a resolver or URL parser
 * would (ipv4.ts, ipv6.ts, hostnames.ts, hostContext.ts). Base64 runs are decoded and searched the same way.
 */
import { base64Runs } from "./base64";
import { composeDecoded, joinStringLiterals, STRING_GLUE } from "./concat";
import { decode, urlWithBreak } from "./normalise";
import { findPlain } from "./plain";
import { candidateWindows } from "./candidates";
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

function detect(text: string, decodeBase64: boolean, depth: number): EndpointReference[] {
  const found: EndpointReference[] = [];
  for (const w of candidateWindows(text)) {
    const slice = text.slice(w.start, w.end);
    const decoded = decode(slice);
    const readings = [decoded];
    // A tab or line end inside a URL: read it both joined (as the WHATWG parser does) and as written.
    if (urlWithBreak(slice)) readings.push(decode(slice, true));
    // String literals glued together (`"169.254" + ".169.254"`), after escapes are undone (`\"169.254\" + ...` in
    // a JSON or YAML string): read once more as the one string they make.
    const joined = joinStringLiterals(decoded.text);
    if (joined) readings.push(composeDecoded(decoded, joined));
    for (const decoded of readings) {
      for (const f of findPlain(decoded.text)) {
        if ((w.cutStart && f.start === 0) || (w.cutEnd && f.end === decoded.text.length)) continue;
        const start = w.start + (decoded.starts ? decoded.starts[f.start] : f.start);
        const end = w.start + (decoded.ends ? decoded.ends[f.end - 1] : f.end);
        found.push(reference(text, start, end, f, decoded.starts !== undefined));
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

function reference(text: string, start: number, end: number, f: RawFinding, wasDecoded: boolean): EndpointReference {
  const original = text.slice(start, end);
  const tricks = wasDecoded ? obfuscations(original) : [];
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
  if (/&#/.test(original)) tricks.push("HTML character references");
  if (/\p{Default_Ignorable_Code_Point}/u.test(original)) tricks.push("zero-width characters");
  if (/(?!\p{Default_Ignorable_Code_Point})[\u0080-\u{10ffff}]/u.test(original)) tricks.push("Unicode look-alikes (NFKC/IDNA)");
  if (/[\t\n\r]/.test(original)) tricks.push("tab or newline inside the URL");
  if (STRING_GLUE.test(original)) tricks.push("split across string literals joined together");
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
