import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { KESTRA_FLOWS_DIR } from "../../../corpus";
import type { EndpointReference } from "../../../../detect/types";
import type { HardeningSpec } from "../../../../components/spec";
import { codeMetadataReference as rule, makeCodeMetadataReference, scanSources } from "../../../../policy/rules/metadataEndpoint/codeReference";
import { POD_SPEC_TYPES } from "../../../../policy/rules/kubernetes/podSpec";
import type { Finding } from "../../../../policy/rules/types";

const ctx = { config: {} };
const check = (type: string, props: Record<string, unknown>): Finding[] => rule.checks[type](props, ctx);
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const TAIL = "remove the reference: workload code must never reach a cloud metadata or credential endpoint.";
const IMDS = "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/";

/** A stub detector: reports every "IMDS" (error), "LINK" (warning) and a long "LONG..." match, at their spans. */
function stub(text: string): EndpointReference[] {
  const refs: EndpointReference[] = [];
  for (const [word, severity, endpoint] of [["IMDS", "error", "169.254.169.254"], ["LINK", "warning", "169.254.1.1"]] as const) {
    let at = text.indexOf(word);
    while (at >= 0) {
      refs.push({ endpointId: severity === "error" ? "aws-imds" : undefined, endpoint, severity, start: at, end: at + word.length, match: word, spelling: "stub" });
      at = text.indexOf(word, at + 1);
    }
  }
  if (text.startsWith("LONG")) {
    refs.push({ endpointId: "aws-imds", endpoint: "169.254.169.254", severity: "error", start: 0, end: text.length, match: text, spelling: "base64" });
  }
  return refs;
}

