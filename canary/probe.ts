/**
 * The canary probe: a Python 3 script (standard library only, 3.8 or newer) that a worker runs as an ordinary task.
 * It tries every check of {@link canaryChecks} with the verdicts of {@link canaryExpectations} filled in, prints
 * one line per check and a summary, writes the report as JSON, and exits non-zero when anything it must not reach
 * was reached. It never prints a credential: of an answer it reports the status code and the size, never the body;
 * of a variable or a token file only that it is there.
 *
 * The checks are embedded one per line, and every line that names an endpoint carries a `hardening:ignore` comment
 * for exactly the scan rules the detector finds on it, so `hardening scan` passes the probe with reasons anyone
 * can read (docs/scan.md), and still reports anything else in the same file.
 */
import { findEndpointReferences } from "../detect";
import { ExpectedCheck } from "./expectations";

/** The report's JSON `version`. */
export const CANARY_REPORT_VERSION = 1;

/** The reason every inline exception in the probe gives. */
export const PROBE_IGNORE_REASON =
  "the hardening canary tries this endpoint on purpose, to prove from the workload's seat that it is refused";

/** Exit codes of the probe. */
export const CANARY_EXIT = {
  /** Every check refused (or accepted), every positive control reached. */
  clean: 0,
  /** Something that must be refused was reached. */
  reached: 1,
  /** A positive control was refused: the refusals prove nothing (network down, wrong allow-list). */
  inconclusive: 2,
} as const;

/** Options of the rendered probe. */
export interface CanaryProbeOptions {
  /**
   * Seconds each connection or request may take; a silently dropped packet costs this long.
   * @default 3
   */
  readonly timeoutSeconds?: number;
  /**
   * A label for the report, e.g. the stack and namespace, so a result says which environment it is from.
   * @default ""
   */
  readonly environment?: string;
}

/** A value as a Python literal (strings as JSON strings, which Python reads the same way). */
function py(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(py).join(", ")}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(", ")}}`;
}

/** The line with an inline exception for every scan rule the detector would report on it, or unchanged. */
function exempted(line: string): string {
  const refs = findEndpointReferences(line);
  if (refs.length === 0) return line;
  const rules = [...new Set(refs.map((r) => (r.severity === "error" ? "metadata-endpoint" : "link-local-address")))];
  return `${line}  # hardening:ignore ${rules.join(",")} reason: ${PROBE_IGNORE_REASON}`;
}

