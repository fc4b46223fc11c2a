import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { AwsWorkerPool } from "../../../providers/aws/workerPool";
import { AwsWorkerPoolArgs } from "../../../providers/aws/workerPoolPlan";
import { awsOfflineCalls, awsOfflineState } from "../../../program/clouds/aws";

const net = { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-workers"] };

async function build(args: AwsWorkerPoolArgs): Promise<{ resources: RecordedResource[]; pool: AwsWorkerPool }> {
  const run = await runUnderMocks(
    async () => {
      const pool = new AwsWorkerPool("p", args);
      const ids: pulumi.Output<unknown>[] = [pool.controls];
      if (pool.autoScalingGroup) ids.push(pool.autoScalingGroup.id);
      if (pool.service) ids.push(pool.service.id);
      if (pool.accountMetadataDefaults) ids.push(pool.accountMetadataDefaults.id);
      await new Promise((resolve) => pulumi.all(ids).apply(resolve));
      return pool;
    },
    { calls: awsOfflineCalls, state: awsOfflineState },
  );
  return { resources: run.resources, pool: run.result };
}

const of = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const STRICT = { httpTokens: "required", httpPutResponseHopLimit: 1, httpProtocolIpv6: "disabled", instanceMetadataTags: "disabled" };

describe("AwsWorkerPool (mocks)", () => {
  it("EC2, metadata blocked (default): IMDSv2 only with hop limit 1 for the boot, every other option strict, no public IP, encrypted gp3, no instance profile", async () => {
    const { resources } = await build({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1" });
    const [lt] = of(resources, "aws:ec2/launchTemplate:LaunchTemplate");
    assert.deepEqual(lt.inputs.metadataOptions, { httpEndpoint: "enabled", ...STRICT });
    assert.deepEqual(lt.inputs.networkInterfaces, [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: ["sg-workers"] }]);
    assert.deepEqual(lt.inputs.blockDeviceMappings, [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 30, deleteOnTermination: "true" } }]);
    assert.equal(lt.inputs.iamInstanceProfile, undefined);
    assert.equal(lt.inputs.vpcSecurityGroupIds, undefined);
    const userData = Buffer.from(lt.inputs.userData as string, "base64").toString();
    assert.match(userData, /^Content-Type: multipart\/mixed/);
    assert.match(userData, /filename="99-hardening-seal\.sh"/, "the endpoint is sealed once the host has booted");
    assert.equal(of(resources, "aws:iam/role:Role").length + of(resources, "aws:iam/instanceProfile:InstanceProfile").length, 0);
    assert.equal(of(resources, "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults").length, 0, "the account guardrail is opt-in");
  });

  it("EC2, tokenRequired: IMDSv2 only, hop limit 1, IPv6 and tags off", async () => {
    const { resources } = await build({ ...net, hardening: { sandbox: "none", metadataEndpoint: "tokenRequired" }, imageId: "ami-1" });
    assert.deepEqual(of(resources, "aws:ec2/launchTemplate:LaunchTemplate")[0].inputs.metadataOptions, { httpEndpoint: "enabled", ...STRICT });
  });

  it("EC2: the Auto Scaling group spans the worker subnets, replaces hosts within the lifetime and refreshes on template change", async () => {
    const { resources } = await build({ ...net, hardening: { sandbox: "none", ephemeral: { maxLifetimeHours: 6 } }, imageId: "ami-1", minSize: 2, maxSize: 5 });
    const [asg] = of(resources, "aws:autoscaling/group:Group");
    assert.deepEqual(asg.inputs.vpcZoneIdentifiers, ["subnet-1", "subnet-2"]);
    assert.equal(asg.inputs.maxInstanceLifetime, 86400, "6 h rounds up to the AWS minimum of one day");
    assert.deepEqual(asg.inputs.launchTemplate, { id: "p-launch-template-id", version: "1" });
    assert.deepEqual(asg.inputs.instanceRefresh, { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } });
    assert.deepEqual([asg.inputs.minSize, asg.inputs.maxSize], [2, 5]);
  });

  it("EC2, hostIdentity minimal: the caller's instance profile, and nothing broader is created", async () => {
    const profile = "arn:aws:iam::123456789012:instance-profile/kestra-worker";
    const { resources } = await build({
      ...net,
      hardening: { sandbox: "none", hostIdentity: "minimal", metadataEndpoint: "tokenRequired" },
      imageId: "ami-1",
      instanceProfileArn: profile,
    });
    assert.deepEqual(of(resources, "aws:ec2/launchTemplate:LaunchTemplate")[0].inputs.iamInstanceProfile, { arn: profile });
    assert.equal(resources.filter((r) => r.type.startsWith("aws:iam/")).length, 0);
  });

  it("sandbox runtime (default): Fargate task awsvpc, non-root, read-only, unprivileged, no task role, service without public IP", async () => {
    const { resources } = await build({ ...net, container: { image: "kestra/kestra:v0.20", command: ["server", "worker"] } });
    assert.equal(of(resources, "aws:ec2/launchTemplate:LaunchTemplate").length, 0);
    const [td] = of(resources, "aws:ecs/taskDefinition:TaskDefinition");
    assert.deepEqual(td.inputs.requiresCompatibilities, ["FARGATE"]);
    assert.equal(td.inputs.networkMode, "awsvpc");
    assert.equal(td.inputs.taskRoleArn, undefined);
    const [container] = JSON.parse(td.inputs.containerDefinitions as string);
    assert.deepEqual(
      { user: container.user, readonlyRootFilesystem: container.readonlyRootFilesystem, privileged: container.privileged, drop: container.linuxParameters.capabilities.drop },
      { user: "1000:1000", readonlyRootFilesystem: true, privileged: false, drop: ["ALL"] },
    );
    const [svc] = of(resources, "aws:ecs/service:Service");
    assert.deepEqual(svc.inputs.networkConfiguration, { subnets: ["subnet-1", "subnet-2"], securityGroups: ["sg-workers"], assignPublicIp: false });
    assert.equal(svc.inputs.launchType, "FARGATE");
    assert.equal(svc.inputs.enableExecuteCommand, false);
  });

  it("Fargate with logging: awslogs in the offline region, through the caller's execution role", async () => {
    const { resources } = await build({ ...net, container: { image: "img", executionRoleArn: "arn:aws:iam::1:role/exec", logGroupName: "/kestra/workers" } });
    const [td] = of(resources, "aws:ecs/taskDefinition:TaskDefinition");
    assert.equal(td.inputs.executionRoleArn, "arn:aws:iam::1:role/exec");
    assert.deepEqual(JSON.parse(td.inputs.containerDefinitions as string)[0].logConfiguration, {
      logDriver: "awslogs",
      options: { "awslogs-group": "/kestra/workers", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "worker" },
    });
  });

  it("the opt-in account guardrail: tokens required, hop limit 1", async () => {
    const { resources } = await build({ ...net, container: { image: "img" }, accountMetadataDefaults: true });
    const [d] = of(resources, "aws:ec2/instanceMetadataDefaults:InstanceMetadataDefaults");
    assert.deepEqual(d.inputs, { httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" });
  });

  it("an invalid spec or arguments register nothing, the component included", async () => {
    let message = "";
    const run = await runUnderMocks(
      () => {
        try {
          new AwsWorkerPool("bad", { ...net, hardening: { sandbox: "none", hostIdentity: "root" as never } });
        } catch (e) {
          message = (e as Error).message;
        }
      },
      { calls: awsOfflineCalls, state: awsOfflineState },
    );
    assert.deepEqual(run.resources, []);
    assert.equal(message, 'AwsWorkerPool "bad": invalid arguments:\n - hardening.hostIdentity "root" is not one of "none", "minimal".\n - imageId is required with hardening.sandbox "none": give the AMI of the worker hosts.');
  });

  it("every resource its controls report names was registered", async () => {
    const cases: AwsWorkerPoolArgs[] = [
      { ...net, hardening: { sandbox: "none" }, imageId: "ami-1" },
      { ...net, container: { image: "img" }, accountMetadataDefaults: true },
    ];
    for (const args of cases) {
      const { resources, pool } = await build(args);
      const names = new Set(resources.map((r) => r.name));
      const controls = await new Promise<{ id: string; resources: string[] }[]>((r) => pool.controls.apply(r));
      for (const c of controls) for (const name of c.resources) assert.ok(names.has(name), `${c.id} names ${name}, which was not created`);
    }
  });
});
