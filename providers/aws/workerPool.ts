/**
 * AwsWorkerPool: where the untrusted code runs. EC2 hosts in an Auto Scaling group with IMDS off (or IMDSv2 with
 * hop limit 1), the host firewall, no public IP and no instance profile by default; or, with `sandbox: "runtime"`,
 * ECS tasks on Fargate (no IMDS, a kernel per task). Thin: decisions are in workerPoolPlan.ts, the report in
 * controls.ts.
 */
import { kestraForcedRunnerConfig } from "../../components/kestraTaskRunner";
import * as pulumi from "@pulumi/pulumi";
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as ec2 from "@pulumi/aws/ec2";
import * as ecs from "@pulumi/aws/ecs";
import { getRegionOutput } from "@pulumi/aws/getRegion";
import { ControlReport, HardeningSpec, ProxyEnvVar } from "../../components";
import { hardeningSpecOf } from "./networkPlan";
import { awsWorkerPoolControlsFor } from "./controls";
import { instanceMetadataDefaultsFor } from "./metadataOptions";
import { AwsWorkerPoolArgs, AwsWorkerPoolPlan, SCRATCH_VOLUME, containerDefinitionsFor, planAwsWorkerPool, userDataFor } from "./workerPoolPlan";
import { planForComponent } from "../planForComponent";
import { withEnforcement } from "../../components/controlCatalogue";

const TYPE = "hardening:index:AwsWorkerPool";

/**
 * Hardened workers on AWS. Guarantees, whatever else the caller's program does: the metadata options of the spec on
 * every host, the host firewall applied before any container starts, no public address, encrypted volumes, no
 * identity unless the caller passes their own, and hosts replaced within the spec's lifetime (AWS minimum 24 h).
 */
export class AwsWorkerPool extends pulumi.ComponentResource {
  /** The resolved spec this pool implements: every default filled in, rules normalised. */
  readonly hardening: pulumi.Output<HardeningSpec>;
  /** One entry per control applied (and the ones that do not apply). */
  readonly controls: pulumi.Output<ControlReport[]>;
  /**
   * Kestra configuration (YAML) for workers on the EC2 hosts (undefined on Fargate, where tasks get no Docker): plugin defaults with `forced: true` that pin every
   * script task to the Docker task runner with no host network, not privileged, no volumes and a non-root user,
   * and `volume-enabled: false`, so flows that never went through `hardening scan` cannot ask the host's Docker
   * for the host (components/kestraTaskRunner.ts). Put it in the workers' and the server's configuration.
   */
  readonly kestraRunnerConfigYaml: pulumi.Output<string> | undefined;

  /** EC2 mode: the launch template. */
  readonly launchTemplate: ec2.LaunchTemplate | undefined;
  /** EC2 mode: the Auto Scaling group. */
  readonly autoScalingGroup: autoscaling.Group | undefined;
  /** Fargate mode: the cluster. */
  readonly cluster: ecs.Cluster | undefined;
  /** Fargate mode: the task definition. */
  readonly taskDefinition: ecs.TaskDefinition | undefined;
  /** Fargate mode: the service. */
  readonly service: ecs.Service | undefined;
  /** The opt-in account guardrail. */
  readonly accountMetadataDefaults: ec2.InstanceMetadataDefaults | undefined;

