/**
 * The Google APIs virtual IPs a worker network with no route to the internet uses to reach Google services, and
 * the private DNS zones that point Google's API domains at them. Pure data; no SDK import.
 */

/** Which Google APIs VIP the worker network routes to. */
export const GoogleApisVip = {
  /**
   * `restricted.googleapis.com` (199.36.153.4/30): only APIs that VPC Service Controls supports, so a perimeter can
   * stop exfiltration to another project's bucket. The stricter choice.
   */
  Restricted: "restricted",
  /** `private.googleapis.com` (199.36.153.8/30): most Google APIs, whether or not VPC Service Controls covers them. */
  Private: "private",
} as const;
/** Which Google APIs VIP the worker network routes to. */
export type GoogleApisVip = (typeof GoogleApisVip)[keyof typeof GoogleApisVip];

/** One Google APIs VIP: its host name, its /30 and the four addresses in it. */
export interface GoogleApisVipInfo {
  /** `restricted.googleapis.com` or `private.googleapis.com`. */
  readonly host: string;
  /** The /30 that must be routed to the default internet gateway (Google keeps it on its own network). */
  readonly cidr: string;
  /** The four A records of `host`. */
  readonly addresses: readonly string[];
}

// GCP Private Google Access docs, "Domain options": restricted.googleapis.com 199.36.153.4/30,
// private.googleapis.com 199.36.153.8/30; "Configure routing": a route to the range with next hop
// default-internet-gateway, because the default route is deleted.
const VIPS: Readonly<Record<GoogleApisVip, GoogleApisVipInfo>> = {
  restricted: {
    host: "restricted.googleapis.com",
    cidr: "199.36.153.4/30",
    addresses: ["199.36.153.4", "199.36.153.5", "199.36.153.6", "199.36.153.7"],
  },
  private: {
    host: "private.googleapis.com",
    cidr: "199.36.153.8/30",
    addresses: ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"],
  },
};

/** The VIP's host, range and addresses. */
export function googleApisVipInfo(vip: GoogleApisVip): GoogleApisVipInfo {
  return VIPS[vip];
}

/**
 * The Google domains served through the VIP by a private zone each: the APIs (`googleapis.com`), Artifact
 * Registry (`pkg.dev`, where worker images live) and Container Registry (`gcr.io`, where GKE's system images
 * live). The Private Google Access DNS guide lists all three for both VIPs.
 */
export const GOOGLE_PRIVATE_DOMAINS: readonly string[] = ["googleapis.com", "pkg.dev", "gcr.io"];