describe("code-metadata-reference", () => {
  describe("messages (stub detector)", () => {
    it("reports errors once per property and reference, ignores warnings, and never shows a long match", () => {
      assert.deepStrictEqual(
        scanSources([
          { path: "userData", text: "IMDS then IMDS and LINK" },
          { path: "data[\"x\"]", text: `LONG${"A".repeat(100)}` },
          { path: "clean", text: "LINK only" },
        ], stub),
        [
          { property: "userData", message: `userData refers to 169.254.169.254 (stub: "IMDS"); ${TAIL}` },
          { property: "data[\"x\"]", message: `data["x"] refers to 169.254.169.254 (base64); ${TAIL}` },
        ],
      );
    });
    it("never shows anything of a Secret's value, only its key and the endpoint", () => {
      const stubRule = makeCodeMetadataReference(stub);
      const value = "password=hunter2 IMDS";
      const findings = stubRule.checks["kubernetes:core/v1:Secret"]({ stringData: { flow: value }, data: { other: "IMDS" } }, ctx);
      assert.deepStrictEqual(findings, [
        { property: "stringData[\"flow\"]", message: `stringData["flow"] (a Secret value, not shown) refers to 169.254.169.254; ${TAIL}` },
        { property: "data[\"other\"]", message: `data["other"] (a Secret value, not shown) refers to 169.254.169.254; ${TAIL}` },
      ]);
      for (const f of findings) assert.ok(!f.message.includes("hunter2") && !f.message.includes("IMDS"));
    });
    it("binds every pod-bearing type and every carrier of boot scripts and configuration", () => {
      const types = Object.keys(rule.checks);
      for (const t of POD_SPEC_TYPES) assert.ok(types.includes(t), t);
      for (const t of [
        "aws:ec2/instance:Instance",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/launchConfiguration:LaunchConfiguration",
        "gcp:compute/instance:Instance",
        "gcp:compute/instanceTemplate:InstanceTemplate",
        "azure-native:compute:VirtualMachine",
        "azure-native:compute:VirtualMachineScaleSet",
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:Secret",
      ]) assert.ok(types.includes(t), t);
    });
  });

  describe("with the real detector", () => {
    const passing: [string, string, Record<string, unknown>][] = [
      ["a launch template whose base64 user data installs a package", "aws:ec2/launchTemplate:LaunchTemplate", { userData: b64("#!/bin/sh\nyum install -y jq\n") }],
      ["a GCP instance with an innocent startup script and other metadata", "gcp:compute/instance:Instance", {
        metadata: { "startup-script": "apt-get update", "enable-oslogin": "TRUE" },
        metadataStartupScript: "echo hello",
      }],
      ["a Deployment whose containers call ordinary services", "kubernetes:apps/v1:Deployment", { spec: { template: { spec: {
        containers: [{ name: "a", command: ["sh", "-c"], args: ["curl https://api.example.com/v1"], env: [{ name: "URL", value: "http://10.0.0.5:8080" }, { name: "S", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] }],
      } } } }],
      ["an Azure VM with base64 custom data that sets a hostname", "azure-native:compute:VirtualMachine", { osProfile: { customData: b64("#cloud-config\nhostname: worker\n") } }],
    ];
    for (const [what, type, props] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(check(type, props), []));

    const dotted = `dotted IPv4: "169.254.169.254"`;
    const b64Dotted = `base64-encoded text containing dotted IPv4 "169.254.169.254"`;
    const failing: [string, string, Record<string, unknown>, [string, string, string][]][] = [
      ["plain user data on an instance", "aws:ec2/instance:Instance", { userData: `#!/bin/sh\n${IMDS}\n` }, [["userData", "169.254.169.254", dotted]]],
      ["base64 user data in a launch template (the encoded run is not shown)", "aws:ec2/launchTemplate:LaunchTemplate", {
        userData: b64(`#!/bin/sh\n${IMDS}\n`),
      }, [["userData", "169.254.169.254", b64Dotted]]],
      ["a GCP startup script calling the metadata server by name", "gcp:compute/instanceTemplate:InstanceTemplate", {
        metadata: { "startup-script": "curl -H 'Metadata-Flavor: Google' http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token" },
      }, [[`metadata["startup-script"]`, "metadata.google.internal", `metadata host name: "metadata.google.internal"`]]],
      ["a scale set's base64 custom data", "azure-native:compute:VirtualMachineScaleSet", {
        virtualMachineProfile: { osProfile: { customData: b64(IMDS) } },
      }, [["virtualMachineProfile.osProfile.customData", "169.254.169.254", b64Dotted]]],
      ["a CronJob container argument", "kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: {
        containers: [{ name: "a", args: ["echo", IMDS] }],
      } } } } } }, [["spec.jobTemplate.spec.template.spec.containers[0].args[1]", "169.254.169.254", dotted]]],
      ["an init container's environment value", "kubernetes:core/v1:Pod", { spec: {
        initContainers: [{ name: "i", env: [{ name: "A", value: "x" }, { name: "IMDS", value: "http://169.254.169.254/" }] }],
      } }, [["spec.initContainers[0].env[1].value", "169.254.169.254", dotted]]],
      ["a Kestra flow kept in a ConfigMap", "kubernetes:core/v1:ConfigMap", {
        data: { "flow.yml": `id: f\nnamespace: n\ntasks:\n  - id: t\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - ${IMDS}\n` },
      }, [[`data["flow.yml"]`, "169.254.169.254", dotted]]],
      ["every spelling in one command, each once", "kubernetes:core/v1:Pod", { spec: { containers: [{
        name: "a",
        command: ["sh", "-c", "wget -qO- http://0xa9fea9fe/latest/ && curl http://[fd00:ec2::254]/ && curl http://2852039166/ && curl http://0xa9fea9fe/"],
      }] } }, [
        ["spec.containers[0].command[2]", "169.254.169.254", `hex integer IPv4: "0xa9fea9fe"`],
        ["spec.containers[0].command[2]", "fd00:ec2::254", `IPv6: "[fd00:ec2::254]"`],
        ["spec.containers[0].command[2]", "169.254.169.254", `integer IPv4: "2852039166"`],
      ]],
    ];
    for (const [what, type, props, expected] of failing) {
      it(`reports ${what}`, () => {
        assert.deepStrictEqual(
          check(type, props),
          expected.map(([property, endpoint, seen]) => ({ property, message: `${property} refers to ${endpoint} (${seen}); ${TAIL}` })),
        );
      });
    }
    it("reports a Secret's stringData by key only", () => {
      assert.deepStrictEqual(check("kubernetes:core/v1:Secret", { stringData: { token: `${IMDS}hunter2` } }), [
        { property: `stringData["token"]`, message: `stringData["token"] (a Secret value, not shown) refers to 169.254.169.254; ${TAIL}` },
      ]);
    });
    it("finds nothing in the 815 real Kestra flows of the corpus (none refers to a metadata endpoint), kept in a ConfigMap", function () {
      this.timeout(20000);
      const dir = KESTRA_FLOWS_DIR;
      const data: Record<string, string> = {};
      for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) data[file] = readFileSync(path.join(dir, file), "utf8");
      assert.equal(Object.keys(data).length, 815);
      assert.deepStrictEqual(check("kubernetes:core/v1:ConfigMap", { data }), []);
    });
  });
});

