/**
 * The worker hosts' boot path: what a VM runs from its user data (AWS launch templates, Azure custom data: both
 * cloud-init) or its `startup-script` (GCE's guest environment) so that the host firewall is in force before any
 * workload, on every boot, and the container runtime cannot start without it.
 *
 * Why it is built this way (each point was proven against Debian's real cloud-init, see tests/host/):
 * - cloud-init's boothook handler writes a `#cloud-boothook` part to a file and executes it directly
 *   (cloudinit/handlers/boot_hook.py: `subp.subp([filepath])`), so the part must keep its `#!` line; without it the
 *   exec fails ("Exec format error") and cloud-init only logs a warning. The same holds for `text/x-shellscript`
 *   parts, which is why a caller's boot script without `#!` is refused.
 * - A boothook's failure never stops the boot, so failing closed cannot rest on it: the installer writes systemd
 *   drop-ins first that make docker, containerd, ECS, kubelet and CRI-O `Requires=` the firewall's boot unit, then
 *   applies the rules. If the rules cannot be applied, the runtime's start job fails with the firewall's unit.
 * - A `Type=oneshot` + `RemainAfterExit=yes` unit is never started again by a timer (systemd.timer(5): a timer
 *   activates its unit, and an active unit is not started again), so re-assertion is a unit of its own that exits.
 * - GCE's script runner writes `startup-script` to a temporary file and runs it as `/bin/bash -c <file>`
 *   (guest-agent google_metadata_script_runner), on every boot, after the network is up.
 */
import { InvalidArgsError, show, throwIfIssues } from "./validation";
import {
  HOST_FIREWALL_PATH,
  HOST_FIREWALL_UNIT,
  HostFirewallArgs,
  hostFirewallScript,
} from "./hostFirewall";
import type { ProxyEnvVar } from "./egressProxy/proxyEnv";

/** The systemd units (by name) that must never start without the host firewall: runtimes, agents and the proxy. */
export const GATED_RUNTIMES = ["docker.service", "containerd.service", "ecs.service", "kubelet.service", "crio.service", "squid.service"] as const;

/** Why user-namespace remapping takes the host away from containers, in Docker's words. */
export const DOCKER_USERNS_SOURCE =
  'Docker docs, Isolate containers with a user namespace: "The best way to prevent privilege-escalation attacks from within a container is to configure your container\'s applications to run as unprivileged users"; known limitations: sharing the host\'s PID or network namespace and --privileged mode are incompatible with user namespaces unless --userns=host is given; dockerd --no-new-privileges';

/** The Docker daemon settings the boot path writes when it manages the container runtime. */
export const HARDENED_DOCKER_DAEMON = {
  /**
   * Root in a container is an unprivileged uid on the host: the host firewall's owner match refuses it, and
   * dockerd refuses `--privileged` and `--network host` without `--userns=host` (Docker docs, "Isolate containers
   * with a user namespace", known limitations).
   */
  "userns-remap": "default",
  /** No setuid escalation inside containers (dockerd `--no-new-privileges`). */
  "no-new-privileges": true,
} as const;

/** Arguments of the boot path. */
export interface HostBootArgs {
  /** The host firewall to install and apply. */
  readonly firewall: HostFirewallArgs;
  /**
   * Once boot has finished (after cloud-init's final stage), refuse the metadata endpoints to every uid, root too.
   * For hosts that need the endpoint only to boot (EC2 delivers user data through IMDS). cloud-init only.
   * @default false
   */
  readonly sealAfterBoot?: boolean;
  /**
   * Write {@link HARDENED_DOCKER_DAEMON} to /etc/docker/daemon.json and refuse to start dockerd without it.
   * @default false
   */
  readonly hardenDocker?: boolean;
  /** Variables written to /etc/environment and exported to the boot script (the egress proxy). @default [] */
  readonly proxyEnv?: readonly ProxyEnvVar[];
  /** Lines appended to /etc/ecs/ecs.config before the ECS agent starts. @default [] */
  readonly ecsConfig?: readonly string[];
  /**
   * The caller's program, run after the firewall: a script starting with `#!` (any interpreter). cloud-init runs
   * it once per instance at the end of the first boot; GCE at every boot.
   * @default undefined
   */
  readonly bootScript?: string;
  /** Extra `#cloud-config` documents (YAML, starting with `#cloud-config`). cloud-init only. @default [] */
  readonly cloudConfigs?: readonly string[];
}

