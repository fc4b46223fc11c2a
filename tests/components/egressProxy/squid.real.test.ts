/**
 * The egress proxy, for real: the rendered configuration runs in the real Squid (Debian's package) on loopback,
 * with a hosts file that maps names to the metadata address and to a local upstream, and every request goes
 * through the proxy as a client would send it. Needs squid installed (.ci/run installs it; CI sets
 * HARDENING_REQUIRE_SQUID=1 so that this suite can never be skipped there).
 *
 * Names with several addresses, and names that do not exist, come from a DNS server of the test's own on
 * 127.53.0.1:53 or a neighbour (root only; those cases are skipped without it, and fail under HARDENING_REQUIRE_SQUID=1).
 *
 * Every name an allow-list lists must resolve to a globally reachable address, and the proxy's own loopback is never
 * reachable through it, so the suite runs in a network namespace of its own (`unshare --net`, root only), where
 * loopback also holds a "public" address for the upstream (100.0.0.1) and the internal addresses an attacker would
 * point an allowed name at (10.1.2.3, 169.254.169.254, fd00:ec2::254), each with a trap listening. Outside the
 * namespace the file has one test: it runs itself inside one and reports what the inner run reported.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { EgressDenyReason, egressDenials, HardeningSpec, parseEgressLogLine, planSquidConfig } from "../../../components";
import { findSquid, proxyConnect, proxyGet, readLogUntil, SquidProcess, startTestDns, startSquid, startUpstream, Upstream } from "./squidHarness";

/** Set inside the namespace the outer run creates. */
const IN_NETNS = process.env.HARDENING_SQUID_NETNS === "1";
/** The upstream's "public" address inside the namespace: globally reachable, so allowed names may resolve to it. */
const PUBLIC = "100.0.0.1";
/** Internal addresses an allowed name is pointed at; each holds a trap inside the namespace. */
const TRAPS = ["127.0.0.1", "127.0.0.2", "10.1.2.3", "10.9.9.9", "169.254.169.254", "::1", "fd00:ec2::254"];
/** Addresses added to the namespace's loopback interface (127/8 and ::1 are there already). */
const NETNS_ADDRESSES = [`${PUBLIC}/32`, "10.1.2.3/32", "10.9.9.9/32", "169.254.169.254/32", "fd00:ec2::254/128"];

/** Why the suite cannot run its own namespace here, or undefined when it can. */
function netnsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (unshare --net needs it)";
  for (const tool of ["unshare", "ip", "setpriv"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

/** Outside the namespace the cases are not defined at all (the one test above runs them inside). */
function notHere(_title: string, _body: (this: Mocha.Suite) => void): void {}

if (!IN_NETNS) {
  describe("egress proxy in the real squid", function () {
    it("runs every case below in a network namespace of its own, and all of them pass", function () {
      this.timeout(240_000);
      const found = findSquid();
      const missing = "missing" in found ? found.missing : netnsMissing();
      if (missing !== undefined) {
        if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(`the real-proxy test cannot run: ${missing}`);
        this.skip();
      }
      const root = path.resolve(__dirname, "../../..");
      const setup = [
        "set -e",
        "ip link set lo up",
        ...NETNS_ADDRESSES.map((a) => `ip addr add ${a} dev lo`),
        `exec env HARDENING_SQUID_NETNS=1 ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(root, "node_modules/mocha/bin/mocha.js"))} --no-config --require tsx/cjs --extension ts --timeout 60000 --reporter spec ${JSON.stringify(__filename)}`,
      ].join("\n");
      const run = spawnSync("unshare", ["--net", "sh", "-c", setup], { cwd: root, encoding: "utf8", env: { ...process.env }, timeout: 230_000 });
      const output = `${run.stdout ?? ""}\n${run.stderr ?? ""}`;
      assert.equal(run.status, 0, `the suite inside the namespace failed:\n${output}`);
      const passing = /(\d+) passing/.exec(output);
      assert.ok(passing && Number(passing[1]) >= 16, `too few cases ran inside the namespace:\n${output}`);
      assert.doesNotMatch(output, /\d+ pending/, `cases were skipped inside the namespace:\n${output}`);
    });
  });
}

/** Loopback addresses for the test's DNS server, unlikely to hold another resolver. */
const DNS_ADDRESSES = ["127.53.0.1", "127.53.0.2", "127.53.0.3", "127.53.1.1", "127.53.2.1"];

/** One refusal the test expects to find in the access log. */
interface Refusal {
  readonly method: "GET" | "CONNECT";
  readonly host: string;
  readonly port: number;
  readonly reason: EgressDenyReason;
  /** The host as the log shows it: Squid's normalised form, IPv6 literals percent-encoded. */
  readonly logged: string;
}

/**
 * Listens on `port` at every trap address; counts every connection. A refused request must leave every count at 0.
 */
async function startTraps(port: number): Promise<{ hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (const address of TRAPS) {
    const server = net.createServer((s) => {
      hits++;
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
      s.end("HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\ntrap");
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, address, () => resolve());
    });
    servers.push(server);
  }
  const close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  };
  return { hits: () => hits, close };
}

