/**
 * The host firewall, for real: the rendered script runs inside network namespaces of the test's own, with real
 * iptables, and real sockets check who can reach what.
 *
 *   ctr (a "container")  --veth-->  host (runs the script)  --veth-->  meta (169.254.169.254 and friends)
 *
 * The host's own processes reach meta through OUTPUT (uid known); the container's packets are forwarded by the
 * host through FORWARD, as bridged containers' and pods' packets are. Needs root, iproute2 and iptables (.ci/run
 * installs them; CI sets HARDENING_REQUIRE_NETNS=1 so that this suite can never be skipped there).
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostFirewallScript, HostFirewallArgs } from "../../components";

const NOBODY = 65534;
const TAG = `hfw${process.pid % 100000}`;
const NS = { host: `${TAG}-host`, meta: `${TAG}-meta`, ctr: `${TAG}-ctr` };

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], timeout: 20_000 });
}
const inNs = (ns: string, cmd: string[], input?: string) => run("ip", ["netns", "exec", ns, ...cmd], input);

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["ip", "iptables", "ip6tables", "iptables-restore", "setpriv"]) {
    try {
      run("sh", ["-c", `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

/** Listens on every service address of the metadata namespace: HTTP on 80, TCP and UDP echo on 53 and 123. */
const SERVER = `
const http = require("http"), net = require("net"), dgram = require("dgram");
const v4 = ["169.254.169.254", "169.254.169.253", "169.254.169.123"], v6 = ["fd00:ec2::254"];
let pending = 0; const up = () => { if (--pending === 0) console.log("ready"); };
for (const a of [...v4, ...v6]) {
  pending++; http.createServer((q, r) => r.end("metadata")).listen(80, a, up);
  pending++; net.createServer((s) => { s.on("error", () => {}); s.end("tcp53"); }).listen(53, a, up);
  for (const port of [53, 123]) {
    pending++; const u = dgram.createSocket(a.includes(":") ? "udp6" : "udp4");
    u.on("message", (m, r) => u.send(m, r.port, r.address)); u.bind(port, a, up);
  }
}`;

/** Tries one probe and prints "ok" or the error code. Run as a given uid inside a namespace. */
const CLIENT = `
const [kind, host, port] = process.argv.slice(2);
const net = require("net"), dgram = require("dgram"), http = require("http");
const done = (r) => { console.log(r); process.exit(0); };
setTimeout(() => done("timeout"), 1500);
if (kind === "http") http.get({ host, port: Number(port), path: "/", timeout: 1400 }, (res) => done(res.statusCode === 200 ? "ok" : "status " + res.statusCode)).on("error", (e) => done(e.code));
if (kind === "tcp") net.connect(Number(port), host).on("connect", () => done("ok")).on("error", (e) => done(e.code));
if (kind === "udp") { const s = dgram.createSocket(host.includes(":") ? "udp6" : "udp4"); s.on("message", () => done("ok")); s.on("error", (e) => done(e.code)); s.send("ping", Number(port), host); }
`;

