/**
 * The host firewall: iptables and ip6tables rules, rendered as a boot script, that keep every process but one
 * uid (root by default) and every container away from the catalogued metadata and credential endpoints.
 *
 * Why a host firewall at all: on every cloud the metadata request never leaves the host, so network firewalls,
 * security groups and NSGs cannot stop it (cloud-controls.md sections 2-4). The EC2 User Guide gives this exact
 * pattern ("iptables --append OUTPUT --proto tcp --destination 169.254.169.254 --match owner ! --uid-owner
 * trustworthy-user --jump REJECT", instance-metadata-limiting-access); the AWS Knowledge Center adds the
 * DOCKER-USER drop for bridged containers, the EKS User Guide the FORWARD drop for pod traffic.
 *
 * Design, so that the script is safe to run on every boot and again at any time:
 * - all rules live in chains of our own, written with `iptables-restore --noflush`: one atomic transaction per
 *   family, so there is never a moment with the chain half-written (a flush-and-refill would open a window);
 * - the hooks (jumps to our chains at the top of OUTPUT, FORWARD and DOCKER-USER) are inserted only if absent and
 *   moved back to the top if something inserted above them, so re-running never grows the rule set;
 * - the cloud's DNS and NTP, which share or sit beside the metadata addresses (GCE and OCI answer DNS on
 *   169.254.169.254:53, AWS on 169.254.169.253), are let through first, for everyone; Azure's WireServer agent
 *   channel is let through for root only;
 * - only TCP and UDP are refused, so kernel traffic (IPv6 neighbour discovery to fe80::/10) keeps working;
 * - a systemd unit re-applies it at every boot before the container runtimes start, and a timer re-asserts the
 *   hooks every minute (the iptables rules are "not persistent across system reboots", EC2 UG).
 */
import { hostCidr } from "./cidr";
import { EndpointCloud, PROTECTED_SERVICES, ProtectedService } from "./endpoints";
import { InvalidArgsError, show } from "./errors";
import { METADATA_NETWORKS } from "./metadataNetworks";

/** Which cloud's platform services to keep open. `generic` keeps every cloud's (for images shared across clouds). */
export type HostFirewallCloud = "aws" | "gcp" | "azure" | "generic";

/** Container runtimes whose traffic needs a rule of its own. */
export type HostFirewallContainers = "docker" | "ecs";

/** What the host firewall protects and whom it lets through. */
export interface HostFirewallArgs {
  /** The cloud the host runs on: decides which DNS/NTP/agent services stay open. */
  readonly cloud: HostFirewallCloud;
  /**
   * The one uid allowed to reach the metadata endpoints (the cloud agent's). Everyone else is refused.
   * @default 0
   */
  readonly allowedUid?: number;
  /**
   * Container runtimes on the host. `docker` adds the jump from Docker's DOCKER-USER chain (Docker's own FORWARD
   * rules would accept container traffic before a plain FORWARD rule); `ecs` implies `docker` and also sets
   * `ECS_AWSVPC_BLOCK_IMDS=true` for the ECS agent (ECS DG, ec2-security-considerations). Pod traffic on
   * Kubernetes nodes is covered by the FORWARD hook, always installed.
   * @default []
   */
  readonly containers?: readonly HostFirewallContainers[];
}

/**
 * The chains holding the rules: one for locally generated traffic (OUTPUT, where the uid is known) and one for
 * forwarded traffic (FORWARD and DOCKER-USER: containers and pods). They must be two because the kernel refuses
 * an owner match in any chain reachable from FORWARD.
 */
export const HOST_FIREWALL_CHAINS = { output: "HARDENING-META-OUT", forward: "HARDENING-META-FWD" } as const;
/** Where the script installs itself. */
export const HOST_FIREWALL_PATH = "/usr/local/sbin/hardening-host-firewall";
/** The systemd unit's name. */
export const HOST_FIREWALL_UNIT = "hardening-host-firewall";

const CLOUDS: readonly HostFirewallCloud[] = ["aws", "gcp", "azure", "generic"];

function checkArgs(args: HostFirewallArgs): void {
  const issues: string[] = [];
  if (!CLOUDS.includes(args.cloud)) issues.push(`cloud ${show(args.cloud)} is not one of ${CLOUDS.join(", ")}.`);
  const uid = args.allowedUid;
  if (uid !== undefined && (!Number.isInteger(uid) || uid < 0 || uid > 4294967294)) {
    issues.push(`allowedUid ${show(uid)} must be a whole number from 0 to 4294967294.`);
  }
  for (const c of args.containers ?? []) {
    if (c !== "docker" && c !== "ecs") issues.push(`containers ${show(c)} is not one of docker, ecs.`);
  }
  if (issues.length > 0) throw new InvalidArgsError(issues);
}

