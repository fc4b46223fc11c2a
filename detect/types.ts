/**
 * The shape of the endpoint-reference detector's answers, shared by `hardening scan`, the policy pack's code rule
 * and the auditor.
 */

/** How bad a reference is: `error` for a catalogued metadata/credential endpoint, `warning` for other link-local use. */
export type ReferenceSeverity = "error" | "warning";

/** One place in a string that refers to a metadata or credential endpoint, however it is spelled. */
export interface EndpointReference {
  /** Catalogue id of the endpoint (`aws-imds`, `gcp-metadata`, ...); undefined for an uncatalogued link-local address. */
  readonly endpointId: string | undefined;
  /** What it reaches, canonically spelled: `169.254.169.254`, `fd00:ec2::254`, `metadata.google.internal`. */
  readonly endpoint: string;
  /** `error` for a catalogued endpoint, `warning` for other link-local addresses. */
  readonly severity: ReferenceSeverity;
  /** UTF-16 offset in the scanned string where the match starts. */
  readonly start: number;
  /** UTF-16 offset just past the match. */
  readonly end: number;
  /** The text matched, exactly as written (`text.slice(start, end)`), with control characters escaped for display. */
  readonly match: string;
  /** How it was spelled, for the finding message: "octal IPv4", "IPv4-mapped IPv6", "nip.io wildcard DNS", ... */
  readonly spelling: string;
}

/** Options of the detector. */
export interface DetectOptions {
  /**
   * Also decode base64 runs (user data, encoded scripts) and report references inside them, at the run's span.
   * @default true
   */
  readonly decodeBase64?: boolean;
}

/**
 * A function that finds endpoint references in a text: detect's `findEndpointReferences` in production, a stub in
 * tests. The scanner (scan/) and the code rule (policy) take one, so neither depends on how detection works.
 */
export type EndpointDetector = (text: string) => readonly EndpointReference[];
