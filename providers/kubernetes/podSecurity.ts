/**
 * Pod hardening as a pure function: a pod spec in, a pod spec out that meets the Pod Security Standards
 * `restricted` profile, or an InvalidArgsError listing every field that cannot be made compliant without changing
 * what the pod does. Nothing here imports the Kubernetes SDK, so the same function serves the components, the Kestra
 * task-runner template and callers' own workloads.
 *
 * The checks follow kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/ (restricted includes
 * all of baseline), as summarised in docs/design/cloud-controls.md section 5.
 */
import { checkWholeNumber, InvalidArgsError, isRecord as isObj, Issues, show } from "../../components/validation";
import { RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES } from "../../components/podSecurityStandards";

export { RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS };

/** A pod spec as plain data in the Kubernetes API shape; fields this module does not know are kept as given. */
export type PodSpec = Record<string, unknown>;

/** CPU, memory and ephemeral-storage quantities, in Kubernetes quantity syntax (`500m`, `1Gi`). */
export interface ResourceQuantities {
  /** CPU, e.g. `500m`. */
  cpu?: string;
  /** Memory, e.g. `512Mi`. */
  memory?: string;
  /** Ephemeral storage (container writable layer, logs, emptyDirs), e.g. `1Gi`; the API's `ephemeral-storage`. */
  ephemeralStorage?: string;
}

/** Requests and limits given to every container that does not set its own. */
export interface ResourceDefaults {
  /** @default { cpu: "100m", memory: "256Mi", ephemeralStorage: "256Mi" } */
  requests?: ResourceQuantities;
  /** @default { cpu: "1", memory: "1Gi", ephemeralStorage: "1Gi" } */
  limits?: ResourceQuantities;
}

/** How {@link hardenPodSpec} fills in what the spec leaves open. */
export interface HardenPodSpecOptions {
  /**
   * Non-zero uid for the pod when the spec sets none. Without it the image's USER must be numeric and non-root,
   * or the kubelet refuses to start the container (runAsNonRoot is always set).
   * @default undefined (the image's numeric USER)
   */
  runAsUser?: number;
  /**
   * Group id for the pod when the spec sets none.
   * @default undefined
   */
  runAsGroup?: number;
  /**
   * Group that owns mounted volumes (emptyDir scratch included) when the spec sets none.
   * @default undefined
   */
  fsGroup?: number;
  /**
   * Where every container gets a writable emptyDir, since the root filesystem is read-only.
   * @default "/tmp"
   */
  scratchPath?: string;
  /**
   * Size limit of the scratch emptyDir; the kubelet evicts a pod that writes more.
   * @default "1Gi"
   */
  scratchSizeLimit?: string;
  /**
   * Requests and limits for containers that set none; a container's own values win key by key.
   * @default { requests: { cpu: "100m", memory: "256Mi", ephemeralStorage: "256Mi" }, limits: { cpu: "1", memory: "1Gi", ephemeralStorage: "1Gi" } }
   */
  resources?: ResourceDefaults;
  /**
   * RuntimeClass for a sandboxed runtime (gVisor, Kata). A spec naming a different class is refused.
   * @default undefined (the cluster's default runtime)
   */
  runtimeClassName?: string;
  /**
   * Give every container an API token through an explicit projected volume (short-lived, audience-bound, rotated
   * by the kubelet) at the standard path; `automountServiceAccountToken` stays false either way, so the token is
   * visible in the spec. Only the Kestra worker that launches task pods needs one.
   * @default false
   */
  serviceAccountToken?: boolean;
  /**
   * Lifetime of the projected token, in seconds (600 or more; the kubelet refreshes it at 80% of its life).
   * @default 3600
   */
  tokenExpirationSeconds?: number;
  /**
   * Field-path prefix used in error messages, e.g. `spec.template.spec`.
   * @default "spec"
   */
  path?: string;
}

/** The name of the scratch volume this function adds; chosen so it cannot collide with a caller's volume. */
export const SCRATCH_VOLUME = "hardening-scratch";
/** The name of the projected API-token volume added with `serviceAccountToken`. */
export const TOKEN_VOLUME = "hardening-api-token";
/** Where Kubernetes clients look for the in-cluster token, CA and namespace. */
export const TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

