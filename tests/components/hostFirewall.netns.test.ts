/**
 * The host firewall, for real: the rendered script runs inside network namespaces of the test's own (the shared
 * HostHarness of tests/host/harness.ts), with real iptables, and real sockets check who can reach what.
 *
 *   ctr (a "container")  --veth-->  host (runs the script)  --veth-->  meta (169.254.169.254 and friends)
 *
 * The host's own processes reach meta through OUTPUT (uid known); the container's packets are forwarded by the
 * host through FORWARD, as bridged containers' and pods' packets are. Needs root, iproute2 and iptables (.ci/run
 * installs them; CI sets HARDENING_REQUIRE_NETNS=1 so that this suite can never be skipped there).
 */
import * as assert from "node:assert/strict";
import { hostFirewallScript, HostFirewallArgs } from "../../components";
import { HostHarness, key, missingTools, NOBODY, Probe } from "../host/harness";

describe("host firewall in network namespaces", function () {
  this.timeout(120_000);
  const h = new HostHarness("hfw");

  before(async function () {
    const reason = missingTools();
    if (reason) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error(`the network-namespace test cannot run: ${reason}`);
      this.skip();
    }
    await h.setUp();
  });

  after(() => h.tearDown());

  const NS = h.ns;
  /** What the metadata side answers each kind of probe with (HTTP: its body). */
  const ANSWER = { http: "ok:metadata", tcp: "ok:tcp", udp: "ok:udp" } as const;
  /** One probe: "ok" when the metadata side answered it, else what the harness saw (an error code, "timeout"). */
  const probe = (ns: string, uid: number, kind: Probe["kind"], host: string, port: number) => {
    const p: Probe = { kind, host, port };
    const r = h.probe(ns, uid, [p])[key(p)];
    return r === ANSWER[kind] ? "ok" : r;
  };
  const inNs = (ns: string, cmd: string[]) => h.inNs(ns, cmd);

  // The harness runs it in the host's namespace with a private /run, where the program keeps its state (a seal).
  const applyScript = (args: HostFirewallArgs) => h.runInstalled(hostFirewallScript(args), []);
  const ruleSet = () =>
    ["iptables-save", "ip6tables-save"].map((t) => inNs(NS.host, [t]).split("\n").filter((l) => !l.startsWith("#") && !l.startsWith(":")).join("\n")).join("\n---\n");
  const flush = () => h.resetHost();

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
