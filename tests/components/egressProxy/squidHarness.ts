/**
 * Runs the real Squid for tests and the benchmark: on loopback, on a free port, with its own configuration, hosts
 * file, logs and runtime directory in a temporary folder, in the foreground (`-N`), as `nobody` when started by
 * root (Squid would otherwise switch to its build user, which cannot write the folder). Also a local upstream HTTP
 * server and proxy clients that send absolute-URI requests and CONNECT exactly as written (node does not normalise
 * the host), so Squid sees the spellings under test.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as dgram from "node:dgram";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

const NOBODY = 65534;
let instances = 0;

/** Where Squid is, or why it cannot run here. */
export function findSquid(): { squid: string } | { missing: string } {
  for (const candidate of ["/usr/sbin/squid", "/usr/local/sbin/squid"]) {
    if (fs.existsSync(candidate)) return { squid: candidate };
  }
  try {
    return { squid: execFileSync("sh", ["-c", "command -v squid"], { encoding: "utf8" }).trim() };
  } catch {
    return { missing: "squid is not installed (apt-get install squid)" };
  }
}

/**
 * An IPv4 address of this machine outside loopback (its first interface's), or undefined. The proxy never reaches
 * its own loopback, so a test upstream the proxy must reach by IP literal listens here instead.
 */
export function nonLoopbackAddress(): string | undefined {
  for (const infos of Object.values(os.networkInterfaces())) {
    for (const info of infos ?? []) if (info.family === "IPv4" && !info.internal && !info.address.startsWith("169.254.")) return info.address;
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (the kernel picks it; the socket is closed before Squid binds it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running Squid and its folder. */
export interface SquidProcess {
  readonly dir: string;
  readonly port: number;
  readonly accessLog: string;
  readonly cacheLog: string;
  /** Stops Squid (SIGINT: shut down without waiting for clients; SIGKILL after `graceMs`), removes the folder. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** The paths a configuration for {@link startSquid} must use; `render` gets them and returns squid.conf. */
export interface SquidPaths {
  readonly dir: string;
  readonly port: number;
  readonly accessLog: string;
  readonly cacheLog: string;
  readonly hostsFile: string;
  readonly runDirectory: string;
}

/** Resolves once something accepts connections on 127.0.0.1:`port`; rejects if `child` exits first or time runs out. */
export async function waitForPort(port: number, child: ChildProcess, deadline: number, log: () => string): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`squid exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`squid did not listen on 127.0.0.1:${port} in time:\n${log()}`);
}

/**
 * Starts Squid with the configuration `render` returns for the given paths and `hosts` as its hosts file.
 * Resolves once Squid accepts connections (within `startMs`); on failure, Squid is stopped and the folder removed.
 */
export async function startSquid(squid: string, hosts: string, render: (p: SquidPaths) => string, startMs = 20_000): Promise<SquidProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-proxy-"));
  const port = await freePort();
  const paths: SquidPaths = {
    dir,
    port,
    accessLog: path.join(dir, "access.log"),
    cacheLog: path.join(dir, "cache.log"),
    hostsFile: path.join(dir, "hosts"),
    runDirectory: path.join(dir, "run"),
  };
  fs.mkdirSync(paths.runDirectory);
  fs.writeFileSync(paths.hostsFile, hosts);
  fs.writeFileSync(path.join(dir, "squid.conf"), render(paths));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    for (const p of [dir, paths.runDirectory]) fs.chownSync(p, NOBODY, NOBODY);
  }
  // A service name of its own: Squid names its shared-memory segments after it (/dev/shm/<name>-cf__*), and two
  // instances with the same name would take over each other's segments.
  const service = `egress${process.pid}x${++instances}`;
  const args = ["-N", "-n", service, "-f", path.join(dir, "squid.conf")];
  const child = asRoot
    ? spawn("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", squid, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    : spawn(squid, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopped = false;
  const stop = async (graceMs = 3000) => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    // Segments a killed Squid could not remove.
    if (fs.existsSync("/dev/shm")) {
      for (const f of fs.readdirSync("/dev/shm")) if (f.startsWith(`${service}-`)) fs.rmSync(path.join("/dev/shm", f), { force: true });
    }
  };
  const log = () => {
    const cache = fs.existsSync(paths.cacheLog) ? fs.readFileSync(paths.cacheLog, "utf8") : "";
    return `${output}\n${cache}`.split("\n").slice(-30).join("\n");
  };
  try {
    await waitForPort(port, child, Date.now() + startMs, log);
  } catch (e) {
    await stop(500);
    throw e;
  }
  return { dir, port, accessLog: paths.accessLog, cacheLog: paths.cacheLog, stop };
}

/** A local upstream: answers every request with 200 and a JSON echo of what it received; counts requests. */
export interface Upstream {
  readonly port: number;
  /** Requests received, newest last. */
  readonly seen: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** Starts the upstream on `address` (127.0.0.1 unless given) on a free port. */
export async function startUpstream(address = "127.0.0.1"): Promise<Upstream> {
  const seen: Upstream["seen"] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? "", headers: req.headers });
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ upstream: true, url: req.url }));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What a request through the proxy got back. */
export interface ProxyReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** Sends `GET <url>` (absolute URI, exactly as given) to the proxy. */
export function proxyGet(proxyPort: number, url: string, options: { agent?: http.Agent; localAddress?: string; timeoutMs?: number } = {}): Promise<ProxyReply> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: "127.0.0.1",
      port: proxyPort,
      method: "GET",
      path: url,
      agent: options.agent ?? false,
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      timeout: options.timeoutMs ?? 10_000,
    });
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} through the proxy timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/**
 * Sends `CONNECT <authority>` to the proxy. When the tunnel opens (200), sends one plain HTTP request through it
 * and returns that reply's status as `tunnelled`; always closes the tunnel.
 */
export function proxyConnect(proxyPort: number, authority: string, timeoutMs = 10_000): Promise<{ status: number; tunnelled?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, method: "CONNECT", path: authority, agent: false, timeout: timeoutMs });
    req.on("connect", (res, socket) => {
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        socket.destroy();
        resolve({ status });
        return;
      }
      let data = "";
      socket.setEncoding("utf8");
      socket.on("data", (d) => (data += d));
      socket.on("end", () => {
        const first = /^HTTP\/1\.1 (\d{3})/.exec(data);
        resolve({ status, tunnelled: first ? Number(first[1]) : 0, body: data.split("\r\n\r\n")[1] ?? "" });
      });
      socket.on("error", reject);
      socket.write(`GET /through-tunnel HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
    });
    req.on("timeout", () => req.destroy(new Error(`CONNECT ${authority} through the proxy timed out`)));
    req.on("error", reject);
    req.end();
  });
}