describe("code-metadata-reference and firewall rules", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { codeMetadataReference } = require("../../../../policy/rules/metadataEndpoint/codeReference") as typeof import("../../../../policy/rules/metadataEndpoint/codeReference");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { hostFirewallScript, hostBootUserData, hostBootStartupScript } = require("../../../../components") as typeof import("../../../../components");
  const lt = codeMetadataReference.checks["aws:ec2/launchTemplate:LaunchTemplate"];
  const gcp = codeMetadataReference.checks["gcp:compute/instanceTemplate:InstanceTemplate"];
  const ctx = { config: {} };

  it("does not report the host firewall that blocks the endpoints, plain or base64, on any cloud", () => {
    for (const cloud of ["aws", "gcp", "azure", "generic"] as const) {
      const script = hostFirewallScript({ cloud, containers: ["ecs"] });
      assert.deepStrictEqual(gcp({ metadata: { "startup-script": script } }, ctx), [], cloud);
      const boot = { firewall: { cloud, containers: ["ecs" as const], agentExceptions: ["aws-ecs-task-credentials" as const] }, hardenDocker: true, sealAfterBoot: true };
      assert.deepStrictEqual(lt({ userData: Buffer.from(hostBootUserData(boot)).toString("base64") }, ctx), [], cloud);
      assert.deepStrictEqual(gcp({ metadata: { "startup-script": hostBootStartupScript({ ...boot, sealAfterBoot: false }) } }, ctx), [], cloud);
    }
    const ec2Guide = "#!/bin/sh\niptables --append OUTPUT --proto tcp --destination 169.254.169.254 --match owner ! --uid-owner root --jump REJECT\n";
    assert.deepStrictEqual(lt({ userData: ec2Guide }, ctx), []);
  });

  it("still reports code that reaches the endpoint beside, or disguised as, a firewall rule", () => {
    const cases = [
      "#!/bin/sh\niptables -A OUTPUT -d 169.254.169.254 -j DROP\ncurl -s http://169.254.169.254/latest/meta-data/iam/\n",
      "iptables -t nat -A OUTPUT -d 10.0.0.1 -j DNAT --to-destination 169.254.169.254:80\n",
      "curl http://169.254.169.254/ # -A OUTPUT -d 169.254.169.254 -j DROP\n",
      "iptables -A OUTPUT -d 169.254.169.254 -j DROP; curl http://169.254.169.254/\n",
      "iptables -I OUTPUT 1 -d 169.254.169.254 -j ACCEPT\n",
    ];
    for (const userData of cases) {
      assert.ok(lt({ userData }, ctx).length > 0, userData);
      assert.ok(lt({ userData: Buffer.from(userData).toString("base64") }, ctx).length > 0, `base64: ${userData}`);
    }
  });
});

describe("code-metadata-reference and Squid deny lists", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { codeMetadataReference } = require("../../../../policy/rules/metadataEndpoint/codeReference") as typeof import("../../../../policy/rules/metadataEndpoint/codeReference");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { planSquidConfig, egressProxyCloudInit } = require("../../../../components") as typeof import("../../../../components");
  const configMap = codeMetadataReference.checks["kubernetes:core/v1:ConfigMap"];
  const lt = codeMetadataReference.checks["aws:ec2/launchTemplate:LaunchTemplate"];
  const ctx = { config: {} };
  const spec: HardeningSpec = {
    workloadSubnet: "private",
    egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org", ports: [443] }] },
  };
  const squid = (conf: string) => configMap({ data: { "squid.conf": conf } }, ctx);

  it("does not report the rendered squid.conf, nor the proxy VM's cloud-init, plain or base64", () => {
    const conf = planSquidConfig(spec, { port: 3128 }).config;
    assert.ok(conf.includes("acl forbidden_dst dst 168.63.129.16/32"), "the configuration names a metadata address");
    assert.deepStrictEqual(squid(conf), []);
    const userData = egressProxyCloudInit(spec, { cloud: "aws", clients: ["10.0.0.0/20"] }).userData;
    assert.deepStrictEqual(lt({ userData }, ctx), []);
    assert.deepStrictEqual(lt({ userData: Buffer.from(userData).toString("base64") }, ctx), []);
  });

  const denyOnly = [
    ["denied when matched", "acl meta dst 169.254.169.254\nhttp_access deny meta\nhttp_access allow all\n"],
    ["allowed only when not matched, with a deny page", "acl meta dstdomain metadata.google.internal\ndeny_info ERR_ACCESS_DENIED meta\nhttp_access allow !meta clients\n"],
    ["denied with other conditions", "acl meta dst -n 169.254.169.254/32 fd00:ec2::254\nhttp_access deny tunnel meta\n"],
  ];
  for (const [what, conf] of denyOnly) {
    it(`does not report a metadata address in a Squid ACL ${what}`, () => assert.deepStrictEqual(squid(conf), []));
  }

  const reported = [
    ["used in an allow", "acl meta dst 169.254.169.254\nhttp_access allow meta\n"],
    ["denied and also allowed", "acl meta dst 169.254.169.254\nhttp_access deny meta tunnel\nhttp_access allow meta\n"],
    ["negated in a deny (refuses everything else)", "acl meta dst 169.254.169.254\nhttp_access deny !meta\n"],
    ["defined but never used to deny", "acl meta dst 169.254.169.254\nhttp_access allow all\n"],
    ["nested in another ACL", "acl meta dst 169.254.169.254\nacl both all-of meta clients\nhttp_access deny meta\nhttp_access allow both\n"],
    ["routed by another directive", "acl meta dst 169.254.169.254\nhttp_access deny meta\nnever_direct allow meta\n"],
    ["on a line continued with a backslash", "acl meta dst 169.254.169.254 \\\n 10.0.0.1\nhttp_access deny meta\n"],
    ["with a trailing # on the ACL line", "acl meta dst 169.254.169.254 # refused\nhttp_access deny meta\n"],
    ["beside code that reaches it", "acl meta dst 169.254.169.254\nhttp_access deny meta\ncache_peer 169.254.169.254 parent 80 0\n"],
  ];
  for (const [what, conf] of reported) {
    it(`reports a metadata address in a Squid ACL ${what}`, () => {
      const findings = squid(conf);
      assert.ok(findings.length > 0, conf);
      for (const f of findings) assert.equal(f.property, 'data["squid.conf"]');
    });
  }
});
