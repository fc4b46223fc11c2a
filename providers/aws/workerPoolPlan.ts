/**
 * Planning of the AWS worker pool: EC2 hosts in an Auto Scaling group (`sandbox: "none"`) or ECS tasks on Fargate
 * (`sandbox: "runtime"`), decided in plain data. Validates the spec and the arguments together and throws one
 * InvalidArgsError listing every problem; creates nothing.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  DEFAULT_HARDENING,
  HardeningSpec,
  HostIdentityMode,
  InvalidArgsError,
  MetadataEndpointMode,
  ProxyEnvVar,
  ResolvedHardening,
  SandboxMode,
  resolveHardening,
  show,
} from "../../components";
import { checkBootScript, checkImageFamily, hostBootUserData } from "../../components/hostBoot";
import { AwsMetadataOptions, metadataOptionsFor } from "./metadataOptions";
import { checkFields, checkWholeNumber } from "../../components/validation";

/** The container the Fargate workers run (`sandbox: "runtime"`). */
export interface AwsWorkerContainerArgs {
  /** The image, e.g. `kestra/kestra:v0.20` or an ECR URI. */
  image: string;
  /**
   * Command override (the Kestra worker: `["server", "worker"]`).
   * @default the image's default command
   */
  command?: string[];
  /**
   * Plain environment variables. Never put secrets here: they are visible in the task definition.
   * @default {}
   */
  environment?: Record<string, string>;
  /**
   * Task CPU units (Fargate sizes: 256, 512, 1024, 2048, 4096, 8192, 16384).
   * @default 1024
   */
  cpu?: number;
  /**
   * Task memory in MiB, valid for the CPU size.
   * @default 2048
   */
  memory?: number;
  /**
   * The user the container runs as, `uid[:gid]`, never root.
   * @default "1000:1000"
   */
  user?: string;
  /**
   * Number of tasks.
   * @default 2
   */
  desiredCount?: number;
  /**
   * CPU architecture of the image.
   * @default "X86_64"
   */
  cpuArchitecture?: string;
  /**
   * The ECS execution role (pulls private images, writes logs). Used by the ECS agent only; the container never
   * sees its credentials. Required for ECR images and for `logGroupName`.
   * @default undefined (public images, no logging)
   */
  executionRoleArn?: pulumi.Input<string>;
  /**
   * The task role, whose credentials the container CAN read at 169.254.170.2. Only with `hostIdentity: "minimal"`.
   * @default undefined (no task role: the task metadata endpoint has no credentials to give)
   */
  taskRoleArn?: pulumi.Input<string>;
  /**
   * A CloudWatch Logs group for the container's output (awslogs driver).
   * @default undefined (no logging)
   */
  logGroupName?: pulumi.Input<string>;
  /**
   * Secret environment variables (ECS `secrets`): variable name -> the ARN of a Secrets Manager secret (optionally
   * with `:json-key:version-stage:version-id`) or of an SSM parameter. The ECS agent reads them with the execution
   * role (which needs `secretsmanager:GetSecretValue` / `ssm:GetParameters` on them) and injects them at start;
   * the task definition holds only the ARNs. Requires `executionRoleArn`. Use this, not `environment`, for the
   * Kestra datasource password.
   * @default {}
   */
  secrets?: Readonly<Record<string, string>>;
}

/** An ECR image URI: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>...`. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//;
/** The ARN of a Secrets Manager secret or an SSM parameter, what ECS `secrets[].valueFrom` takes. */
const SECRET_ARN = /^arn:aws[a-z-]*:(?:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+|ssm:[a-z0-9-]+:\d{12}:parameter\/.+)$/;

