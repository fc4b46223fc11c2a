/**
 * The canary probe, for real: the rendered Python script runs with the real python3 inside a network namespace of
 * the test's own (a "container" whose packets a "host" forwards), against stand-in metadata servers and a stand-in
 * resolver in a third namespace (the shared HostHarness of tests/host/harness.ts, with the stand-ins as its metadata
 * side):
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
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { hostFirewallScript, METADATA_ENDPOINTS, ControlReport } from "../../components";
import { planCanary, CanaryPlan } from "../../canary";
import { needsScope } from "../../canary/checks";
import { HostHarness, missingTools, NOBODY } from "../host/harness";
import { FAKE_SECRET, SERVER } from "./standIns";

const OUTSIDE = { name: "outside.test", address: "203.0.113.10" };
const ALLOWED = { name: "allowed.test", address: "198.51.100.10", address6: "2001:db8::10", port: 443 };
const API = { host: "10.96.0.1", port: 443 };
const FAKE_TOKEN = "canary-test-token-81be07";

/** A python3 that every uid can run (a pyenv shim under /root is not). */
function systemPython(): string | undefined {
  return ["/usr/bin/python3", "/usr/local/bin/python3"].find((p) => fs.existsSync(p));
}

function canRun(): string | undefined {
  return missingTools() ?? (systemPython() ? undefined : "python3 is not installed in /usr/bin or /usr/local/bin");
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
  const h = new HostHarness("cny");
  const NS = h.ns;
  let dir = "";
  let plan: (tokenPath: string) => CanaryPlan;

  before(async function () {
    const reason = canRun();
    if (reason) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error(`the network-namespace test cannot run: ${reason}`);
      this.skip();
    }
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
    for (const e of METADATA_ENDPOINTS) for (const name of e.hostnames) records[name] ??= { a: e.addresses.find((a) => !a.includes(":")) ?? "169.254.169.254" };
    // The probe's files and the stand-in resolver's mode, which each run sets.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-"));
    fs.chmodSync(dir, 0o755); // the probe runs as nobody and must read its script
    fs.writeFileSync(path.join(dir, "dns-mode"), "open");
    // Every catalogued address is the stand-ins' (the host-held agent's too: the host itself holds nothing here), and
    // so are the resolver, the outside address, the allowed one and the API server. The probe's resolver is the
    // stand-in.
    await h.setUp({
      hostAgent: false,
      metaAddresses: [...v4, ...v6, "169.254.169.253", OUTSIDE.address, ALLOWED.address, API.host],
      metaServer: { script: SERVER, args: [JSON.stringify(ports), JSON.stringify(records), path.join(dir, "dns-mode")] },
      ctrResolvConf: "nameserver 169.254.169.253\noptions timeout:1 attempts:1\n",
    });
    // Neighbour discovery and the first ARP take a moment; until both paths answer, a timeout would prove nothing.
    const connect = `const s = require("net").connect(Number(process.argv[2]), process.argv[1]);
      s.on("connect", () => process.exit(0)); s.on("error", () => process.exit(1)); setTimeout(() => process.exit(1), 1000);`;
    for (const address of [ALLOWED.address, ALLOWED.address6]) {
      let ok = false;
      for (let i = 0; i < 20 && !ok; i++) ok = spawnSync("ip", ["netns", "exec", NS.ctr, process.execPath, "-e", connect, address, String(ALLOWED.port)]).status === 0;
      if (!ok) throw new Error(`the test network does not carry ${address} from the container namespace`);
    }
  });

  after(() => {
    h.tearDown();
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
    // The harness runs it with a private /run: the program keeps its state there, and this machine's /run is not the host's.
    h.runInstalled(hostFirewallScript({ cloud: "aws", containers: ["docker"] }), []);
    // Stand-ins for the egress controls: the task pods' default-deny (no API server, nothing outside the allow-list).
    h.sh(NS.host, `iptables -A FORWARD -d ${OUTSIDE.address} -j REJECT; iptables -A FORWARD -d ${API.host} -j REJECT`);
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
    h.resetHost();
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
