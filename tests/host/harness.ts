/**
 * A worker host in network namespaces, booted by the real programs that boot a cloud VM:
 *
 *   ctr (a bridged "container", 10.99.1.2)  --veth-->  host  --veth-->  meta (the hypervisor's side)
 *
 * - meta holds every catalogued metadata and credential address (components/endpoints.ts) with an HTTP server on
 *   port 80, the cloud's DNS and NTP on their protected addresses, and an ordinary server at 10.99.0.2:8080 (and a
 *   "metadata proxy" at :8081). The host routes the metadata addresses to it, as a hypervisor answers them.
 * - host boots its user data through Debian's cloud-init (NoCloud seed, the four stages `init --local`, `init`,
 *   `modules --mode config`, `modules --mode final`) inside a mount namespace of its own, with overlays over /etc,
 *   /var, /usr, /home and /root and a tmpfs /run, so nothing reaches the machine running the test. For GCE, the
 *   startup-script runs the way google_metadata_script_runner runs it (`/bin/bash -c <file>`).
 * - After boot, the runtime rules a container host gets are added the way Docker and ECS add them: DOCKER-USER
 *   and ACCEPT rules on top of FORWARD, MASQUERADE, the ECS agent's DNAT/REDIRECT of 169.254.170.2:80 to
 *   127.0.0.1:51679 (with route_localnet), a GKE-style DNAT of 169.254.169.254:8080 to a metadata proxy, and an
 *   agent listening on a host-held link-local address (EKS Pod Identity's 169.254.170.23).
 *
 * Needs root, iproute2, iptables, util-linux (unshare, setpriv) and cloud-init; .ci/run installs them and sets
 * HARDENING_REQUIRE_NETNS=1 so that these suites cannot be skipped there.
 */
