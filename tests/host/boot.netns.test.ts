/**
 * Each worker pool's real boot path, end to end: the rendered user data through Debian's cloud-init (the GCE
 * startup-script through GCE's script-runner convention) on a host in network namespaces, then the rules Docker
 * and the ECS agent add after boot, then probes as a non-root host process, as root and from a bridged container
 * against every catalogued metadata endpoint, with ordinary traffic, DNS and NTP as the positive controls.
 */
import * as assert from "node:assert/strict";
import { HOST_FIREWALL_PATH } from "../../components/hostFirewall";
import { egressProxyCloudInit } from "../../components/egressProxy/cloudInit";
import { planAwsWorkerPool, userDataFor } from "../../providers/aws/workerPoolPlan";
import { planAzureWorkerPool } from "../../providers/azure/workerPoolPlan";
import { planGcpWorkerPool } from "../../providers/gcp/workerPoolPlan";
import { BootResult, DNAT_PROBE, HostHarness, METADATA_PROBES, NOBODY, ORDINARY_PROBE, Probe, key, missingTools } from "./harness";

const BOOT_SCRIPT = "#!/bin/sh\necho ran > /root/boot-script-ran\n";
const refused = (r: string | undefined) => r !== undefined && !r.startsWith("ok");

/** Every probe's result that is not a refusal. */
function reached(results: Record<string, string>, probes: readonly Probe[]): Record<string, string> {
  return Object.fromEntries(probes.map(key).filter((k) => !refused(results[k])).map((k) => [k, results[k] ?? "missing"]));
}

function assertBooted(boot: BootResult): void {
  // The harness works only if every stage ran: a broken stage would leave the host unprotected for a reason the
  // test does not mean to test.
  const warnings = boot.log.split("\n").filter((l) => /WARNING|Traceback|stderr|rror/.test(l) && !/DEBUG/.test(l)).join("\n");
  assert.deepEqual(boot.rc, Object.fromEntries(Object.keys(boot.rc).map((k) => [k, 0])), warnings || boot.log.slice(-3000));
  assert.doesNotMatch(boot.log, /Boothooks script .* execution error|Exec format error|Failed to run module scripts/, "cloud-init ran every part");
  assert.equal(boot.written("/root/boot-script-ran"), "ran\n", "the caller's boot script ran after the firewall");
  assert.ok(boot.verify, "systemd-analyze verify ran on the installed units");
  assert.equal(boot.verify.rc, 0, boot.verify.output);
}

