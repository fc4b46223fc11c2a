/**
 * The Pod Security Standards `restricted` profile, field by field, as Pod Security Admission (PSA) evaluates it:
 * each function below mirrors one check of kubernetes/kubernetes
 * `staging/src/k8s.io/pod-security-admission/policy/check_<id>.go`, at the policy version `latest` resolves to on
 * Kubernetes 1.35 and 1.36 (policy v1.35). A pod PSA admits under `restricted` gets no finding here; a pod it
 * rejects gets one finding per offending field (PSA stops at one message per check, this names every field).
 *
 * Version notes, so that a reader can re-align with upstream:
 * - `hostNamespaces` is enforced by `metadata-endpoint-kubernetes-host-namespaces` (the metadata-access rule), not
 *   repeated here.
 * - Restricted replaces baseline's `capabilities_baseline`, `hostPathVolumes`, `seccompProfile_baseline` and
 *   `procMount` (`OverrideCheckIDs`), so those appear only through their restricted versions.
 * - Windows pods (`spec.os.name: windows`) are exempt from `allowPrivilegeEscalation`, `capabilities_restricted`
 *   and `seccompProfile_restricted` from policy v1.25 (the API forbids those fields on Windows pods).
 * - `runAsNonRoot` and `runAsUser` are skipped for pods in a user namespace (`spec.hostUsers: false`) from policy
 *   v1.35 (KEP-127). [verify] read from the v1.35 `runAsNonRoot` revision and `helpers.go`; the v1.35 `runAsUser`
 *   revision was taken from a release-1.36 survey, not read directly.
 * - The sysctl safe list is v1.32's (twelve names); v1.37 adds `net.ipv4.tcp_slow_start_after_idle` and
 *   `net.ipv4.tcp_notsent_lowat`, reported here until this file follows v1.37.
 * - The `image` volume type (v1.33 source) and the `appArmorProfile` fields are accepted at every policy version.
 * - A volume with no source is allowed: the API server defaults it to `emptyDir` before admission runs.
 * - Not covered: `cgroupOptions` (`check_cgroupOptions*.go` on master, policy v1.38), a container field no released
 *   Kubernetes API or @pulumi/kubernetes 4.x has yet.
 */
import type { Finding, ResourceRemediation, ResourceRule } from "../types";
import {
  asArray,
  asRecord,
  bindPodCheck,
  containersOf,
  dig,
  POD_SPEC_LOCATIONS,
  type ContainerRef,
  type LocatedPodSpec,
} from "../kubernetes/podSpec";
import { containsUnknown, tryKnown } from "../kubernetes/unknown";
import { unknownFinding } from "../values";
import { RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES } from "../../../components/podSecurityStandards";
import { show } from "../../../components/validation";

export { RESTRICTED_VOLUME_TYPES, SAFE_SYSCTLS, SELINUX_TYPES };

/** A finding, and whether it is about a setting left out (not reported for patches, which carry only changes). */
interface PodFinding extends Finding {
  readonly absent?: boolean;
}