/** Arguments of {@link AwsWorkerPool}. */
export interface AwsWorkerPoolArgs {
  /**
   * The hardening contract; resolved and validated before anything is created.
   * @default {} (the strictest settings)
   */
  hardening?: HardeningSpec;
  /** The worker subnets (`AwsWorkerNetwork.workloadSubnetIds`). */
  subnetIds: pulumi.Input<string>[];
  /** Security groups of the workers (`AwsWorkerNetwork.workerSecurityGroupId`). */
  securityGroupIds: pulumi.Input<string>[];
  /** AMI of the hosts; required with `sandbox: "none"`. @default undefined */
  imageId?: pulumi.Input<string>;
  /**
   * EC2 instance type.
   * @default "t3.large"
   */
  instanceType?: string;
  /**
   * Smallest number of hosts.
   * @default 1
   */
  minSize?: number;
  /**
   * Largest number of hosts.
   * @default 3
   */
  maxSize?: number;
  /**
   * Root volume size, GiB (gp3, always encrypted).
   * @default 30
   */
  rootVolumeSizeGiB?: number;
  /**
   * Root device name of the AMI.
   * @default "/dev/xvda"
   */
  rootDeviceName?: string;
  /**
   * KMS key for the EBS volumes.
   * @default undefined (the account's default EBS key)
   */
  ebsKmsKeyArn?: pulumi.Input<string>;
  /**
   * The caller's instance profile (ARN), required with `hostIdentity: "minimal"` and refused otherwise. The pool
   * never creates a role or profile.
   * @default undefined
   */
  instanceProfileArn?: pulumi.Input<string>;
  /**
   * The hosts run the ECS agent (ECS-optimized AMI) and join this cluster: adds `ECS_AWSVPC_BLOCK_IMDS=true`,
   * the DOCKER-USER drop and `ECS_DISABLE_PRIVILEGED=true`.
   * @default undefined (the hosts do not run ECS)
   */
  ecsClusterName?: pulumi.Input<string>;
  /**
   * The hosts' own program, run once at the end of the first boot (installs and starts the worker, e.g. the Kestra
   * worker: see docs/aws.md). Must start with an interpreter line such as `#!/bin/sh`; cloud-init runs it as a
   * `text/x-shellscript` part after the host firewall is in force. The egress proxy's variables are in
   * /etc/environment.
   * @default undefined
   */
  bootScript?: string;
  /**
   * Let containers on ECS hosts reach the ECS agent's task metadata and task-role credentials (169.254.170.2:80,
   * which ECS redirects to the agent). Tasks with a task role need it; the host firewall refuses it otherwise.
   * An explicit, weaker choice: any container can then ask the agent, which answers only for a credentials id it
   * was given. Only with `ecsClusterName`.
   * @default false
   */
  ecsTaskCredentials?: boolean;
  /** The Fargate container, required with `sandbox: "runtime"`. @default undefined */
  container?: AwsWorkerContainerArgs;
  /**
   * Also set the account/region IMDS defaults (`aws.ec2.InstanceMetadataDefaults`: tokens required, hop limit 1)
   * for every instance launched without explicit options. Account-wide, so opt-in.
   * @default false
   */
  accountMetadataDefaults?: boolean;
  /**
   * The egress proxy's variables (AwsWorkerNetwork `proxyEnv`, with `l7Filter: "egressProxy"`): on EC2 hosts they
   * are written to /etc/environment and exported to the boot script; on Fargate they are added to the container's
   * environment (replacing variables of the same name).
   * @default [] (no proxy)
   */
  proxyEnv?: pulumi.Input<pulumi.Input<ProxyEnvVar>[]>;
  /**
   * Tags for every resource the pool creates.
   * @default {}
   */
  tags?: Record<string, string>;
}

/** The AWS minimum of an Auto Scaling group's `maxInstanceLifetime`: one day. */
export const AWS_MIN_INSTANCE_LIFETIME_SECONDS = 86400;

/** EC2 hosts plan. */
export interface AwsEc2PoolPlan {
  readonly instanceType: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly rootVolumeSizeGiB: number;
  readonly rootDeviceName: string;
  readonly metadataOptions: AwsMetadataOptions;
  /** Seconds; at least the AWS minimum. */
  readonly maxInstanceLifetime: number;
  /** True when the spec's lifetime was below the AWS minimum and was rounded up. */
  readonly lifetimeRoundedUp: boolean;
  /** Whether the hosts run the ECS agent. */
  readonly runsEcs: boolean;
  /** Whether an instance profile is attached (the caller's). */
  readonly instanceProfile: boolean;
  /**
   * `metadataEndpoint: blocked`: IMDS stays on to boot (EC2 delivers user data through it), root only; once
   * cloud-init's final stage has finished, the host firewall refuses it to every uid.
   */
  readonly sealAfterBoot: boolean;
  /** Containers may reach the ECS agent's credentials endpoint (`ecsTaskCredentials`). */
  readonly ecsTaskCredentials: boolean;
}