function servicesFor(cloud: HostFirewallCloud): ProtectedService[] {
  // OCI shares GCE's layout (DNS and NTP on the metadata address); a generic image keeps every cloud's services.
  const wanted: EndpointCloud[] = cloud === "generic" ? ["aws", "gcp", "azure", "oci"] : [cloud];
  return PROTECTED_SERVICES.filter((s) => wanted.includes(s.cloud));
}

/** Rules of one address family, in iptables-restore syntax (`-A <chain> ...`), output chain first. */
export type HostFirewallFamilyRules = readonly string[];

/** The rules of both address families. */
export interface HostFirewallRules {
  /** Lines for iptables-restore. */
  readonly ipv4: HostFirewallFamilyRules;
  /** Lines for ip6tables-restore. */
  readonly ipv6: HostFirewallFamilyRules;
}

/**
 * The rules as data: first the protected services (RETURN), then the allowed uid (RETURN), then a refusal of TCP
 * and UDP to every metadata network. Pure, so tests can read exactly what the script applies.
 */
export function hostFirewallRules(args: HostFirewallArgs): HostFirewallRules {
  checkArgs(args);
  const uid = args.allowedUid ?? 0;
  const out = { 4: [] as string[], 6: [] as string[] };
  const fwd = { 4: [] as string[], 6: [] as string[] };
  const OUT = `-A ${HOST_FIREWALL_CHAINS.output}`;
  const FWD = `-A ${HOST_FIREWALL_CHAINS.forward}`;
  for (const s of servicesFor(args.cloud)) {
    const family = hostCidr(s.address).version;
    for (const proto of s.protocols) {
      const ports = s.ports.join(",");
      const match = `-d ${s.address}/${family === 4 ? 32 : 128} -p ${proto} ${s.ports.length > 1 ? `-m multiport --dports ${ports}` : `--dport ${ports}`}`;
      const comment = `-m comment --comment "keep ${s.id}"`;
      if (s.allowedFor === "root") {
        // Root-only services (Azure's WireServer agent channel) stay closed to containers and other users.
        out[family].push(`${OUT} ${match} -m owner --uid-owner 0 ${comment} -j RETURN`);
      } else {
        out[family].push(`${OUT} ${match} ${comment} -j RETURN`);
        fwd[family].push(`${FWD} ${match} ${comment} -j RETURN`);
      }
    }
  }
  for (const family of [4, 6] as const) out[family].push(`${OUT} -m owner --uid-owner ${uid} -j RETURN`);
  for (const n of METADATA_NETWORKS) {
    const family = n.parsed.version;
    const comment = `-m comment --comment "deny metadata ${n.cidr}"`;
    out[family].push(`${OUT} -d ${n.cidr} -p tcp ${comment} -j REJECT --reject-with tcp-reset`);
    out[family].push(`${OUT} -d ${n.cidr} -p udp ${comment} -j REJECT`);
    fwd[family].push(`${FWD} -d ${n.cidr} -p tcp ${comment} -j DROP`);
    fwd[family].push(`${FWD} -d ${n.cidr} -p udp ${comment} -j DROP`);
  }
  return { ipv4: [...out[4], ...fwd[4]], ipv6: [...out[6], ...fwd[6]] };
}

