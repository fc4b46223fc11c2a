/**
 * The exfiltration paths an attacker running code on a worker would try, and which controls close or leave open
 * each one. The exfiltration matrix (docs/egress.md, scripts/egressMatrix.ts) is computed from this table and the
 * controls reports the components produce, so a path is shown closed only where a control that closes it is in
 * the report and effective, and open wherever the report carries a control saying it is not.
 */
import type { ControlReport } from "./controls";

/** The paths, by stable id. */
export const EgressPath = {
  /** Connecting straight to an IP address, asking DNS nothing. */
  DirectIp: "direct-ip",
  /** TLS to any address with an allowed name in the SNI (or HTTP Host): `openssl s_client -connect <ip>:443 -servername pypi.org`. */
  SniSpoofing: "sni-spoofing",
  /** Data encoded in DNS queries that the platform resolver forwards to a name server the attacker runs. */
  DnsTunnelling: "dns-tunnelling",
  /** The cloud's own APIs (storage, registries, logs) reached privately, with credentials for another account. */
  CloudApiOtherAccount: "cloud-api-other-account",
  /** An allowed name on a shared CDN, with the real destination in the Host header inside the TLS tunnel. */
  CdnFronting: "cdn-fronting",
  /** An allowed name that resolves (or rebinds) to an internal, loopback or metadata address. */
  ProxyRebinding: "proxy-rebinding",
} as const;
/** One exfiltration path. */
export type EgressPath = (typeof EgressPath)[keyof typeof EgressPath];

/** What each path is, for the matrix's legend. */
export const EGRESS_PATH_MEANING: Readonly<Record<EgressPath, string>> = {
  "direct-ip": "connect to an IP address directly, skipping DNS",
  "sni-spoofing": "TLS to any address while naming an allowed domain in the SNI or Host",
  "dns-tunnelling": "data carried in DNS queries through the platform resolver to an attacker's name server",
  "cloud-api-other-account": "the cloud's APIs reached privately (endpoints, Private Google Access), with another account's credentials",
  "cdn-fronting": "an allowed name on a shared CDN, the real site named only inside the TLS tunnel",
  "proxy-rebinding": "an allowed name that resolves or rebinds to an internal, loopback or metadata address",
};

/** What a control says about paths: those it closes when effective, those it reports left open. */
export interface EgressPathClaim {
  /** Paths this control closes when it is in the report with `effective: true`. @default [] */
  readonly closes?: readonly EgressPath[];
  /** Paths this control reports open; such a control is always `effective: false`. @default [] */
  readonly leavesOpen?: readonly EgressPath[];
}

const ALL_PATHS = Object.values(EgressPath);

/**
 * Control id -> its claim about the paths. Only network and egress controls appear. A "closes" entry is backed by
 * the control's own source (and, for the proxy, by the real-Squid tests); a "leavesOpen" entry by the vendor words
 * in the control's source.
 */
