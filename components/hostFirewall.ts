/**
 * The host firewall: iptables and ip6tables rules, rendered as a POSIX sh program, that keep every process but one
 * uid (root by default) and every container away from the catalogued metadata and credential endpoints.
 *
 * Why a host firewall at all: on every cloud the metadata request never leaves the host, so network firewalls,
 * security groups and NSGs cannot stop it (cloud-controls.md sections 2-4). The EC2 User Guide gives this exact
 * pattern ("iptables --append OUTPUT --proto tcp --destination 169.254.169.254 --match owner ! --uid-owner
 * trustworthy-user --jump REJECT", instance-metadata-limiting-access); the AWS Knowledge Center adds the
 * DOCKER-USER drop for bridged containers, the EKS User Guide the FORWARD drop for pod traffic.
 *
 * Design, so that the rules hold against what else runs on the host:
 * - every refusal matches the packet's ORIGINAL destination as well as its current one (`-m conntrack
 *   --ctorigdst`): NAT runs before the filter table, so an agent that the host redirects to itself (the ECS agent's
 *   REDIRECT/DNAT of 169.254.170.2:80 to 127.0.0.1:51679, a GKE-style metadata DNAT, kube2iam) would otherwise be
 *   reached through the rewritten local address. Redirected container traffic arrives in INPUT, not FORWARD, so
 *   INPUT is hooked too (for packets that did not come in on loopback);
 * - all rules live in chains of our own, written with `iptables-restore --noflush`: one atomic transaction per
 *   family, so there is never a moment with a chain half-written;
 * - the hooks (jumps to our chains at the top of OUTPUT, INPUT, FORWARD and DOCKER-USER) are inserted only if
 *   absent and moved back to the top if something inserted above them, so running again never grows the rule set;
 * - the cloud's DNS and NTP, which share or sit beside the metadata addresses (GCE and OCI answer DNS on
 *   169.254.169.254:53, AWS on 169.254.169.253), are let through first, for everyone, only when both the original
 *   and the current destination are that service; Azure's WireServer agent channel is let through for root only;
 * - only TCP and UDP are refused, so kernel traffic (IPv6 neighbour discovery to fe80::/10) keeps working;
 * - `seal` (AWS with `metadataEndpoint: blocked`) withdraws the allowed uid's exception once boot has finished:
 *   from then on no uid reaches the metadata endpoints, while the cloud's DNS and NTP stay open;
 * - the program fails loudly (exit status 1, one line on stderr) when a tool or a kernel match is missing; the
 *   boot units (hostBoot.ts) make the container runtimes require it, so a failure keeps them stopped.
 */
import { hostCidr } from "./cidr";
import { EndpointCloud, PROTECTED_SERVICES, ProtectedService } from "./endpoints";
import { checkEnum, checkWholeNumber, InvalidArgsError } from "./validation";
import { METADATA_NETWORKS } from "./metadataNetworks";

/** Which cloud's platform services to keep open. `generic` keeps every cloud's (for images shared across clouds). */
export type HostFirewallCloud = "aws" | "gcp" | "azure" | "generic";

/** Container runtimes whose traffic needs a rule of its own. */
export type HostFirewallContainers = "docker" | "ecs";

/**
 * Agents on the host that containers may reach through a metadata-range address, each an explicit, weaker choice:
 * - `aws-ecs-task-credentials`: the ECS agent's task metadata and task-role credentials at 169.254.170.2:80 (ECS
 *   redirects it to the agent on 127.0.0.1:51679). Tasks with a task role need it; the agent answers a container
 *   only for the credentials id it was given (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
 */
export type HostFirewallAgentException = "aws-ecs-task-credentials";

/** The original destinations each agent exception lets containers reach. */
export const AGENT_EXCEPTIONS: Readonly<Record<HostFirewallAgentException, { readonly address: string; readonly port: number; readonly why: string }>> = {
  "aws-ecs-task-credentials": {
    address: "169.254.170.2",
    port: 80,
    why: "ECS task metadata and task-role credentials, served by the ECS agent (ECS DG, task-iam-roles)",
  },
};

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
   * `ECS_AWSVPC_BLOCK_IMDS=true` for the ECS agent (ECS DG, ec2-security-considerations). Forwarded and redirected
   * traffic (FORWARD, INPUT) is covered whatever this says.
   * @default []
   */
  readonly containers?: readonly HostFirewallContainers[];
  /**
   * Agents containers may reach through a metadata-range address (see {@link HostFirewallAgentException}).
   * @default [] (no container reaches any)
   */
  readonly agentExceptions?: readonly HostFirewallAgentException[];
}

