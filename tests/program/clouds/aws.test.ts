import * as assert from "node:assert/strict";
import { InvalidArgsError } from "../../../components";
import { EnvironmentConfig, loadCloud } from "../../../program/environment";
import { runUnderMocks } from "../../../program/offlineEngine";
import { cloudModule } from "../../../program/clouds/aws";

const base: EnvironmentConfig = { cloud: "aws", name: "kestra-workers", hardening: {}, networkCidr: "10.42.0.0/16", zoneCount: 2, settings: {} };

function plan(config: EnvironmentConfig) {
  return runUnderMocks(() => cloudModule.createEnvironment(config), { calls: cloudModule.offlineCalls, state: cloudModule.offlineState });
}

describe("aws cloudModule", () => {
  it("is what loadCloud('aws') returns", () => {
    assert.equal(loadCloud("aws"), cloudModule);
    assert.equal(cloudModule.cloud, "aws");
  });

  it("the default config plans offline: network + Fargate workers, no EC2 hosts, no internet path", async () => {
    const { result, resources } = await plan(base);
    const types = new Set(resources.map((r) => r.type));
    for (const t of ["hardening:index:AwsWorkerNetwork", "hardening:index:AwsWorkerPool", "aws:ec2/vpc:Vpc", "aws:ecs/service:Service"]) assert.ok(types.has(t), t);
    for (const t of ["aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway"]) assert.ok(!types.has(t), t);
    // Every child is parented to one of the two components.
    const components = new Set(resources.filter((r) => !r.custom).map((r) => r.urn));
    for (const r of resources.filter((x) => x.custom)) assert.ok(r.parent && components.has(r.parent), `${r.name} has no component parent`);
    const ids = result.controls.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, "control ids are unique across the environment");
    assert.ok(ids.includes("aws-security-group-deny-metadata"));
    assert.ok(ids.includes("aws-fargate-no-imds"));
    assert.ok(Object.keys(result.outputs).includes("vpcId"));
  });

  it("sandbox none without an imageId resolves the Amazon Linux 2023 AMI through its public SSM parameter", async () => {
    const { resources } = await plan({ ...base, hardening: { sandbox: "none" } });
    const [lt] = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
    assert.equal(lt.inputs.imageId, "ami-00000000000000000");
    // EC2 delivers user data through IMDS; the host firewall seals it for every uid once the host has booted.
    assert.equal((lt.inputs.metadataOptions as Record<string, unknown>).httpEndpoint, "enabled");
  });

  it("the firewall tier plans offline with the firewall endpoints on the worker routes", async () => {
    const { resources } = await plan({
      ...base,
      hardening: { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } },
      // Domain rules on Network Firewall need TLS inspection (or an explicit acceptSniSpoofing).
      settings: { singleNatGateway: true, networkFirewall: { certificateAuthorityArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b" } },
    });
    assert.equal(resources.filter((r) => r.type === "aws:networkfirewall/tlsInspectionConfiguration:TlsInspectionConfiguration").length, 1);
    const rt = resources.find((r) => r.name === "kestra-workers-net-rt-workload-2");
    assert.deepEqual(rt?.inputs.routes, [{ cidrBlock: "0.0.0.0/0", vpcEndpointId: "vpce-kestra-workers-net-firewall-2" }]);
    assert.equal(resources.filter((r) => r.type === "aws:ec2/natGateway:NatGateway").length, 1);
  });

  it("bad settings and spec: one error listing every problem, nothing registered", async () => {
    let error: unknown;
    const run = await runUnderMocks(
      () => {
        try {
          cloudModule.createEnvironment({
            ...base,
            hardening: { sandbox: "none", hostIdentity: "minimal" },
            settings: { instanceTyp: "t3.micro", flowLogs: { retentionDays: 2 }, container: { image: "x" } },
          });
        } catch (e) {
          error = e;
        }
      },
      { calls: cloudModule.offlineCalls, state: cloudModule.offlineState },
    );
    assert.deepEqual(run.resources, []);
    assert.ok(error instanceof InvalidArgsError);
    assert.deepEqual(error.issues, [
      'hardening:aws.instanceTyp is not a setting; did you mean "instanceType"?',
      "hardening:aws.flowLogs.retentionDays 2 is not a CloudWatch Logs retention; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
      'hardening:aws.container is set but hardening.sandbox is "none" (EC2 hosts); set sandbox to "runtime" for Fargate or remove container.',
      'hardening:aws.instanceProfileArn is required with hardening.hostIdentity "minimal": give your own narrowly scoped instance profile; the pool never creates one.',
      'hardening.hostIdentity "minimal" needs the metadata endpoint (EC2 delivers instance-profile credentials through IMDS), but hardening.metadataEndpoint is "blocked"; set metadataEndpoint to "tokenRequired" or hostIdentity to "none".',
    ]);
  });

  describe('l7Filter "egressProxy"', () => {
    const proxied: EnvironmentConfig = {
      ...base,
      hardening: { sandbox: "none", workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } },
      settings: { l7Filter: "egressProxy", egressProxy: { imageId: "ami-0123456789abcdef0" } },
    };

    it("gives the EC2 workers the proxy's variables in their user data, and reports the proxy's controls", async () => {
      const { result, resources } = await plan(proxied);
      const lts = resources.filter((r) => r.type === "aws:ec2/launchTemplate:LaunchTemplate");
      assert.deepEqual(lts.map((r) => r.name).sort(), ["kestra-workers-net-proxy-launch-template", "kestra-workers-pool-launch-template"]);
      const userData = Buffer.from(lts.find((r) => r.name === "kestra-workers-pool-launch-template")?.inputs.userData as string, "base64").toString("utf8");
      const url = "http://kestra-workers-net-proxy-lb-0123456789.elb.us-east-1.amazonaws.com:3128";
      assert.ok(userData.includes(`printf '%s\\n' 'HTTPS_PROXY="${url}"' >> /etc/environment`), userData);
      assert.ok(userData.includes(`export https_proxy='${url}'`));
      assert.ok(userData.includes("export JAVA_TOOL_OPTIONS='-Dhttp.proxyHost=kestra-workers-net-proxy-lb-0123456789.elb.us-east-1.amazonaws.com"));
      const ids = result.controls.map((c) => c.id);
      assert.ok(ids.includes("aws-egress-proxy-allow-list") && !ids.includes("aws-network-firewall-domain-allow-list"));
      assert.ok(Object.keys(result.outputs).includes("proxyUrl"));
    });

    it("gives Fargate workers the same variables in their container environment", async () => {
      const { resources } = await plan({ ...proxied, hardening: { ...proxied.hardening, sandbox: "runtime" } });
      const [task] = resources.filter((r) => r.type === "aws:ecs/taskDefinition:TaskDefinition");
      const [container] = JSON.parse(task.inputs.containerDefinitions as string) as { environment: { name: string; value: string }[] }[];
      assert.deepEqual(container.environment.map((e) => e.name), ["HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "JAVA_TOOL_OPTIONS"]);
    });

    it("refuses the proxy group without an AMI, through the settings block", async () => {
      let message = "";
      const run = await runUnderMocks(
        () => {
          try {
            cloudModule.createEnvironment({ ...proxied, settings: { l7Filter: "egressProxy" } });
          } catch (e) {
            message = (e as Error).message;
          }
        },
        { calls: cloudModule.offlineCalls, state: cloudModule.offlineState },
      );
      assert.deepEqual(run.resources, []);
      assert.ok(message.includes('hardening:aws.egressProxy.imageId is required with l7Filter "egressProxy"'), message);
    });
  });
});
