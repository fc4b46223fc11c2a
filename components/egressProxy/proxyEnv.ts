/**
 * What a worker needs to send its HTTP and HTTPS through the egress proxy, wherever the proxy runs (a Kubernetes
 * Service, an internal load balancer in front of a proxy group): the conventional environment variables and, for
 * JVM programs, the equivalent system properties. Pure.
 */

/** One environment variable, in the Kubernetes `EnvVar` shape. */
export interface ProxyEnvVar {
  /** The variable's name. */
  name: string;
  /** Its value. */
  value: string;
}

/**
 * The variables that send a worker's HTTP and HTTPS through the proxy: `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`,
 * each also in lower case (curl reads only `http_proxy` in lower case; Go, Python and Node's common clients read
 * either). `NO_PROXY` always holds loopback, then `noProxy` in order. The proxy URL is `http:` for both: clients
 * send CONNECT to it for `https:` URLs, and TLS stays end to end.
 */
export function proxyEnvFor(proxyUrl: string, noProxy: readonly string[] = []): ProxyEnvVar[] {
  const skip = [...new Set(["localhost", "127.0.0.1", "::1", ...noProxy])].join(",");
  return [
    { name: "HTTP_PROXY", value: proxyUrl },
    { name: "HTTPS_PROXY", value: proxyUrl },
    { name: "NO_PROXY", value: skip },
    { name: "http_proxy", value: proxyUrl },
    { name: "https_proxy", value: proxyUrl },
    { name: "no_proxy", value: skip },
  ];
}

/**
 * The same proxy for JVM programs (Kestra itself, Java tasks), which ignore HTTP_PROXY: system properties for
 * `JAVA_TOOL_OPTIONS`, read by every JVM at start-up. `http.nonProxyHosts` serves HTTPS too (Java Networking
 * Properties); NO_PROXY's `.example.com` becomes `*.example.com`, and network (`a.b.c.d/n`) entries, which Java
 * cannot express, are left out.
 */
export function javaProxyOptionsFor(proxyUrl: string, noProxy: readonly string[] = []): string {
  const url = new URL(proxyUrl);
  const port = url.port !== "" ? url.port : "80";
  const skip = [...new Set(["localhost", "127.0.0.1", "[::1]", ...noProxy.filter((h) => !h.includes("/")).map((h) => (h.startsWith(".") ? `*${h}` : h))])];
  return [
    `-Dhttp.proxyHost=${url.hostname}`,
    `-Dhttp.proxyPort=${port}`,
    `-Dhttps.proxyHost=${url.hostname}`,
    `-Dhttps.proxyPort=${port}`,
    `-Dhttp.nonProxyHosts=${skip.join("|")}`,
  ].join(" ");
}