(IN_NETNS ? describe : notHere)("egress proxy in the real squid (inside its namespace)", function () {
  this.timeout(60_000);
  let upstream: Upstream | undefined;
  let proxy: SquidProcess | undefined;
  let dns: { address: string; close(): Promise<void> } | undefined;
  let up = 0;
  const refusals: Refusal[] = [];

  // The metadata address under the names and spellings an attacker would try.
  const HOSTS = (upstreamAddress: string) => `
${upstreamAddress} allowed.test a.wild.test
169.254.169.254 metadata-alias.test meta.wild.test 169.254.169.254.wild.test
::ffff:169.254.169.254 mapped.wild.test
fd00:ec2::254 v6meta.wild.test
127.0.0.2 loop.wild.test
10.1.2.3 private.wild.test
`;
  // Answered by the test's DNS server (a hosts file keeps one address per name): one allowed and one refused
  // address, in both orders, so the test shows that ANY refused address refuses the name.
  const ZONE = {
    "mixed.wild.test": [PUBLIC, "169.254.169.254"],
    "mixed-reversed.wild.test": ["169.254.169.254", PUBLIC],
    "mixed-v6.wild.test": [PUBLIC, "fd00:ec2::254"],
    "mixed-private.wild.test": [PUBLIC, "10.1.2.3"],
    "dns-ok.wild.test": [PUBLIC],
    // DNS rebinding: TTL 0, an allowed address to the first A query, a refused one (where a trap listens) after.
    "rebind.wild.test": { rebind: [[PUBLIC], ["127.0.0.2"]] },
  };

  before(async function () {
    const found = findSquid();
    if ("missing" in found) {
      if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(`the real-proxy test cannot run: ${found.missing}`);
      this.skip();
    }
    upstream = await startUpstream(PUBLIC);
    up = upstream.port;
    dns = await startTestDns(DNS_ADDRESSES, ZONE);
    const spec: HardeningSpec = {
      workloadSubnet: "private",
      egress: {
        mode: "allowList",
        allow: [
          { domain: "allowed.test", ports: [up], description: "the test's upstream by name" },
          { domain: "metadata-alias.test", ports: [80, up], description: "listed, but resolves to 169.254.169.254" },
          { domain: "*.wild.test", ports: [80, up], description: "names under wild.test" },
          { cidr: `${PUBLIC}/32`, ports: [up], description: "the test's upstream by address" },
        ],
      },
    };
    proxy = await startSquid(found.squid, HOSTS(PUBLIC), (p) =>
      planSquidConfig(spec, {
        port: p.port,
        listenAddress: "127.0.0.1",
        clients: ["127.0.0.1/32"],
        accessLog: p.accessLog,
        cacheLog: p.cacheLog,
        runDirectory: p.runDirectory,
        hostsFile: p.hostsFile,
        // Names missing from the hosts file get NXDOMAIN from the test's own server (root only: port 53); without
        // it, 127.0.0.1:53, where nothing answers. Either way no query leaves the machine.
        dnsNameservers: [dns ? dns.address : "127.0.0.1"],
      }).config,
    );
  });

  after(async function () {
    await proxy?.stop();
    await upstream?.close();
    await dns?.close();
  });

  async function refused(
    method: "GET" | "CONNECT",
    host: string,
    port: number,
    reason: EgressDenyReason,
    { url, loggedAs }: { url?: string; loggedAs?: string } = {},
  ): Promise<void> {
    const before = upstream?.seen.length;
    const status = method === "GET" ? (await proxyGet(proxy!.port, url ?? `http://${host}:${port}/`)).status : (await proxyConnect(proxy!.port, `${host}:${port}`)).status;
    assert.equal(status, 403, `${method} ${url ?? `${host}:${port}`} should be refused`);
    assert.equal(upstream?.seen.length, before, `${method} ${host}:${port} reached the upstream`);
    refusals.push({ method, host, port, reason, logged: loggedAs ?? host.replace(/\[/g, "%5B").replace(/\]/g, "%5D") });
  }

  it("passes an allowed domain, over plain HTTP and CONNECT, and says nothing about itself upstream", async function () {
    const reply = await proxyGet(proxy!.port, `http://allowed.test:${up}/hello`);
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { upstream: true, url: "/hello" });
    const headers = upstream!.seen.at(-1)!.headers;
    for (const h of ["via", "x-forwarded-for", "forwarded", "cache-control"]) assert.equal(headers[h], undefined, `upstream saw ${h}: ${headers[h]}`);
    for (const h of ["via", "x-cache", "x-cache-lookup"]) assert.equal(reply.headers[h], undefined, `client saw ${h}`);

    const tunnel = await proxyConnect(proxy!.port, `allowed.test:${up}`);
    assert.deepEqual([tunnel.status, tunnel.tunnelled], [200, 200]);
    const wildcard = await proxyGet(proxy!.port, `http://a.wild.test:${up}/`);
    assert.equal(wildcard.status, 200);
    const literal = await proxyGet(proxy!.port, `http://${PUBLIC}:${up}/`);
    assert.equal(literal.status, 200, "an IP literal inside a listed network passes");
  });

  it("refuses unlisted domains, and a wildcard's apex", async function () {
    await refused("GET", "unlisted.test", up, EgressDenyReason.NotListed);
    await refused("CONNECT", "unlisted.test", up, EgressDenyReason.NotListed);
    await refused("GET", "wild.test", up, EgressDenyReason.NotListed);
    await refused("GET", "allowed.test.evil.test", up, EgressDenyReason.NotListed);
  });

  it("refuses allowed-looking names that resolve to the metadata endpoint or another refused range", async function () {
    for (const host of ["metadata-alias.test", "meta.wild.test", "169.254.169.254.wild.test", "mapped.wild.test", "v6meta.wild.test", "loop.wild.test", "private.wild.test"]) {
      await refused("GET", host, up, EgressDenyReason.ForbiddenAddress);
    }
    await refused("GET", "metadata-alias.test", 80, EgressDenyReason.ForbiddenAddress);
    await refused("CONNECT", "meta.wild.test", up, EgressDenyReason.ForbiddenAddress);
    await refused("CONNECT", "mapped.wild.test", 80, EgressDenyReason.ForbiddenAddress);
  });

  describe("with names from the test's DNS server", function () {
    before(function () {
      if (!dns) {
        if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(`cannot bind the test's DNS server on port 53 of ${DNS_ADDRESSES.join(", ")} (needs root)`);
        this.skip();
      }
    });

    it("passes a listed name that DNS resolves to an allowed address", async function () {
      assert.equal((await proxyGet(proxy!.port, `http://dns-ok.wild.test:${up}/`)).status, 200);
    });

    it("refuses a name whose answer holds a refused address among allowed ones, in any order", async function () {
      for (const host of ["mixed.wild.test", "mixed-reversed.wild.test", "mixed-v6.wild.test", "mixed-private.wild.test"]) {
        await refused("GET", host, up, EgressDenyReason.ForbiddenAddress);
        await refused("CONNECT", host, up, EgressDenyReason.ForbiddenAddress);
      }
    });

    it("connects to the address it checked: a TTL-0 name rebinding to a refused address after the check never reaches it", async function () {
      // A trap on the refused address, same port: any connection Squid makes there is counted.
      let trapped = 0;
      const trap = http.createServer((_req, res) => {
        trapped++;
        res.end("trap");
      });
      await new Promise<void>((resolve) => trap.listen(up, "127.0.0.2", resolve));
      try {
        for (let i = 0; i < 3; i++) {
          const reply = await proxyGet(proxy!.port, `http://rebind.wild.test:${up}/`);
          assert.deepEqual([reply.status, trapped], [200, 0], `request ${i}: ${reply.body}`);
        }
        assert.deepEqual([(await proxyConnect(proxy!.port, `rebind.wild.test:${up}`)).tunnelled, trapped], [200, 0]);
      } finally {
        trap.closeAllConnections();
        await new Promise((resolve) => trap.close(resolve));
      }
    });

    it("refuses a listed name that does not resolve, rather than resolving it again to connect", async function () {
      await refused("GET", "nowhere.wild.test", up, EgressDenyReason.Unresolved);
      await refused("CONNECT", "nowhere.wild.test", up, EgressDenyReason.Unresolved);
    });
  });

  it("refuses 169.254.169.254 in every spelling, as plain HTTP and CONNECT", async function () {
    // Squid normalises the numeric IPv4 forms and IPv4-mapped IPv6 to the dotted quad before any ACL, so each is
    // refused by the resolved-address rule, and logged as the address it really is.
    const spellings = ["169.254.169.254", "2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "0xa9.0xfe.0xa9.0xfe", "169.254.43518", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]"];
    for (const s of spellings) {
      await refused("GET", s, 80, EgressDenyReason.ForbiddenAddress, { loggedAs: "169.254.169.254" });
      await refused("CONNECT", s, 443, EgressDenyReason.ForbiddenAddress, { loggedAs: "169.254.169.254" });
    }
    for (const s of ["[fd00:ec2::254]", "[fe80::a9fe:a9fe]", "[64:ff9b::a9fe:a9fe]", "[::1]"]) await refused("GET", s, 80, EgressDenyReason.ForbiddenAddress);
    // Not an address once the trailing dot is percent-encoded: a name no rule lists.
    await refused("GET", "169.254.169.254%2e", 80, EgressDenyReason.NotListed);
  });

  it("refuses raw IP destinations that no rule lists", async function () {
    await refused("GET", "93.184.216.34", 80, EgressDenyReason.NotListed);
    await refused("CONNECT", "[2606:4700::1111]", 443, EgressDenyReason.NotListed);
  });

  it("refuses CONNECT and HTTP to a port the rule does not list", async function () {
    await refused("CONNECT", "allowed.test", 443, EgressDenyReason.PortNotListed);
    await refused("CONNECT", PUBLIC, 22, EgressDenyReason.PortNotListed);
    await refused("GET", "a.wild.test", 8080, EgressDenyReason.PortNotListed);
  });

  it("refuses other URL schemes and clients outside the allowed networks", async function () {
    await refused("GET", "allowed.test", up, EgressDenyReason.Scheme, { url: `ftp://allowed.test:${up}/` });
    const before = upstream!.seen.length;
    const other = await proxyGet(proxy!.port, `http://allowed.test:${up}/`, { localAddress: "127.0.0.2" });
    assert.equal(other.status, 403);
    assert.equal(upstream!.seen.length, before);
    refusals.push({ method: "GET", host: "allowed.test", port: up, reason: EgressDenyReason.Client, logged: "allowed.test" });
  });

  // Mocha runs a suite's own tests before its nested suites: the log is checked in a suite of its own, last.
  describe("the access log", function () {
    it("logs every refusal in a parseable line with its reason", async function () {
      assert.ok(refusals.length >= 40, `only ${refusals.length} refusals were sent`);
      const text = await readLogUntil(proxy!.accessLog, (t) => egressDenials(t).length >= refusals.length);
      const lines = text.split("\n").filter((l) => l !== "");
      for (const line of lines) assert.ok(parseEgressLogLine(line), `unparseable log line: ${line}`);
      const denials = egressDenials(text);
      const expected = refusals.map((r) => `${r.method} ${r.logged}:${r.port} ${r.reason}`);
      const actual = denials.map((d) => `${d.method} ${d.host}:${d.port} ${d.reason}`);
      assert.deepEqual(actual, expected);
      for (const d of denials) {
        assert.equal(d.status, 403);
        assert.equal(d.result, "TCP_DENIED");
        assert.equal(d.server, "-", "a refused request must not have connected anywhere");
      }
      const allowed = lines.map(parseEgressLogLine).filter((r) => r?.verdict === "allow");
      assert.equal(allowed.length, dns ? 9 : 4);
    });
  });
});

