/**
 * The egress proxy: an allow-list forward proxy (Squid) that checks where names really resolve. Pure renderers
 * only: the Squid configuration, its access-log format and parser, the refused address ranges, and the cloud-init
 * user data for a proxy VM. Providers create the resources (providers/kubernetes/egressProxy.ts).
 */
export * from "./accessLog";
export * from "./ranges";
export * from "./squidConfig";
export * from "./cloudInit";
export * from "./proxyEnv";