export const EGRESS_PATH_CLAIMS: Readonly<Record<string, EgressPathClaim>> = {
  // --- AWS
  "aws-workload-subnet-isolated": { closes: ALL_PATHS.filter((p) => p !== EgressPath.DnsTunnelling && p !== EgressPath.CloudApiOtherAccount) },
  "aws-security-group-egress-allow-list": { closes: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.ProxyRebinding] },
  "aws-security-group-domain-ports-open": { leavesOpen: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.ProxyRebinding, EgressPath.CloudApiOtherAccount] },
  "aws-s3-gateway-endpoint-policy": { closes: [EgressPath.CloudApiOtherAccount] },
  "aws-dns-firewall": { closes: [EgressPath.DnsTunnelling] },
  "aws-dns-exfiltration": { leavesOpen: [EgressPath.DnsTunnelling] },
  "aws-network-firewall-domain-allow-list": { closes: [EgressPath.DirectIp] },
  "aws-network-firewall-sni-spoofing": { leavesOpen: [EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.CloudApiOtherAccount] },
  "aws-network-firewall-tls-inspection": { closes: [EgressPath.SniSpoofing, EgressPath.CdnFronting] },
  "aws-security-group-domain-ports-vpc-local": { leavesOpen: [EgressPath.DirectIp, EgressPath.ProxyRebinding] },
  "aws-interface-endpoint-policies": { closes: [EgressPath.CloudApiOtherAccount] },
  "aws-interface-endpoints-open-policy": { leavesOpen: [EgressPath.CloudApiOtherAccount] },
  "aws-egress-proxy-allow-list": { closes: [EgressPath.DirectIp, EgressPath.SniSpoofing] },
  "aws-egress-proxy-resolved-address": { closes: [EgressPath.ProxyRebinding] },
  "aws-egress-proxy-cdn-fronting": { leavesOpen: [EgressPath.CdnFronting] },
  // --- GCP
  "gcp-egress-deny-all": { closes: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.ProxyRebinding] },
  "gcp-egress-allow-list-name-ports": { leavesOpen: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting] },
  "gcp-dns-allow-list": { closes: [EgressPath.DnsTunnelling] },
  "gcp-google-apis-other-project": { leavesOpen: [EgressPath.CloudApiOtherAccount] },
  "gcp-private-google-access-off": { closes: [EgressPath.CloudApiOtherAccount] },
  "gcp-vpc-service-controls": { closes: [EgressPath.CloudApiOtherAccount] },
  "gcp-ngfw-fqdn-cdn": { leavesOpen: [EgressPath.CdnFronting, EgressPath.ProxyRebinding] },
  // --- Azure
  "azure-nsg-deny-all-outbound": { closes: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.ProxyRebinding, EgressPath.CloudApiOtherAccount] },
  "azure-nsg-domain-ports-open": { leavesOpen: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.CloudApiOtherAccount] },
  "azure-dns-security-policy-allow-list": { closes: [EgressPath.DnsTunnelling] },
  "azure-dns-tunnelling": { leavesOpen: [EgressPath.DnsTunnelling] },
  "azure-firewall-sni-spoofing": { leavesOpen: [EgressPath.SniSpoofing, EgressPath.CdnFronting] },
  // --- Kubernetes
  "k8s-networkpolicy-default-deny": { closes: [EgressPath.DirectIp, EgressPath.SniSpoofing, EgressPath.CdnFronting, EgressPath.ProxyRebinding, EgressPath.CloudApiOtherAccount] },
  "k8s-egress-proxy-cdn-fronting": { leavesOpen: [EgressPath.CdnFronting] },
  "k8s-dns-tunnelling": { leavesOpen: [EgressPath.DnsTunnelling] },
  "k8s-cilium-fqdn-cdn": { leavesOpen: [EgressPath.CdnFronting] },
  "k8s-cilium-internal-deny": { closes: [EgressPath.ProxyRebinding] },
  "k8s-egress-proxy-allow-list": { closes: [EgressPath.SniSpoofing] },
  "k8s-egress-proxy-resolved-address": { closes: [EgressPath.ProxyRebinding] },
};

/** One cell of the matrix: a path, open or closed in one configuration, and the controls that say why. */
export interface EgressPathVerdict {
  readonly path: EgressPath;
  readonly open: boolean;
  /** Ids of the controls that decide it: those leaving it open, else those closing it; empty when none speaks. */
  readonly by: readonly string[];
  /** Why, from those controls' own words. */
  readonly why: string;
}

/**
 * The verdict for every path from one configuration's controls report. A path is open when a control in the report
 * says it is left open, or when no effective control closes it; closed only when an effective control closes it
 * and none leaves it open.
 */
export function egressPathVerdicts(controls: readonly ControlReport[]): EgressPathVerdict[] {
  return ALL_PATHS.map((path) => {
    const leaving = controls.filter((c) => EGRESS_PATH_CLAIMS[c.id]?.leavesOpen?.includes(path));
    if (leaving.length > 0) return { path, open: true, by: unique(leaving.map((c) => c.id)), why: leaving.map((c) => c.limits || c.protects).join(" ") };
    const closing = controls.filter((c) => c.effective && EGRESS_PATH_CLAIMS[c.id]?.closes?.includes(path));
    if (closing.length > 0) return { path, open: false, by: unique(closing.map((c) => c.id)), why: closing.map((c) => c.protects).join(" ") };
    return { path, open: true, by: [], why: "No control in this configuration closes it." };
  });
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