(IN_NETNS ? describe : notHere)("egress proxy in the real squid, with broad cidr rules (inside its namespace)", function () {
  this.timeout(60_000);
  let upstream: Upstream | undefined;
  let proxy: SquidProcess | undefined;
  let traps: { hits(): number; close(): Promise<void> } | undefined;
  let up = 0;
  let trapPort = 0;
  const expected: string[] = [];

  // Every name is allowed by "*.wild.test"; each resolves to an address a broad cidr rule covers.
  const HOSTS = `
${PUBLIC} allowed.test
10.1.2.3 private.wild.test
10.9.9.9 self.wild.test
127.0.0.1 loop.wild.test
169.254.169.254 meta.wild.test
::1 v6loop.wild.test
fd00:ec2::254 v6meta.wild.test
`;

  before(async function () {
    const found = findSquid();
    if ("missing" in found) throw new Error(found.missing);
    upstream = await startUpstream(PUBLIC);
    up = upstream.port;
    trapPort = await freePortOn("10.1.2.3");
    traps = await startTraps(trapPort);
    const spec: HardeningSpec = {
      workloadSubnet: "private",
      egress: {
        mode: "allowList",
        allow: [
          { domain: "allowed.test", ports: [up], description: "the positive control by name" },
          { domain: "*.wild.test", ports: [up, trapPort], description: "names pointed at internal addresses" },
          { cidr: "0.0.0.0/0", ports: [trapPort], description: "every IPv4 address on one port (a database, say)" },
          { cidr: "::/0", ports: [trapPort], description: "every IPv6 address on that port" },
          { cidr: "10.0.0.0/8", ports: [up], description: "a private network" },
          { cidr: "127.0.0.0/8", ports: [up, trapPort], description: "loopback, listed on purpose" },
        ],
      },
    };
    proxy = await startSquid(found.squid, HOSTS, (p) =>
      planSquidConfig(spec, {
        port: p.port,
        listenAddress: "127.0.0.1",
        ownAddresses: ["10.9.9.9"],
        clients: ["127.0.0.1/32"],
        accessLog: p.accessLog,
        cacheLog: p.cacheLog,
        runDirectory: p.runDirectory,
        hostsFile: p.hostsFile,
        dnsNameservers: ["127.0.0.1"],
      }).config,
    );
  });

  after(async function () {
    await proxy?.stop();
    await upstream?.close();
    await traps?.close();
  });

  async function refusedNoContact(method: "GET" | "CONNECT", host: string, port: number, logged = host.replace(/\[/g, "%5B").replace(/\]/g, "%5D")): Promise<void> {
    const hits = traps!.hits();
    const seen = upstream!.seen.length;
    const status = method === "GET" ? (await proxyGet(proxy!.port, `http://${host}:${port}/`)).status : (await proxyConnect(proxy!.port, `${host}:${port}`)).status;
    assert.equal(status, 403, `${method} ${host}:${port} should be refused`);
    assert.deepEqual([traps!.hits(), upstream!.seen.length], [hits, seen], `${method} ${host}:${port} reached a listener`);
    expected.push(`${method} ${logged}:${port} ${EgressDenyReason.ForbiddenAddress}`);
  }

  it("still passes an allowed name to a public address, and an IP literal inside a listed network on its port", async function () {
    assert.equal((await proxyGet(proxy!.port, `http://allowed.test:${up}/`)).status, 200);
    const before = traps!.hits();
    const literal = await proxyGet(proxy!.port, `http://10.1.2.3:${trapPort}/`);
    assert.deepEqual([literal.status, literal.body, traps!.hits()], [200, "trap", before + 1], "0.0.0.0/0 on this port opens the literal 10.1.2.3");
  });

  it("refuses allowed names that resolve to private, loopback, metadata or the proxy's own addresses, whatever cidr covers them", async function () {
    for (const host of ["private.wild.test", "self.wild.test", "loop.wild.test", "meta.wild.test", "v6loop.wild.test", "v6meta.wild.test"]) {
      await refusedNoContact("GET", host, trapPort);
      await refusedNoContact("CONNECT", host, trapPort);
    }
    // 10.0.0.0/8 lists the upstream's port too: the name still may not resolve inside it.
    await refusedNoContact("GET", "private.wild.test", up);
  });

  it("never reopens the proxy's own addresses or the metadata networks to an IP literal", async function () {
    for (const host of ["127.0.0.1", "127.0.0.2", "0.0.0.0", "[::1]", "169.254.169.254", "[fd00:ec2::254]", "[64:ff9b::7f00:1]"]) {
      await refusedNoContact("GET", host, trapPort);
    }
    // Inside 10.0.0.0/8 on a listed port, but the proxy's own address (ownAddresses).
    await refusedNoContact("GET", "10.9.9.9", up);
    await refusedNoContact("CONNECT", "127.0.0.1", proxy!.port);
  });

  it("logs each of those refusals, with the forbidden-address reason", async function () {
    assert.ok(expected.length >= 20, `only ${expected.length} refusals were sent`);
    const text = await readLogUntil(proxy!.accessLog, (t) => egressDenials(t).length >= expected.length);
    const denials = egressDenials(text).map((d) => `${d.method} ${d.host}:${d.port} ${d.reason}`);
    assert.deepEqual(denials, expected);
  });
});

/** A free TCP port on `address` (the kernel picks it). */
async function freePortOn(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
