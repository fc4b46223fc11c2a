import * as assert from "node:assert/strict";
import { InvalidArgsError, proxyEnvScript, resolveHardening } from "../../../components";
import {
  AwsWorkerPoolArgs,
  containerDefinitionsFor,
  maxInstanceLifetimeFor,
  planAwsWorkerPool,
  userDataFor,
} from "../../../providers/aws/workerPoolPlan";

const net = { subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: ["sg-1"] };

function issuesOf(args: AwsWorkerPoolArgs): readonly string[] {
  try {
    planAwsWorkerPool(args);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, String(e));
    return e.issues;
  }
  assert.fail("expected InvalidArgsError");
}

describe("aws planAwsWorkerPool", () => {
  const lifetimes = [
    { hours: 1, seconds: 86400, roundedUp: true },
    { hours: 23, seconds: 86400, roundedUp: true },
    { hours: 24, seconds: 86400, roundedUp: false },
    { hours: 72, seconds: 259200, roundedUp: false },
  ];
  for (const c of lifetimes) {
    it(`maxLifetimeHours ${c.hours} -> maxInstanceLifetime ${c.seconds}${c.roundedUp ? " (rounded up to the AWS minimum)" : ""}`, () => {
      assert.deepEqual(maxInstanceLifetimeFor(resolveHardening({ ephemeral: { maxLifetimeHours: c.hours } })), { seconds: c.seconds, roundedUp: c.roundedUp });
    });
  }

  it("the default spec runs on Fargate: no task role, non-root, Kestra's image given by the caller", () => {
    const plan = planAwsWorkerPool({ ...net, container: { image: "kestra/kestra:v0.20", command: ["server", "worker"] } });
    assert.equal(plan.ec2, undefined);
    assert.deepEqual(plan.fargate, {
      image: "kestra/kestra:v0.20",
      command: ["server", "worker"],
      environment: [],
      cpu: 1024,
      memory: 2048,
      user: "1000:1000",
      desiredCount: 2,
      cpuArchitecture: "X86_64",
      secrets: [],
      taskRole: false,
      logging: false,
    });
  });

  it("sandbox none: EC2 hosts, no instance profile, IMDS sealed for every uid after boot", () => {
    const plan = planAwsWorkerPool({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1" });
    assert.equal(plan.ec2?.instanceProfile, false);
    assert.equal(plan.ec2?.metadataOptions.httpEndpoint, "enabled");
    assert.equal(plan.ec2?.sealAfterBoot, true);
    assert.equal(plan.ec2?.runsEcs, false);
  });

  it("lists every contradiction between the spec and the EC2 arguments at once", () => {
    assert.deepEqual(
      issuesOf({ ...net, hardening: { sandbox: "none", hostIdentity: "minimal" }, ecsClusterName: "c", minSize: 4, maxSize: 2, container: { image: "x" } }),
      [
        'imageId is required with hardening.sandbox "none": give the AMI of the worker hosts.',
        'container is set but hardening.sandbox is "none" (EC2 hosts); set sandbox to "runtime" for Fargate or remove container.',
        "minSize 4 is larger than maxSize 2.",
        'instanceProfileArn is required with hardening.hostIdentity "minimal": give your own narrowly scoped instance profile; the pool never creates one.',
        'hardening.hostIdentity "minimal" needs the metadata endpoint (EC2 delivers instance-profile credentials through IMDS), but hardening.metadataEndpoint is "blocked"; set metadataEndpoint to "tokenRequired" or hostIdentity to "none".',
        'ecsClusterName is set but hardening.metadataEndpoint is "blocked": the ECS agent reads its identity and credentials from IMDS; set metadataEndpoint to "tokenRequired" (the host firewall and ECS_AWSVPC_BLOCK_IMDS keep tasks away from it).',
      ],
    );
  });

  it("refuses an instance profile or a task role the spec does not ask for", () => {
    assert.deepEqual(issuesOf({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1", instanceProfileArn: "arn:aws:iam::1:instance-profile/p" }), [
      'instanceProfileArn is set but hardening.hostIdentity is "none"; set hostIdentity to "minimal" or remove the profile.',
    ]);
    assert.deepEqual(issuesOf({ ...net, container: { image: "x", taskRoleArn: "arn:aws:iam::1:role/r" } }), [
      'container.taskRoleArn is set but hardening.hostIdentity is "none"; set hostIdentity to "minimal" or remove the role.',
    ]);
  });

  it("Fargate: refuses root, EC2-only arguments, a missing container and an empty security group list", () => {
    assert.deepEqual(issuesOf({ subnetIds: ["s"], securityGroupIds: [], imageId: "ami-1", container: { image: "x", user: "0:0", cpu: 300 } }), [
      "securityGroupIds [] must list the worker security group; without one AWS attaches the VPC's default group.",
      'imageId is set but hardening.sandbox is "runtime" (Fargate tasks, no hosts); remove it or set sandbox to "none".',
      "container.cpu 300 is not a Fargate size; use one of 256, 512, 1024, 2048, 4096, 8192, 16384.",
      'container.user "0:0" is root; use a non-root uid:gid such as "1000:1000".',
    ]);
    assert.deepEqual(issuesOf({ ...net }), ['container is required with hardening.sandbox "runtime": give at least { image } for the Fargate workers.']);
  });

  it("the container definition is non-root, read-only, unprivileged, drops every capability, exposes no port", () => {
    const plan = planAwsWorkerPool({ ...net, container: { image: "img", environment: { B: "2", A: "1" } } });
    assert.deepEqual(JSON.parse(containerDefinitionsFor(plan.fargate!)), [
      {
        name: "worker",
        image: "img",
        essential: true,
        environment: [
          { name: "A", value: "1" },
          { name: "B", value: "2" },
        ],
        user: "1000:1000",
        readonlyRootFilesystem: true,
        privileged: false,
        linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
        mountPoints: [{ sourceVolume: "scratch", containerPath: "/tmp", readOnly: false }],
        portMappings: [],
      },
    ]);
  });

  it("user data: the boot path's parts in order, with the ECS agent settings and the caller's script (boot proven in tests/host)", () => {
    const parts = (data: string) => [...data.matchAll(/^Content-Type: (text\/[\w-]+).*\n(?:.*\n)*?Content-Disposition: attachment; filename="([^"]+)"/gm)].map((m) => `${m[1]} ${m[2]}`);
    const plain = planAwsWorkerPool({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1" }).ec2!;
    assert.deepEqual(parts(userDataFor(plain, undefined, undefined)), ["text/cloud-boothook 00-hardening-host-firewall", "text/x-shellscript 99-hardening-seal.sh"]);
    const ecs = planAwsWorkerPool({
      ...net,
      hardening: { sandbox: "none", hostIdentity: "minimal", metadataEndpoint: "tokenRequired" },
      imageId: "ami-1",
      instanceProfileArn: "arn:aws:iam::1:instance-profile/ecs",
      ecsClusterName: "workers",
    }).ec2!;
    const multi = userDataFor(ecs, "workers", "#!/bin/bash\necho hello");
    assert.deepEqual(parts(multi), ["text/cloud-boothook 00-hardening-host-firewall", "text/x-shellscript 50-boot-script.sh"]);
    // The agent settings are written by the boothook, before the agent starts (after cloud-init's final stage).
    assert.match(multi, /printf '%s\\n' 'ECS_CLUSTER=workers' 'ECS_DISABLE_PRIVILEGED=true' 'ECS_AWSVPC_BLOCK_IMDS=true' >> \/etc\/ecs\/ecs\.config/);
    assert.ok(multi.indexOf("ECS_CLUSTER") < multi.indexOf("echo hello"));
    assert.doesNotMatch(multi, /userns-remap/, "the ECS agent manages its own containers");
  });

  it("refuses a boot script without an interpreter line, naming the fix", () => {
    assert.throws(
      () => planAwsWorkerPool({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1", bootScript: "apt-get install -y docker.io\n" }),
      (e: unknown) => e instanceof InvalidArgsError && e.issues.some((i) => i.startsWith('bootScript must start with an interpreter line such as "#!/bin/sh" (it starts with "apt-get install -y docker.io")')),
    );
    assert.throws(
      () => planAwsWorkerPool({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1", ecsTaskCredentials: true }),
      /ecsTaskCredentials is set but ecsClusterName is not/,
    );
  });

  it("user data with the egress proxy: the variables go to /etc/environment and reach the boot script", () => {
    const plain = planAwsWorkerPool({ ...net, hardening: { sandbox: "none" }, imageId: "ami-1" }).ec2!;
    const env = [
      { name: "HTTPS_PROXY", value: "http://internal-p.elb.us-east-1.amazonaws.com:3128" },
      { name: "JAVA_TOOL_OPTIONS", value: "-Dhttp.proxyHost=p -Dhttp.nonProxyHosts=localhost|*.internal|[::1]" },
    ];
    assert.deepEqual(proxyEnvScript(env), [
      "# Egress proxy: the workers' only way out for names.",
      "printf '%s\\n' 'HTTPS_PROXY=\"http://internal-p.elb.us-east-1.amazonaws.com:3128\"' >> /etc/environment",
      "printf '%s\\n' 'JAVA_TOOL_OPTIONS=\"-Dhttp.proxyHost=p -Dhttp.nonProxyHosts=localhost|*.internal|[::1]\"' >> /etc/environment",
      "export HTTPS_PROXY='http://internal-p.elb.us-east-1.amazonaws.com:3128'",
      "export JAVA_TOOL_OPTIONS='-Dhttp.proxyHost=p -Dhttp.nonProxyHosts=localhost|*.internal|[::1]'",
    ]);
    const data = userDataFor(plain, undefined, "#!/bin/sh\npip install x", env);
    assert.ok(data.indexOf("export HTTPS_PROXY") < data.indexOf("exec /var/lib/pulumi-hardening/boot-script"));
    // Anything a shell or pam_env would interpret is refused rather than written.
    for (const value of ["x'; curl evil", "$(id)", "a\nb", 'say "hi"']) {
      assert.throws(() => proxyEnvScript([{ name: "HTTP_PROXY", value }]), /proxyEnv "HTTP_PROXY" is not a plain variable name and value/);
    }
    assert.throws(() => proxyEnvScript([{ name: "A-B", value: "x" }]), /proxyEnv "A-B"/);
  });
});