/** A file the boot path installs. */
export interface BootFile {
  /** Absolute path. */
  readonly path: string;
  /** Octal mode. */
  readonly mode: string;
  /** Text. */
  readonly content: string;
}

/** A symbolic link the boot path installs (what `systemctl enable` would create). */
export interface BootLink {
  readonly path: string;
  readonly target: string;
}

const UNIT_DIR = "/etc/systemd/system";
const REASSERT = `${HOST_FIREWALL_UNIT}-reassert`;
const SEAL = "hardening-metadata-seal";
/**
 * The preconditions of every host-firewall control, for the controls reports: each says who makes it true.
 */
export const HOST_FIREWALL_PRECONDITIONS: readonly string[] = [
  "the image runs the boot path (cloud-init for user/custom data, the guest environment for GCE startup-script) and has systemd, iptables and ip6tables with the conntrack, owner and comment matches: the caller's image choice; known families without them (Windows, Flatcar, Fedora CoreOS, Bottlerocket) are refused by name, and on any other image that lacks them the program exits 1, the caller's boot script does not run and docker, containerd, ECS, kubelet, CRI-O and Squid cannot start (their units require the firewall's)",
  "nothing but root changes the rules: made true by the firewall itself (only root may run iptables); root on the host is trusted",
];

/** The program's `check-docker` command: dockerd's drop-in runs it before dockerd starts. */
const DAEMON_JSON = "/etc/docker/daemon.json";

/**
 * Checks a caller's boot script: a string that starts with `#!` (cloud-init executes script parts directly, so a
 * script without one fails the way the host firewall's boothook once did).
 */
export function checkBootScript(field: string, value: unknown, issues: string[]): void {
  if (value === undefined) return;
  if (typeof value !== "string") {
    issues.push(`${field} must be a string holding a script that starts with "#!", e.g. "#!/bin/sh".`);
  } else if (!value.startsWith("#!")) {
    const first = value.split("\n", 1)[0].slice(0, 40);
    issues.push(
      `${field} must start with an interpreter line such as "#!/bin/sh" (it starts with ${JSON.stringify(first)}): cloud-init executes the script directly and a file without "#!" fails with "Exec format error".`,
    );
  }
}

/**
 * Image families the boot path cannot run on, with the reason: no cloud-init/user-data shell (Ignition or TOML
 * settings) or no POSIX shell and iptables at all.
 */
export const UNSUPPORTED_IMAGE_FAMILIES: readonly { readonly pattern: RegExp; readonly family: string; readonly why: string }[] = [
  { pattern: /windows/i, family: "Windows", why: "the host firewall is an iptables program run by a POSIX shell" },
  { pattern: /flatcar|kinvolk/i, family: "Flatcar Container Linux", why: "it is provisioned by Ignition, which does not run cloud-init boothooks or GCE startup scripts in the same way" },
  { pattern: /coreos/i, family: "Fedora CoreOS", why: "it is provisioned by Ignition, not cloud-init" },
  { pattern: /bottlerocket/i, family: "Bottlerocket", why: "its user data is TOML settings and it has no shell for a boot script" },
];

/**
 * Refuses an image whose name (AMI SSM parameter, GCE image or family, Azure publisher/offer/sku) belongs to a
 * family the boot path cannot run on, naming the family, so that no host ever boots without its firewall.
 */