import { execFileSync, spawn, ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { needsScope } from "../../canary/checks";
import { METADATA_ENDPOINTS, PROTECTED_SERVICES } from "../../components/endpoints";

export const NOBODY = 65534;

/** One connection attempt: what it is, and where. */
export interface Probe {
  readonly kind: "http" | "tcp" | "udp";
  readonly host: string;
  readonly port: number;
}

export function run(cmd: string, args: string[], opts: { input?: string; timeout?: number } = {}): string {
  return execFileSync(cmd, args, { encoding: "utf8", input: opts.input, stdio: ["pipe", "pipe", "pipe"], timeout: opts.timeout ?? 30_000 });
}

/** Why the suite cannot run here, or undefined. */
export function missingTools(extra: readonly string[] = []): string | undefined {
  if (process.getuid?.() !== 0) return "not root";
  for (const tool of ["ip", "iptables", "ip6tables", "iptables-restore", "setpriv", "unshare", ...extra]) {
    try {
      run("sh", ["-c", `command -v ${tool}`]);
    } catch {
      return `${tool} is not installed`;
    }
  }
  return undefined;
}

/** Every catalogued metadata address, the agent's host-held one excepted (it lives on the host itself). */
export const HOST_HELD_AGENT = "169.254.170.23";
// IPv6 link-local endpoints (OpenStack's fe80::a9fe:a9fe) are reachable only on-link with an interface scope, so
// they are not served across the harness's routed uplink; the rules deny fe80::/10 whole (hostFirewall.test.ts).
export const ENDPOINT_ADDRESSES: readonly string[] = [...new Set(METADATA_ENDPOINTS.flatMap((e) => e.addresses))].filter(
  (a) => a !== HOST_HELD_AGENT && !needsScope(a),
);
const SERVICE_ADDRESSES = [...new Set(PROTECTED_SERVICES.map((s) => s.address))];

const ORDINARY = "10.99.0.2";
/** A server nothing should stop: the positive control of every run. */
export const ORDINARY_PROBE: Probe = { kind: "http", host: ORDINARY, port: 8080 };

/** Serves every address of the metadata side; prints "ready". HTTP bodies say who answered. */
const META_SERVER = `
const http = require("http"), net = require("net"), dgram = require("dgram");
const [endpoints, services] = JSON.parse(process.argv[2]);
let pending = 0; const up = () => { if (--pending === 0) console.log("ready"); };
const httpOn = (port, a, body) => { pending++; http.createServer((q, r) => r.end(body)).listen(port, a, up); };
const seen = new Set();
for (const a of endpoints) { httpOn(80, a, "metadata"); seen.add("tcp" + a + 80); }
httpOn(8080, "${ORDINARY}", "ordinary");
httpOn(8081, "${ORDINARY}", "metadata-proxy");
for (const s of services) {
  for (const port of s.ports) {
    for (const proto of s.protocols) {
      const id = proto + s.address + port; if (seen.has(id)) continue; seen.add(id); pending++;
      if (proto === "tcp") net.createServer((c) => { c.on("error", () => {}); c.end("tcp"); }).listen(port, s.address, up);
      else { const u = dgram.createSocket(s.address.includes(":") ? "udp6" : "udp4"); u.on("message", (m, r) => u.send(m, r.port, r.address)); u.bind(port, s.address, up); }
    }
  }
}`;

/** An agent on the host: the ECS agent's credentials port and a host-held link-local listener. */
const AGENT_SERVER = `
const http = require("http");
let pending = 2; const up = () => { if (--pending === 0) console.log("ready"); };
http.createServer((q, r) => r.end("agent")).listen(51679, "127.0.0.1", up);
http.createServer((q, r) => r.end("agent")).listen(80, "${HOST_HELD_AGENT}", up);`;

/** Runs every probe at once; prints a JSON object of "ok:<body>" or the error code, keyed kind:host:port. */
const CLIENT = `
const net = require("net"), dgram = require("dgram"), http = require("http"), fs = require("fs");
const probes = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const out = {}; let left = probes.length;
const finish = () => { process.stdout.write(JSON.stringify(out)); process.exit(0); };
if (left === 0) finish();
for (const p of probes) {
  const key = p.kind + ":" + p.host + ":" + p.port; let done = false;
  const settle = (r) => { if (done) return; done = true; out[key] = r; if (--left === 0) finish(); };
  setTimeout(() => settle("timeout"), 2000);
  if (p.kind === "http") http.get({ host: p.host, port: p.port, path: "/", timeout: 1900 }, (res) => { let b = ""; res.on("data", (d) => b += d); res.on("end", () => settle("ok:" + b)); }).on("error", (e) => settle(e.code));
  if (p.kind === "tcp") { const s = net.connect(p.port, p.host); s.on("connect", () => { s.destroy(); settle("ok:tcp"); }); s.on("error", (e) => settle(e.code)); }
  if (p.kind === "udp") { const s = dgram.createSocket(p.host.includes(":") ? "udp6" : "udp4"); s.on("message", () => { s.close(); settle("ok:udp"); }); s.on("error", (e) => settle(e.code)); s.send("ping", p.port, p.host); }
}`;

/** Boots user data through cloud-init's four stages, or runs a GCE startup-script, in a private mount namespace. */
const BOOT = `#!/bin/sh
set -eu
T=$1; KIND=$2
for d in etc var usr home root; do
  mkdir -p "$T/ov/$d/up" "$T/ov/$d/work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d/up,workdir=$T/ov/$d/work" "/$d"
done
mount -t tmpfs tmpfs /run
hostname worker
if [ "$KIND" = gce ]; then
  # google_metadata_script_runner: the value, leading whitespace trimmed, written 0755 to a temporary directory and
  # run as "<default shell> -c <file>" (default_shell /bin/bash).
  d=$(mktemp -d /tmp/metadata-scriptsXXXX); cp "$T/startup-script" "$d/startup-script"; chmod 0755 "$d/startup-script"
  /bin/bash -c "$d/startup-script" > "$T/gce.log" 2>&1 && echo 0 > "$T/gce.rc" || echo $? > "$T/gce.rc"
  rm -rf "$d"
else
  mkdir -p /var/lib/cloud/seed/nocloud
  cp "$T/user-data" /var/lib/cloud/seed/nocloud/user-data
  printf 'instance-id: i-harness\\nlocal-hostname: worker\\n' > /var/lib/cloud/seed/nocloud/meta-data
  # The harness's own settings: the NoCloud seed, and no module that would touch this machine's disks or network.
  cat > /etc/cloud/cloud.cfg.d/99-harness.cfg <<'CFG'
datasource_list: [NoCloud]
network: {config: disabled}
growpart: {mode: "off"}
resize_rootfs: false
locale: C.UTF-8
CFG
  rm -rf /var/lib/cloud/instance /var/lib/cloud/instances /var/log/cloud-init.log
  for stage in "init --local" "init" "modules --mode config" "modules --mode final"; do
    name=$(echo "$stage" | tr -d ' -')
    # shellcheck disable=SC2086
    cloud-init $stage > "$T/stage-$name.log" 2>&1 && echo 0 > "$T/stage-$name.rc" || echo $? > "$T/stage-$name.rc"
  done
  cp /var/log/cloud-init.log "$T/cloud-init.log"
fi
# Checked here, where the overlays are mounted: the installed program and units as systemd would see them.
if command -v systemd-analyze >/dev/null 2>&1 && ls /etc/systemd/system/hardening-*.service >/dev/null 2>&1; then
  systemd-analyze verify /etc/systemd/system/hardening-*.service /etc/systemd/system/hardening-*.timer > "$T/verify.log" 2>&1 && echo 0 > "$T/verify.rc" || echo $? > "$T/verify.rc"
fi
`;

/** What a boot left behind. */
export interface BootResult {
  /** Exit status of each cloud-init stage (or of the GCE script runner, as `gce`). */
  readonly rc: Record<string, number>;
  /** cloud-init's log (empty for GCE). */
  readonly log: string;
  /** Where the overlays' upper layers are: files the boot wrote, by their path on the host. */
  readonly written: (p: string) => string | undefined;
  /** `systemd-analyze verify` of the installed units: status and output, when it ran. */
  readonly verify?: { rc: number; output: string };
}

/** What a suite changes in the harness's network; every field is optional and the defaults are the boot tests'. */
export interface HostHarnessOptions {
  /**
   * The server of the metadata side, in place of the harness's own: a node script, run with `args`, that prints
   * "ready" once it listens. It must serve whatever the suite probes.
   * @default the harness's server: HTTP on port 80 of every catalogued address, the protected services, and the
   * ordinary server (ORDINARY_PROBE)
   */
  readonly metaServer?: { readonly script: string; readonly args?: readonly string[] };
  /**
   * More addresses (IPv4 or IPv6) the metadata side holds and the host routes to it, besides the catalogued ones.
   * @default []
   */
  readonly metaAddresses?: readonly string[];
  /**
   * Run the agent on the host: the ECS agent's 127.0.0.1:51679 and a listener on the host-held 169.254.170.23. With
   * false, the host holds no link-local address, and 169.254.170.23 is the metadata side's if `metaAddresses` names it.
   * @default true
   */
  readonly hostAgent?: boolean;
  /**
   * The container's /etc/resolv.conf (`ip netns exec` bind-mounts /etc/netns/<namespace>/resolv.conf over it).
   * @default none: the container resolves as this machine does
   */
  readonly ctrResolvConf?: string;
}

/** One host, its metadata side and a container, for one suite. */
export class HostHarness {
  readonly ns: { host: string; meta: string; ctr: string };
  /** The harness's working directory (readable by every uid): where a suite may put files its probes read. */
  get workDir(): string {
    return this.dir;
  }
  private dir = "";
  private servers: ChildProcess[] = [];
  private etcNetns: string | undefined;

  constructor(tag: string) {
    const t = `${tag}${process.pid % 10000}`;
    this.ns = { host: `${t}-host`, meta: `${t}-meta`, ctr: `${t}-ctr` };
  }

  inNs(ns: string, cmd: string[], input?: string): string {
    return run("ip", ["netns", "exec", ns, ...cmd], { input });
  }

  sh(ns: string, script: string): string {
    return this.inNs(ns, ["sh", "-ec", script]);
  }

  async setUp(options: HostHarnessOptions = {}): Promise<void> {
    const hostAgent = options.hostAgent ?? true;
    const extra = [...new Set(options.metaAddresses ?? [])];
    if (hostAgent && extra.includes(HOST_HELD_AGENT)) throw new Error(`metaAddresses names ${HOST_HELD_AGENT}, which the host agent holds; set hostAgent: false`);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "hboot-"));
    fs.chmodSync(this.dir, 0o755); // probes run as nobody and read their files
    for (const [name, text] of Object.entries({ "meta.js": META_SERVER, "agent.js": AGENT_SERVER, "client.js": CLIENT, "boot.sh": BOOT })) {
      fs.writeFileSync(path.join(this.dir, name), text, { mode: 0o755 });
    }
    if (options.metaServer) fs.writeFileSync(path.join(this.dir, "meta-custom.js"), options.metaServer.script, { mode: 0o755 });
    for (const ns of Object.values(this.ns)) run("ip", ["netns", "add", ns]);
    if (options.ctrResolvConf !== undefined) {
      this.etcNetns = `/etc/netns/${this.ns.ctr}`;
      fs.mkdirSync(this.etcNetns, { recursive: true });
      fs.writeFileSync(path.join(this.etcNetns, "resolv.conf"), options.ctrResolvConf);
    }
    const [hm, mh, hc, ch] = ["hm", "mh", "hc", "ch"].map((s) => `${this.ns.host.slice(0, 10)}${s}`);
    run("ip", ["link", "add", hm, "netns", this.ns.host, "type", "veth", "peer", "name", mh, "netns", this.ns.meta]);
    run("ip", ["link", "add", hc, "netns", this.ns.host, "type", "veth", "peer", "name", ch, "netns", this.ns.ctr]);
    const v4 = ENDPOINT_ADDRESSES.filter((a) => !a.includes(":"));
    const v6 = ENDPOINT_ADDRESSES.filter((a) => a.includes(":"));
    const svc4 = [...SERVICE_ADDRESSES, ...extra].filter((a, i, all) => !a.includes(":") && !v4.includes(a) && all.indexOf(a) === i);
    const svc6 = [...SERVICE_ADDRESSES, ...extra].filter((a, i, all) => a.includes(":") && !v6.includes(a) && all.indexOf(a) === i);
    this.sh(this.ns.meta, `ip link set lo up; ip link set ${mh} up
      ip addr add ${ORDINARY}/24 dev ${mh}; ip -6 addr add fd99::2/64 dev ${mh} nodad
      for a in ${[...v4, ...svc4].join(" ")}; do ip addr add $a/32 dev lo; done
      for a in ${[...v6, ...svc6].join(" ")}; do ip -6 addr add $a/128 dev lo nodad; done
      ip route add 10.99.1.0/24 via 10.99.0.1; ip -6 route add fd99:1::/64 via fd99::1
      sysctl -qw net.ipv4.ip_forward=0`);
    this.sh(this.ns.host, `ip link set lo up; ip link set ${hm} up; ip link set ${hc} up
      ip addr add 10.99.0.1/24 dev ${hm}; ip -6 addr add fd99::1/64 dev ${hm} nodad
      ip addr add 10.99.1.1/24 dev ${hc}; ip -6 addr add fd99:1::1/64 dev ${hc} nodad
      ${hostAgent ? `ip addr add ${HOST_HELD_AGENT}/32 dev lo` : ""}
      for a in ${[...v4, ...svc4].join(" ")}; do ip route add $a/32 via ${ORDINARY}; done
      for a in ${[...v6, ...svc6].join(" ")}; do ip -6 route add $a/128 via fd99::2; done
      sysctl -qw net.ipv4.ip_forward=1; sysctl -qw net.ipv6.conf.all.forwarding=1`);
    this.sh(this.ns.ctr, `ip link set lo up; ip link set ${ch} up
      ip addr add 10.99.1.2/24 dev ${ch}; ip -6 addr add fd99:1::2/64 dev ${ch} nodad
      ip route add default via 10.99.1.1; ip -6 route add default via fd99:1::1`);
    if (options.metaServer) await this.start(this.ns.meta, "meta-custom.js", ...(options.metaServer.args ?? []));
    else await this.start(this.ns.meta, "meta.js", JSON.stringify([ENDPOINT_ADDRESSES, PROTECTED_SERVICES]));
    if (hostAgent) await this.start(this.ns.host, "agent.js");
  }

  private start(ns: string, file: string, ...arg: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const args = ["netns", "exec", ns, process.execPath, path.join(this.dir, file), ...arg];
      const server = spawn("ip", args, { stdio: ["ignore", "pipe", "pipe"] });
      this.servers.push(server);
      let err = "";
      const timer = setTimeout(() => reject(new Error(`${file} did not start: ${err}`)), 15_000);
      server.stderr!.on("data", (d: Buffer) => (err += d.toString()));
      server.stdout!.on("data", (d: Buffer) => {
        if (d.toString().includes("ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      server.on("exit", (code) => reject(new Error(`${file} exited with ${code}: ${err}`)));
    });
  }

  tearDown(): void {
    for (const s of this.servers) s.kill("SIGKILL");
    for (const ns of Object.values(this.ns)) {
      try {
        run("ip", ["netns", "del", ns]);
      } catch {
        // already gone
      }
    }
    if (this.etcNetns) fs.rmSync(this.etcNetns, { recursive: true, force: true });
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** Empties every table of the host: a fresh boot's network state. */
  resetHost(): void {
    for (const t of ["iptables", "ip6tables"]) {
      this.sh(this.ns.host, `for tb in filter nat; do ${t} -t $tb -F; ${t} -t $tb -X; done`);
    }
  }

  /** Boots the host from cloud-init user data (`cloud-init`) or a GCE startup-script (`gce`). */
  boot(kind: "cloud-init" | "gce", data: string): BootResult {
    const t = fs.mkdtempSync(path.join(this.dir, "boot-"));
    fs.writeFileSync(path.join(t, kind === "gce" ? "startup-script" : "user-data"), data);
    run("ip", ["netns", "exec", this.ns.host, "unshare", "--mount", "--uts", "--propagation", "private", "sh", path.join(this.dir, "boot.sh"), t, kind === "gce" ? "gce" : "cloud-init"], { timeout: 180_000 });
    const rc: Record<string, number> = {};
    for (const f of fs.readdirSync(t)) {
      const m = /^(?:stage-)?(.+)\.rc$/.exec(f);
      if (m && m[1] !== "verify") rc[m[1]] = Number(fs.readFileSync(path.join(t, f), "utf8"));
    }
    const read = (f: string) => (fs.existsSync(path.join(t, f)) ? fs.readFileSync(path.join(t, f), "utf8") : undefined);
    const verifyRc = read("verify.rc");
    return {
      rc,
      log: read("cloud-init.log") ?? read("gce.log") ?? "",
      written: (p: string) => {
        const [, top, ...rest] = p.split("/");
        const file = path.join(t, "ov", top, "up", ...rest);
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
      },
      ...(verifyRc !== undefined ? { verify: { rc: Number(verifyRc), output: read("verify.log") ?? "" } } : {}),
    };
  }

  /** The rules Docker, the ECS agent, a GKE-style metadata proxy and an EKS-style agent add after boot. */
  addRuntimeRules(): void {
    const hc = `${this.ns.host.slice(0, 10)}hc`;
    for (const t of ["iptables", "ip6tables"]) {
      const src = t === "iptables" ? "10.99.1.0/24" : "fd99:1::/64";
      this.sh(this.ns.host, `${t} -N DOCKER-USER 2>/dev/null || true
        ${t} -N DOCKER 2>/dev/null || true
        ${t} -I FORWARD 1 -j DOCKER-USER
        ${t} -I FORWARD 2 -o ${hc} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        ${t} -I FORWARD 3 -i ${hc} -j ACCEPT
        ${t} -t nat -A POSTROUTING -s ${src} ! -o ${hc} -j MASQUERADE`);
    }
    this.sh(this.ns.host, `sysctl -qw net.ipv4.conf.all.route_localnet=1
      iptables -t nat -A PREROUTING -d 169.254.170.2/32 -p tcp --dport 80 -j DNAT --to-destination 127.0.0.1:51679
      iptables -t nat -A OUTPUT -d 169.254.170.2/32 -p tcp --dport 80 -j REDIRECT --to-ports 51679
      iptables -t nat -A PREROUTING -d 169.254.169.254/32 -p tcp --dport 8080 -j DNAT --to-destination ${ORDINARY}:8081`);
  }

  /** Runs the probes as `uid` in `ns`; results keyed kind:host:port. */
  probe(ns: string, uid: number, probes: readonly Probe[]): Record<string, string> {
    const file = path.join(this.dir, `probes-${process.hrtime.bigint()}.json`);
    fs.writeFileSync(file, JSON.stringify(probes), { mode: 0o644 });
    const out = this.inNs(ns, ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath, path.join(this.dir, "client.js"), file]);
    fs.rmSync(file);
    return JSON.parse(out) as Record<string, string>;
  }

  /** Runs a command in the host's network namespace with a file the boot wrote (the overlay is gone by then). */
  runInstalled(program: string, args: string[]): string {
    const file = path.join(this.dir, `installed-${process.hrtime.bigint()}`);
    fs.writeFileSync(file, program, { mode: 0o700 });
    try {
      // A private /run: the program keeps its state there, and this machine's /run is not the host's.
      return this.inNs(this.ns.host, ["sh", "-c", 'mount -t tmpfs tmpfs /run && exec sh "$@"', "sh", file, ...args]);
    } finally {
      fs.rmSync(file);
    }
  }
}

export const key = (p: Probe) => `${p.kind}:${p.host}:${p.port}`;

/** HTTP on port 80 to every catalogued metadata address, the host-held agent, and the redirected ECS agent. */
export const METADATA_PROBES: readonly Probe[] = [
  ...ENDPOINT_ADDRESSES.map((host) => ({ kind: "http" as const, host, port: 80 })),
  { kind: "http", host: HOST_HELD_AGENT, port: 80 },
];
/** The GKE-style DNAT of 169.254.169.254:8080 to an ordinary address (containers only: it is in PREROUTING). */
export const DNAT_PROBE: Probe = { kind: "http", host: "169.254.169.254", port: 8080 };
