/**
 * ECS task definitions: no task shares the host's network namespace and no container runs privileged, the two
 * ways a task reaches IMDS however the host is configured.
 */
import type { Finding, ResourceRule } from "../types";
import { isRecord, isUnknown, list, show, unknownFinding } from "../values";

/**
 * Checks `networkMode` and each container's `privileged` flag. `containerDefinitions` is a JSON string in
 * @pulumi/aws (an array is accepted too, as some exports carry it decoded).
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

/** `metadata-endpoint-ecs-task`: ECS tasks stay in their own network namespace without host privileges. */
export const ecsTaskRule: ResourceRule = {
  id: "metadata-endpoint-ecs-task",
  description: "ECS task definitions use no host network mode and no privileged containers, so IMDS blocking on the host applies to them.",
  enforcementLevel: "mandatory",
  family: "metadataEndpoint",
  docs: "ECS task definitions: no `host` network mode, no privileged container.",
  checks: { "aws:ecs/taskDefinition:TaskDefinition": checkEcsTaskDefinition },
};