export function checkImageFamily(field: string, value: unknown, issues: string[]): void {
  if (typeof value !== "string") return;
  const hit = UNSUPPORTED_IMAGE_FAMILIES.find((f) => f.pattern.test(value));
  if (hit) {
    issues.push(`${field} ${JSON.stringify(value)} is a ${hit.family} image, which the host firewall cannot run on: ${hit.why}. Use a Linux image with cloud-init and iptables (Debian 12, Ubuntu 22.04+, Amazon Linux 2023), or set hardening.metadataEndpoint to a mode without the host firewall and accept what docs/efficacy.md says it leaves open.`);
  }
}

/**
 * A `Type=oneshot` unit that runs the firewall program once. `remain`: it stays active after it exits (a boot
 * gate that others require); without, a timer can start it again (systemd.timer(5)). `wantedBy`: enabled there.
 */
function oneshotUnit(u: { description: string; unit: readonly string[]; command: string; remain: boolean; wantedBy?: string }): string {
  return [
    "[Unit]",
    `Description=${u.description}`,
    ...u.unit,
    "",
    "[Service]",
    "Type=oneshot",
    ...(u.remain ? ["RemainAfterExit=yes"] : []),
    `ExecStart=${HOST_FIREWALL_PATH} ${u.command}`,
    ...(u.wantedBy ? ["", "[Install]", `WantedBy=${u.wantedBy}`] : []),
    "",
  ].join("\n");
}

/** The systemd units, drop-ins and links of the boot path. Pure; `systemd-analyze verify` checks them in tests. */
export function hostBootUnits(args: Pick<HostBootArgs, "sealAfterBoot" | "hardenDocker">): { files: BootFile[]; links: BootLink[] } {
  const gate = `${HOST_FIREWALL_UNIT}.service`;
  const file = (name: string, content: string): BootFile => ({ path: `${UNIT_DIR}/${name}`, mode: "0644", content });
  const files: BootFile[] = [
    file(
      gate,
      oneshotUnit({
        description: "pulumi-hardening host firewall: only the allowed uid reaches cloud metadata endpoints",
        unit: ["DefaultDependencies=no", "Wants=network-pre.target", "After=local-fs.target", `Before=network-pre.target ${GATED_RUNTIMES.join(" ")}`],
        command: "apply",
        remain: true,
        wantedBy: "multi-user.target",
      }),
    ),
    file(
      `${REASSERT}.service`,
      oneshotUnit({
        description: "Re-assert the pulumi-hardening host firewall (runtimes and CNIs insert rules above its hooks)",
        unit: [`After=${gate}`],
        command: "apply",
        remain: false,
      }),
    ),
    file(
      `${REASSERT}.timer`,
      ["[Unit]", "Description=Re-assert the pulumi-hardening host firewall every minute", "", "[Timer]", "OnBootSec=1min", "OnUnitActiveSec=1min", "AccuracySec=5s", "", "[Install]", "WantedBy=timers.target", ""].join("\n"),
    ),
    ...GATED_RUNTIMES.map((unit) =>
      file(
        `${unit}.d/10-hardening-host-firewall.conf`,
        `# pulumi-hardening: never start without the host firewall (fail closed).
[Unit]
Requires=${gate}
After=${gate}
${unit === "docker.service" && args.hardenDocker ? `\n[Service]\nExecStartPre=${HOST_FIREWALL_PATH} check-docker\n` : ""}`,
      ),
    ),
  ];
  const links: BootLink[] = [
    { path: `${UNIT_DIR}/multi-user.target.wants/${gate}`, target: `${UNIT_DIR}/${gate}` },
    { path: `${UNIT_DIR}/timers.target.wants/${REASSERT}.timer`, target: `${UNIT_DIR}/${REASSERT}.timer` },
  ];
  if (args.sealAfterBoot) {
    files.push(
      file(
        `${SEAL}.service`,
        oneshotUnit({
          description: "pulumi-hardening: refuse the metadata endpoints to every uid once boot has finished",
          unit: [`Requires=${gate}`, `After=${gate} cloud-final.service`],
          command: "seal",
          remain: true,
          wantedBy: "multi-user.target",
        }),
      ),
    );
    links.push({ path: `${UNIT_DIR}/multi-user.target.wants/${SEAL}.service`, target: `${UNIT_DIR}/${SEAL}.service` });
  }
  return { files, links };
}

