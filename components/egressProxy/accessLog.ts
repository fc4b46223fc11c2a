/**
 * The egress proxy's access log: one line per request, allowed or refused, in a fixed `key=value` format that
 * the rendered Squid configuration writes and {@link parseEgressLogLine} reads back. Every refusal by the
 * allow-list carries `verdict=deny` and the rule that refused it in `reason`, so an alert or a SIEM query needs no
 * knowledge of Squid's own status codes.
 */

/** Why the proxy refused a request: the `reason` field of a `verdict=deny` line. */
export const EgressDenyReason = {
  /** A request for Squid's cache manager (`cache_object:` or `/squid-internal-mgr/`). */
  Manager: "manager",
  /** The client's address is not one of the networks allowed to use the proxy. */
  Client: "client-not-allowed",
  /** Neither CONNECT nor an `http:` URL (`ftp:`, `gopher:`, `whois:`, ...). */
  Scheme: "scheme-not-allowed",
  /** The destination resolved to (or is) a refused address: metadata, link-local, loopback, private, reserved. */
  ForbiddenAddress: "forbidden-address",
  /**
   * A listed name that did not resolve when the proxy checked it. Refused, not resolved again at connect time: a
   * name that fails the check and answers the connect would otherwise escape the address check.
   */
  Unresolved: "unresolved",
  /** A listed destination on a port its rule does not list. */
  PortNotListed: "port-not-listed",
  /** A domain or address the allow-list does not list, raw IP spellings included. */
  NotListed: "not-listed",
} as const;
/** Why the proxy refused a request. */
export type EgressDenyReason = (typeof EgressDenyReason)[keyof typeof EgressDenyReason];

/** The Squid `logformat` name the rendered configuration defines. */
export const EGRESS_LOG_FORMAT = "hardening_egress";
/** The first word of every line, so the lines can be told apart in a shared log stream (stdout of a pod). */
export const EGRESS_LOG_TAG = "hardening-egress";

/**
 * The Squid `logformat` body. Values never hold a space: Squid percent-encodes unsafe characters in the host
 * (`%>rd`), methods are tokens, and absent values are `-`.
 */
export const EGRESS_LOG_FORMAT_BODY = [
  EGRESS_LOG_TAG,
  "v=1",
  "time=%ts.%03tu",
  "verdict=%{verdict}note",
  "reason=%{reason}note",
  "client=%>a",
  "method=%rm",
  "host=%>rd",
  "port=%>rP",
  "status=%>Hs",
  "result=%Ss",
  "server=%<a",
].join(" ");

/** One parsed access-log line. */
export interface EgressLogRecord {
  /** Seconds since the epoch, with milliseconds. */
  readonly time: number;
  /** `allow` or `deny` as the allow-list decided; `-` when Squid refused the request before the allow-list (a malformed request). */
  readonly verdict: "allow" | "deny" | "-";
  /** The refusing rule when `verdict` is `deny`; `-` otherwise. */
  readonly reason: EgressDenyReason | "-";
  /** The client's address. */
  readonly client: string;
  /** The request method (`GET`, `CONNECT`, ...). */
  readonly method: string;
  /** The destination host as Squid understood it (numeric IPv4 spellings already normalised, IPv6 bracketed and percent-encoded). */
  readonly host: string;
  /** The destination port; undefined when Squid logged none. */
  readonly port: number | undefined;
  /** The HTTP status sent to the client (403 for a refusal). */
  readonly status: number | undefined;
  /** Squid's own result code (`TCP_DENIED`, `TCP_MISS`, `TCP_TUNNEL`). */
  readonly result: string;
  /** The upstream address connected to; `-` when none. */
  readonly server: string;
}

const FIELDS = ["v", "time", "verdict", "reason", "client", "method", "host", "port", "status", "result", "server"] as const;
const REASONS = new Set<string>(Object.values(EgressDenyReason));

function numberOrUndefined(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Parses one line written with {@link EGRESS_LOG_FORMAT_BODY}. Returns undefined for any other line (Squid's
 * own messages on a shared stream, a truncated line, another format version), never throws.
 */
export function parseEgressLogLine(line: string): EgressLogRecord | undefined {
  const words = line.trim().split(" ");
  if (words[0] !== EGRESS_LOG_TAG || words.length !== FIELDS.length + 1) return undefined;
  const values: Record<string, string> = {};
  for (let i = 0; i < FIELDS.length; i++) {
    const word = words[i + 1];
    const eq = word.indexOf("=");
    if (eq < 0 || word.slice(0, eq) !== FIELDS[i]) return undefined;
    values[FIELDS[i]] = word.slice(eq + 1);
  }
  if (values.v !== "1" || !/^\d+\.\d{3}$/.test(values.time)) return undefined;
  const verdict = values.verdict;
  if (verdict !== "allow" && verdict !== "deny" && verdict !== "-") return undefined;
  const reason = values.reason;
  if (reason !== "-" && !REASONS.has(reason)) return undefined;
  return {
    time: Number(values.time),
    verdict,
    reason: reason as EgressDenyReason | "-",
    client: values.client,
    method: values.method,
    host: values.host,
    port: numberOrUndefined(values.port),
    status: numberOrUndefined(values.status),
    result: values.result,
    server: values.server,
  };
}

/** Every refusal by the allow-list in a log text: the `verdict=deny` lines, parsed, in order. */
export function egressDenials(logText: string): EgressLogRecord[] {
  return logText
    .split("\n")
    .map(parseEgressLogLine)
    .filter((r): r is EgressLogRecord => r !== undefined && r.verdict === "deny");
}