describe("host firewall in network namespaces", function () {
  this.timeout(120_000);
  let dir = "";
  let server: ChildProcess | undefined;

  before(function () {
    const reason = canRun();
    if (reason) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error(`the network-namespace test cannot run: ${reason}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hfw-"));
    fs.chmodSync(dir, 0o755); // the client runs as nobody and must read its script
    fs.writeFileSync(path.join(dir, "server.js"), SERVER);
    fs.writeFileSync(path.join(dir, "client.js"), CLIENT, { mode: 0o644 });
    for (const ns of Object.values(NS)) run("ip", ["netns", "add", ns]);
    const sh = (ns: string, script: string) => inNs(ns, ["sh", "-ec", script]);
    run("ip", ["link", "add", `${TAG}-hm`, "netns", NS.host, "type", "veth", "peer", "name", `${TAG}-mh`, "netns", NS.meta]);
    run("ip", ["link", "add", `${TAG}-hc`, "netns", NS.host, "type", "veth", "peer", "name", `${TAG}-ch`, "netns", NS.ctr]);
    sh(NS.meta, `ip link set lo up; ip link set ${TAG}-mh up
      ip addr add 10.99.0.2/30 dev ${TAG}-mh; ip -6 addr add fd99::2/64 dev ${TAG}-mh nodad
      for a in 169.254.169.254 169.254.169.253 169.254.169.123; do ip addr add $a/32 dev lo; done
      ip -6 addr add fd00:ec2::254/128 dev lo
      ip route add 10.99.1.0/30 via 10.99.0.1`);
    sh(NS.host, `ip link set lo up; ip link set ${TAG}-hm up; ip link set ${TAG}-hc up
      ip addr add 10.99.0.1/30 dev ${TAG}-hm; ip -6 addr add fd99::1/64 dev ${TAG}-hm nodad
      ip addr add 10.99.1.1/30 dev ${TAG}-hc
      ip route add 169.254.0.0/16 via 10.99.0.2; ip -6 route add fd00:ec2::/32 via fd99::2
      sysctl -qw net.ipv4.ip_forward=1`);
    sh(NS.ctr, `ip link set lo up; ip link set ${TAG}-ch up; ip addr add 10.99.1.2/30 dev ${TAG}-ch
      ip route add default via 10.99.1.1`);
    return new Promise<void>((resolve, reject) => {
      server = spawn("ip", ["netns", "exec", NS.meta, process.execPath, path.join(dir, "server.js")], { stdio: ["ignore", "pipe", "pipe"] });
      const timer = setTimeout(() => reject(new Error("metadata server did not start")), 15_000);
      server.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.on("exit", (code) => reject(new Error(`metadata server exited with ${code}`)));

    });
  });

  after(() => {
    server?.kill("SIGKILL");
    for (const ns of Object.values(NS)) {
      try {
        run("ip", ["netns", "del", ns]);
      } catch {
        // already gone
      }
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const probe = (ns: string, uid: number, kind: string, host: string, port: number) =>
    inNs(ns, ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath, path.join(dir, "client.js"), kind, host, String(port)]).trim();

  const applyScript = (args: HostFirewallArgs) => {
    const file = path.join(dir, "firewall.sh");
    fs.writeFileSync(file, hostFirewallScript(args));
    // `ip netns exec` gives a mount namespace of its own, but /run is still this machine's: the program's state
    // (a seal) goes to a private tmpfs.
    inNs(NS.host, ["sh", "-c", `mount -t tmpfs tmpfs /run && exec sh ${file}`]);
  };
  const ruleSet = () =>
    ["iptables-save", "ip6tables-save"].map((t) => inNs(NS.host, [t]).split("\n").filter((l) => !l.startsWith("#") && !l.startsWith(":")).join("\n")).join("\n---\n");
  const flush = () => {
    for (const t of ["iptables", "ip6tables"]) {
      inNs(NS.host, ["sh", "-c", `${t} -F; ${t} -X`]);
    }
  };

  it("is open before the script runs (the test can tell)", () => {
    flush();
    assert.equal(probe(NS.host, NOBODY, "http", "169.254.169.254", 80), "ok");
    assert.equal(probe(NS.ctr, 0, "http", "169.254.169.254", 80), "ok");
  });

  it("aws: refuses non-root and containers, keeps root, the VPC resolver and time sync", () => {
    flush();
    applyScript({ cloud: "aws", containers: ["docker"] });
    assert.deepEqual(
      {
        nobodyImds: probe(NS.host, NOBODY, "http", "169.254.169.254", 80),
        nobodyImdsV6: probe(NS.host, NOBODY, "http", "fd00:ec2::254", 80),
        rootImds: probe(NS.host, 0, "http", "169.254.169.254", 80),
        rootImdsV6: probe(NS.host, 0, "http", "fd00:ec2::254", 80),
        containerImds: probe(NS.ctr, 0, "http", "169.254.169.254", 80),
        nobodyDnsUdp: probe(NS.host, NOBODY, "udp", "169.254.169.253", 53),
        nobodyDnsTcp: probe(NS.host, NOBODY, "tcp", "169.254.169.253", 53),
        nobodyNtp: probe(NS.host, NOBODY, "udp", "169.254.169.123", 123),
        containerDns: probe(NS.ctr, 0, "udp", "169.254.169.253", 53),
        nobodyPort53OnImds: probe(NS.host, NOBODY, "tcp", "169.254.169.254", 53),
      },
      {
        nobodyImds: "ECONNREFUSED",
        nobodyImdsV6: "ECONNREFUSED",
        rootImds: "ok",
        rootImdsV6: "ok",
        containerImds: "timeout",
        nobodyDnsUdp: "ok",
        nobodyDnsTcp: "ok",
        nobodyNtp: "ok",
        containerDns: "ok",
        nobodyPort53OnImds: "ECONNREFUSED",
      },
    );
  });

  it("gcp: refuses port 80 to non-root and containers, keeps DNS and NTP on the metadata address", () => {
    flush();
    applyScript({ cloud: "gcp" });
    assert.deepEqual(
      {
        nobodyMetadata: probe(NS.host, NOBODY, "http", "169.254.169.254", 80),
        rootMetadata: probe(NS.host, 0, "http", "169.254.169.254", 80),
        containerMetadata: probe(NS.ctr, 0, "http", "169.254.169.254", 80),
        nobodyDnsUdp: probe(NS.host, NOBODY, "udp", "169.254.169.254", 53),
        nobodyDnsTcp: probe(NS.host, NOBODY, "tcp", "169.254.169.254", 53),
        nobodyNtp: probe(NS.host, NOBODY, "udp", "169.254.169.254", 123),
        containerDns: probe(NS.ctr, 0, "udp", "169.254.169.254", 53),
        nobodyAwsResolver: probe(NS.host, NOBODY, "udp", "169.254.169.253", 53),
      },
      {
        nobodyMetadata: "ECONNREFUSED",
        rootMetadata: "ok",
        containerMetadata: "timeout",
        nobodyDnsUdp: "ok",
        nobodyDnsTcp: "ok",
        nobodyNtp: "ok",
        containerDns: "ok",
        // Not a GCP service: refused like the rest of link-local (the UDP reject makes the reply never come).
        nobodyAwsResolver: "timeout",
      },
    );
  });

  it("lets only the configured uid through", () => {
    flush();
    applyScript({ cloud: "gcp", allowedUid: 1234 });
    assert.equal(probe(NS.host, 1234, "http", "169.254.169.254", 80), "ok");
    assert.equal(probe(NS.host, 0, "http", "169.254.169.254", 80), "ECONNREFUSED");
  });

  it("is idempotent, and moves its hooks back to the top when something was inserted above them", () => {
    flush();
    applyScript({ cloud: "aws", containers: ["docker"] });
    const first = ruleSet();
    applyScript({ cloud: "aws", containers: ["docker"] });
    assert.equal(ruleSet(), first, "a second run changed the rule set");
    // A container runtime starting later inserts its own rules at the top.
    inNs(NS.host, ["iptables", "-I", "FORWARD", "1", "-j", "ACCEPT"]);
    inNs(NS.host, ["iptables", "-I", "OUTPUT", "1", "-p", "icmp", "-j", "ACCEPT"]);
    applyScript({ cloud: "aws", containers: ["docker"] });
    const forward = inNs(NS.host, ["iptables", "-S", "FORWARD"]).trim().split("\n");
    assert.equal(forward[1], "-A FORWARD -j HARDENING-META-FWD");
    assert.equal(forward.filter((l) => l.includes("HARDENING-META-FWD")).length, 1);
    const output = inNs(NS.host, ["iptables", "-S", "OUTPUT"]).trim().split("\n");
    assert.equal(output[1], "-A OUTPUT -j HARDENING-META-OUT");
    assert.equal(output.filter((l) => l.includes("HARDENING-META-OUT")).length, 1);
    assert.equal(probe(NS.ctr, 0, "http", "169.254.169.254", 80), "timeout");
    assert.match(inNs(NS.host, ["iptables", "-S", "DOCKER-USER"]), /-A DOCKER-USER -j HARDENING-META-FWD/);
  });
});