/** The firewall program with the `check-docker` command added when the boot path manages dockerd. */
function firewallProgram(args: HostBootArgs): string {
  const script = hostFirewallScript(args.firewall);
  if (!args.hardenDocker) return script;
  const keys = Object.keys(HARDENED_DOCKER_DAEMON).map((k) => `"${k}"`);
  // Runs before dockerd (ExecStartPre): the settings are in the file dockerd reads, or dockerd does not start.
  const check = `if [ "\${1:-}" = check-docker ]; then
  for key in ${keys.map((k) => `'${k}'`).join(" ")}; do
    grep -q "$key" ${DAEMON_JSON} 2>/dev/null || { echo "hardening-host-firewall: ${DAEMON_JSON} lacks $key; dockerd would hand containers the host (pulumi-hardening writes it unless the image ships its own file: merge ${JSON.stringify(HARDENED_DOCKER_DAEMON)} into it)" >&2; exit 1; }
  done
  exit 0
fi
`;
  return script.replace(/^set -eu\n/m, `set -eu\n${check}`);
}

function heredoc(tag: string, body: string): string {
  if (body.split("\n").includes(tag)) throw new Error(`the boot path's text contains its own heredoc delimiter ${tag}`);
  return `<<'${tag}'\n${body}${body.endsWith("\n") ? "" : "\n"}${tag}`;
}

/**
 * The installer (POSIX sh, run as root): writes the firewall program, the units, the drop-ins and (optionally)
 * dockerd's settings, links the units as `systemctl enable` would, then applies the rules. Its exit status is the
 * rules' status. On a host where systemd runs, it reloads systemd and starts the units so their state is visible.
 */
export function hostBootInstaller(args: HostBootArgs): string {
  const { files, links } = hostBootUnits(args);
  const lines: string[] = [
    "#!/bin/sh",
    "# pulumi-hardening boot path: install the host firewall and its units, then apply it (before any workload).",
    "set -eu",
    "umask 022",
    `install -d -m 0755 ${[...new Set([HOST_FIREWALL_PATH, ...files.map((f) => f.path), ...links.map((l) => l.path)].map((p) => p.slice(0, p.lastIndexOf("/"))))].join(" ")}`,
    `cat > ${HOST_FIREWALL_PATH}.new ${heredoc("HARDENING_FIREWALL", firewallProgram(args))}`,
    `chmod 0700 ${HOST_FIREWALL_PATH}.new && mv -f ${HOST_FIREWALL_PATH}.new ${HOST_FIREWALL_PATH}`,
  ];
  for (const f of files) {
    lines.push(`cat > ${f.path} ${heredoc("HARDENING_UNIT", f.content)}`, `chmod ${f.mode} ${f.path}`);
  }
  for (const l of links) lines.push(`ln -sf ${l.target} ${l.path}`);
  if (args.hardenDocker) {
    lines.push(
      `# dockerd's settings: written when the image has none; an image's own file must carry them (check-docker).`,
      `[ -e ${DAEMON_JSON} ] || { install -d -m 0755 /etc/docker && printf '%s\\n' '${JSON.stringify(HARDENED_DOCKER_DAEMON)}' > ${DAEMON_JSON}; }`,
    );
  }
  if ((args.ecsConfig ?? []).length > 0) {
    lines.push("# ECS agent settings, read when the agent starts (after cloud-init's final stage).", "mkdir -p /etc/ecs");
    lines.push(`printf '%s\\n' ${args.ecsConfig!.map((l) => `'${l.replace(/'/g, "")}'`).join(" ")} >> /etc/ecs/ecs.config`);
  }
  lines.push(
    `${HOST_FIREWALL_PATH} apply`,
    "if [ -d /run/systemd/system ]; then",
    "  systemctl daemon-reload",
    `  systemctl start --no-block ${HOST_FIREWALL_UNIT}.service ${REASSERT}.timer`,
    ...(args.hardenDocker ? ["  # A dockerd that started before this script must pick up its settings and its gate.", "  systemctl try-restart --no-block docker.service"] : []),
    "fi",
  );
  return `${lines.join("\n")}\n`;
}