const BODY = String.raw`
import json, os, socket, ssl, sys, time
from concurrent.futures import ThreadPoolExecutor

KUBERNETES_DEFAULT = ("kubernetes.default.svc", 443)


def why(err):
    if isinstance(err, socket.timeout):
        return "timed out (dropped)"
    if isinstance(err, ConnectionRefusedError):
        return "connection refused (rejected)"
    if isinstance(err, socket.gaierror):
        return "does not resolve (%s)" % (err.strerror or err)
    return err.strerror or type(err).__name__


def open_connection(host, port):
    """Returns (socket, address) or (None, reason)."""
    try:
        infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        return None, why(err) if isinstance(err, socket.gaierror) else "not a valid name"
    reason = "no address"
    for family, kind, proto, _, address in infos:
        s = socket.socket(family, kind, proto)
        s.settimeout(TIMEOUT)
        try:
            s.connect(address)
            return s, address[0]
        except OSError as err:
            reason = why(err)
            s.close()
    return None, reason


def ask(s, host, request):
    """Sends the credential request; says what came back without showing any of it."""
    name = "[%s]" % host if ":" in host else host
    lines = ["GET %s HTTP/1.0" % request["path"], "Host: %s" % name, "Connection: close"]
    lines += ["%s: %s" % kv for kv in request["headers"].items()]
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        data = b""
        while len(data) < 65536:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError as err:
        return "no answer to the credential request (%s)" % why(err)
    head, _, body = data.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    status = parts[1].decode("ascii", "replace") if len(parts) > 1 and parts[1].isdigit() else "?"
    if status == "200" and body:
        return "answered the credential request with HTTP 200 and %d bytes: a credential could be obtained (not shown)" % len(body)
    return "answered the credential request with HTTP %s" % status


def check_connect(c):
    s, detail = open_connection(c["host"], c["port"])
    if s is None:
        return "refused", detail
    try:
        text = "connected to %s" % detail
        if c.get("http"):
            text += "; " + ask(s, c["host"], c["http"])
        return "reached", text
    finally:
        s.close()


def check_resolve(c):
    try:
        infos = socket.getaddrinfo(c["host"], None, 0, socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as err:
        return "refused", why(err) if isinstance(err, socket.gaierror) else "not a valid name"
    return "reached", "resolves to %s" % infos[0][4][0]


def check_variable(c):
    if os.environ.get(c["path"]):
        return "reached", "set in the task's environment (value not shown)"
    return "refused", "not set"


def readable(path):
    try:
        with open(path, "rb") as f:
            return len(f.read(1)) > 0
    except OSError:
        return False


def check_token(c):
    if readable(c["path"]):
        return "reached", "a ServiceAccount token is mounted and readable (not shown)"
    return "refused", "no token mounted"


def api_address(c):
    if c.get("host"):
        return c["host"], c["port"]
    host = os.environ.get("KUBERNETES_SERVICE_HOST")
    if host:
        return host, int(os.environ.get("KUBERNETES_SERVICE_PORT", "443"))
    return KUBERNETES_DEFAULT


def check_kubernetes_api(c):
    host, port = api_address(c)
    if not c["withToken"]:
        s, detail = open_connection(host, port)
        if s is None:
            return "refused", "%s:%s %s" % (host, port, detail)
        s.close()
        return "reached", "the API server at %s:%s accepts connections" % (host, port)
    if not readable(c["path"]):
        return "refused", "no token to send"
    ca = os.path.join(os.path.dirname(c["path"]), "ca.crt")
    if not os.path.exists(ca):
        return "reached", "a token is mounted; not sent, since there is no ca.crt to verify the server with"
    s, detail = open_connection(host, port)
    if s is None:
        return "refused", "a token is mounted but the API server is not reachable (%s)" % detail
    try:
        # The token goes only to a server the cluster's CA vouches for, under the name or address it was asked for.
        context = ssl.create_default_context(cafile=ca)
        with open(c["path"]) as f:
            token = f.read().strip()
        t = context.wrap_socket(s, server_hostname=host)
        t.sendall(("GET /api HTTP/1.0\r\nHost: %s\r\nAuthorization: Bearer %s\r\n\r\n" % (host, token)).encode("ascii"))
        token = None
        head = t.recv(256).split(b" ", 2)
        status = head[1].decode("ascii", "replace") if len(head) > 1 else "?"
        t.close()
    except (OSError, ssl.SSLError, ValueError) as err:
        return "reached", "a token is mounted and the API server is reachable; the request failed (%s)" % type(err).__name__
    if status == "401":
        return "refused", "the API server rejected the mounted token (HTTP 401)"
    return "reached", "the API server accepted the mounted token (HTTP %s)" % status


def check_write(c):
    name = os.path.join(c["path"], ".hardening-canary-%d-%s" % (os.getpid(), os.urandom(4).hex()))
    try:
        fd = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as err:
        return "refused", "cannot create a file in %s: %s" % (c["path"], err.strerror or err)
    os.close(fd)
    os.unlink(name)
    return "reached", "created (and removed) a file in %s" % c["path"]


RUN = {
    "connect": check_connect,
    "resolve": check_resolve,
    "variable": check_variable,
    "token": check_token,
    "kubernetes-api": check_kubernetes_api,
    "write": check_write,
}


def run(c):
    try:
        outcome, detail = RUN[c["kind"]](c)
    except Exception as err:  # a check that crashes must say so, not take the others down
        # Neither refused nor reached: judged as a failure, so a probe bug can never pass as a refusal.
        outcome, detail = "error", "the check itself failed: %s" % type(err).__name__
    failed = outcome != c["expect"]
    verdict = "ok" if not failed else c["severity"]
    return dict(c, outcome=outcome, detail=detail, verdict=verdict)


def main():
    started = time.time()
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(run, CHECKS))
    counts = {"ok": 0, "error": 0, "warning": 0, "accepted": 0}
    inconclusive = [r["id"] for r in results if r["expect"] == "reached" and r["outcome"] != "reached"]
    for r in results:
        if r["expect"] == "refused":
            counts[r["verdict"]] += 1
        label = "POSITIVE" if r["expect"] == "reached" else r["outcome"].upper()
        endpoints = " (%s)" % ", ".join(r["endpointIds"]) if r["endpointIds"] else ""
        print("%-8s %-8s %s %s%s: %s" % (label, r["verdict"].upper(), r["id"], r["target"], endpoints, r["detail"]))
        if r["verdict"] in ("error", "warning"):
            print("         why: %s" % r["why"])
    if inconclusive:
        status = "inconclusive"
    elif counts["error"] or counts["warning"]:
        status = "reached"
    else:
        status = "clean"
    report = {
        "version": VERSION,
        "probe": "hardening-canary",
        "environment": ENVIRONMENT,
        "status": status,
        "startedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "seconds": round(time.time() - started, 1),
        "counts": counts,
        "inconclusive": inconclusive,
        "results": [
            {k: r[k] for k in ("id", "kind", "family", "target", "endpointIds", "expect", "outcome", "verdict", "detail", "why", "controls")}
            for r in results
        ],
    }
    print("SUMMARY  %s: %d refused, %d errors, %d warnings, %d accepted, %d positive controls failed" % (
        status.upper(), counts["ok"], counts["error"], counts["warning"], counts["accepted"], len(inconclusive)))
    path = os.environ.get("CANARY_OUTPUT")
    if path:
        try:
            with open(path, "w") as f:
                json.dump(report, f, indent=2)
        except OSError as err:
            print("could not write %s: %s" % (path, err.strerror), file=sys.stderr)
    # Kestra reads this line as the task's outputs; elsewhere it is the report on one line of the log.
    print("::" + json.dumps({"outputs": {"canary": report}}, separators=(",", ":")) + "::")
    sys.stdout.flush()
    sys.exit(EXIT_INCONCLUSIVE if inconclusive else EXIT_REACHED if status == "reached" else EXIT_CLEAN)


if __name__ == "__main__":
    main()
`;

