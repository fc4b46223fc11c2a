/**
 * The canary probe, for real: the rendered Python script runs with the real python3 inside a network namespace of
 * the test's own (a "container" whose packets a "host" forwards), against stand-in metadata servers and a stand-in
 * resolver in a third namespace, as tests/components/hostFirewall.netns.test.ts does:
 *
 *   ctr (runs the probe)  --veth-->  host (firewall)  --veth-->  meta (every catalogued address, DNS, "outside")
 *
 * Once with the package's host firewall loaded (hostFirewallScript) plus stand-ins for the egress controls (the
 * resolver refusing the outside name as a DNS firewall does, a reject of the outside address and the API server as a
 * default-deny NetworkPolicy does), as nobody: every check must be refused and the positive controls reached. Once
 * with nothing loaded, as root, with a token and the credential variables present: every check must be reached.
 * So the probe is shown to see both outcomes, and never to print the credential it was handed.
 * Needs root, iproute2, iptables, setpriv and python3 (CI sets HARDENING_REQUIRE_NETNS=1: never skipped there).
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostFirewallScript, METADATA_ENDPOINTS, ControlReport } from "../../components";
import { planCanary, CanaryPlan } from "../../canary";
import { needsScope } from "../../canary/checks";
import { FAKE_SECRET, SERVER } from "./standIns";

const NOBODY = 65534;
const TAG = `cny${process.pid % 100000}`;
const NS = { host: `${TAG}-host`, meta: `${TAG}-meta`, ctr: `${TAG}-ctr` };
const OUTSIDE = { name: "outside.test", address: "203.0.113.10" };
const ALLOWED = { name: "allowed.test", address: "198.51.100.10", address6: "2001:db8::10", port: 443 };
const API = { host: "10.96.0.1", port: 443 };
const FAKE_TOKEN = "canary-test-token-81be07";

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"], timeout: 30_000 });
}
const inNs = (ns: string, cmd: string[], input?: string) => run("ip", ["netns", "exec", ns, ...cmd], input);
const sh = (ns: string, script: string) => inNs(ns, ["sh", "-ec", script]);

/** A python3 that every uid can run (a pyenv shim under /root is not). */
function systemPython(): string | undefined {
  return ["/usr/bin/python3", "/usr/local/bin/python3"].find((p) => fs.existsSync(p));
}

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["ip", "iptables", "ip6tables", "iptables-restore", "setpriv"]) {
    try {
      run("sh", ["-c", `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed`;
    }
  }
  return systemPython() ? undefined : "python3 is not installed in /usr/bin or /usr/local/bin";
}

const control = (id: string, family: ControlReport["family"], protects: string): ControlReport => ({
  id, family, cloud: "test", appliedBy: "test", protects, effective: true, limits: "", resources: [], source: "test",
});
/** What the environment under test promises: every family that the checks belong to, effective. */
const CONTROLS: ControlReport[] = [
  control("test-host-firewall", "metadataEndpoint", "workloads reaching metadata endpoints"),
  control("test-dns-firewall", "egress", "resolution of names outside the allow-list"),
  control("test-default-deny", "egress", "connections outside the allow-list"),
  control("test-no-token", "hostIdentity", "calls to the Kubernetes API with the pod's token"),
  control("test-read-only-root", "sandbox", "writes to the image's filesystem"),
];

interface Result { id: string; expect: string; outcome: string; verdict: string; detail: string }
interface Report { status: string; results: Result[]; counts: Record<string, number> }

describe("canary probe in network namespaces", function () {
  this.timeout(180_000);
  let dir = "";
  let server: ChildProcess | undefined;
  let plan: (tokenPath: string) => CanaryPlan;

  before(function () {
    const reason = canRun();
    if (reason) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error(`the network-namespace test cannot run: ${reason}`);
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
    fs.chmodSync(dir, 0o755); // the probe runs as nobody and must read its script
    plan = (tokenPath) =>
      planCanary({
        controls: CONTROLS,
        timeoutSeconds: 1,
        environment: "netns test",
        checks: {
          outsideName: OUTSIDE.name,
          outsideAddress: OUTSIDE.address,
          outsidePort: 443,
          // IPv4 and IPv6 both: a refusal of an IPv6 metadata address must not be a broken IPv6 path.
          positiveControls: [{ name: ALLOWED.name }, { address: ALLOWED.address, port: ALLOWED.port }, { address: ALLOWED.address6, port: ALLOWED.port }],
          kubernetesApi: API,
          tokenPath,
        },
      });
    const checks = plan("/nonexistent").checks;
    const ports = [...new Set([...checks.filter((c) => c.kind === "connect" && c.port).map((c) => c.port as number), 443])];
    const v4 = [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses).filter((a) => !a.includes(":")))];
    const v6 = [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses).filter((a) => a.includes(":") && !needsScope(a))), ALLOWED.address6];
    const records: Record<string, { a: string; outside?: boolean }> = {
      [OUTSIDE.name]: { a: OUTSIDE.address, outside: true },
      [ALLOWED.name]: { a: ALLOWED.address },
      "169.254.169.254.nip.io": { a: "169.254.169.254" },
      "169-254-169-254.sslip.io": { a: "169.254.169.254" },
    };
    // A name whose endpoint has no catalogued address (Equinix Metal's resolve publicly) resolves here to the stand-in
    // metadata server, so that both runs can tell reached from refused.
    for (const e of METADATA_ENDPOINTS) for (const h of e.hostnames) records[h] ??= { a: e.addresses.find((a) => !a.includes(":")) ?? "169.254.169.254" };
    fs.writeFileSync(path.join(dir, "server.js"), SERVER);
    fs.writeFileSync(path.join(dir, "dns-mode"), "open");

    for (const ns of Object.values(NS)) run("ip", ["netns", "add", ns]);
    // `ip netns exec` bind-mounts /etc/netns/<ns>/* over /etc: the probe's resolver is the stand-in.
    fs.mkdirSync(`/etc/netns/${NS.ctr}`, { recursive: true });
    fs.writeFileSync(`/etc/netns/${NS.ctr}/resolv.conf`, "nameserver 169.254.169.253\noptions timeout:1 attempts:1\n");
    run("ip", ["link", "add", `${TAG}-hm`, "netns", NS.host, "type", "veth", "peer", "name", `${TAG}-mh`, "netns", NS.meta]);
    run("ip", ["link", "add", `${TAG}-hc`, "netns", NS.host, "type", "veth", "peer", "name", `${TAG}-ch`, "netns", NS.ctr]);
    const served = [...v4, "169.254.169.253", OUTSIDE.address, ALLOWED.address, API.host];
    sh(NS.meta, `ip link set lo up; ip link set ${TAG}-mh up
      ip addr add 10.98.0.2/30 dev ${TAG}-mh; ip -6 addr add fd98::2/64 dev ${TAG}-mh nodad
      ${served.map((a) => `ip addr add ${a}/32 dev lo`).join("\n")}
      ${v6.map((a) => `ip -6 addr add ${a}/128 dev lo`).join("\n")}
      ip route add 10.98.1.0/30 via 10.98.0.1; ip -6 route add fd97::/64 via fd98::1`);
    sh(NS.host, `ip link set lo up; ip link set ${TAG}-hm up; ip link set ${TAG}-hc up
      ip addr add 10.98.0.1/30 dev ${TAG}-hm; ip -6 addr add fd98::1/64 dev ${TAG}-hm nodad
      ip addr add 10.98.1.1/30 dev ${TAG}-hc; ip -6 addr add fd97::1/64 dev ${TAG}-hc nodad
      ${served.map((a) => `ip route add ${a}/32 via 10.98.0.2`).join("\n")}
      ${v6.map((a) => `ip -6 route add ${a}/128 via fd98::2`).join("\n")}
      sysctl -qw net.ipv4.ip_forward=1; sysctl -qw net.ipv6.conf.all.forwarding=1`);
    sh(NS.ctr, `ip link set lo up; ip link set ${TAG}-ch up
      ip addr add 10.98.1.2/30 dev ${TAG}-ch; ip -6 addr add fd97::2/64 dev ${TAG}-ch nodad
      ip route add default via 10.98.1.1; ip -6 route add default via fd97::1`);
    const started = new Promise<void>((resolve, reject) => {
      server = spawn(
        "ip",
        ["netns", "exec", NS.meta, process.execPath, path.join(dir, "server.js"), JSON.stringify(ports), JSON.stringify(records), path.join(dir, "dns-mode")],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      const timer = setTimeout(() => reject(new Error("stand-in servers did not start")), 15_000);
      let err = "";
      server.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      server.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.on("exit", (code) => reject(new Error(`stand-in servers exited with ${code}: ${err}`)));
    });
    // Neighbour discovery and the first ARP take a moment; until both paths answer, a timeout would prove nothing.
    return started.then(() => {
      const connect = `const s = require("net").connect(Number(process.argv[2]), process.argv[1]);
        s.on("connect", () => process.exit(0)); s.on("error", () => process.exit(1)); setTimeout(() => process.exit(1), 1000);`;
      for (const address of [ALLOWED.address, ALLOWED.address6]) {
        let ok = false;
        for (let i = 0; i < 20 && !ok; i++) ok = spawnSync("ip", ["netns", "exec", NS.ctr, process.execPath, "-e", connect, address, String(ALLOWED.port)]).status === 0;
        if (!ok) throw new Error(`the test network does not carry ${address} from the container namespace`);
      }
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
    fs.rmSync(`/etc/netns/${NS.ctr}`, { recursive: true, force: true });
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the probe in the container namespace as `uid` with exactly `env`; returns its exit code, output and report. */
  function probe(script: string, uid: number, env: Record<string, string>): { code: number; out: string; report: Report } {
    const file = path.join(dir, "canary.py");
    fs.writeFileSync(file, script, { mode: 0o644 });
    const out = path.join(dir, `report-${uid}.json`);
    fs.rmSync(out, { force: true });
    fs.writeFileSync(out, "", { mode: 0o666 });
    fs.chmodSync(out, 0o666);
    const envArgs = Object.entries({ ...env, CANARY_OUTPUT: out }).map(([k, v]) => `${k}=${v}`);
    const r = spawnSync(
      "ip",
      ["netns", "exec", NS.ctr, "setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", "env", "-i", ...envArgs, systemPython() as string, file],
      { encoding: "utf8", cwd: "/", timeout: 120_000 },
    );
    assert.equal(r.error, undefined, String(r.error));
    const text = `${r.stdout}\n${r.stderr}`;
    if (process.env.CANARY_DEBUG === "1") console.log(text);
    return { code: r.status as number, out: text, report: JSON.parse(fs.readFileSync(out, "utf8")) as Report };
  }

  const outcomes = (report: Report, expect: string) =>
    Object.fromEntries(report.results.filter((r) => r.expect === expect).map((r) => [r.id, `${r.outcome}: ${r.detail}`]));

  it("with the host firewall and the egress stand-ins loaded: every check refused, the positive controls reached", () => {
    fs.writeFileSync(path.join(dir, "dns-mode"), "filter");
    const fw = path.join(dir, "firewall.sh");
    fs.writeFileSync(fw, hostFirewallScript({ cloud: "aws", containers: ["docker"] }));
    // A private /run: the program keeps its state there, and this machine's /run is not the host's.
    inNs(NS.host, ["sh", "-c", `mount -t tmpfs tmpfs /run && exec sh ${fw}`]);
    // Stand-ins for the egress controls: the task pods' default-deny (no API server, nothing outside the allow-list).
    sh(NS.host, `iptables -A FORWARD -d ${OUTSIDE.address} -j REJECT; iptables -A FORWARD -d ${API.host} -j REJECT`);
    const { code, out, report } = probe(plan(path.join(dir, "no-token")).script, NOBODY, { PATH: "/usr/bin:/bin" });
    const reached = Object.entries(outcomes(report, "refused")).filter(([, v]) => !v.startsWith("refused"));
    assert.deepEqual(reached, [], `checks reached with the rules loaded:\n${out}`);
    assert.deepEqual(
      Object.values(outcomes(report, "reached")).map((v) => v.split(":")[0]),
      ["reached", "reached", "reached"],
      `positive controls:\n${out}`,
    );
    assert.equal(report.status, "clean");
    assert.equal(code, 0, out);
    // The metadata checks were refused by the firewall (a drop, so a timeout), not by a missing server.
    assert.match(outcomes(report, "refused")["metadata:169.254.169.254:80"], /timed out/);
    assert.match(outcomes(report, "refused")["dns-outside"], /does not resolve/);
    assert.match(outcomes(report, "refused")["write-root"], /Permission denied/);
  });

  it("with nothing loaded, as root, with a token and credential variables: every check reached, no secret printed", () => {
    fs.writeFileSync(path.join(dir, "dns-mode"), "open");
    for (const t of ["iptables", "ip6tables"]) sh(NS.host, `${t} -F; ${t} -X`);
    const token = path.join(dir, "token");
    fs.writeFileSync(token, FAKE_TOKEN, { mode: 0o600 });
    const variables = Object.fromEntries(
      METADATA_ENDPOINTS.flatMap((e) => e.variables ?? []).map((v) => [v, `${FAKE_SECRET}-${v.toLowerCase()}`]),
    );
    const { code, out, report } = probe(plan(token).script, 0, { PATH: "/usr/bin:/bin", ...variables });
    const refused = Object.entries(outcomes(report, "refused")).filter(([, v]) => !v.startsWith("reached"));
    assert.deepEqual(refused, [], `checks refused with nothing loaded:\n${out}`);
    assert.equal(report.status, "reached");
    assert.equal(code, 1, out);
    assert.ok(report.results.filter((r) => r.expect === "refused").every((r) => r.verdict === "error"), "every reached check is an error here");
    // It says a credential could be had, and shows none of it: not the body, not the variables, not the token.
    assert.match(outcomes(report, "refused")["metadata:169.254.169.254:80"], /a credential could be obtained \(not shown\)/);
    assert.ok(!out.includes(FAKE_SECRET), "the probe printed a credential");
    assert.ok(!out.includes(FAKE_TOKEN), "the probe printed the token");
    assert.ok(!JSON.stringify(report).includes(FAKE_SECRET) && !JSON.stringify(report).includes(FAKE_TOKEN), "the report holds a credential");
  });
});