/**
 * The chains holding the rules: one for locally generated traffic (OUTPUT, where the uid is known) and one for
 * traffic from elsewhere (FORWARD, DOCKER-USER, and INPUT for what NAT redirected to the host). Two because the
 * kernel refuses an owner match in any chain reachable from FORWARD or INPUT.
 */
export const HOST_FIREWALL_CHAINS = { output: "HARDENING-META-OUT", forward: "HARDENING-META-FWD", input: "HARDENING-META-IN" } as const;
/** Where the boot path installs the program. */
export const HOST_FIREWALL_PATH = "/usr/local/sbin/hardening-host-firewall";
/** The name every boot unit of the host firewall starts with. */
export const HOST_FIREWALL_UNIT = "hardening-host-firewall";
/** Where the program keeps its run-time state (tmpfs: a reboot forgets a seal, which the boot units re-apply). */
export const HOST_FIREWALL_STATE_DIR = "/run/hardening-host-firewall";

const CLOUDS: readonly HostFirewallCloud[] = ["aws", "gcp", "azure", "generic"];
/** IPv6 link-local: the host's own fe80:: address receives DHCPv6 replies, so INPUT judges it by NAT only. */
const IPV6_LINK_LOCAL = ["fe80::/10"];

function checkArgs(args: HostFirewallArgs): void {
  const issues: string[] = [];
  checkEnum(issues, "cloud", args.cloud, CLOUDS, { quote: false });
  const uid = args.allowedUid;
  if (uid !== undefined) checkWholeNumber(issues, "allowedUid", uid, 0, 4294967294);
  for (const c of args.containers ?? []) {
    checkEnum(issues, "containers", c, ["docker", "ecs"], { quote: false });
  }
  for (const a of args.agentExceptions ?? []) {
    checkEnum(issues, "agentExceptions", a, Object.keys(AGENT_EXCEPTIONS), { quote: false });
  }
  if (issues.length > 0) throw new InvalidArgsError(issues);
}

function servicesFor(cloud: HostFirewallCloud): ProtectedService[] {
  // OCI shares GCE's layout (DNS and NTP on the metadata address); a generic image keeps every cloud's services.
  const wanted: EndpointCloud[] = cloud === "generic" ? ["aws", "gcp", "azure", "oci"] : [cloud];
  return PROTECTED_SERVICES.filter((s) => wanted.includes(s.cloud));
}

/** Rules of one address family, in iptables-restore syntax (`-A <chain> ...`). */
export type HostFirewallFamilyRules = readonly string[];

/** The rules of both address families. */
export interface HostFirewallRules {
  /** Lines for iptables-restore. */
  readonly ipv4: HostFirewallFamilyRules;
  /** Lines for ip6tables-restore. */
  readonly ipv6: HostFirewallFamilyRules;
  /**
   * The OUTPUT rule that lets the allowed uid through (the same line in both families). Not part of `ipv4`/`ipv6`:
   * the program puts it before the first refusal, and leaves it out once the host is sealed.
   */
  readonly allowedUidRule: string;
}

/** `-d A/len -p P --dport X` matched on both the current and the original destination. */
function serviceMatch(address: string, proto: string, ports: readonly number[]): string[] {
  const family = hostCidr(address).version;
  const host = `${address}/${family === 4 ? 32 : 128}`;
  // conntrack's --ctorigdstport takes one port or a range, so a service on several ports gets one line per port.
  return ports.map((port) => `-d ${host} -p ${proto} --dport ${port} -m conntrack --ctorigdst ${host} --ctorigdstport ${port}`);
}

/**
 * The rules as data. OUTPUT: the protected services (RETURN), the allowed uid's exception (see `allowedUidRule`),
 * then a refusal of TCP and UDP to every metadata network by current and by original destination. FORWARD and
 * INPUT: the services open to all, the named agent exceptions, then a drop of the same. Pure, so tests can read
 * exactly what the program applies.
 */