/**
 * The probe as Python source, with `checks` embedded. Deterministic: the same checks give the same text.
 *
 * @example
 * const checks = canaryExpectations(canaryChecks(), controls);
 * fs.writeFileSync("canary.py", canaryProbeScript(checks));   // python3 canary.py; echo $?
 */
export function canaryProbeScript(checks: readonly ExpectedCheck[], options: CanaryProbeOptions = {}): string {
  const timeout = options.timeoutSeconds ?? 3;
  if (!(typeof timeout === "number" && timeout > 0 && timeout <= 60)) throw new RangeError(`timeoutSeconds ${timeout} must be a number of seconds from 0 to 60.`);
  const lines = checks.map((c) => exempted(`    ${py(c)},`));
  return `#!/usr/bin/env python3
# pulumi-hardening canary: tries, from the workload's own seat, every metadata and credential endpoint of the
# catalogue, the Kubernetes API, a name and an address outside the egress allow-list and a write to the root
# filesystem, and reports each as refused or reached. Never prints a credential. Generated: do not edit.
VERSION = ${CANARY_REPORT_VERSION}
ENVIRONMENT = ${py(options.environment ?? "")}
TIMEOUT = ${timeout}
EXIT_CLEAN, EXIT_REACHED, EXIT_INCONCLUSIVE = ${CANARY_EXIT.clean}, ${CANARY_EXIT.reached}, ${CANARY_EXIT.inconclusive}
CHECKS = [
${lines.join("\n")}
]
${BODY}`;
}