const SAFE_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SAFE_ENV_VALUE = /^[A-Za-z0-9 ._:/,=|*[\]@%+-]*$/;

/**
 * Shell lines that write the proxy variables to /etc/environment (read by PAM sessions and by units that name it
 * as EnvironmentFile) and export them to the rest of the script, so the caller's boot script installs through
 * the proxy. Names must be variable names and values plain (URLs, host lists, JVM flags): anything a shell or
 * pam_env would interpret is refused.
 *
 * @throws InvalidArgsError naming every variable that is not safe to write.
 */
export function proxyEnvScript(proxyEnv: readonly ProxyEnvVar[]): string[] {
  const issues: string[] = [];
  for (const e of proxyEnv) {
    if (!SAFE_ENV_NAME.test(e.name) || !SAFE_ENV_VALUE.test(e.value)) issues.push(`proxyEnv ${show(e.name)} is not a plain variable name and value; it cannot be written to /etc/environment.`);
  }
  throwIfIssues(issues);
  return [
    "# Egress proxy: the workers' only way out for names.",
    ...proxyEnv.map((e) => `printf '%s\\n' '${e.name}="${e.value}"' >> /etc/environment`),
    ...proxyEnv.map((e) => `export ${e.name}='${e.value}'`),
  ];
}

/**
 * The proxy variables and the caller's boot script as one POSIX sh program: the variables are written to
 * /etc/environment and exported, then the caller's script (written to a file of its own, so its interpreter line
 * holds) replaces the shell and inherits them. `reapply`: apply the rules first and stop if they cannot be (for
 * cloud-init, which runs this part even after a failed boothook). Undefined when there is nothing to run.
 */
function finalProgram(args: HostBootArgs, reapply: boolean): string | undefined {
  const env = args.proxyEnv ?? [];
  const script = args.bootScript !== undefined && args.bootScript.trim() !== "" ? args.bootScript : undefined;
  if (env.length === 0 && script === undefined) return undefined;
  const lines = ["#!/bin/sh", "set -e"];
  if (reapply) {
    // cloud-init runs this part even when the boothook failed: the rules are applied again (a runtime may have put
    // rules above the hooks since) and, if they cannot be, nothing of the caller's runs.
    lines.push(`${HOST_FIREWALL_PATH} apply || { echo 'pulumi-hardening: the host firewall is not in force; the boot script does not run' >&2; exit 1; }`);
  }
  if (env.length > 0) {
    // Once per instance on cloud-init; at every boot on GCE, so the file is written only once.
    lines.push("if ! grep -q '^# pulumi-hardening egress proxy' /etc/environment 2>/dev/null; then", "echo '# pulumi-hardening egress proxy' >> /etc/environment");
    lines.push(...proxyEnvScript(env).filter((l) => l.startsWith("printf")), "fi", ...proxyEnvScript(env).filter((l) => l.startsWith("export")));
  }
  if (script !== undefined) {
    lines.push(
      "install -d -m 0700 /var/lib/pulumi-hardening",
      `cat > /var/lib/pulumi-hardening/boot-script ${heredoc("HARDENING_BOOT_SCRIPT", script)}`,
      "chmod 0700 /var/lib/pulumi-hardening/boot-script",
      "exec /var/lib/pulumi-hardening/boot-script",
    );
  }
  return `${lines.join("\n")}\n`;
}

const BOUNDARY = "==pulumi-hardening-boot==";