export function hostFirewallRules(args: HostFirewallArgs): HostFirewallRules {
  checkArgs(args);
  const uid = args.allowedUid ?? 0;
  const { output, forward, input } = HOST_FIREWALL_CHAINS;
  const out = { 4: [] as string[], 6: [] as string[] };
  const fwd = { 4: [] as string[], 6: [] as string[] };
  const inp = { 4: [] as string[], 6: [] as string[] };
  for (const s of servicesFor(args.cloud)) {
    const family = hostCidr(s.address).version;
    const comment = `-m comment --comment "keep ${s.id}"`;
    for (const proto of s.protocols) {
      for (const match of serviceMatch(s.address, proto, s.ports)) {
        if (s.allowedFor === "root") {
          // Root-only services (Azure's WireServer agent channel) stay closed to containers and other users.
          out[family].push(`-A ${output} ${match} -m owner --uid-owner 0 ${comment} -j RETURN`);
        } else {
          out[family].push(`-A ${output} ${match} ${comment} -j RETURN`);
          fwd[family].push(`-A ${forward} ${match} ${comment} -j RETURN`);
          inp[family].push(`-A ${input} ${match} ${comment} -j RETURN`);
        }
      }
    }
  }
  for (const id of args.agentExceptions ?? []) {
    const a = AGENT_EXCEPTIONS[id];
    const family = hostCidr(a.address).version;
    const match = `-p tcp -m conntrack --ctorigdst ${a.address}/${family === 4 ? 32 : 128} --ctorigdstport ${a.port}`;
    const comment = `-m comment --comment "agent exception ${id}"`;
    fwd[family].push(`-A ${forward} ${match} ${comment} -j RETURN`);
    inp[family].push(`-A ${input} ${match} ${comment} -j RETURN`);
  }
  for (const n of METADATA_NETWORKS) {
    const family = n.parsed.version;
    const comment = `-m comment --comment "deny metadata ${n.cidr}"`;
    for (const proto of ["tcp", "udp"] as const) {
      const reject = proto === "tcp" ? "REJECT --reject-with tcp-reset" : "REJECT";
      out[family].push(`-A ${output} -d ${n.cidr} -p ${proto} ${comment} -j ${reject}`);
      out[family].push(`-A ${output} -p ${proto} -m conntrack --ctdir ORIGINAL --ctorigdst ${n.cidr} ${comment} -j ${reject}`);
      fwd[family].push(`-A ${forward} -d ${n.cidr} -p ${proto} ${comment} -j DROP`);
      fwd[family].push(`-A ${forward} -p ${proto} -m conntrack --ctdir ORIGINAL --ctorigdst ${n.cidr} ${comment} -j DROP`);
      // INPUT (packets from outside the host: containers, pods): what NAT sent here from a metadata address, and
      // what is addressed to a metadata address the host itself holds (an agent on 169.254.170.23 or
      // fd00:ec2::23). Not by destination for IPv6 link-local: the host's own fe80:: address receives DHCPv6 replies.
      inp[family].push(`-A ${input} -p ${proto} -m conntrack --ctdir ORIGINAL --ctstate DNAT --ctorigdst ${n.cidr} ${comment} -j DROP`);
      if (!IPV6_LINK_LOCAL.includes(n.cidr)) inp[family].push(`-A ${input} -d ${n.cidr} -p ${proto} ${comment} -j DROP`);
    }
  }
  return {
    ipv4: [...out[4], ...fwd[4], ...inp[4]],
    ipv6: [...out[6], ...fwd[6], ...inp[6]],
    allowedUidRule: `-A ${output} -m owner --uid-owner ${uid} -m comment --comment "allowed uid" -j RETURN`,
  };
}

/** The rules of one family as an iptables-restore transaction; `@ALLOWED_UID@` marks the allowed uid's line. */
function restoreBlock(lines: readonly string[]): string {
  const { output, forward, input } = HOST_FIREWALL_CHAINS;
  const firstDeny = lines.findIndex((l) => l.startsWith(`-A ${output} -d `) || l.startsWith(`-A ${output} -p `));
  const withUid = [...lines.slice(0, firstDeny), "@ALLOWED_UID@", ...lines.slice(firstDeny)];
  // Declaring a chain in a --noflush restore creates it or empties it, inside the same atomic commit.
  return ["*filter", `:${output} - [0:0]`, `:${forward} - [0:0]`, `:${input} - [0:0]`, ...withUid, "COMMIT"].join("\n");
}

/**
 * The POSIX sh program that applies {@link hostFirewallRules}. Installed at {@link HOST_FIREWALL_PATH} by the boot
 * path (hostBoot.ts) and run by its units. Commands:
 * - `apply` (the default): write the chains and put the hooks on top; keeps a seal that is in force;
 * - `seal`: as `apply`, without the allowed uid's exception, until the next boot;
 * - `check`: exit 1 unless every hook is the first rule of its parent chain and every chain is populated.
 *
 * Idempotent: running it again leaves the rule set unchanged. Exits 1 with one line on stderr when a tool is
 * missing or a rule cannot be applied.
 */
