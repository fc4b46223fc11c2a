/**
 * What the canary tries, derived from the endpoint catalogue (../endpoints.ts) at render time: every catalogued
 * metadata and credential address on each of its ports, every catalogued host name, the alternative spellings of
 * the vendor-documented IPv4 addresses that resolvers accept and the detector (detect/) recognises, the variables
 * that point at an endpoint, the Kubernetes API with and without the mounted token, a name and an address outside
 * the allow-list, and a write to the root filesystem. Adding an endpoint to the catalogue adds its checks.
 */
import { ControlFamily } from "../components/controls";
import { METADATA_ENDPOINTS, MetadataEndpoint, WILDCARD_DNS_SERVICES } from "../components/endpoints";

/** How a check is carried out by the probe. */
export type CanaryCheckKind = "connect" | "resolve" | "variable" | "token" | "kubernetes-api" | "write";

/** A request sent once a connection is open, to learn whether the endpoint would hand out a credential. */
export interface CanaryHttpRequest {
  /** Path and query of the GET request. */
  readonly path: string;
  /** Headers the endpoint requires (`Metadata-Flavor: Google`, `Metadata: true`). */
  readonly headers: Readonly<Record<string, string>>;
}

/** One thing the probe tries, as plain data (the probe reads it as JSON). */
export interface CanaryCheck {
  /** Stable id, unique in a probe: `metadata:169.254.169.254:80`, `spelling:0xa9fea9fe:80`, `dns-outside`, ... */
  readonly id: string;
  readonly kind: CanaryCheckKind;
  /** The control family whose controls speak for this check in the controls report. */
  readonly family: ControlFamily;
  /** What is tried, for people: `169.254.169.254:80`, `metadata.google.internal:80`, `/`. */
  readonly target: string;
  /** Host (address or name) to resolve and connect to; `connect`, `resolve` and `kubernetes-api`. */
  readonly host?: string;
  /** TCP port; `connect` and `kubernetes-api`. */
  readonly port?: number;
  /** Catalogue ids of the endpoints this check reaches; empty for checks that are not about an endpoint. */
  readonly endpointIds: readonly string[];
  /** How the target is spelled, for spellings other than the canonical one: `hex integer IPv4`. */
  readonly spelling?: string;
  /** For `connect`: a request for a credential, sent once connected; only whether one came back is reported. */
  readonly http?: CanaryHttpRequest;
  /** For `variable`: the environment variable; for `token`: the file; for `write`: the directory. */
  readonly path?: string;
  /** For `kubernetes-api`: send the mounted token (read from `path`) with the request. */
  readonly withToken?: boolean;
  /**
   * `refused` for a check that must fail, `reached` for a positive control that must succeed (a refused
   * positive control makes every refusal inconclusive: the network may simply be down).
   */
  readonly expect: "refused" | "reached";
}

/**
 * The request each credential endpoint answers with a credential, keyed by catalogue id. Only these are asked for
 * one; every other endpoint is reported reached when it accepts a connection. Each id must exist in the catalogue
 * (checked when this module loads).
 */
export const CREDENTIAL_REQUESTS: Readonly<Record<string, CanaryHttpRequest>> = {
  // EC2 UG, Retrieve security credentials from instance metadata (IMDSv1 form: v2 needs a PUT for a token first).
  "aws-imds": { path: "/latest/meta-data/iam/security-credentials/", headers: {} },
  // GCE docs, Authenticate workloads: the default service account's access token, with the required header.
  "gcp-metadata": { path: "/computeMetadata/v1/instance/service-accounts/default/token", headers: { "Metadata-Flavor": "Google" } },
  // Azure IMDS, managed identities: the token endpoint, with the required header.
  "azure-imds": {
    path: "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F",
    headers: { Metadata: "true" },
  },
  // Alibaba ECS, instance metadata: the RAM role list (each role's credentials sit under it).
  "alibaba-metadata": { path: "/latest/meta-data/ram/security-credentials/", headers: {} },
};
for (const id of Object.keys(CREDENTIAL_REQUESTS)) {
  if (!METADATA_ENDPOINTS.some((e) => e.id === id)) throw new Error(`internal: CREDENTIAL_REQUESTS names ${id}, which is not in the catalogue`);
}

/** Where Kubernetes mounts a pod's ServiceAccount token. */
export const KUBERNETES_TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/** A destination the environment allows, tried as a positive control. */
export interface CanaryPositiveControl {
  /** A host name that must resolve (and, with `port`, accept a connection). Give this or `address`. */
  name?: string;
  /** An address that must accept a connection on `port`. Give this or `name`. */
  address?: string;
  /**
   * Port to connect to; without it a name is only resolved.
   * @default undefined
   */
  port?: number;
}