/** Fargate plan. */
export interface AwsFargatePlan {
  readonly image: string;
  readonly command: readonly string[] | undefined;
  readonly environment: readonly { name: string; value: string }[];
  readonly cpu: number;
  readonly memory: number;
  readonly user: string;
  readonly desiredCount: number;
  readonly cpuArchitecture: string;
  readonly taskRole: boolean;
  readonly logging: boolean;
  /** ECS `secrets`: variables the agent fills from Secrets Manager or SSM, sorted by name. */
  readonly secrets: readonly { name: string; valueFrom: string }[];
}

/** Everything the pool creates. Exactly one of `ec2` and `fargate` is set. */
export interface AwsWorkerPoolPlan {
  readonly hardening: ResolvedHardening;
  readonly ec2: AwsEc2PoolPlan | undefined;
  readonly fargate: AwsFargatePlan | undefined;
  readonly accountMetadataDefaults: boolean;
  readonly tags: Readonly<Record<string, string>>;
}

const FARGATE_CPU = [256, 512, 1024, 2048, 4096, 8192, 16384];
const POOL_FIELDS = [
  "hardening", "subnetIds", "securityGroupIds", "imageId", "instanceType", "minSize", "maxSize", "rootVolumeSizeGiB",
  "rootDeviceName", "ebsKmsKeyArn", "instanceProfileArn", "ecsClusterName", "bootScript", "container",
  "accountMetadataDefaults", "proxyEnv", "tags", "ecsTaskCredentials",
];
const EC2_ONLY = ["imageId", "instanceType", "minSize", "maxSize", "rootVolumeSizeGiB", "rootDeviceName", "ebsKmsKeyArn", "instanceProfileArn", "ecsClusterName", "bootScript", "ecsTaskCredentials"] as const;
const USER = /^(\d+)(:(\d+))?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Lifetime in seconds from the spec's hours, rounded up to the AWS minimum. */
export function maxInstanceLifetimeFor(spec: Pick<ResolvedHardening, "ephemeral">): { seconds: number; roundedUp: boolean } {
  const wanted = spec.ephemeral.maxLifetimeHours * 3600;
  return wanted < AWS_MIN_INSTANCE_LIFETIME_SECONDS ? { seconds: AWS_MIN_INSTANCE_LIFETIME_SECONDS, roundedUp: true } : { seconds: wanted, roundedUp: false };
}

function checkCommon(args: AwsWorkerPoolArgs, issues: string[]): void {
  checkFields(issues, "", args, POOL_FIELDS, { noun: "argument" });
  if (!Array.isArray(args.subnetIds) || args.subnetIds.length === 0) issues.push(`subnetIds ${show(args.subnetIds)} must list at least one worker subnet.`);
  if (!Array.isArray(args.securityGroupIds) || args.securityGroupIds.length === 0) {
    issues.push(`securityGroupIds ${show(args.securityGroupIds)} must list the worker security group; without one AWS attaches the VPC's default group.`);
  }
  for (const [k, v] of Object.entries(args.tags ?? {})) {
    if (k === "Name" || k.startsWith("hardening:") || k.startsWith("aws:")) issues.push(`tags.${k} is reserved; the pool sets Name and hardening:* itself.`);
    if (typeof v !== "string") issues.push(`tags.${k} ${show(v)} must be a string.`);
  }
}