function set(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function podSecurityContext(pod: LocatedPodSpec): Readonly<Record<string, unknown>> {
  return asRecord(pod.spec.securityContext) ?? {};
}

// check_allowPrivilegeEscalation.go, check_capabilities_restricted.go, check_seccompProfile_restricted.go (v1.25):
// "Pod API validation would have failed if podOS == Windows and if [the field] has been set."
function isWindows(pod: LocatedPodSpec): boolean {
  return asRecord(pod.spec.os)?.name === "windows";
}

// helpers.go relaxPolicyForUserNamespacePod: hostUsers explicitly false.
function inUserNamespace(pod: LocatedPodSpec): boolean {
  return pod.spec.hostUsers === false;
}

/** The pod-level security context and each container's, with the path of each. */
function securityContexts(pod: LocatedPodSpec): { path: string; sc: Readonly<Record<string, unknown>> }[] {
  return [
    { path: `${pod.path}.securityContext`, sc: podSecurityContext(pod) },
    ...containersOf(pod).map((c) => ({ path: `${c.path}.securityContext`, sc: c.securityContext })),
  ];
}

// check_privileged.go: containers[*].securityContext.privileged; allowed false, undefined.
function privileged(pod: LocatedPodSpec): PodFinding[] {
  return containersOf(pod)
    .filter((c) => c.securityContext.privileged === true)
    .map((c) => ({
      property: `${c.path}.securityContext.privileged`,
      message: `${c.path}.securityContext.privileged is true; remove it or set it to false: a privileged container has every capability and the node's devices.`,
    }));
}

const NET_BIND_SERVICE = "NET_BIND_SERVICE";

// check_capabilities_restricted.go: drop must include "ALL"; add only "NET_BIND_SERVICE" (or nothing).
function capabilities(pod: LocatedPodSpec): PodFinding[] {
  if (isWindows(pod)) return [];
  const findings: PodFinding[] = [];
  for (const c of containersOf(pod)) {
    const caps = asRecord(c.securityContext.capabilities);
    const dropPath = `${c.path}.securityContext.capabilities.drop`;
    const drop = caps?.drop;
    if (!set(drop)) {
      findings.push({
        property: dropPath,
        message: `${dropPath} is not set; set it to ["ALL"]: a container keeps the runtime's default capabilities (NET_RAW, SETUID, ...) unless it drops them.`,
        absent: true,
      });
    } else if (!asArray(drop).includes("ALL")) {
      findings.push({ property: dropPath, message: `${dropPath} is ${show(drop)}; add "ALL" to it.` });
    }
    const added = asArray(caps?.add).filter((cap) => cap !== NET_BIND_SERVICE);
    if (added.length > 0) {
      const addPath = `${c.path}.securityContext.capabilities.add`;
      findings.push({
        property: addPath,
        message: `${addPath} adds ${show(added)}; remove them: only "NET_BIND_SERVICE" may be added.`,
      });
    }
  }
  return findings;
}

// check_restrictedVolumes.go: each volume's source must be one of RESTRICTED_VOLUME_TYPES.
function restrictedVolumes(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  asArray(pod.spec.volumes).forEach((item, index) => {
    const volume = asRecord(item) ?? {};
    const sources = Object.keys(volume).filter((key) => key !== "name" && set(volume[key]));
    // No source at all: the API server defaults it to emptyDir before admission (SetDefaults_Volume).
    if (sources.length === 0 || sources.some((key) => RESTRICTED_VOLUME_TYPES.includes(key))) return;
    const path = `${pod.path}.volumes[${index}]`;
    findings.push({
      property: `${path}.${sources[0]}`,
      message: `${path} (${show(volume.name)}) is a ${sources[0]} volume; use one of ${RESTRICTED_VOLUME_TYPES.join(", ")}.`,
    });
  });
  return findings;
}

// check_hostPorts.go: containers[*].ports[*].hostPort; allowed undefined, 0.
function hostPorts(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  for (const c of containersOf(pod)) {
    asArray(c.container.ports).forEach((port, index) => {
      const hostPort = asRecord(port)?.hostPort;
      if (typeof hostPort === "number" && hostPort !== 0) {
        const path = `${c.path}.ports[${index}].hostPort`;
        findings.push({
          property: path,
          message: `${path} is ${hostPort}; remove it: a host port opens the node's own address to the pod.`,
        });
      }
    });
  }
  return findings;
}

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";
const APPARMOR_TYPES = ["RuntimeDefault", "Localhost"];

// check_appArmorProfile.go: securityContext.appArmorProfile.type (pod and containers) RuntimeDefault or Localhost
// when set; annotations container.apparmor.security.beta.kubernetes.io/* "", runtime/default or localhost/*.
function appArmorProfile(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  for (const { path, sc } of securityContexts(pod)) {
    const profile = asRecord(sc.appArmorProfile);
    if (profile && !APPARMOR_TYPES.includes(profile.type as string)) {
      findings.push({
        property: `${path}.appArmorProfile.type`,
        message: `${path}.appArmorProfile.type is ${set(profile.type) ? show(profile.type) : "not set"}; set it to "RuntimeDefault" or "Localhost".`,
      });
    }
  }
  const annotations = asRecord(pod.metadata.annotations) ?? {};
  for (const key of Object.keys(annotations).sort()) {
    if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    const value = String(annotations[key] ?? "");
    if (value === "" || value === "runtime/default" || value.startsWith("localhost/")) continue;
    const path = `${pod.metadataPath}.annotations["${key}"]`;
    findings.push({
      property: path,
      message: `${path} is ${show(value)}; set it to "runtime/default" or "localhost/<profile>", or remove it.`,
    });
  }
  return findings;
}

// check_seLinuxOptions.go: seLinuxOptions.type in SELINUX_TYPES; user and role empty (pod and containers).
function seLinuxOptions(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  for (const { path, sc } of securityContexts(pod)) {
    const options = asRecord(sc.seLinuxOptions);
    if (!options) continue;
    const type = set(options.type) ? options.type : "";
    if (!SELINUX_TYPES.includes(type as string)) {
      findings.push({
        property: `${path}.seLinuxOptions.type`,
        message: `${path}.seLinuxOptions.type is ${show(type)}; remove it or use one of ${SELINUX_TYPES.slice(1).join(", ")}.`,
      });
    }
    for (const field of ["user", "role"]) {
      const value = options[field];
      if (typeof value === "string" && value.length > 0) {
        findings.push({
          property: `${path}.seLinuxOptions.${field}`,
          message: `${path}.seLinuxOptions.${field} is ${show(value)}; remove it: a custom SELinux ${field} is forbidden.`,
        });
      }
    }
  }
  return findings;
}

// check_procMount_restricted.go (v1.35; overrides baseline procMount): undefined or "Default".
function procMount(pod: LocatedPodSpec): PodFinding[] {
  return containersOf(pod)
    .filter((c) => set(c.securityContext.procMount) && c.securityContext.procMount !== "Default")
    .map((c) => ({
      property: `${c.path}.securityContext.procMount`,
      message: `${c.path}.securityContext.procMount is ${show(c.securityContext.procMount)}; remove it or set it to "Default": an unmasked /proc exposes the node's kernel interfaces.`,
    }));
}

const SECCOMP_TYPES = ["RuntimeDefault", "Localhost"];

// check_seccompProfile_restricted.go: the pod's seccompProfile.type, when set, is RuntimeDefault or Localhost; a
// container's, when set, too; a container without one is covered only by a valid pod-level profile.
function seccompProfile(pod: LocatedPodSpec): PodFinding[] {
  if (isWindows(pod)) return [];
  const findings: PodFinding[] = [];
  const podPath = `${pod.path}.securityContext.seccompProfile.type`;
  const podProfile = asRecord(podSecurityContext(pod).seccompProfile);
  let podCovers = false;
  if (podProfile) {
    if (SECCOMP_TYPES.includes(podProfile.type as string)) podCovers = true;
    else findings.push(badSeccomp(podPath, podProfile.type));
  }
  for (const c of containersOf(pod)) {
    const path = `${c.path}.securityContext.seccompProfile.type`;
    const profile = asRecord(c.securityContext.seccompProfile);
    if (profile) {
      if (!SECCOMP_TYPES.includes(profile.type as string)) findings.push(badSeccomp(path, profile.type));
    } else if (!podCovers) {
      findings.push({
        property: path,
        message: `${path} is not set and the pod sets no valid profile; set ${podPath} (or this container's) to "RuntimeDefault" or "Localhost".`,
        absent: true,
      });
    }
  }
  return findings;
}

function badSeccomp(path: string, type: unknown): PodFinding {
  return {
    property: path,
    message: `${path} is ${set(type) ? show(type) : "not set"}; set it to "RuntimeDefault" or "Localhost".`,
  };
}

// check_sysctls.go: spec.securityContext.sysctls[*].name in SAFE_SYSCTLS.
function sysctls(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  asArray(podSecurityContext(pod).sysctls).forEach((item, index) => {
    const name = asRecord(item)?.name;
    if (SAFE_SYSCTLS.includes(name as string)) return;
    const path = `${pod.path}.securityContext.sysctls[${index}].name`;
    findings.push({
      property: path,
      message: `${path} is ${show(name)}; remove it: only the namespaced safe sysctls (${SAFE_SYSCTLS.join(", ")}) are allowed.`,
    });
  });
  return findings;
}

// check_windowsHostProcess.go: windowsOptions.hostProcess (pod and containers) undefined or false.
function windowsHostProcess(pod: LocatedPodSpec): PodFinding[] {
  return securityContexts(pod)
    .filter(({ sc }) => asRecord(sc.windowsOptions)?.hostProcess === true)
    .map(({ path }) => ({
      property: `${path}.windowsOptions.hostProcess`,
      message: `${path}.windowsOptions.hostProcess is true; remove it or set it to false: a HostProcess container runs on the Windows node itself.`,
    }));
}

// check_hostProbesAndhostLifecycle.go (v1.34): probes' and lifecycle handlers' httpGet.host / tcpSocket.host empty.
function hostProbesAndHostLifecycle(pod: LocatedPodSpec): PodFinding[] {
  const findings: PodFinding[] = [];
  for (const c of containersOf(pod)) {
    const handlers: [string, unknown][] = [
      ...["livenessProbe", "readinessProbe", "startupProbe"].map((p): [string, unknown] => [p, c.container[p]]),
      ...["postStart", "preStop"].map((h): [string, unknown] => [`lifecycle.${h}`, dig(c.container.lifecycle, [h])]),
    ];
    for (const [name, handler] of handlers) {
      for (const action of ["httpGet", "tcpSocket"]) {
        const host = dig(handler, [action, "host"]);
        if (typeof host !== "string" || host === "") continue;
        const path = `${c.path}.${name}.${action}.host`;
        findings.push({
          property: path,
          message: `${path} is ${show(host)}; remove it: the kubelet, on the node's network, would connect to that host instead of the pod.`,
        });
      }
    }
  }
  return findings;
}

// check_allowPrivilegeEscalation.go: containers must set allowPrivilegeEscalation=false (Windows pods exempt).
function allowPrivilegeEscalation(pod: LocatedPodSpec): PodFinding[] {
  if (isWindows(pod)) return [];
  const findings: PodFinding[] = [];
  for (const c of containersOf(pod)) {
    const value = c.securityContext.allowPrivilegeEscalation;
    if (value === false) continue;
    const path = `${c.path}.securityContext.allowPrivilegeEscalation`;
    findings.push({
      property: path,
      message: `${path} is ${set(value) ? show(value) : "not set"}; set it to false: otherwise a setuid binary can gain privileges the container was not given.`,
      absent: !set(value),
    });
  }
  return findings;
}

// check_runAsNonRoot.go: pod-level false is forbidden; each container sets true or inherits a pod-level true.
function runAsNonRoot(pod: LocatedPodSpec): PodFinding[] {
  if (inUserNamespace(pod)) return [];
  const findings: PodFinding[] = [];
  const podPath = `${pod.path}.securityContext.runAsNonRoot`;
  const podValue = podSecurityContext(pod).runAsNonRoot;
  if (podValue === false) {
    findings.push({ property: podPath, message: `${podPath} is false; set it to true.` });
  }
  for (const c of containersOf(pod)) {
    const value = c.securityContext.runAsNonRoot;
    const path = `${c.path}.securityContext.runAsNonRoot`;
    if (set(value)) {
      if (value === false) findings.push({ property: path, message: `${path} is false; set it to true or remove it.` });
    } else if (podValue !== true) {
      findings.push({
        property: path,
        message: `${path} is not set and ${podPath} is not true; set runAsNonRoot to true on the pod or on this container.`,
        absent: true,
      });
    }
  }
  return findings;
}

// check_runAsUser.go: runAsUser (pod and containers) must not be 0.
function runAsUser(pod: LocatedPodSpec): PodFinding[] {
  if (inUserNamespace(pod)) return [];
  return securityContexts(pod)
    .filter(({ sc }) => sc.runAsUser === 0)
    .map(({ path }) => ({
      property: `${path}.runAsUser`,
      message: `${path}.runAsUser is 0 (root); set a non-zero user id or remove it.`,
    }));
}

/** One PSS check: its PSA check id (the `check_<file>.go` it mirrors) and its body. */
export interface PodSecurityCheck {
  /** PSA check id, e.g. `allowPrivilegeEscalation`; the source is `check_<file>.go` in the policy directory. */
  readonly id: string;
  /** The source file in kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/. */
  readonly file: string;
  readonly level: "baseline" | "restricted";
  /** Findings of this check alone; `absent` marks findings about a setting left out. */
  readonly check: (pod: LocatedPodSpec) => readonly (Finding & { readonly absent?: boolean })[];
}

/**
 * Every check of the `restricted` profile except `hostNamespaces` (see
 * `metadata-endpoint-kubernetes-host-namespaces`), in report order.
 */
export const POD_SECURITY_CHECKS: readonly PodSecurityCheck[] = [
  { id: "privileged", file: "check_privileged.go", level: "baseline", check: privileged },
  { id: "capabilities_restricted", file: "check_capabilities_restricted.go", level: "restricted", check: capabilities },
  { id: "restrictedVolumes", file: "check_restrictedVolumes.go", level: "restricted", check: restrictedVolumes },
  { id: "hostPorts", file: "check_hostPorts.go", level: "baseline", check: hostPorts },
  { id: "appArmorProfile", file: "check_appArmorProfile.go", level: "baseline", check: appArmorProfile },
  { id: "seLinuxOptions", file: "check_seLinuxOptions.go", level: "baseline", check: seLinuxOptions },
  { id: "procMount_restricted", file: "check_procMount_restricted.go", level: "restricted", check: procMount },
  {
    id: "seccompProfile_restricted",
    file: "check_seccompProfile_restricted.go",
    level: "restricted",
    check: seccompProfile,
  },
  { id: "sysctls", file: "check_sysctls.go", level: "baseline", check: sysctls },
  { id: "windowsHostProcess", file: "check_windowsHostProcess.go", level: "baseline", check: windowsHostProcess },
  {
    id: "hostProbesAndHostLifecycle",
    file: "check_hostProbesAndhostLifecycle.go",
    level: "baseline",
    check: hostProbesAndHostLifecycle,
  },
  {
    id: "allowPrivilegeEscalation",
    file: "check_allowPrivilegeEscalation.go",
    level: "restricted",
    check: allowPrivilegeEscalation,
  },
  { id: "runAsNonRoot", file: "check_runAsNonRoot.go", level: "restricted", check: runAsNonRoot },
  { id: "runAsUser", file: "check_runAsUser.go", level: "restricted", check: runAsUser },
];

/**
 * Every `restricted` violation of one pod spec except host namespaces: empty exactly when Pod Security Admission
 * (policy v1.35) would admit the pod as far as these checks go. For a `*Patch` kind, settings the patch leaves out
 * are not findings.
 */
export function checkPodSecurityRestricted(pod: LocatedPodSpec): Finding[] {
  const findings: Finding[] = [];
  for (const { check } of POD_SECURITY_CHECKS) {
    // Each check alone: a value unknown during preview makes that check indeterminate, not the whole profile.
    const result = tryKnown(() => check(pod));
    if (!result.known) {
      // Several checks read the same unknown value (an unknown `containers`): name it once.
      if (!findings.some((f) => f.indeterminate && f.property === result.path)) findings.push(unknownFinding(result.path));
      continue;
    }
    for (const f of result.value) if (!(pod.patch && f.absent)) findings.push({ property: f.property, message: f.message });
  }
  return findings;
}

/**
 * Fills in the `restricted` settings a pod spec leaves unset, where doing so is safe: pod-level seccomp
 * `RuntimeDefault` when a container has no profile, `allowPrivilegeEscalation: false` and `drop: ["ALL"]` on each
 * container. It never overrides a value someone set (an explicit `allowPrivilegeEscalation: true` or `Unconfined`
 * profile is a decision that keeps its finding), skips privileged containers and those adding CAP_SYS_ADMIN (the
 * API rejects allowPrivilegeEscalation=false with either), and leaves Windows pods alone (the API forbids these
 * fields there). Returns undefined when nothing changes, so applying it twice changes nothing the second time.
 */
export function remediatePodSecurity(pod: LocatedPodSpec): Record<string, unknown> | undefined {
  if (isWindows(pod)) return undefined;
  let changed = false;
  const spec: Record<string, unknown> = { ...pod.spec };
  const podSc = podSecurityContext(pod);
  const containers = containersOf(pod);
  if (!set(podSc.seccompProfile) && containers.some((c) => !set(c.securityContext.seccompProfile))) {
    spec.securityContext = { ...podSc, seccompProfile: { type: "RuntimeDefault" } };
    changed = true;
  }
  for (const list of ["initContainers", "containers", "ephemeralContainers"] as const) {
    if (!Array.isArray(pod.spec[list])) continue;
    const mine = containers.filter((c) => c.path.startsWith(`${pod.path}.${list}[`));
    const fixed = mine.map((c) => remediateContainer(c));
    if (fixed.some((f) => f !== undefined)) {
      spec[list] = fixed.map((f, i) => f ?? mine[i].container);
      changed = true;
    }
  }
  return changed ? spec : undefined;
}

function remediateContainer(c: ContainerRef): Record<string, unknown> | undefined {
  const sc = c.securityContext;
  if (sc.privileged === true) return undefined;
  const caps = asRecord(sc.capabilities);
  const added = asArray(caps?.add);
  const next: Record<string, unknown> = { ...sc };
  let changed = false;
  if (!set(sc.allowPrivilegeEscalation) && !added.includes("SYS_ADMIN") && !added.includes("CAP_SYS_ADMIN")) {
    next.allowPrivilegeEscalation = false;
    changed = true;
  }
  const drop = asArray(caps?.drop);
  if (!drop.includes("ALL")) {
    next.capabilities = { ...(caps ?? {}), drop: [...drop, "ALL"] };
    changed = true;
  }
  return changed ? { ...c.container, securityContext: next } : undefined;
}

/** Returns props with `value` at `keys`, copying only the objects on the way (siblings are not read deeply). */
export function withValueAt(
  props: Readonly<Record<string, unknown>>,
  keys: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = keys;
  const here = asRecord(props[head]) ?? {};
  return { ...props, [head]: rest.length === 0 ? value : withValueAt(here, rest, value) };
}

/**
 * Binds a pod-spec remediation to every full (non-patch) pod-bearing type: a patch's absent fields are unknown. It
 * does nothing while any value of the resource is unknown (preview): the fix would copy the engine's placeholders.
 */
export function bindPodRemediation(
  fix: (pod: LocatedPodSpec) => Record<string, unknown> | undefined,
): Record<string, ResourceRemediation> {
  return Object.fromEntries(
    Object.entries(POD_SPEC_LOCATIONS)
      .filter(([, location]) => !location.patch)
      .map(([type, location]): [string, ResourceRemediation] => [
        type,
        (props) => {
          if (containsUnknown(props)) return undefined;
          const pod = {
            spec: asRecord(dig(props, location.specPath)) ?? {},
            path: location.specPath.join("."),
            metadata: {},
            metadataPath: location.metadataPath.join("."),
            patch: false,
          };
          const spec = fix(pod);
          return spec === undefined ? undefined : withValueAt(props, location.specPath, spec);
        },
      ]),
  );
}

/**
 * `sandbox-pod-security-restricted`: a passing pod or workload satisfies the Pod Security Standards
 * `restricted` profile (with `metadata-endpoint-kubernetes-host-namespaces`), so Pod Security Admission in a
 * `restricted` namespace admits it and its containers run unprivileged, as non-root, under seccomp, with no capabilities beyond
 * NET_BIND_SERVICE.
 */
export const kubernetesPodSecurityRestricted: ResourceRule = {
  id: "sandbox-pod-security-restricted",
  description:
    "Pods and workloads satisfy the Pod Security Standards restricted profile: no privilege, no escalation, non-root, seccomp on, all capabilities dropped, restricted volume types.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: "Pods and every workload kind: every check of the Pod Security Standards `restricted` profile (no privilege or escalation, non-root, seccomp, all capabilities dropped, restricted volume types, no host ports, probes or sysctls outside the safe set).",
  remediation: "Sets pod seccomp `RuntimeDefault`, `allowPrivilegeEscalation: false` and `drop: [\"ALL\"]` where the pod spec leaves them out; never overrides a value someone set.",
  checks: bindPodCheck(checkPodSecurityRestricted),
  remediations: bindPodRemediation(remediatePodSecurity),
};