const DEFAULT_RESOURCES: Required<ResourceDefaults> = {
  requests: { cpu: "100m", memory: "256Mi", ephemeralStorage: "256Mi" },
  limits: { cpu: "1", memory: "1Gi", ephemeralStorage: "1Gi" },
};

/** Probe and lifecycle-handler fields whose `host` makes the kubelet (on the host network) connect elsewhere. */
const HANDLER_FIELDS = ["livenessProbe", "readinessProbe", "startupProbe"];
const LIFECYCLE_FIELDS = ["postStart", "preStop"];

type Obj = Record<string, unknown>;

function clone<T>(v: T): T {
  return structuredClone(v);
}

function checkSeccomp(issues: Issues, path: string, profile: unknown): void {
  if (profile === undefined) return;
  const type = isObj(profile) ? profile.type : undefined;
  if (type !== "RuntimeDefault" && type !== "Localhost") {
    issues.add(`${path}.type`, `${show(type)} is not allowed; restricted requires "RuntimeDefault" or "Localhost". Remove it to get RuntimeDefault.`);
  }
}

function checkCommonContext(issues: Issues, path: string, ctx: Obj): void {
  if (ctx.runAsNonRoot === false) {
    issues.add(`${path}.runAsNonRoot`, "is false; restricted requires true. Build the image to run as a non-root user, or remove the field.");
  }
  if (ctx.runAsUser === 0) {
    issues.add(`${path}.runAsUser`, "is 0 (root); restricted forbids it. Use a non-zero uid or remove the field.");
  }
  checkSeccomp(issues, `${path}.seccompProfile`, ctx.seccompProfile);
  if (isObj(ctx.seLinuxOptions)) {
    const se = ctx.seLinuxOptions;
    if (se.type !== undefined && !SELINUX_TYPES.includes(String(se.type))) {
      issues.add(`${path}.seLinuxOptions.type`, `${show(se.type)} is not allowed; baseline allows ${SELINUX_TYPES.filter(Boolean).join(", ")}.`);
    }
    for (const key of ["user", "role"]) {
      if (se[key] !== undefined && se[key] !== "") issues.add(`${path}.seLinuxOptions.${key}`, `${show(se[key])} must be unset (baseline).`);
    }
  }
  if (isObj(ctx.appArmorProfile) && ctx.appArmorProfile.type === "Unconfined") {
    issues.add(`${path}.appArmorProfile.type`, `"Unconfined" is not allowed (baseline); remove it to get the runtime default.`);
  }
  if (isObj(ctx.windowsOptions) && ctx.windowsOptions.hostProcess === true) {
    issues.add(`${path}.windowsOptions.hostProcess`, "is true; host-process containers run on the host (baseline forbids them).");
  }
}

function checkHandlerHost(issues: Issues, path: string, handler: unknown): void {
  if (!isObj(handler)) return;
  for (const kind of ["httpGet", "tcpSocket"]) {
    const action = handler[kind];
    // check_hostProbesAndhostLifecycle.go (policy v1.34) allows only an unset or empty host: the kubelet runs these
    // from the node's network namespace, so a host here is a request the node makes on the pod author's behalf
    // (169.254.169.254 would be reached with the node's identity, 127.0.0.1 is the node's own loopback).
    if (isObj(action) && action.host !== undefined && action.host !== "") {
      issues.add(`${path}.${kind}.host`, `${show(action.host)} makes the kubelet connect from the node; remove it (the kubelet then uses the pod's IP).`);
    }
  }
}

/** The API's spelling of resource quantities. */
function quantitiesFor(q: ResourceQuantities): Obj {
  const out: Obj = {};
  if (q.cpu !== undefined) out.cpu = q.cpu;
  if (q.memory !== undefined) out.memory = q.memory;
  if (q.ephemeralStorage !== undefined) out["ephemeral-storage"] = q.ephemeralStorage;
  return out;
}

