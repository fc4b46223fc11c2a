/**
 * The egress proxy on virtual machines: cloud-init user data that turns a stock Debian or Ubuntu image into the
 * same Squid allow-list proxy the Kubernetes component runs, for a small proxy group (two or more instances behind
 * an internal load balancer) in the egress subnet. The cheap alternative to a managed L7 firewall (AWS Network
 * Firewall, Azure Firewall, GCP Secure Web Proxy): workers reach the internet only through it (HTTP_PROXY /
 * HTTPS_PROXY), and their subnet has no other route out.
 *
 * The proxy host also runs the package's host firewall (hostFirewall.ts): Squid checks a name's resolved addresses
 * and connects to addresses from the same DNS cache entry, but should an entry ever expire between the two, or
 * Squid itself be compromised, the kernel still refuses the metadata endpoints to every uid but root, and Squid
 * runs as `proxy`.
 *
 * Cloud-neutral: nothing here calls a cloud API. A provider passes the text as user data (AWS launch template
 * `userData`, base64), custom data (Azure), or the `user-data` metadata key (GCP).
 */
import { stringify } from "yaml";
import { HardeningSpec } from "../spec";
import { InvalidArgsError, show } from "../validation";
import { hostBootUserData } from "../hostBoot";
import { HostFirewallCloud, hostFirewallRules } from "../hostFirewall";
import { planSquidConfig, SquidConfigPlan } from "./squidConfig";

/** Options of {@link egressProxyCloudInit}. */
export interface EgressProxyCloudInitArgs {
  /** The cloud the proxy hosts run on: decides which of the cloud's DNS/NTP services the host firewall keeps open. */
  readonly cloud: HostFirewallCloud;
  /**
   * The worker subnets allowed to use the proxy.
   * @default ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"]
   */
  readonly clients?: string[];
  /**
   * The port Squid listens on.
   * @default 3128
   */
  readonly port?: number;
}

/** Where the proxy host keeps what cloud-init writes. */
export const PROXY_VM_PATHS = {
  config: "/etc/squid/squid.conf",
  accessLog: "/var/log/squid/egress.log",
  cacheLog: "/var/log/squid/cache.log",
} as const;

/** The rendered user data and the Squid plan behind it. */
export interface EgressProxyCloudInit {
  /** cloud-init user data (MIME multipart: the host firewall's boothook, then the Squid cloud-config), plain text. */
  readonly userData: string;
  /** The Squid host's `#cloud-config` document alone (the second part of `userData`), for user data of your own. */
  readonly cloudConfig: string;
  /** What the Squid configuration allows and refuses. */
  readonly squid: SquidConfigPlan;
}

/**
 * Cloud-init user data for an egress proxy VM (Debian 12 or Ubuntu 22.04+, whose squid package is 5.x): installs
 * Squid from the distribution, writes the rendered allow-list configuration, applies the host firewall, checks the
 * configuration with `squid -k parse` and (re)starts Squid. The access log is /var/log/squid/egress.log, rotated by
 * the package's logrotate rule.
 *
 * @throws InvalidArgsError listing every problem in the spec and the arguments.
 */
export function egressProxyCloudInit(spec: HardeningSpec | undefined, args: EgressProxyCloudInitArgs): EgressProxyCloudInit {
  let squid: SquidConfigPlan | undefined;
  const issues: string[] = [];
  try {
    squid = planSquidConfig(spec, {
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(args.clients !== undefined ? { clients: args.clients } : {}),
      accessLog: PROXY_VM_PATHS.accessLog,
      cacheLog: PROXY_VM_PATHS.cacheLog,
      // Debian's squid.service names /run/squid.pid; the proxy user may write core dumps only to its spool.
      pidFile: "/run/squid.pid",
      runDirectory: "/var/spool/squid",
    });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  try {
    hostFirewallRules({ cloud: args.cloud, allowedUid: 0 });
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues.map((i) => (i.startsWith("cloud ") ? i : `cloud ${show(args.cloud)}: ${i}`)));
  }
  if (issues.length > 0 || squid === undefined) throw new InvalidArgsError(issues);
  const config = {
    package_update: true,
    packages: ["squid", "iptables"],
    // `defer: true` writes after the packages are installed (cloud-init 21.4+, write_files docs), so dpkg never
    // finds a squid.conf it does not own and the package's default file is replaced, not merged.
    write_files: [{ path: PROXY_VM_PATHS.config, owner: "root:root", permissions: "0644", defer: true, content: squid.config }],
    runcmd: [
      ["install", "-d", "-o", "proxy", "-g", "proxy", "-m", "0750", "/var/log/squid", "/var/spool/squid"],
      ["squid", "-k", "parse", "-f", PROXY_VM_PATHS.config],
      ["systemctl", "enable", "squid"],
      ["systemctl", "restart", "squid"],
    ],
  };
  // The host firewall comes first, as a boothook (components/hostBoot.ts): it is in force before the packages are
  // installed, and squid.service is among the units that cannot start without it.
  const cloudConfig = `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
  const userData = hostBootUserData({ firewall: { cloud: args.cloud, allowedUid: 0 }, cloudConfigs: [cloudConfig] });
  return { userData, cloudConfig, squid };
}