function planEc2(args: AwsWorkerPoolArgs, spec: ResolvedHardening, issues: string[]): AwsEc2PoolPlan {
  if (args.imageId === undefined) issues.push(`imageId is required with hardening.sandbox "none": give the AMI of the worker hosts.`);
  if (args.container !== undefined) issues.push(`container is set but hardening.sandbox is "none" (EC2 hosts); set sandbox to "runtime" for Fargate or remove container.`);
  if (args.minSize !== undefined) checkWholeNumber(issues, "minSize", args.minSize, 0, 1000);
  if (args.maxSize !== undefined) checkWholeNumber(issues, "maxSize", args.maxSize, 1, 1000);
  if (args.rootVolumeSizeGiB !== undefined) checkWholeNumber(issues, "rootVolumeSizeGiB", args.rootVolumeSizeGiB, 8, 16384);
  const minSize = args.minSize ?? 1;
  const maxSize = args.maxSize ?? 3;
  if (Number.isInteger(minSize) && Number.isInteger(maxSize) && minSize > maxSize) issues.push(`minSize ${minSize} is larger than maxSize ${maxSize}.`);
  const minimal = spec.hostIdentity === HostIdentityMode.Minimal;
  if (minimal && args.instanceProfileArn === undefined) {
    issues.push(`instanceProfileArn is required with hardening.hostIdentity "minimal": give your own narrowly scoped instance profile; the pool never creates one.`);
  }
  if (!minimal && args.instanceProfileArn !== undefined) {
    issues.push(`instanceProfileArn is set but hardening.hostIdentity is "none"; set hostIdentity to "minimal" or remove the profile.`);
  }
  const blocked = spec.metadataEndpoint === MetadataEndpointMode.Blocked;
  if (minimal && blocked) {
    issues.push(`hardening.hostIdentity "minimal" needs the metadata endpoint (EC2 delivers instance-profile credentials through IMDS), but hardening.metadataEndpoint is "blocked"; set metadataEndpoint to "tokenRequired" or hostIdentity to "none".`);
  }
  const runsEcs = args.ecsClusterName !== undefined;
  if (runsEcs && !minimal) {
    issues.push(`ecsClusterName is set but hardening.hostIdentity is "none": the ECS agent registers with an instance profile (ecs:RegisterContainerInstance); set hostIdentity "minimal" with instanceProfileArn.`);
  }
  if (runsEcs && blocked) {
    issues.push(`ecsClusterName is set but hardening.metadataEndpoint is "blocked": the ECS agent reads its identity and credentials from IMDS; set metadataEndpoint to "tokenRequired" (the host firewall and ECS_AWSVPC_BLOCK_IMDS keep tasks away from it).`);
  }
  checkBootScript("bootScript", args.bootScript, issues);
  // An AMI id says nothing about its family, but an SSM parameter path (resolve:ssm:/aws/service/...) does.
  checkImageFamily("imageId", args.imageId, issues);
  if (args.ecsTaskCredentials !== undefined && typeof args.ecsTaskCredentials !== "boolean") issues.push(`ecsTaskCredentials ${show(args.ecsTaskCredentials)} must be true or false.`);
  if (args.ecsTaskCredentials === true && !runsEcs) issues.push(`ecsTaskCredentials is set but ecsClusterName is not: only ECS hosts have a task credentials agent; remove it or set ecsClusterName.`);
  const lifetime = maxInstanceLifetimeFor(spec);
  return {
    instanceType: args.instanceType ?? "t3.large",
    minSize,
    maxSize,
    rootVolumeSizeGiB: args.rootVolumeSizeGiB ?? 30,
    rootDeviceName: args.rootDeviceName ?? "/dev/xvda",
    metadataOptions: metadataOptionsFor(spec),
    maxInstanceLifetime: lifetime.seconds,
    lifetimeRoundedUp: lifetime.roundedUp,
    runsEcs,
    instanceProfile: minimal,
    sealAfterBoot: blocked,
    ecsTaskCredentials: args.ecsTaskCredentials === true,
  };
}

