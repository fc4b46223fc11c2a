import * as assert from "node:assert/strict";
import { ecsTaskRule } from "../../../../policy/rules/metadataEndpoint/ecsTask";
import { runCheck, UNKNOWN } from "../helpers";

const T = "aws:ecs/taskDefinition:TaskDefinition";
const HOST =
  'networkMode is "host"; use "awsvpc" (with ECS_AWSVPC_BLOCK_IMDS=true on the hosts) or "bridge": a host-mode task ' +
  "shares the instance's network namespace, so it reaches IMDS with the instance role's credentials and no host " +
  "firewall rule can tell it apart from the ECS agent (AWS Knowledge Center: \"It's not possible to prevent access " +
  'with the host networking mode").';
const priv = (i: number, name: string) =>
  `containerDefinitions[${i}].privileged ("${name}") is true; remove it or set it to false: a privileged container ` +
  "holds every capability on the host, so it can leave its network namespace, undo any iptables block and reach IMDS.";
const defs = (...c: object[]) => JSON.stringify(c);

describe("metadata-endpoint-ecs-task", () => {
  const passing = [
    { networkMode: "awsvpc", containerDefinitions: defs({ name: "app", image: "x" }) },
    { networkMode: "bridge", containerDefinitions: defs({ name: "app", privileged: false }, { name: "side" }) },
    { containerDefinitions: defs() },
    { networkMode: "awsvpc", containerDefinitions: [{ name: "decoded", privileged: false }] },
  ];
  for (const props of passing) it(`passes ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(ecsTaskRule, T, props), []));

  const failing: [Record<string, unknown>, { property: string; message: string }[]][] = [
    [{ networkMode: "host", containerDefinitions: defs({ name: "app" }) }, [{ property: "networkMode", message: HOST }]],
    [{ networkMode: "awsvpc", containerDefinitions: defs({ name: "a" }, { name: "dind", privileged: true }) }, [{ property: "containerDefinitions[1].privileged", message: priv(1, "dind") }]],
    [
      { networkMode: "host", containerDefinitions: [{ name: "p", privileged: true }] },
      [{ property: "networkMode", message: HOST }, { property: "containerDefinitions[0].privileged", message: priv(0, "p") }],
    ],
  ];
  for (const [props, expected] of failing) it(`fails ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(ecsTaskRule, T, props), expected));

  it("treats unknown and unparsable container definitions as indeterminate", () => {
    assert.deepEqual(runCheck(ecsTaskRule, T, { networkMode: UNKNOWN, containerDefinitions: UNKNOWN }).map((f) => [f.property, f.indeterminate]), [
      ["networkMode", true],
      ["containerDefinitions", true],
    ]);
    const [f] = runCheck(ecsTaskRule, T, { containerDefinitions: "[{" });
    assert.equal(f.indeterminate, true);
    assert.equal(f.message, "containerDefinitions is not valid JSON, so privileged containers cannot be ruled out; pass the JSON the ECS API expects.");
  });
});