export function hostFirewallScript(args: HostFirewallArgs): string {
  const rules = hostFirewallRules(args);
  const containers = new Set(args.containers ?? []);
  const docker = containers.has("docker") || containers.has("ecs");
  const { output, forward, input } = HOST_FIREWALL_CHAINS;
  // Each hook: the parent chain and the rule that must be its first (the program inserts and checks the same text).
  // Docker evaluates DOCKER-USER before its own ACCEPT rules.
  const hookRules: [string, string][] = [["OUTPUT", `-j ${output}`], ["INPUT", `! -i lo -j ${input}`], ["FORWARD", `-j ${forward}`]];
  if (docker) hookRules.push(["DOCKER-USER", `-j ${forward}`]);
  const ecs = containers.has("ecs")
    ? `
# ECS: keep awsvpc tasks away from the instance's credentials (ECS DG, ec2-security-considerations).
mkdir -p /etc/ecs
grep -qx 'ECS_AWSVPC_BLOCK_IMDS=true' /etc/ecs/ecs.config 2>/dev/null || echo 'ECS_AWSVPC_BLOCK_IMDS=true' >> /etc/ecs/ecs.config
`
    : "";
  return `#!/bin/sh
# pulumi-hardening host firewall (${args.cloud}): only uid ${args.allowedUid ?? 0} may reach cloud metadata and
# credential endpoints (no uid once sealed); the cloud's DNS and NTP stay open. Safe to run again.
# Usage: ${HOST_FIREWALL_PATH} [apply|seal|check]
set -eu
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
STATE=${HOST_FIREWALL_STATE_DIR}
mode=\${1:-apply}

fail() {
  echo "hardening-host-firewall: $*" >&2
  exit 1
}

families=4
[ -e /proc/net/if_inet6 ] && families="4 6"
for f in $families; do
  t=iptables; [ "$f" = 6 ] && t=ip6tables
  for tool in "$t" "$t-restore"; do
    command -v "$tool" >/dev/null 2>&1 || fail "$tool not found: this image cannot run the host firewall; install the iptables package (nftables-only images are not supported)"
  done
done

# first TOOL PARENT RULE: RULE (without "-A PARENT") is the first rule of PARENT, exactly once. A user chain
# that does not exist yet is created (Docker keeps a DOCKER-USER chain it finds).
first() {
  $1 -w -S "$2" >/dev/null 2>&1 || $1 -w -N "$2" || return 1
  if [ "$($1 -w -S "$2" | sed -n 2p)" != "-A $2 $3" ]; then
    # shellcheck disable=SC2086 # the rule's words are meant to split
    $1 -w -I "$2" 1 $3 || return 1
  fi
  chain=\${3##* }
  # Remove older copies further down (by number, from the last, so numbers stay valid).
  for n in $($1 -w -L "$2" --line-numbers -n | awk -v c="$chain" '$2 == c && $1 != 1 { print $1 }' | sort -rn); do
    $1 -w -D "$2" "$n" || return 1
  done
}

hooks() {
${hookRules.map(([parent, rule]) => `  first "$1" ${parent} "${rule}"`).join(" &&\n")}
}

check() {
  for t in $1; do
${hookRules.map(([parent, rule]) => `    $t -w -S ${parent} | sed -n 2p | grep -qx -- "-A ${parent} ${rule}" || return 1`).join("\n")}
    for c in ${output} ${forward} ${input}; do
      [ "$($t -w -S "$c" | wc -l)" -gt 1 ] || return 1
    done
  done
}

tools() { for f in $families; do if [ "$f" = 4 ]; then echo iptables; else echo ip6tables; fi; done; }

case "$mode" in
  apply) ;;
  seal) mkdir -p "$STATE" && : > "$STATE/sealed" ;;
  check) check "$(tools)" || fail "the rules are not in place (a hook is missing or not first, or a chain is empty)"; exit 0 ;;
  *) fail "unknown command '$mode' (apply, seal, check)" ;;
esac

uid='${rules.allowedUidRule}'
[ -e "$STATE/sealed" ] && uid=''

# One atomic transaction per family: the chains are created or replaced whole (--noflush keeps every other rule).
sed "s|^@ALLOWED_UID@$|$uid|" <<'RULES' | iptables-restore -w --noflush || fail "iptables-restore refused the IPv4 rules (are the conntrack, owner and comment matches available?)"
${restoreBlock(rules.ipv4)}
RULES
hooks iptables || fail "could not put the IPv4 hooks on top"

if [ "$families" != 4 ]; then
  sed "s|^@ALLOWED_UID@$|$uid|" <<'RULES' | ip6tables-restore -w --noflush || fail "ip6tables-restore refused the IPv6 rules"
${restoreBlock(rules.ipv6)}
RULES
  hooks ip6tables || fail "could not put the IPv6 hooks on top"
fi
${ecs}
check "$(tools)" || fail "the rules did not take effect"
`;
}