function planFargate(args: AwsWorkerPoolArgs, spec: ResolvedHardening, issues: string[]): AwsFargatePlan | undefined {
  for (const key of EC2_ONLY) {
    if (args[key] !== undefined) issues.push(`${key} is set but hardening.sandbox is "runtime" (Fargate tasks, no hosts); remove it or set sandbox to "none".`);
  }
  const c = args.container;
  if (c === undefined) {
    issues.push(`container is required with hardening.sandbox "runtime": give at least { image } for the Fargate workers.`);
    return undefined;
  }
  if (typeof c.image !== "string" || c.image.trim() === "") issues.push(`container.image ${show(c.image)} must name an image.`);
  const cpu = c.cpu ?? 1024;
  if (!FARGATE_CPU.includes(cpu)) issues.push(`container.cpu ${show(c.cpu)} is not a Fargate size; use one of ${FARGATE_CPU.join(", ")}.`);
  if (c.memory !== undefined) checkWholeNumber(issues, "container.memory", c.memory, 512, 122880);
  if (c.desiredCount !== undefined) checkWholeNumber(issues, "container.desiredCount", c.desiredCount, 0, 1000);
  const user = c.user ?? "1000:1000";
  const m = USER.exec(String(user));
  if (!m) issues.push(`container.user ${show(c.user)} must be a numeric uid[:gid] such as "1000:1000" (names cannot be checked for root).`);
  else if (Number(m[1]) === 0 || (m[3] !== undefined && Number(m[3]) === 0)) issues.push(`container.user ${show(c.user)} is root; use a non-root uid:gid such as "1000:1000".`);
  const env = Object.entries(c.environment ?? {});
  for (const [k, v] of env) {
    if (!ENV_NAME.test(k)) issues.push(`container.environment.${k} is not a valid variable name.`);
    if (typeof v !== "string") issues.push(`container.environment.${k} must be a string.`);
  }
  const minimal = spec.hostIdentity === HostIdentityMode.Minimal;
  if (minimal && c.taskRoleArn === undefined) {
    issues.push(`container.taskRoleArn is required with hardening.hostIdentity "minimal": give your own narrowly scoped task role; the pool never creates one.`);
  }
  if (!minimal && c.taskRoleArn !== undefined) {
    issues.push(`container.taskRoleArn is set but hardening.hostIdentity is "none"; set hostIdentity to "minimal" or remove the role.`);
  }
  if (c.logGroupName !== undefined && c.executionRoleArn === undefined) {
    issues.push(`container.logGroupName needs container.executionRoleArn (the ECS agent writes the logs with it).`);
  }
  const image = String(c.image ?? "").trim();
  if (ECR_IMAGE.test(image) && c.executionRoleArn === undefined) {
    issues.push(`container.image ${show(image)} is in ECR but container.executionRoleArn is not set; ECS pulls private ECR images with the execution role (ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer).`);
  }
  const secrets = Object.entries(c.secrets ?? {});
  for (const [k, v] of secrets) {
    if (!ENV_NAME.test(k)) issues.push(`container.secrets.${k} is not a valid variable name.`);
    if (typeof v !== "string" || !SECRET_ARN.test(v)) {
      issues.push(`container.secrets.${k} ${show(v)} must be the ARN of a Secrets Manager secret or an SSM parameter ("arn:aws:secretsmanager:<region>:<account>:secret:<name>").`);
    }
    if (Object.hasOwn(c.environment ?? {}, k)) issues.push(`container.secrets.${k} is also in container.environment; give it once, as a secret.`);
  }
  if (secrets.length > 0 && c.executionRoleArn === undefined) {
    issues.push(`container.secrets needs container.executionRoleArn (the ECS agent reads the secrets with it).`);
  }
  const arch = c.cpuArchitecture ?? "X86_64";
  if (!["X86_64", "ARM64"].includes(arch)) issues.push(`container.cpuArchitecture ${show(arch)} must be "X86_64" or "ARM64".`);
  return {
    image,
    command: c.command,
    environment: env.map(([name, value]) => ({ name, value })).sort((a, b) => a.name.localeCompare(b.name)),
    cpu,
    memory: c.memory ?? 2048,
    user,
    desiredCount: c.desiredCount ?? 2,
    cpuArchitecture: arch,
    taskRole: minimal,
    logging: c.logGroupName !== undefined,
    secrets: secrets.map(([name, valueFrom]) => ({ name, valueFrom })).sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** The defaults overridden by each field of `raw` that is valid on its own. */
function bestEffortSpec(raw: HardeningSpec | undefined): ResolvedHardening {
  const r = (raw ?? {}) as Record<string, unknown>;
  const pick = <T extends string>(value: unknown, allowed: Record<string, T>, fallback: T): T =>
    (Object.values(allowed) as unknown[]).includes(value) ? (value as T) : fallback;
  const d = DEFAULT_HARDENING;
  return {
    ...d,
    sandbox: pick(r.sandbox, SandboxMode, d.sandbox),
    hostIdentity: pick(r.hostIdentity, HostIdentityMode, d.hostIdentity),
    metadataEndpoint: pick(r.metadataEndpoint, MetadataEndpointMode, d.metadataEndpoint),
  };
}

/**
 * Decides the pool. `sandbox: "runtime"` -> Fargate tasks (no IMDS, a kernel per task); `"none"` -> EC2 hosts in
 * an Auto Scaling group with the spec's metadata options and the host firewall.
 *
 * @throws InvalidArgsError listing every problem in the spec and the arguments.
 */
export function planAwsWorkerPool(args: AwsWorkerPoolArgs): AwsWorkerPoolPlan {
  const issues: string[] = [];
  let spec: ResolvedHardening | undefined;
  try {
    spec = resolveHardening(args.hardening);
  } catch (e) {
    if (!(e instanceof InvalidArgsError)) throw e;
    issues.push(...e.issues);
  }
  checkCommon(args, issues);
  // With an invalid spec, the arguments are still checked against its valid fields, so one run lists everything.
  const effective = spec ?? bestEffortSpec(args.hardening);
  let ec2: AwsEc2PoolPlan | undefined;
  let fargate: AwsFargatePlan | undefined;
  if (effective.sandbox === SandboxMode.Runtime) fargate = planFargate(args, effective, issues);
  else ec2 = planEc2(args, effective, issues);
  if (issues.length > 0 || spec === undefined) throw new InvalidArgsError(issues);
  return { hardening: spec, ec2, fargate, accountMetadataDefaults: args.accountMetadataDefaults === true, tags: { ...(args.tags ?? {}) } };
}

/**
 * The hosts' user data, plain text (the launch template wants it base64-encoded): the boot path of
 * components/hostBoot.ts. A `#cloud-boothook` installs the host firewall, its units and the drop-ins that keep the
 * container runtime and the ECS agent from starting without it, writes the ECS agent settings, and applies the
 * rules; the final stage then writes the proxy variables, runs the caller's boot script and, with
 * `metadataEndpoint: blocked`, seals the metadata endpoints for every uid. The ECS agent starts after cloud-init's
 * final stage on ECS-optimized AMIs, so it reads the settings written here.
 */
export function userDataFor(plan: AwsEc2PoolPlan, ecsClusterName: string | undefined, bootScript: string | undefined, proxyEnv: readonly ProxyEnvVar[] = []): string {
  const ecs = plan.runsEcs && ecsClusterName !== undefined;
  return hostBootUserData({
    firewall: {
      cloud: "aws",
      allowedUid: 0,
      containers: plan.runsEcs ? ["docker", "ecs"] : ["docker"],
      agentExceptions: plan.ecsTaskCredentials ? ["aws-ecs-task-credentials"] : [],
    },
    sealAfterBoot: plan.sealAfterBoot,
    // The ECS agent manages its own containers (and runs in the host's namespaces); user-namespace remapping is
    // for hosts where the worker starts containers itself (Kestra's Docker task runner).
    hardenDocker: !plan.runsEcs,
    proxyEnv,
    ecsConfig: ecs ? [`ECS_CLUSTER=${ecsClusterName}`, "ECS_DISABLE_PRIVILEGED=true", "ECS_AWSVPC_BLOCK_IMDS=true"] : [],
    ...(bootScript !== undefined && bootScript.trim() !== "" ? { bootScript } : {}),
  });
}

/** The writable scratch volume the read-only container gets at /tmp (Fargate ephemeral storage, per task). */
export const SCRATCH_VOLUME = { name: "scratch", containerPath: "/tmp" } as const;

/**
 * The ECS container definitions (JSON) of the Fargate worker: non-root user, read-only root filesystem with a
 * per-task scratch /tmp, not privileged, every Linux capability dropped, no port mappings (workers only dial out);
 * secret variables as ECS `secrets` (ARNs only).
 */
export function containerDefinitionsFor(plan: AwsFargatePlan, logging?: { logGroupName: string; region: string }): string {
  return JSON.stringify([
    {
      name: "worker",
      image: plan.image,
      essential: true,
      ...(plan.command ? { command: [...plan.command] } : {}),
      environment: plan.environment.map((e) => ({ ...e })),
      ...(plan.secrets.length > 0 ? { secrets: plan.secrets.map((e) => ({ ...e })) } : {}),
      user: plan.user,
      readonlyRootFilesystem: true,
      privileged: false,
      linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
      mountPoints: [{ sourceVolume: SCRATCH_VOLUME.name, containerPath: SCRATCH_VOLUME.containerPath, readOnly: false }],
      portMappings: [],
      ...(logging
        ? { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": logging.logGroupName, "awslogs-region": logging.region, "awslogs-stream-prefix": "worker" } } }
        : {}),
    },
  ]);
}
