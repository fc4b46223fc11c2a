/** The Fargate worker container: the Kestra command kept when the image changes, ECS secrets, the ECR execution-role check. */
import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components";
import { AwsWorkerPoolArgs, containerDefinitionsFor, planAwsWorkerPool } from "../../../providers/aws/workerPoolPlan";
import { planCloud } from "../../../program/plan";

const net = { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] };
const SM = "arn:aws:secretsmanager:us-east-1:123456789012:secret:kestra/db-AbCdEf";
const SSM = "arn:aws:ssm:us-east-1:123456789012:parameter/kestra/db-password";
const ROLE = "arn:aws:iam::123456789012:role/ecs-execution";

function issuesOf(args: AwsWorkerPoolArgs): readonly string[] {
  try {
    planAwsWorkerPool(args);
    return [];
  } catch (e) {
    if (e instanceof InvalidArgsError) return e.issues;
    throw e;
  }
}

describe("AWS Fargate worker container", () => {
  it("puts secrets in the container definition as ECS secrets (ARNs only), with the execution role", () => {
    const plan = planAwsWorkerPool({ ...net, container: { image: "kestra/kestra:v1.1.6", executionRoleArn: ROLE, secrets: { KESTRA_DB_PASSWORD: SM, TOKEN: SSM }, environment: { A: "1" } } });
    const [def] = JSON.parse(containerDefinitionsFor(plan.fargate!)) as { secrets: unknown; environment: unknown }[];
    assert.deepEqual(def.secrets, [{ name: "KESTRA_DB_PASSWORD", valueFrom: SM }, { name: "TOKEN", valueFrom: SSM }]);
    assert.deepEqual(def.environment, [{ name: "A", value: "1" }]);
    // Positive control: no secrets, no `secrets` key.
    const plain = planAwsWorkerPool({ ...net, container: { image: "kestra/kestra:v1.1.6" } });
    assert.equal("secrets" in JSON.parse(containerDefinitionsFor(plain.fargate!))[0], false);
  });

  it("refuses secrets without an execution role, a value that is not an ARN, and a name also in environment", () => {
    const issues = issuesOf({ ...net, container: { image: "kestra/kestra:v1.1.6", secrets: { P: "hunter2", A: SM }, environment: { A: "x" } } });
    assert.ok(issues.some((i) => i.startsWith("container.secrets needs container.executionRoleArn")), issues.join("\n"));
    assert.ok(issues.some((i) => i.startsWith('container.secrets.P "hunter2" must be the ARN')));
    assert.ok(issues.some((i) => i.startsWith("container.secrets.A is also in container.environment")));
  });

  it("refuses an ECR image without an execution role, and accepts it with one", () => {
    const image = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kestra:v1.1.6";
    assert.ok(issuesOf({ ...net, container: { image } }).some((i) => i.includes("is in ECR but container.executionRoleArn is not set")));
    assert.deepEqual(issuesOf({ ...net, container: { image, executionRoleArn: ROLE } }), []);
    assert.deepEqual(issuesOf({ ...net, container: { image: "kestra/kestra:v1.1.6" } }), [], "control: a public image needs no role");
  });

  it("keeps the Kestra worker command when the stack config changes only the image", async () => {
    const plan = await planCloud("aws", { aws: { container: { image: "kestra/kestra:v1.1.6" } } });
    const task = plan.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
    const [def] = JSON.parse(task.inputs.containerDefinitions as string) as { image: string; command: string[] }[];
    assert.equal(def.image, "kestra/kestra:v1.1.6");
    assert.deepEqual(def.command, ["server", "worker"]);
    const custom = await planCloud("aws", { aws: { container: { image: "kestra/kestra:v1.1.6", command: ["server", "standalone"] } } });
    const customTask = custom.resources.find((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition")!;
    assert.deepEqual(JSON.parse(customTask.inputs.containerDefinitions as string)[0].command, ["server", "standalone"]);
  });
});