  constructor(name: string, args: AwsWorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planOrThrow(name, args);
    super(TYPE, name, {}, opts);
    this.hardening = pulumi.output(hardeningSpecOf(plan.hardening));
    const parent = { parent: this };
    const n = (key: string) => `${name}-${key}`;
    const tags = (key: string) => ({ ...plan.tags, Name: n(key), "hardening:role": "workload" });

    if (plan.ec2) {
      const p = plan.ec2;
      const userData = pulumi
        .all([pulumi.output(args.ecsClusterName), pulumi.output(args.proxyEnv ?? [])])
        .apply(([cluster, env]) => Buffer.from(userDataFor(p, cluster, args.bootScript, env as ProxyEnvVar[])).toString("base64"));
      this.launchTemplate = new ec2.LaunchTemplate(
        n("launch-template"),
        {
          imageId: args.imageId,
          instanceType: p.instanceType,
          metadataOptions: { ...p.metadataOptions },
          // The interface carries the security group, so nothing can launch with the VPC's default group.
          networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: "false", deleteOnTermination: "true", securityGroups: args.securityGroupIds }],
          blockDeviceMappings: [
            {
              deviceName: p.rootDeviceName,
              ebs: { encrypted: "true", volumeType: "gp3", volumeSize: p.rootVolumeSizeGiB, deleteOnTermination: "true", kmsKeyId: args.ebsKmsKeyArn },
            },
          ],
          ...(p.instanceProfile ? { iamInstanceProfile: { arn: args.instanceProfileArn } } : {}),
          userData,
          updateDefaultVersion: true,
          tagSpecifications: [
            { resourceType: "instance", tags: tags("worker") },
            { resourceType: "volume", tags: tags("worker") },
          ],
          tags: tags("launch-template"),
        },
        parent,
      );
      this.autoScalingGroup = new autoscaling.Group(
        n("asg"),
        {
          vpcZoneIdentifiers: args.subnetIds,
          minSize: p.minSize,
          maxSize: p.maxSize,
          maxInstanceLifetime: p.maxInstanceLifetime,
          // A concrete version (not "$Latest") so a template change is a change of the group, which starts the refresh.
          launchTemplate: { id: this.launchTemplate.id, version: this.launchTemplate.latestVersion.apply((v) => `${v}`) },
          instanceRefresh: { strategy: "Rolling", preferences: { minHealthyPercentage: 50 } },
          healthCheckType: "EC2",
          tags: Object.entries(tags("worker")).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        },
        parent,
      );
    }

    if (plan.fargate) {
      const f = plan.fargate;
      const c = args.container as NonNullable<AwsWorkerPoolArgs["container"]>;
      this.cluster = new ecs.Cluster(n("cluster"), { tags: tags("cluster") }, parent);
      const logging: pulumi.Output<{ logGroupName: string; region: string } | undefined> = f.logging
        ? pulumi.all([c.logGroupName as pulumi.Input<string>, getRegionOutput({}, parent).region]).apply(([logGroupName, region]) => ({ logGroupName, region }))
        : pulumi.output(undefined);
      this.taskDefinition = new ecs.TaskDefinition(
        n("task"),
        {
          family: n("task"),
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: `${f.cpu}`,
          memory: `${f.memory}`,
          runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: f.cpuArchitecture },
          executionRoleArn: c.executionRoleArn,
          ...(f.taskRole ? { taskRoleArn: c.taskRoleArn } : {}),
          volumes: [{ name: SCRATCH_VOLUME.name }],
          // The egress proxy's variables replace any of the same name the caller set.
          containerDefinitions: pulumi.all([logging, pulumi.output(args.proxyEnv ?? [])]).apply(([l, env]) => {
            const proxy = env as ProxyEnvVar[];
            const names = new Set(proxy.map((e) => e.name));
            return containerDefinitionsFor({ ...f, environment: [...f.environment.filter((e) => !names.has(e.name)), ...proxy.map((e) => ({ name: e.name, value: e.value }))] }, l);
          }),
          tags: tags("task"),
        },
        parent,
      );
      this.service = new ecs.Service(
        n("service"),
        {
          cluster: this.cluster.arn,
          taskDefinition: this.taskDefinition.arn,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          desiredCount: f.desiredCount,
          networkConfiguration: { subnets: args.subnetIds, securityGroups: args.securityGroupIds, assignPublicIp: false },
          // ECS Exec would open a shell channel through SSM into the task; workers do not need one.
          enableExecuteCommand: false,
          propagateTags: "TASK_DEFINITION",
          tags: tags("service"),
        },
        parent,
      );
    }

    this.accountMetadataDefaults = plan.accountMetadataDefaults
      ? new ec2.InstanceMetadataDefaults(n("account-imds-defaults"), { ...instanceMetadataDefaultsFor() }, parent)
      : undefined;

    this.controls = pulumi.output(withEnforcement(awsWorkerPoolControlsFor(name, plan)));
    this.kestraRunnerConfigYaml = plan.ec2 && !plan.ec2.runsEcs ? pulumi.output(kestraForcedRunnerConfig({ runner: "docker" }).yaml) : undefined;
    this.registerOutputs({ controls: this.controls, hardening: this.hardening, kestraRunnerConfigYaml: this.kestraRunnerConfigYaml });
  }
}

function planOrThrow(name: string, args: AwsWorkerPoolArgs): AwsWorkerPoolPlan {
  return planForComponent("AwsWorkerPool", name, () =>
    planAwsWorkerPool(args ?? ({} as AwsWorkerPoolArgs)),
  );
}