function hardenContainer(
  issues: Issues,
  path: string,
  raw: unknown,
  opts: { resources: Required<ResourceDefaults>; scratchPath: string; ephemeral: boolean; token: boolean },
): Obj {
  if (!isObj(raw)) {
    issues.add(path, `${show(raw)} must be a container object.`);
    return {};
  }
  const c = clone(raw);
  const ctx: Obj = isObj(c.securityContext) ? c.securityContext : {};
  const ctxPath = `${path}.securityContext`;
  if (ctx.privileged === true) issues.add(`${ctxPath}.privileged`, "is true; privileged containers control the node (baseline forbids them). Remove it.");
  if (ctx.allowPrivilegeEscalation === true) {
    issues.add(`${ctxPath}.allowPrivilegeEscalation`, "is true; restricted requires false (setuid binaries could regain root). Remove it.");
  }
  if (ctx.readOnlyRootFilesystem === false) {
    issues.add(`${ctxPath}.readOnlyRootFilesystem`, `is false; write to the scratch emptyDir at ${opts.scratchPath} or a mounted volume instead, and remove the field.`);
  }
  if (ctx.procMount !== undefined && ctx.procMount !== "Default") {
    issues.add(`${ctxPath}.procMount`, `${show(ctx.procMount)} unmasks /proc (baseline allows only "Default"). Remove it.`);
  }
  checkCommonContext(issues, ctxPath, ctx);
  const caps: Obj = isObj(ctx.capabilities) ? ctx.capabilities : {};
  const added = Array.isArray(caps.add) ? caps.add : [];
  added.forEach((cap, i) => {
    if (cap !== "NET_BIND_SERVICE") {
      issues.add(`${ctxPath}.capabilities.add[${i}]`, `${show(cap)} is not allowed; restricted allows adding only NET_BIND_SERVICE.`);
    }
  });
  const ports = Array.isArray(c.ports) ? c.ports : [];
  ports.forEach((p, i) => {
    if (isObj(p) && p.hostPort !== undefined && p.hostPort !== 0) {
      issues.add(`${path}.ports[${i}].hostPort`, `${show(p.hostPort)} binds a port on the node (baseline forbids host ports). Remove it and use a Service.`);
    }
  });
  for (const field of HANDLER_FIELDS) checkHandlerHost(issues, `${path}.${field}`, c[field]);
  if (isObj(c.lifecycle)) {
    for (const field of LIFECYCLE_FIELDS) checkHandlerHost(issues, `${path}.lifecycle.${field}`, c.lifecycle[field]);
  }

  // Apply: drop ALL, keep only the one capability restricted allows, never escalate, read-only root.
  const dropped = Array.isArray(caps.drop) ? caps.drop.filter((d) => d !== "ALL") : [];
  const capabilities: Obj = { drop: ["ALL", ...dropped] };
  if (added.includes("NET_BIND_SERVICE")) capabilities.add = ["NET_BIND_SERVICE"];
  c.securityContext = {
    ...ctx,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities,
  };
  const mounts = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
  const extraMounts: Obj[] = [];
  if (!mounts.some((m) => isObj(m) && m.mountPath === opts.scratchPath)) extraMounts.push({ name: SCRATCH_VOLUME, mountPath: opts.scratchPath });
  const tokenMount = mounts.find((m) => isObj(m) && m.mountPath === TOKEN_PATH) as Obj | undefined;
  if (tokenMount !== undefined && tokenMount.name !== TOKEN_VOLUME) {
    issues.add(`${path}.volumeMounts`, `mounts ${show(tokenMount.name)} at ${TOKEN_PATH}, where API clients look for a token; remove it (set options.serviceAccountToken for an API token).`);
  }
  if (tokenMount !== undefined && !opts.token) {
    issues.add(`${path}.volumeMounts`, `mounts the API token volume but options.serviceAccountToken is not set; remove the mount.`);
  }
  if (opts.token && !opts.ephemeral && tokenMount === undefined) extraMounts.push({ name: TOKEN_VOLUME, mountPath: TOKEN_PATH, readOnly: true });
  if (extraMounts.length > 0) c.volumeMounts = [...mounts, ...extraMounts];
  // Ephemeral containers may not set resources (the API rejects them); every other container gets defaults.
  if (!opts.ephemeral) {
    const res: Obj = isObj(c.resources) ? c.resources : {};
    c.resources = {
      ...res,
      requests: { ...quantitiesFor(opts.resources.requests), ...(isObj(res.requests) ? res.requests : {}) },
      limits: { ...quantitiesFor(opts.resources.limits), ...(isObj(res.limits) ? res.limits : {}) },
    };
  }
  return c;
}