/** Reads the access log until `predicate` holds or `timeoutMs` passes (Squid writes lines as requests finish). */
export async function readLogUntil(file: string, predicate: (text: string) => boolean, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (predicate(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Name -> addresses the test's DNS server answers with (IPv4 as A records, IPv6 as AAAA), in order, TTL 60 s; or a
 * rebinding name: a sequence of A answers, one per A query in turn (the last repeated), TTL 0.
 */
export type DnsZone = Readonly<Record<string, readonly string[] | { readonly rebind: readonly (readonly string[])[] }>>;

/** The queried name (lower case, no trailing dot) and the offset just past it, or undefined for a malformed query. */
function questionName(query: Buffer): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let i = 12;
  while (i < query.length) {
    const len = query[i];
    if (len === 0) return { name: labels.join(".").toLowerCase(), end: i + 1 };
    if (len > 63 || i + 1 + len > query.length) return undefined;
    labels.push(query.subarray(i + 1, i + 1 + len).toString("latin1"));
    i += 1 + len;
  }
  return undefined;
}

function rdata(address: string): { type: number; bytes: Buffer } {
  if (!address.includes(":")) return { type: 1, bytes: Buffer.from(address.split(".").map(Number)) };
  const [head, tail = ""] = address.split("::");
  const groups = (t: string) => (t === "" ? [] : t.split(":"));
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const bytes = Buffer.alloc(16);
  all.forEach((g, k) => bytes.writeUInt16BE(parseInt(g, 16), k * 2));
  return { type: 28, bytes };
}

/**
 * A DNS server on the first of `addresses` whose port 53 (UDP) is free, that answers the names in `zone` with their A and AAAA records, in the order
 * given, and every other name NXDOMAIN at once (so a name missing from the hosts file fails fast instead of
 * waiting out Squid's DNS timeout). Port 53 needs root; resolves to undefined when the port cannot be bound.
 */
export async function startTestDns(addresses: readonly string[], zone: DnsZone = {}): Promise<{ address: string; close(): Promise<void> } | undefined> {
  // Several candidate addresses, tried in turn: another process on the machine may hold port 53 on one of them.
  for (const address of addresses) {
    const server = await serveDns(address, zone);
    if (server) return server;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function serveDns(address: string, zone: DnsZone): Promise<{ address: string; close(): Promise<void> } | undefined> {
  const socket = dgram.createSocket("udp4");
  const aQueries = new Map<string, number>();
  socket.on("message", (query, peer) => {
    const q = questionName(query);
    if (query.length < 12 || q === undefined || q.end + 4 > query.length) return;
    const qtype = query.readUInt16BE(q.end);
    const known = zone[q.name];
    let addresses: readonly string[] = [];
    let ttl = 60;
    if (Array.isArray(known)) addresses = known;
    else if (known !== undefined) {
      const { rebind } = known as { rebind: readonly (readonly string[])[] };
      ttl = 0;
      if (qtype === 1) {
        const n = aQueries.get(q.name) ?? 0;
        aQueries.set(q.name, n + 1);
        addresses = rebind[Math.min(n, rebind.length - 1)];
      }
    }
    const answers = addresses.map(rdata).filter((r) => r.type === qtype);
    const header = Buffer.from(query.subarray(0, 12));
    // QR=1 (response), opcode and RD copied, AA=1; RA=1, RCODE 0 (known name) or 3 (NXDOMAIN).
    header[2] = 0x84 | (query[2] & 0x79);
    header[3] = 0x80 | (known ? 0 : 3);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    const records = answers.map((a) => {
      const r = Buffer.alloc(12);
      r.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
      r.writeUInt16BE(a.type, 2);
      r.writeUInt16BE(1, 4); // class IN
      r.writeUInt32BE(ttl, 6);
      r.writeUInt16BE(a.bytes.length, 10);
      return Buffer.concat([r, a.bytes]);
    });
    socket.send(Buffer.concat([header, query.subarray(12, q.end + 4), ...records]), peer.port, peer.address);
  });
  const bound = await new Promise<boolean>((resolve) => {
    socket.once("error", () => resolve(false));
    socket.bind(53, address, () => resolve(true));
  });
  if (!bound) {
    socket.close();
    return undefined;
  }
  return { address, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