/** The systemd units that re-apply the firewall on every boot and re-assert its hooks every minute. */
export function hostFirewallUnits(): { service: string; timer: string } {
  const service = `[Unit]
Description=pulumi-hardening host firewall: only the allowed uid reaches cloud metadata endpoints
DefaultDependencies=no
Wants=network-pre.target
Before=network-pre.target docker.service containerd.service ecs.service kubelet.service
After=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
Environment=HARDENING_FW_NO_INSTALL=1
ExecStart=/bin/sh ${HOST_FIREWALL_PATH}

[Install]
WantedBy=multi-user.target
`;
  const timer = `[Unit]
Description=Re-assert the pulumi-hardening host firewall hooks (container runtimes insert rules above them)

[Timer]
OnBootSec=1min
OnUnitActiveSec=1min

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

function restoreBlock(lines: readonly string[]): string {
  const { output, forward } = HOST_FIREWALL_CHAINS;
  // Declaring a chain in a --noflush restore creates it or empties it, inside the same atomic commit.
  return ["*filter", `:${output} - [0:0]`, `:${forward} - [0:0]`, ...lines, "COMMIT"].join("\n");
}

/**
 * The POSIX sh script that applies {@link hostFirewallRules} and installs itself to run on every boot.
 * Idempotent: running it again leaves the rule set unchanged. Exits non-zero if a rule cannot be applied.
 * Set `HARDENING_FW_NO_INSTALL=1` to apply the rules without installing the script and units.
 */
export function hostFirewallScript(args: HostFirewallArgs): string {
  const rules = hostFirewallRules(args);
  const containers = new Set(args.containers ?? []);
  const docker = containers.has("docker") || containers.has("ecs");
  const units = hostFirewallUnits();
  const ecs = containers.has("ecs")
    ? `
# ECS: keep awsvpc tasks away from the instance's credentials (ECS DG, ec2-security-considerations).
mkdir -p /etc/ecs
grep -qx 'ECS_AWSVPC_BLOCK_IMDS=true' /etc/ecs/ecs.config 2>/dev/null || echo 'ECS_AWSVPC_BLOCK_IMDS=true' >> /etc/ecs/ecs.config
`
    : "";
  return `#!/bin/sh
# pulumi-hardening host firewall (${args.cloud}): only uid ${args.allowedUid ?? 0} may reach cloud metadata and
# credential endpoints; the cloud's DNS and NTP stay open. Safe to run again: the rule set does not grow.
set -eu

# hook TOOL PARENT CHAIN: make "-j CHAIN" the first rule of PARENT, exactly once.
hook() {
  if [ "$($1 -w -S "$2" | sed -n 2p)" != "-A $2 -j $3" ]; then
    $1 -w -I "$2" 1 -j "$3"
  fi
  # Remove any older copies further down (by number, from the last, so numbers stay valid).
  for n in $($1 -w -L "$2" --line-numbers -n | awk -v c="$3" '$2 == c && $1 != 1 { print $1 }' | sort -rn); do
    $1 -w -D "$2" "$n"
  done
}

apply() {
  tool=$1
  # One atomic transaction: the chains are created or replaced whole (--noflush keeps every other rule).
  "$tool-restore" -w --noflush
  hook "$tool" OUTPUT ${HOST_FIREWALL_CHAINS.output}
  hook "$tool" FORWARD ${HOST_FIREWALL_CHAINS.forward}
${docker ? `  # Docker evaluates DOCKER-USER before its own ACCEPT rules and keeps a chain that already exists.
  $tool -w -N DOCKER-USER 2>/dev/null || true
  hook "$tool" DOCKER-USER ${HOST_FIREWALL_CHAINS.forward}
` : ""}}

apply iptables <<'RULES'
${restoreBlock(rules.ipv4)}
RULES

if [ -e /proc/net/if_inet6 ]; then
apply ip6tables <<'RULES'
${restoreBlock(rules.ipv6)}
RULES
fi
${ecs}
# Re-apply on every boot, before the container runtimes start.
if [ "\${HARDENING_FW_NO_INSTALL:-0}" != "1" ] && [ -d /run/systemd/system ]; then
  if ! cmp -s "$0" ${HOST_FIREWALL_PATH} 2>/dev/null; then
    install -m 0700 "$0" ${HOST_FIREWALL_PATH}
  fi
  cat > /etc/systemd/system/${HOST_FIREWALL_UNIT}.service <<'UNIT'
${units.service}UNIT
  cat > /etc/systemd/system/${HOST_FIREWALL_UNIT}.timer <<'UNIT'
${units.timer}UNIT
  systemctl daemon-reload
  systemctl enable ${HOST_FIREWALL_UNIT}.service ${HOST_FIREWALL_UNIT}.timer >/dev/null 2>&1
  systemctl start ${HOST_FIREWALL_UNIT}.timer >/dev/null 2>&1 || true
fi
`;
}

/**
 * The script as cloud-init user data (`#cloud-boothook`: cloud-init runs boothooks early on every boot, before
 * the container runtime), for AWS user data and Azure custom data. Plain text; base64-encode where the API asks.
 */
export function hostFirewallUserData(args: HostFirewallArgs): string {
  const script = hostFirewallScript(args);
  // cloud-init runs a boothook from a temporary file; the script installs a copy under a fixed name for systemd.
  return `#cloud-boothook
${script.replace(/^#!\/bin\/sh\n/, "")}`;
}