/** The projected volume automount would add, made explicit: token, cluster CA and namespace. */
function tokenVolume(expirationSeconds: number): Obj {
  return {
    name: TOKEN_VOLUME,
    projected: {
      sources: [
        { serviceAccountToken: { path: "token", expirationSeconds } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
      ],
    },
  };
}

function checkOptions(issues: Issues, o: HardenPodSpecOptions): void {
  for (const key of ["runAsUser", "runAsGroup", "fsGroup"] as const) {
    const v = o[key];
    if (v !== undefined) checkWholeNumber(issues, `options.${key}`, v, 1, 2147483647, { hint: "0 is root" });
  }
  if (o.scratchPath !== undefined && !/^\/[^\0]*$/.test(o.scratchPath)) {
    issues.add("options.scratchPath", `${show(o.scratchPath)} must be an absolute path such as "/tmp".`);
  }
  if (o.tokenExpirationSeconds !== undefined) checkWholeNumber(issues, "options.tokenExpirationSeconds", o.tokenExpirationSeconds, 600, 86400, { unit: "seconds" });
  if (o.runtimeClassName !== undefined && !/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(o.runtimeClassName)) {
    issues.add("options.runtimeClassName", `${show(o.runtimeClassName)} is not a valid RuntimeClass name (lower-case DNS subdomain).`);
  }
}

/**
 * Returns a copy of `spec` that meets the Pod Security Standards `restricted` profile, plus: read-only root
 * filesystem with an emptyDir at `scratchPath`, requests and limits on every container,
 * `automountServiceAccountToken: false` (an explicit projected token only when asked), and the given RuntimeClass.
 * Settings the caller left open are filled in; settings the caller chose that restricted forbids are never
 * overwritten: the spec is refused instead, because rewriting them would silently change what the pod does.
 * Idempotent: hardening a hardened spec returns an equal spec. The input is not modified.
 *
 * @throws InvalidArgsError listing every field that cannot be made compliant (field path, value, fix): host
 *   namespaces, hostPath and other disallowed volumes, privileged, host ports, capabilities beyond
 *   NET_BIND_SERVICE, root uid, Unconfined seccomp/AppArmor, unsafe sysctls, probes aimed at other hosts.
 */
export function hardenPodSpec(spec: PodSpec, options: HardenPodSpecOptions = {}): PodSpec {
  const issues = new Issues();
  const base = options.path ?? "spec";
  checkOptions(issues, options);
  if (!isObj(spec)) throw new InvalidArgsError([`${base} ${show(spec)} must be a pod spec object.`]);
  const out = clone(spec);
  const scratchPath = options.scratchPath ?? "/tmp";
  const resources: Required<ResourceDefaults> = {
    requests: options.resources?.requests ?? DEFAULT_RESOURCES.requests,
    limits: options.resources?.limits ?? DEFAULT_RESOURCES.limits,
  };

  for (const ns of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (out[ns] === true) {
      const why = ns === "hostNetwork" ? "the pod would share the node's network and bypass every NetworkPolicy, metadata block included" : "the pod would share the node's namespace";
      issues.add(`${base}.${ns}`, `is true; ${why} (baseline forbids it). Remove it.`);
    }
  }
  if (isObj(out.os) && out.os.name === "windows") {
    issues.add(`${base}.os.name`, `"windows" is not supported: this hardening targets Linux pods.`);
  }
  const wantToken = options.serviceAccountToken ?? false;
  if (out.automountServiceAccountToken === true) {
    issues.add(
      `${base}.automountServiceAccountToken`,
      "is true; hardened pods never automount a token. Remove it; a pod that must call the API sets options.serviceAccountToken and gets an explicit projected token.",
    );
  }
  if (options.runtimeClassName !== undefined && out.runtimeClassName !== undefined && out.runtimeClassName !== options.runtimeClassName) {
    issues.add(`${base}.runtimeClassName`, `${show(out.runtimeClassName)} differs from the sandbox RuntimeClass ${show(options.runtimeClassName)}; remove it.`);
  }

  const podCtx: Obj = isObj(out.securityContext) ? clone(out.securityContext) : {};
  checkCommonContext(issues, `${base}.securityContext`, podCtx);
  const sysctls = Array.isArray(podCtx.sysctls) ? podCtx.sysctls : [];
  sysctls.forEach((s, i) => {
    const name = isObj(s) ? s.name : s;
    if (!SAFE_SYSCTLS.includes(String(name))) {
      issues.add(`${base}.securityContext.sysctls[${i}].name`, `${show(name)} is not a safe sysctl (baseline allows ${SAFE_SYSCTLS.join(", ")}).`);
    }
  });

  const volumes = Array.isArray(out.volumes) ? out.volumes : [];
  volumes.forEach((v, i) => {
    if (!isObj(v)) {
      issues.add(`${base}.volumes[${i}]`, `${show(v)} must be a volume object.`);
      return;
    }
    // The volumes this function adds are accepted back in the form it adds them, so hardening is idempotent.
    if (v.name === SCRATCH_VOLUME && !(isObj(v.emptyDir) && Object.keys(v).length === 2)) {
      issues.add(`${base}.volumes[${i}].name`, `"${SCRATCH_VOLUME}" is reserved for the scratch emptyDir; rename the volume.`);
    }
    if (v.name === TOKEN_VOLUME && (!wantToken || !isObj(v.projected) || Object.keys(v).length !== 2)) {
      issues.add(`${base}.volumes[${i}].name`, `"${TOKEN_VOLUME}" is reserved for the projected API token (options.serviceAccountToken); rename or remove the volume.`);
    }
    for (const key of Object.keys(v)) {
      if (key === "name" || v[key] === undefined || RESTRICTED_VOLUME_TYPES.includes(key)) continue;
      const hint = key === "hostPath" ? "it exposes the node's filesystem" : "restricted allows only " + RESTRICTED_VOLUME_TYPES.join(", ");
      issues.add(`${base}.volumes[${i}].${key}`, `is a ${key} volume; ${hint}. Use an emptyDir, configMap, secret or persistentVolumeClaim.`);
    }
  });

  const containers = Array.isArray(out.containers) ? out.containers : [];
  if (containers.length === 0) issues.add(`${base}.containers`, "is empty; a pod needs at least one container.");
  const copts = { resources, scratchPath, ephemeral: false, token: wantToken };
  out.containers = containers.map((c, i) => hardenContainer(issues, `${base}.containers[${i}]`, c, copts));
  if (Array.isArray(out.initContainers)) {
    out.initContainers = out.initContainers.map((c, i) => hardenContainer(issues, `${base}.initContainers[${i}]`, c, copts));
  }
  if (Array.isArray(out.ephemeralContainers)) {
    out.ephemeralContainers = out.ephemeralContainers.map((c, i) =>
      hardenContainer(issues, `${base}.ephemeralContainers[${i}]`, c, { ...copts, ephemeral: true }),
    );
  }
  if (issues.list.length > 0) throw new InvalidArgsError(issues.list);

  const seccomp = isObj(podCtx.seccompProfile) ? podCtx.seccompProfile : { type: "RuntimeDefault" };
  out.securityContext = {
    ...podCtx,
    runAsNonRoot: true,
    ...(podCtx.runAsUser === undefined && options.runAsUser !== undefined ? { runAsUser: options.runAsUser } : {}),
    ...(podCtx.runAsGroup === undefined && options.runAsGroup !== undefined ? { runAsGroup: options.runAsGroup } : {}),
    ...(podCtx.fsGroup === undefined && options.fsGroup !== undefined ? { fsGroup: options.fsGroup } : {}),
    seccompProfile: seccomp,
  };
  const has = (n: string) => volumes.some((v) => isObj(v) && v.name === n);
  out.volumes = [
    ...volumes,
    ...(has(SCRATCH_VOLUME) ? [] : [{ name: SCRATCH_VOLUME, emptyDir: { sizeLimit: options.scratchSizeLimit ?? "1Gi" } }]),
    ...(wantToken && !has(TOKEN_VOLUME) ? [tokenVolume(options.tokenExpirationSeconds ?? 3600)] : []),
  ];
  out.automountServiceAccountToken = false;
  // Service environment variables leak every Service address in the namespace to untrusted code; DNS still works.
  if (out.enableServiceLinks === undefined) out.enableServiceLinks = false;
  if (options.runtimeClassName !== undefined) out.runtimeClassName = options.runtimeClassName;
  delete out.hostNetwork;
  delete out.hostPID;
  delete out.hostIPC;
  return out;
}