function part(type: string, body: string, name: string): string {
  return `--${BOUNDARY}\nContent-Type: ${type}; charset="us-ascii"\nMIME-Version: 1.0\nContent-Disposition: attachment; filename="${name}"\n\n${body}${body.endsWith("\n") ? "" : "\n"}`;
}

function validate(args: HostBootArgs): void {
  const issues: string[] = [];
  checkBootScript("bootScript", args.bootScript, issues);
  for (const c of args.cloudConfigs ?? []) if (!c.startsWith("#cloud-config\n")) issues.push(`cloudConfigs: a document must start with "#cloud-config".`);
  if (issues.length > 0) throw new InvalidArgsError(issues);
}

/**
 * The cloud-init user data (AWS user data, Azure custom data), plain text: a MIME multipart message of
 * 1. a `#cloud-boothook` with the installer (runs in cloud-init's network stage, before the runtimes start);
 * 2. the extra cloud-config documents;
 * 3. in the final stage: the proxy variables and the caller's boot script (one program), then the seal.
 *
 * @throws InvalidArgsError when the boot script or a cloud-config document is malformed.
 */
export function hostBootUserData(args: HostBootArgs): string {
  validate(args);
  const parts = [part("text/cloud-boothook", `#cloud-boothook\n${hostBootInstaller(args)}`, "00-hardening-host-firewall")];
  (args.cloudConfigs ?? []).forEach((c, i) => parts.push(part("text/cloud-config", c, `10-cloud-config-${i}.yaml`)));
  // Script parts run in cloud-init's final stage in the order of their names.
  const program = finalProgram(args, true);
  if (program !== undefined) parts.push(part("text/x-shellscript", program, "50-boot-script.sh"));
  if (args.sealAfterBoot) {
    parts.push(part("text/x-shellscript", `#!/bin/sh\n# Boot has finished: from now on no uid reaches the metadata endpoints.\nexec ${HOST_FIREWALL_PATH} seal\n`, "99-hardening-seal.sh"));
  }
  return `Content-Type: multipart/mixed; boundary="${BOUNDARY}"\nMIME-Version: 1.0\n\n${parts.join("")}--${BOUNDARY}--\n`;
}

/**
 * The GCE `startup-script`: the installer, then the proxy variables, then the caller's boot script (written to a
 * file of its own and executed, so its interpreter line holds). GCE runs it at every boot, after the network is
 * up; the installed units apply the firewall earlier on every later boot. A failure of the firewall stops the
 * script before the caller's program runs.
 *
 * @throws InvalidArgsError when the boot script is malformed or a cloud-init-only option is set.
 */
export function hostBootStartupScript(args: HostBootArgs): string {
  validate(args);
  const issues: string[] = [];
  if (args.sealAfterBoot) issues.push("sealAfterBoot needs cloud-init's final stage; GCE's guest agent needs the metadata server all the time.");
  if ((args.cloudConfigs ?? []).length > 0) issues.push("cloudConfigs are for cloud-init user data, not a GCE startup-script.");
  if (issues.length > 0) throw new InvalidArgsError(issues);
  // The installer runs as a program of its own: `set -e` inside a subshell tested by `||` would be ignored.
  const lines = [
    "#!/bin/sh",
    "# pulumi-hardening boot path (GCE startup-script).",
    "install -d -m 0700 /var/lib/pulumi-hardening",
    `cat > /var/lib/pulumi-hardening/install-host-firewall ${heredoc("HARDENING_INSTALLER", hostBootInstaller(args))}`,
    "chmod 0700 /var/lib/pulumi-hardening/install-host-firewall",
    "/var/lib/pulumi-hardening/install-host-firewall || { echo 'pulumi-hardening: the host firewall failed; the boot script does not run' >&2; exit 1; }",
  ];
  // The installer just applied the rules and the script stops if it failed: no second application here.
  const program = finalProgram(args, false);
  if (program !== undefined) lines.push(program.replace(/^#!\/bin\/sh\n/, ""));
  return `${lines.join("\n")}\n`;
}
