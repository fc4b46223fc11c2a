/**
 * The Kubernetes egress proxy's configuration run the way its pod runs it: the real Squid, as the pod's uid
 * (13), in a mount namespace of the test's own where every filesystem is read-only (readOnlyRootFilesystem)
 * except a fresh tmpfs at /var/run/squid (the pod's emptyDir) and a fresh /dev/shm (the pod's own), with the
 * access log on /dev/stdout and Squid's own log on /dev/stderr. The runtime chowns a container's stdio to its uid
 * (runc libcontainer, fixStdioPermissions), so Squid can reopen them; here the stand-ins are files owned by that
 * uid. Needs root, squid, unshare and setpriv; CI sets HARDENING_REQUIRE_SQUID=1 so this never skips there.
 *
 * One line of the rendered configuration is changed for the test: `http_port <port>` becomes
 * `http_port 127.0.0.1:<port>`, so nothing listens beyond loopback.
 */
import * as assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { egressDenials, parseEgressLogLine } from "../../../components";
import { planEgressProxy, SQUID_RUN_DIR } from "../../../providers/kubernetes/egressProxyPlan";
import { findSquid, freePort, nonLoopbackAddress, proxyConnect, proxyGet, readLogUntil, startUpstream, Upstream, waitForPort } from "../../components/egressProxy/squidHarness";

function missingTool(): string | undefined {
  if (process.getuid?.() !== 0) return "not root (mount namespaces need it)";
  const found = findSquid();
  if ("missing" in found) return found.missing;
  for (const tool of ["unshare", "setpriv", "mount"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${tool}`], { stdio: "ignore" });
    } catch {
      return `${tool} is not installed`;
    }
  }
  if (!fs.existsSync(SQUID_RUN_DIR)) return `${SQUID_RUN_DIR} does not exist to mount the emptyDir stand-in on (the squid package creates it)`;
  return undefined;
}

/** Mounts the pod's writable places, makes everything else read-only, drops to the pod's uid and execs Squid. */
function podScript(uid: number, squid: string, service: string, config: string): string {
  return `
mount --make-rprivate /
mount -t tmpfs -o size=64m,mode=1777 tmpfs /dev/shm
mount -t tmpfs -o size=64m,uid=${uid},gid=${uid},mode=0750 tmpfs ${SQUID_RUN_DIR}
run=$(readlink -f ${SQUID_RUN_DIR})
# Every other filesystem read-only, as with readOnlyRootFilesystem (proc, sys and dev stay as the runtime mounts them).
awk '{ print $2 }' /proc/self/mounts | sort -u | while read -r mp; do
  case "$mp" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$run") continue ;; esac
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
if touch /etc/.egress-proxy-write-test 2>/dev/null; then echo "root filesystem is writable" >&2; exit 90; fi
exec setpriv --reuid=${uid} --regid=${uid} --clear-groups ${squid} -N -n ${service} -f ${config}
`;
}

describe("Kubernetes egress proxy configuration, run as its pod runs it", function () {
  this.timeout(60_000);
  let dir = "";
  let upstream: Upstream | undefined;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let port = 0;
  let out = "";
  let err = "";
  let upstreamAddress = "";

  before(async function () {
    const reason = missingTool();
    if (reason) {
      if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(`the pod-like proxy test cannot run: ${reason}`);
      this.skip();
    }
    const squid = (findSquid() as { squid: string }).squid;
    // The proxy never reaches its own loopback: the upstream listens on the machine's other address, listed.
    const address = nonLoopbackAddress();
    if (address === undefined) throw new Error("the pod-like proxy test needs an IPv4 address outside loopback for its upstream");
    upstreamAddress = address;
    upstream = await startUpstream(address);
    port = await freePort();
    const plan = planEgressProxy("egress", {
      hardening: { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }, { cidr: `${address}/32`, ports: [upstream.port] }] } },
      image: `ubuntu/squid@sha256:${"0".repeat(64)}`,
      workerNamespaces: ["workers"],
      port,
      clients: ["127.0.0.0/8"],
    });
    const uid = (plan.podSpec.securityContext as { runAsUser: number }).runAsUser;
    const rendered = plan.squid.config;
    const config = rendered.replace(`\nhttp_port ${port}\n`, `\nhttp_port 127.0.0.1:${port}\n`);
    assert.notEqual(config, rendered, "the listener line was found");
    assert.ok(rendered.includes("\naccess_log stdio:/dev/stdout hardening_egress has_request\n") && rendered.includes("\ncache_log /dev/stderr\n"));

    dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-pod-"));
    fs.chmodSync(dir, 0o755);
    const configFile = path.join(dir, "squid.conf");
    fs.writeFileSync(configFile, config, { mode: 0o644 });
    out = path.join(dir, "stdout");
    err = path.join(dir, "stderr");
    for (const f of [out, err]) {
      fs.writeFileSync(f, "", { mode: 0o600 });
      fs.chownSync(f, uid, uid);
    }
    const outFd = fs.openSync(out, "a");
    const errFd = fs.openSync(err, "a");
    const service = `egresspod${process.pid}`;
    child = spawn("unshare", ["-m", "sh", "-ec", podScript(uid, squid, service, configFile)], { stdio: ["ignore", outFd, errFd] });
    exited = new Promise((resolve) => child?.once("exit", () => resolve()));
    fs.closeSync(outFd);
    fs.closeSync(errFd);
    await waitForPort(port, child, Date.now() + 20_000, () => fs.readFileSync(err, "utf8"));
  });

  after(async function () {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGINT");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    await upstream?.close();
    if (dir !== "") fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves allowed requests and refuses the metadata endpoint, logging to stdout with nothing written elsewhere", async () => {
    const ok = await proxyGet(port, `http://${upstreamAddress}:${upstream!.port}/pod`);
    assert.equal(ok.status, 200);
    assert.equal((await proxyGet(port, "http://169.254.169.254/latest/meta-data/")).status, 403);
    assert.equal((await proxyConnect(port, "2852039166:443")).status, 403);
    const text = await readLogUntil(out, (t) => egressDenials(t).length >= 2);
    const records = text.split("\n").filter((l) => l !== "").map(parseEgressLogLine);
    assert.deepEqual(
      records.map((r) => r && `${r.verdict} ${r.method} ${r.host}:${r.port} ${r.reason}`),
      [`allow GET ${upstreamAddress}:${upstream!.port} -`, "deny GET 169.254.169.254:80 forbidden-address", "deny CONNECT 169.254.169.254:443 forbidden-address"],
    );
    const diagnostics = fs.readFileSync(err, "utf8");
    assert.doesNotMatch(diagnostics, /Cannot write|Permission denied|Read-only file system|FATAL/);
  });
});
