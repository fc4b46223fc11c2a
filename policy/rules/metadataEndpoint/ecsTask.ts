/**
 * ECS task definitions: no task shares the host's network namespace, no container runs privileged, mounts the
 * container runtime's socket, or joins the host's PID namespace with added capabilities: the ways a task reaches
 * IMDS (or starts a container that does) however the host is configured.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isRecord, isUnknown, list, show, unknownFinding } from "../values";

/**
 * Checks `networkMode`, the host volumes containers mount, `pidMode` against added capabilities, and each
 * container's `privileged` flag. `containerDefinitions` is a JSON string in @pulumi/aws (an array is accepted too,
 * as some exports carry it decoded).
 */
export function checkEcsTaskDefinition(props: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  const mode = props.networkMode;
  if (isUnknown(mode)) findings.push(unknownFinding("networkMode"));
  else if (mode === "host") {
    findings.push({
      property: "networkMode",
      message:
        'networkMode is "host"; use "awsvpc" (with ECS_AWSVPC_BLOCK_IMDS=true on the hosts) or "bridge": a host-mode ' +
        "task shares the instance's network namespace, so it reaches IMDS with the instance role's credentials and no " +
        "host firewall rule can tell it apart from the ECS agent (AWS Knowledge Center: \"It's not possible to prevent " +
        'access with the host networking mode").',
    });
  }
  const raw = props.containerDefinitions;
  if (isUnknown(raw)) return [...findings, unknownFinding("containerDefinitions")];
  let containers: unknown;
  if (typeof raw === "string") {
    try {
      containers = JSON.parse(raw);
    } catch {
      return [
        ...findings,
        {
          property: "containerDefinitions",
          message: "containerDefinitions is not valid JSON, so privileged containers cannot be ruled out; pass the JSON the ECS API expects.",
          indeterminate: true,
        },
      ];
    }
  } else containers = raw;
  findings.push(...runtimeSocketMounts(props.volumes, containers), ...hostPidCapabilities(props.pidMode, containers));
  list(containers).forEach((c, i) => {
    if (!isRecord(c) || c.privileged !== true) return;
    const name = typeof c.name === "string" ? ` (${show(c.name)})` : "";
    findings.push({
      property: `containerDefinitions[${i}].privileged`,
      message:
        `containerDefinitions[${i}].privileged${name} is true; remove it or set it to false: a privileged container ` +
        "holds every capability on the host, so it can leave its network namespace, undo any iptables block and " +
        "reach IMDS.",
    });
  });
  return findings;
}

// The container runtimes' API sockets on ECS hosts (Docker, and containerd under it).
const RUNTIME_SOCKETS = ["/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock"];

/**
 * True when a host path is a runtime socket or a directory holding one ("/var/run", "/", "/run/containerd"). An
 * empty host path is a volume Docker places itself, not the host's root.
 */
function exposesSocket(hostPath: string): boolean {
  if (hostPath.trim() === "") return false;
  const p = hostPath.replace(/\/+$/, "") || "/";
  return RUNTIME_SOCKETS.some((s) => s === p || p === "/" || s.startsWith(`${p}/`));
}

function containerLabel(c: unknown): string {
  const name = isRecord(c) ? c.name : undefined;
  return typeof name === "string" ? ` (${show(name)})` : "";
}

/**
 * Host volumes that expose a runtime socket, when a container mounts them: whoever talks to the socket starts a
 * container of its own choosing (host network, privileged), which reaches IMDS past every block on the task.
 */
function runtimeSocketMounts(volumes: unknown, containers: unknown): Finding[] {
  if (isUnknown(volumes)) return [unknownFinding("volumes")];
  const findings: Finding[] = [];
  list(volumes).forEach((v, i) => {
    const hostPath = isRecord(v) ? v.hostPath : undefined;
    if (isUnknown(hostPath)) {
      findings.push(unknownFinding(`volumes[${i}].hostPath`));
      return;
    }
    if (typeof hostPath !== "string" || !exposesSocket(hostPath)) return;
    const name = isRecord(v) ? v.name : undefined;
    const users = list(containers).filter((c) => isRecord(c) && list(c.mountPoints).some((m) => isRecord(m) && m.sourceVolume === name));
    if (users.length === 0) return;
    findings.push({
      property: `volumes[${i}].hostPath`,
      message:
        `volumes[${i}].hostPath is ${show(hostPath)}, mounted by container${users.length === 1 ? "" : "s"} ` +
        `${users.map((c) => show(isRecord(c) ? c.name : undefined)).join(", ")}; remove the volume or its mount points: the ` +
        "container runtime's socket lets the task start a container with the host's network and every privilege, " +
        "which reaches IMDS and the instance role's credentials whatever this task definition says.",
    });
  });
  return findings;
}

/**
 * `pidMode: "host"` with capabilities added to a container: in the host's PID namespace, CAP_SYS_PTRACE (or
 * CAP_SYS_ADMIN, or ALL) lets the task enter the ECS agent's or any host process's namespaces and read their
 * memory and environment, where the role credentials are.
 */
function hostPidCapabilities(pidMode: unknown, containers: unknown): Finding[] {
  if (isUnknown(pidMode)) return [unknownFinding("pidMode")];
  if (pidMode !== "host") return [];
  const findings: Finding[] = [];
  list(containers).forEach((c, i) => {
    const add = field(field(field(c, "linuxParameters"), "capabilities"), "add");
    const caps = list(add).filter((x): x is string => typeof x === "string");
    if (caps.length === 0) return;
    const path = `containerDefinitions[${i}].linuxParameters.capabilities.add`;
    findings.push({
      property: path,
      message:
        `${path}${containerLabel(c)} is ${show(caps)} and pidMode is "host"; drop the added capabilities or the host ` +
        "PID mode: with the host's process table and added capabilities (CAP_SYS_PTRACE, CAP_SYS_ADMIN) a container " +
        "can enter the ECS agent's or any host process's namespaces and read their memory, which holds the instance " +
        "role's credentials.",
    });
  });
  return findings;
}

/** `metadata-endpoint-ecs-task`: ECS tasks stay in their own network namespace without host privileges. */
export const ecsTaskRule: ResourceRule = {
  id: "metadata-endpoint-ecs-task",
  description:
    "ECS task definitions use no host network mode, no privileged containers, no container runtime socket and no host PID namespace with added capabilities, so IMDS blocking on the host applies to them.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "ECS task definitions: no `host` network mode, no privileged container, no mounted host volume holding `/var/run/docker.sock` (or containerd's socket), no `pidMode: host` with capabilities added to a container.",
  checks: { "aws:ecs/taskDefinition:TaskDefinition": checkEcsTaskDefinition },
};