describe("worker host boot paths, booted for real (cloud-init, netns, iptables)", function () {
  this.timeout(300_000);
  const h = new HostHarness("hb");

  before(async function () {
    const reason = missingTools(["cloud-init", "systemd-analyze"]);
    if (reason) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error(`the boot tests cannot run: ${reason}`);
      this.skip();
    }
    await h.setUp();
  });
  after(() => h.tearDown());

  it("the harness reaches every endpoint when nothing protects the host (positive control)", () => {
    h.resetHost();
    h.addRuntimeRules();
    const host = h.probe(h.ns.host, NOBODY, [...METADATA_PROBES, ORDINARY_PROBE]);
    const ctr = h.probe(h.ns.ctr, 0, [...METADATA_PROBES, DNAT_PROBE, ORDINARY_PROBE]);
    assert.deepEqual(Object.values(host).filter(refused), [], JSON.stringify(host));
    assert.deepEqual(Object.values(ctr).filter(refused), [], JSON.stringify(ctr));
    // The redirects are in force: the ECS agent answers for 169.254.170.2, the proxy for the DNAT.
    assert.equal(host["http:169.254.170.2:80"], "ok:agent");
    assert.equal(ctr["http:169.254.170.2:80"], "ok:agent");
    assert.equal(ctr[key(DNAT_PROBE)], "ok:metadata-proxy");
  });

  it("aws EC2 (sandbox none, metadataEndpoint blocked): no uid and no container reaches any endpoint after boot", () => {
    h.resetHost();
    const plan = planAwsWorkerPool({ hardening: { sandbox: "none" }, subnetIds: ["s"], securityGroupIds: ["g"], imageId: "ami-1" });
    const boot = h.boot("cloud-init", userDataFor(plan.ec2!, undefined, BOOT_SCRIPT));
    assertBooted(boot);
    assert.match(boot.written("/etc/docker/daemon.json") ?? "", /"userns-remap":"default"/);
    h.addRuntimeRules();
    const all = [...METADATA_PROBES, ORDINARY_PROBE, { kind: "udp", host: "169.254.169.253", port: 53 }, { kind: "udp", host: "169.254.169.123", port: 123 }] as Probe[];
    const nobody = h.probe(h.ns.host, NOBODY, all);
    const root = h.probe(h.ns.host, 0, all);
    const ctr = h.probe(h.ns.ctr, 0, [...all, DNAT_PROBE]);
    for (const [who, r] of [["nobody", nobody], ["root (sealed after boot)", root], ["container", ctr]] as const) {
      assert.deepEqual(reached(r, [...METADATA_PROBES, ...(who === "container" ? [DNAT_PROBE] : [])]), {}, `${who} reached an endpoint`);
      assert.equal(r[key(ORDINARY_PROBE)], "ok:ordinary", `${who}: ordinary traffic flows`);
      assert.equal(r["udp:169.254.169.253:53"], "ok:udp", `${who}: the VPC resolver answers`);
      assert.equal(r["udp:169.254.169.123:123"], "ok:udp", `${who}: time sync answers`);
    }
  });

  it("aws: the re-assert unit puts the rules back after a flush and after rules prepended above the hooks", () => {
    // Continues from the sealed EC2 host above.
    const program = h.runInstalled.bind(h);
    h.sh(h.ns.host, `iptables -F HARDENING-META-FWD; iptables -F HARDENING-META-IN; iptables -I FORWARD 1 -j ACCEPT`);
    const broken = h.probe(h.ns.ctr, 0, METADATA_PROBES);
    assert.notDeepEqual(reached(broken, METADATA_PROBES), {}, "the flush really opened the host (else this proves nothing)");
    const plan = planAwsWorkerPool({ hardening: { sandbox: "none" }, subnetIds: ["s"], securityGroupIds: ["g"], imageId: "ami-1" });
    const boot = h.boot("cloud-init", userDataFor(plan.ec2!, undefined, BOOT_SCRIPT)); // the files as installed
    const unit = boot.written("/etc/systemd/system/hardening-host-firewall-reassert.service") ?? "";
    const timer = boot.written("/etc/systemd/system/hardening-host-firewall-reassert.timer") ?? "";
    assert.match(timer, /OnUnitActiveSec=1min/);
    assert.doesNotMatch(unit, /RemainAfterExit=yes/, "a timer starts only a unit that has exited");
    const exec = /^ExecStart=(\S+)\s*(.*)$/m.exec(unit);
    assert.ok(exec, unit);
    assert.equal(exec[1], HOST_FIREWALL_PATH);
    // Flush again (the second boot re-applied) and re-assert exactly as the timer would.
    h.sh(h.ns.host, `iptables -F HARDENING-META-FWD; iptables -F HARDENING-META-IN; iptables -I FORWARD 1 -j ACCEPT`);
    program(boot.written(HOST_FIREWALL_PATH) ?? "", exec[2].split(/\s+/).filter(Boolean));
    assert.deepEqual(reached(h.probe(h.ns.ctr, 0, METADATA_PROBES), METADATA_PROBES), {}, "re-asserted");
    assert.equal(h.probe(h.ns.ctr, 0, [ORDINARY_PROBE])[key(ORDINARY_PROBE)], "ok:ordinary");
  });

  it("aws ECS host (tokenRequired): root keeps IMDS, containers and other uids are refused, the agent settings are written", () => {
    h.resetHost();
    const plan = planAwsWorkerPool({
      hardening: { sandbox: "none", metadataEndpoint: "tokenRequired", hostIdentity: "minimal" },
      subnetIds: ["s"], securityGroupIds: ["g"], imageId: "ami-1", instanceProfileArn: "arn:aws:iam::1:instance-profile/p", ecsClusterName: "workers",
    });
    const boot = h.boot("cloud-init", userDataFor(plan.ec2!, "workers", BOOT_SCRIPT));
    assertBooted(boot);
    const ecsConfig = boot.written("/etc/ecs/ecs.config") ?? "";
    for (const line of ["ECS_CLUSTER=workers", "ECS_DISABLE_PRIVILEGED=true", "ECS_AWSVPC_BLOCK_IMDS=true"]) assert.ok(ecsConfig.split("\n").includes(line), ecsConfig);
    h.addRuntimeRules();
    const root = h.probe(h.ns.host, 0, [{ kind: "http", host: "169.254.169.254", port: 80 }]);
    assert.equal(root["http:169.254.169.254:80"], "ok:metadata", "root (the ECS agent) keeps IMDS");
    assert.deepEqual(reached(h.probe(h.ns.host, NOBODY, METADATA_PROBES), METADATA_PROBES), {});
    const ctr = h.probe(h.ns.ctr, 0, [...METADATA_PROBES, ORDINARY_PROBE]);
    assert.deepEqual(reached(ctr, METADATA_PROBES), {}, "the redirected ECS agent too");
    assert.equal(ctr[key(ORDINARY_PROBE)], "ok:ordinary");
  });

  it("aws ECS host with ecsTaskCredentials: containers reach the agent's credentials endpoint and nothing else", () => {
    h.resetHost();
    const plan = planAwsWorkerPool({
      hardening: { sandbox: "none", metadataEndpoint: "tokenRequired", hostIdentity: "minimal" },
      subnetIds: ["s"], securityGroupIds: ["g"], imageId: "ami-1", instanceProfileArn: "arn:aws:iam::1:instance-profile/p", ecsClusterName: "workers",
      ecsTaskCredentials: true,
    });
    assertBooted(h.boot("cloud-init", userDataFor(plan.ec2!, "workers", BOOT_SCRIPT)));
    h.addRuntimeRules();
    const ctr = h.probe(h.ns.ctr, 0, METADATA_PROBES);
    assert.deepEqual(reached(ctr, METADATA_PROBES), { "http:169.254.170.2:80": "ok:agent" });
    // Only through the agent's redirect: a non-root host process is still refused the same address.
    assert.deepEqual(reached(h.probe(h.ns.host, NOBODY, METADATA_PROBES), METADATA_PROBES), {});
  });

  it("azure scale set: root keeps WireServer and IMDS for the guest agent; other uids and containers are refused", () => {
    h.resetHost();
    const plan = planAzureWorkerPool({ location: "westeurope", hasUserAssignedIdentity: false, bootScript: BOOT_SCRIPT });
    const boot = h.boot("cloud-init", Buffer.from(plan.customData, "base64").toString("utf8"));
    assertBooted(boot);
    assert.match(boot.written("/etc/systemd/system/hardening-lifetime.timer") ?? "", /OnCalendar=/, "the lifetime cloud-config ran too");
    h.addRuntimeRules();
    const wire: Probe[] = [{ kind: "http", host: "168.63.129.16", port: 80 }, { kind: "udp", host: "168.63.129.16", port: 53 }];
    const root = h.probe(h.ns.host, 0, wire);
    assert.equal(root["http:168.63.129.16:80"], "ok:metadata");
    const nobody = h.probe(h.ns.host, NOBODY, [...METADATA_PROBES, ...wire, ORDINARY_PROBE]);
    const ctr = h.probe(h.ns.ctr, 0, [...METADATA_PROBES, ...wire, ORDINARY_PROBE]);
    for (const [who, r] of [["nobody", nobody], ["container", ctr]] as const) {
      assert.deepEqual(reached(r, METADATA_PROBES), {}, who);
      assert.equal(r["udp:168.63.129.16:53"], "ok:udp", `${who}: Azure DNS answers`);
      assert.equal(r[key(ORDINARY_PROBE)], "ok:ordinary");
    }
  });

  it("gcp instance template: the startup-script, run as GCE runs it, protects the host and keeps the metadata server's DNS", () => {
    h.resetHost();
    const plan = planGcpWorkerPool("workers", { region: "europe-west1", networkTag: "workers", bootScript: BOOT_SCRIPT });
    const boot = h.boot("gce", plan.metadata["startup-script"]);
    assert.deepEqual(boot.rc, { gce: 0 }, boot.log);
    assert.equal(boot.written("/root/boot-script-ran"), "ran\n");
    assert.equal(boot.verify?.rc, 0, boot.verify?.output);
    h.addRuntimeRules();
    const dns: Probe[] = [{ kind: "udp", host: "169.254.169.254", port: 53 }, { kind: "tcp", host: "169.254.169.254", port: 53 }];
    assert.equal(h.probe(h.ns.host, 0, [{ kind: "http", host: "169.254.169.254", port: 80 }])["http:169.254.169.254:80"], "ok:metadata", "root: the guest agent");
    const nobody = h.probe(h.ns.host, NOBODY, [...METADATA_PROBES, ...dns, ORDINARY_PROBE]);
    const ctr = h.probe(h.ns.ctr, 0, [...METADATA_PROBES, ...dns, DNAT_PROBE, ORDINARY_PROBE]);
    for (const [who, r] of [["nobody", nobody], ["container", ctr]] as const) {
      assert.deepEqual(reached(r, [...METADATA_PROBES, ...(who === "container" ? [DNAT_PROBE] : [])]), {}, who);
      assert.equal(r["udp:169.254.169.254:53"], "ok:udp", `${who}: the metadata server's DNS`);
      assert.equal(r[key(ORDINARY_PROBE)], "ok:ordinary");
    }
  });

  it("fails closed: without iptables the program exits 1, the boot says why, and the runtimes stay gated", () => {
    h.resetHost();
    const plan = planGcpWorkerPool("workers", { region: "europe-west1", networkTag: "workers", bootScript: BOOT_SCRIPT });
    const script = plan.metadata["startup-script"].replace("#!/bin/sh\n", "#!/bin/sh\nrm -f /etc/alternatives/iptables-restore /etc/alternatives/ip6tables-restore\n");
    const boot = h.boot("gce", script);
    assert.notEqual(boot.rc.gce, 0);
    assert.match(boot.log, /iptables-restore not found: this image cannot run the host firewall/);
    assert.equal(boot.written("/root/boot-script-ran"), undefined, "the caller's program does not run on an unprotected host");
    assert.match(boot.written("/etc/systemd/system/docker.service.d/10-hardening-host-firewall.conf") ?? "", /^Requires=hardening-host-firewall\.service$/m);
  });

  it("fails closed under cloud-init too: a failed boothook leaves the boot script unrun and the endpoints unreachable to it", () => {
    h.resetHost();
    const plan = planAwsWorkerPool({ hardening: { sandbox: "none" }, subnetIds: ["s"], securityGroupIds: ["g"], imageId: "ami-1" });
    const data = userDataFor(plan.ec2!, undefined, BOOT_SCRIPT);
    // An image without iptables-restore: a boothook of the test's own, ahead of the package's, takes it away.
    const boundary = /boundary="([^"]+)"/.exec(data)![1];
    const strip = `--${boundary}\nContent-Type: text/cloud-boothook; charset="us-ascii"\nMIME-Version: 1.0\nContent-Disposition: attachment; filename="00-aaa-strip"\n\n#cloud-boothook\n#!/bin/sh\nrm -f /etc/alternatives/iptables-restore /etc/alternatives/ip6tables-restore\n`;
    const boot = h.boot("cloud-init", data.replace(`--${boundary}\n`, `${strip}--${boundary}\n`));
    assert.match(boot.log, /Boothooks script .*00-hardening-host-firewall execution error/, "cloud-init itself goes on");
    assert.equal(boot.written("/root/boot-script-ran"), undefined, "the caller's program does not run on an unprotected host");
    assert.match(boot.written("/etc/systemd/system/docker.service.d/10-hardening-host-firewall.conf") ?? "", /^Requires=hardening-host-firewall\.service$/m);
    assert.notEqual(boot.rc.modulesmodefinal, 0, "the final stage reports the refusal");
  });

  it("the egress proxy host's user data boots with the firewall first", () => {
    h.resetHost();
    const { userData } = egressProxyCloudInit({}, { cloud: "aws" });
    const boot = h.boot("cloud-init", userData);
    // Offline, apt cannot install Squid here (the final stage's package module fails); the firewall does not wait.
    assert.equal(boot.rc.initlocal, 0);
    assert.equal(boot.rc.init, 0);
    assert.doesNotMatch(boot.log, /Boothooks script .* execution error/);
    assert.match(boot.written("/etc/systemd/system/squid.service.d/10-hardening-host-firewall.conf") ?? "", /Requires=hardening-host-firewall\.service/);
    assert.deepEqual(reached(h.probe(h.ns.host, NOBODY, METADATA_PROBES), METADATA_PROBES), {});
    assert.equal(h.probe(h.ns.host, NOBODY, [ORDINARY_PROBE])[key(ORDINARY_PROBE)], "ok:ordinary");
  });
});
