/** Issue 19 misses: ECS task definitions that mount the runtime socket, or share the host PID namespace with added capabilities. */
import * as assert from "node:assert/strict";
import { ecsTaskRule } from "../../../../policy/rules/metadataEndpoint/ecsTask";
import { runCheck, UNKNOWN } from "../helpers";

const T = "aws:ecs/taskDefinition:TaskDefinition";
const defs = (...c: object[]) => JSON.stringify(c);
const socket = (i: number, path: string, names: string) =>
  `volumes[${i}].hostPath is "${path}", mounted by ${names}; remove the volume or its mount points: the ` +
  "container runtime's socket lets the task start a container with the host's network and every privilege, " +
  "which reaches IMDS and the instance role's credentials whatever this task definition says.";
const pid = (i: number, name: string, caps: string) =>
  `containerDefinitions[${i}].linuxParameters.capabilities.add ("${name}") is ${caps} and pidMode is "host"; drop the added capabilities or the host ` +
  "PID mode: with the host's process table and added capabilities (CAP_SYS_PTRACE, CAP_SYS_ADMIN) a container " +
  "can enter the ECS agent's or any host process's namespaces and read their memory, which holds the instance " +
  "role's credentials.";

describe("metadata-endpoint-ecs-task: runtime socket and host PID", () => {
  const passing: [string, Record<string, unknown>][] = [
    ["a host volume elsewhere, mounted (positive control)", {
      volumes: [{ name: "data", hostPath: "/ecs/data" }],
      containerDefinitions: defs({ name: "app", mountPoints: [{ sourceVolume: "data", containerPath: "/data" }] }),
    }],
    ["a volume with an empty host path (Docker places it)", { volumes: [{ name: "scratch", hostPath: "" }], containerDefinitions: defs({ name: "app", mountPoints: [{ sourceVolume: "scratch", containerPath: "/tmp" }] }) }],
    ["a socket volume no container mounts", { volumes: [{ name: "sock", hostPath: "/var/run/docker.sock" }], containerDefinitions: defs({ name: "app" }) }],
    ["host PID without added capabilities", { pidMode: "host", containerDefinitions: defs({ name: "agent", linuxParameters: { capabilities: { drop: ["ALL"] } } }) }],
    ["added capabilities in the task's own PID namespace", { pidMode: "task", containerDefinitions: defs({ name: "app", linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } } }) }],
  ];
  for (const [what, props] of passing) it(`passes ${what}`, () => assert.deepEqual(runCheck(ecsTaskRule, T, props), []));

  const failing: [string, Record<string, unknown>, { property: string; message: string }[]][] = [
    ["the Docker socket mounted", {
      volumes: [{ name: "sock", hostPath: "/var/run/docker.sock" }],
      containerDefinitions: defs({ name: "ci", mountPoints: [{ sourceVolume: "sock", containerPath: "/var/run/docker.sock" }] }),
    }, [{ property: "volumes[0].hostPath", message: socket(0, "/var/run/docker.sock", 'container "ci"') }]],
    ["the directory holding the socket, mounted by two containers", {
      volumes: [{ name: "data", hostPath: "/ecs/data" }, { name: "run", hostPath: "/var/run/" }],
      containerDefinitions: [{ name: "a", mountPoints: [{ sourceVolume: "run", containerPath: "/host-run" }] }, { name: "b", mountPoints: [{ sourceVolume: "run", containerPath: "/r" }] }],
    }, [{ property: "volumes[1].hostPath", message: socket(1, "/var/run/", 'containers "a", "b"') }]],
    ["the host's root", {
      volumes: [{ name: "root", hostPath: "/" }],
      containerDefinitions: defs({ name: "x", mountPoints: [{ sourceVolume: "root", containerPath: "/host" }] }),
    }, [{ property: "volumes[0].hostPath", message: socket(0, "/", 'container "x"') }]],
    ["containerd's socket", {
      volumes: [{ name: "ctr", hostPath: "/run/containerd/containerd.sock" }],
      containerDefinitions: defs({ name: "x", mountPoints: [{ sourceVolume: "ctr", containerPath: "/c.sock" }] }),
    }, [{ property: "volumes[0].hostPath", message: socket(0, "/run/containerd/containerd.sock", 'container "x"') }]],
    ["host PID with SYS_PTRACE added", {
      pidMode: "host",
      containerDefinitions: defs({ name: "app" }, { name: "debug", linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } } }),
    }, [{ property: "containerDefinitions[1].linuxParameters.capabilities.add", message: pid(1, "debug", '["SYS_PTRACE"]') }]],
  ];
  for (const [what, props, expected] of failing) it(`fails ${what}`, () => assert.deepEqual(runCheck(ecsTaskRule, T, props), expected));

  it("is indeterminate while volumes or pidMode are unknown", () => {
    assert.deepEqual(runCheck(ecsTaskRule, T, { volumes: UNKNOWN, pidMode: UNKNOWN, containerDefinitions: defs() }).map((f) => [f.property, f.indeterminate]), [
      ["volumes", true],
      ["pidMode", true],
    ]);
  });
});
