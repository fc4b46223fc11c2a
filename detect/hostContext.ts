/**
 * Deciding whether a token stands where a host goes. A bare number (`2852039166`, `0xa9fea9fe`) or a one-label
 * name (`metadata`) is an address only there; anywhere else it is an ordinary value or word, and reporting it would
 * bury real findings in noise (Kubernetes `metadata:`, `metadataOptions`, a row count).
 */

// WHATWG URL "special schemes": for these, `http:2852039166` and `http:\\2852039166` are valid URLs whose host is
// the number (the parser skips any run of `/` and `\` after the scheme).
const SPECIAL_SCHEME_NO_SLASH = /(?:^|[^A-Za-z0-9+.-])(?:https?|wss?|ftp):[/\\]*$/i;
// Any scheme followed by `//` (or `\\`, which special schemes treat alike), or a scheme-relative `//`.
const AUTHORITY_START = /[/\\]{2}$/;
// A Host header, a `host:`/`hostname:` key (YAML, JSON, .env) or a `--host` flag.
const HOST_KEY = /(?:^|[^A-Za-z0-9_-])(?:host|hostname|host_name|server_name)["']?\s*[:=]\s*["']?$|--(?:host|hostname)(?:\s+|=)["']?$/i;
// Clients whose argument is a URL or a host. The list is the one the issue names, plus their common aliases.
// Case matters: shells are case-sensitive (so "SSH key pair" in prose is not a command); PowerShell is not, and
// its cmdlets are listed in the two spellings people write.
const COMMAND = /(?:^|[\s;|&(`$"'{])(curl|wget|nc|ncat|netcat|telnet|socat|ping|ssh|http|https|xh|aria2c|Invoke-WebRequest|Invoke-RestMethod|invoke-webrequest|invoke-restmethod|iwr|irm|fetch|urlopen|requests\.(?:get|post|put|patch|delete|head|options|request)|httpx\.(?:get|post|put|patch|delete|head|options|request|stream)|https?\.(?:get|request)|axios(?:\.(?:get|post|put|patch|delete|head|request))?|DownloadString|DownloadFile|socket\.create_connection|new\s+Socket)(?=[\s(])/g;
// Commands that take a bare host (not a URL), so `nc metadata 80` names the host with nothing after it.
const BARE_HOST_COMMANDS = new Set(["nc", "ncat", "netcat", "telnet", "socat", "ping", "ssh"]);

const LOOKBACK = 256;

/** How a token stands in its line. */
export type HostPosition = "url" | "at" | "host-key" | "command" | undefined;

/** Whether the character after a host may follow it: end, whitespace, a quote, a port, a path, a query or fragment. */
function endsLikeHost(text: string, end: number, allowBare: boolean): boolean {
  if (end >= text.length) return allowBare;
  const c = text[end];
  if (c === "/" || c === "\\" || c === "?" || c === "#") return true;
  // A port, or userinfo confusion that some parsers resolve to this host (`http://x@0xa9fea9fe:@good.com/`, ip.py).
  if (c === ":") return /[0-9@+]/.test(text[end + 1] ?? "");
  if (!allowBare) return false;
  return /[\s"'`)\]},;>]/.test(c);
}

/**
 * Says where the token `text.slice(start, end)` stands: as a URL's host (`url`), after an `@` (`at`), as a
 * Host header or host key (`host-key`), as the host argument of a client (`command`); undefined otherwise.
 * `strict` (for one-label names) additionally requires a command argument to look like a URL (a path or port after
 * it), unless the client takes bare hosts (`nc`, `telnet`, ...), so prose like "curl fetches the metadata" is not a
 * host.
 */
export function hostPosition(text: string, start: number, end: number, strict: boolean): HostPosition {
  // Only the line's last LOOKBACK characters before the token are read: enough for any command line, and it keeps
  // a megabyte-long line of candidates linear.
  // A shell line continued with a trailing backslash is one command (`curl -s \` then the host on the next line).
  let lineStart = start;
  while (lineStart > 0 && start - lineStart < LOOKBACK) {
    if (text.charCodeAt(lineStart - 1) === 10) {
      const backslashAt = text.charCodeAt(lineStart - 2) === 13 ? lineStart - 3 : lineStart - 2;
      if (text.charCodeAt(backslashAt) !== 92) break;
    }
    lineStart--;
  }
  const before = text.slice(lineStart, start);
  const prev = before[before.length - 1] ?? "";
  if (prev === "@") return endsLikeHost(text, end, true) ? "at" : undefined;
  const near = before.slice(-24);
  if (AUTHORITY_START.test(near) || SPECIAL_SCHEME_NO_SLASH.test(near)) {
    return endsLikeHost(text, end, true) ? "url" : undefined;
  }
  if (HOST_KEY.test(before.slice(-48))) return endsLikeHost(text, end, true) ? "host-key" : undefined;
  if (prev !== "" && !/[\s"'(,]/.test(prev)) return undefined;
  COMMAND.lastIndex = 0;
  let command: string | undefined;
  let commandEnd = -1;
  for (let m = COMMAND.exec(before); m; m = COMMAND.exec(before)) {
    command = m[1];
    commandEnd = m.index + m[0].length;
  }
  if (command === undefined) return undefined;
  // A shell separator between the client and the token means the token belongs to another command.
  if (/[;|&]/.test(before.slice(commandEnd))) return undefined;
  if (!strict) return endsLikeHost(text, end, true) ? "command" : undefined;
  if (!BARE_HOST_COMMANDS.has(command)) return endsLikeHost(text, end, false) ? "command" : undefined;
  // `nc -v metadata 80`, `ping -c 1 metadata`: only options and their values may stand between the client and a
  // bare one-label host, which keeps prose ("ssh in and read the metadata") out.
  const between = before.slice(commandEnd).trim().split(/\s+/).filter((w) => w.length > 0);
  for (let k = 0; k < between.length; k++) {
    if (!between[k].startsWith("-") && !(k > 0 && between[k - 1].startsWith("-"))) return undefined;
  }
  return endsLikeHost(text, end, true) ? "command" : undefined;
}