/** The Kubernetes API server's address, for the canary. */
export interface CanaryApiServer {
  /** Name or address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** The Kubernetes API server's address, for the canary. */
export interface CanaryApiServer {
  /** Name or address. */
  host: string;
  /** TCP port. */
  port: number;
}

/** What the probe tries besides the catalogue, and where. */
export interface CanaryCheckOptions {
  /**
   * A name outside the egress allow-list: resolving it must fail where the environment filters names.
   * @default "example.com"
   */
  outsideName?: string;
  /**
   * An address outside the egress allow-list (and outside every metadata network): connecting must fail.
   * @default "1.1.1.1"
   */
  outsideAddress?: string;
  /**
   * Port tried on `outsideAddress`.
   * @default 443
   */
  outsidePort?: number;
  /**
   * Destinations that must work, so that a refusal proves a control and not a dead network.
   * @default []
   */
  positiveControls?: CanaryPositiveControl[];
  /**
   * The Kubernetes API server. Without it the probe uses `KUBERNETES_SERVICE_HOST`/`KUBERNETES_SERVICE_PORT`
   * from its environment and, when they are unset, `kubernetes.default.svc:443`.
   * @default undefined
   */
  kubernetesApi?: CanaryApiServer;
  /**
   * The ServiceAccount token file.
   * @default "/var/run/secrets/kubernetes.io/serviceaccount/token"
   */
  tokenPath?: string;
  /**
   * The directory of the root filesystem the write check tries to create a file in (then removes it).
   * @default "/"
   */
  writeDirectory?: string;
}

/** Canonical dotted IPv4 to a 32-bit number. */
function ipv4Value(dotted: string): number {
  return dotted.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
}

/**
 * The spellings of an IPv4 address that glibc's and musl's `inet_aton` (and so `getaddrinfo`, curl, wget and
 * Python) read as that address, and that the detector reports as it (tests/canary checks both).
 */
export function ipv4Spellings(dotted: string): { text: string; spelling: string }[] {
  const v = ipv4Value(dotted);
  const o = dotted.split(".").map(Number);
  return [
    { text: String(v), spelling: "integer IPv4" },
    { text: `0x${v.toString(16)}`, spelling: "hex integer IPv4" },
    { text: o.map((x) => `0${x.toString(8)}`).join("."), spelling: "octal IPv4" },
    { text: o.map((x) => `0x${x.toString(16)}`).join("."), spelling: "hex IPv4" },
    { text: `${o[0]}.${(o[1] << 16) + (o[2] << 8) + o[3]}`, spelling: "2-part IPv4" },
    { text: `${o[0]}.${o[1]}.${(o[2] << 8) + o[3]}`, spelling: "3-part IPv4" },
    { text: `::ffff:${dotted}`, spelling: "IPv4-mapped IPv6" },
  ];
}

/** Names that public wildcard-DNS services resolve to the address written in them. */
export function wildcardNames(dotted: string): { text: string; spelling: string }[] {
  return WILDCARD_DNS_SERVICES.filter((s) => s === "nip.io" || s === "sslip.io").map((s, i) => ({
    text: i === 0 ? `${dotted}.${s}` : `${dotted.replace(/\./g, "-")}.${s}`,
    spelling: `${s} wildcard DNS name`,
  }));
}

const isIpv4 = (a: string) => /^\d+\.\d+\.\d+\.\d+$/.test(a);
/**
 * IPv6 link-local (fe80::/10, e.g. OpenStack's fe80::a9fe:a9fe): a connection needs an interface scope the probe
 * cannot know in advance, so these addresses are not probed; every policy and the host firewall deny fe80::/10 as a
 * whole (components/endpoints.ts DENIED_RANGES), which the probe's other link-local checks exercise.
 */
export const needsScope = (a: string) => /^fe[89ab][0-9a-f]:/i.test(a);

/** The endpoints served at an address, and every port any of them answers on there. */
function byAddress(): Map<string, { endpoints: MetadataEndpoint[]; ports: number[] }> {
  const out = new Map<string, { endpoints: MetadataEndpoint[]; ports: number[] }>();
  for (const e of METADATA_ENDPOINTS) {
    for (const a of e.addresses) {
      if (needsScope(a)) continue;
      const entry = out.get(a) ?? { endpoints: [], ports: [] };
      entry.endpoints.push(e);
      for (const p of e.ports) if (!entry.ports.includes(p)) entry.ports.push(p);
      out.set(a, entry);
    }
  }
  return out;
}

/** The credential request for an address: the first endpoint there that has one. */
function credentialRequest(endpoints: readonly MetadataEndpoint[], port: number): CanaryHttpRequest | undefined {
  if (port !== 80) return undefined;
  for (const e of endpoints) if (CREDENTIAL_REQUESTS[e.id]) return CREDENTIAL_REQUESTS[e.id];
  return undefined;
}

const hostPort = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/**
 * Every check of the probe, in a stable order: metadata addresses, host names, spellings, variables, Kubernetes,
 * egress, the root filesystem, then the positive controls. Pure.
 */
export function canaryChecks(options: CanaryCheckOptions = {}): CanaryCheck[] {
  const checks: CanaryCheck[] = [];
  const meta = ControlFamily.MetadataEndpoint;
  const addresses = byAddress();
  for (const [address, { endpoints, ports }] of addresses) {
    for (const port of ports) {
      const http = credentialRequest(endpoints, port);
      checks.push({
        id: `metadata:${hostPort(address, port)}`,
        kind: "connect",
        family: meta,
        target: hostPort(address, port),
        host: address,
        port,
        endpointIds: endpoints.filter((e) => e.ports.includes(port)).map((e) => e.id),
        ...(http ? { http } : {}),
        expect: "refused",
      });
    }
  }
  for (const e of METADATA_ENDPOINTS) {
    for (const name of e.hostnames) {
      const port = e.ports[0];
      const http = credentialRequest([e], port);
      const spellings = [{ text: name, spelling: undefined as string | undefined }];
      // A rooted name (trailing dot) skips the resolver's search list; filters comparing strings may miss it.
      if (name.includes(".")) spellings.push({ text: `${name}.`, spelling: "metadata host name with trailing dot" });
      for (const s of spellings) {
        checks.push({
          id: `name:${s.text}:${port}`,
          kind: "connect",
          family: meta,
          target: `${s.text}:${port}`,
          host: s.text,
          port,
          endpointIds: [e.id],
          ...(s.spelling ? { spelling: s.spelling } : {}),
          ...(http ? { http } : {}),
          expect: "refused",
        });
      }
    }
  }
  for (const [address, { endpoints, ports }] of addresses) {
    if (!isIpv4(address) || !endpoints.some((e) => e.confidence === "vendor")) continue;
    const port = ports[0];
    const ids = endpoints.filter((e) => e.ports.includes(port)).map((e) => e.id);
    const spelled = [...ipv4Spellings(address), ...(address === "169.254.169.254" ? wildcardNames(address) : [])];
    for (const s of spelled) {
      checks.push({
        id: `spelling:${s.text}:${port}`,
        kind: "connect",
        family: meta,
        target: `${hostPort(s.text, port)} (${address})`,
        host: s.text,
        port,
        endpointIds: ids,
        spelling: s.spelling,
        expect: "refused",
      });
    }
  }
  for (const e of METADATA_ENDPOINTS) {
    for (const variable of e.variables ?? []) {
      checks.push({ id: `variable:${variable}`, kind: "variable", family: meta, target: `$${variable}`, path: variable, endpointIds: [e.id], expect: "refused" });
    }
  }
  const tokenPath = options.tokenPath ?? KUBERNETES_TOKEN_PATH;
  const api = options.kubernetesApi;
  checks.push(
    { id: "kubernetes-token", kind: "token", family: ControlFamily.HostIdentity, target: tokenPath, path: tokenPath, endpointIds: [], expect: "refused" },
    {
      id: "kubernetes-api",
      kind: "kubernetes-api",
      family: ControlFamily.Egress,
      target: api ? `${hostPort(api.host, api.port)} (no token)` : "the Kubernetes API (no token)",
      ...(api ? { host: api.host, port: api.port } : {}),
      path: tokenPath,
      withToken: false,
      endpointIds: [],
      expect: "refused",
    },
    {
      id: "kubernetes-api-token",
      kind: "kubernetes-api",
      family: ControlFamily.HostIdentity,
      target: api ? `${hostPort(api.host, api.port)} (mounted token)` : "the Kubernetes API (mounted token)",
      ...(api ? { host: api.host, port: api.port } : {}),
      path: tokenPath,
      withToken: true,
      endpointIds: [],
      expect: "refused",
    },
  );
  const outsideName = options.outsideName ?? "example.com";
  const outsideAddress = options.outsideAddress ?? "1.1.1.1";
  const outsidePort = options.outsidePort ?? 443;
  checks.push(
    { id: "dns-outside", kind: "resolve", family: ControlFamily.Egress, target: outsideName, host: outsideName, endpointIds: [], expect: "refused" },
    {
      id: "connect-outside",
      kind: "connect",
      family: ControlFamily.Egress,
      target: hostPort(outsideAddress, outsidePort),
      host: outsideAddress,
      port: outsidePort,
      endpointIds: [],
      expect: "refused",
    },
    { id: "write-root", kind: "write", family: ControlFamily.Sandbox, target: options.writeDirectory ?? "/", path: options.writeDirectory ?? "/", endpointIds: [], expect: "refused" },
  );
  (options.positiveControls ?? []).forEach((p, i) => {
    const host = p.name ?? p.address ?? "";
    checks.push({
      id: `positive-${i + 1}`,
      kind: p.port === undefined ? "resolve" : "connect",
      family: ControlFamily.Egress,
      target: p.port === undefined ? host : hostPort(host, p.port),
      host,
      ...(p.port === undefined ? {} : { port: p.port }),
      endpointIds: [],
      expect: "reached",
    });
  });
  return checks;
}
