import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { InvalidConfigError, parseScanConfig } from "../../scan/config";
import { ScanContext, scanPaths, scanText } from "../../scan/scanner";
import { findRunnerEscapes } from "../../scan/runnerEscapes";
import { defaultDetector } from "../../scan/detector";
import { CORPUS, FIXTURES, literalDetect } from "./helpers";

const read = (name: string) => fs.readFileSync(path.join(FIXTURES, "runners", name), "utf8");
const escapes = (text: string) => findRunnerEscapes(text).map((e) => `${e.kind} ${e.match}`);

describe("scan: runner escapes (kestra-runner-escape)", () => {
  it("reports every Docker-side escape: host network, privileged, host paths, added capabilities, host PID", () => {
    assert.deepEqual(escapes(read("docker-escapes.yml")), [
      "host-network taskRunner.networkMode: host",
      "privileged taskRunner.privileged: true",
      "host-path taskRunner.volumes: /var/run/docker.sock:/var/run/docker.sock",
      "host-path taskRunner.volumes: /:/host",
      "host-path taskRunner.volumes: /proc:/host/proc:ro",
      "host-network tasks[1].networkMode: container:kestra",
      "host-namespace tasks[1].pidMode: host",
      "capabilities tasks[1].capAdd: [SYS_ADMIN, NET_ADMIN]",
      "host-network tasks[2].docker.networkMode: {{ inputs.net }}",
      "host-path tasks[2].docker.volumes: /etc:/hostetc",
      "privileged pluginDefaults[0].values.privileged: true",
    ].map((s) => s.replace(/^(\S+) taskRunner/, "$1 tasks[0].taskRunner")));
  });

  it("reports the Kubernetes runner's overrides and a PodCreate asking for the node", () => {
    assert.deepEqual(escapes(read("kubernetes-escapes.yml")), [
      "namespace tasks[0].taskRunner.namespace: kube-system",
      "service-account tasks[0].taskRunner.serviceAccountName: kestra-worker",
      "connection tasks[0].taskRunner.config",
      "host-network tasks[0].taskRunner.podSpec.hostNetwork: true",
      "host-namespace tasks[0].taskRunner.podSpec.hostPID: true",
      "runtime-class tasks[0].taskRunner.podSpec.runtimeClassName: runc",
      "token tasks[0].taskRunner.podSpec.automountServiceAccountToken: true",
      "host-path tasks[0].taskRunner.podSpec.volumes[].hostPath: /",
      "privileged tasks[0].taskRunner.containerSpec.securityContext.privileged: true",
      "capabilities tasks[0].taskRunner.containerSpec.securityContext.capabilities.add: [SYS_PTRACE]",
      "host-namespace tasks[1].spec.hostIPC: true",
      "privileged tasks[1].spec.containers[].securityContext.privileged: true",
    ]);
  });

  it("reads booleans as Kestra does: a plain yes or on is true (Jackson takes SnakeYAML's YAML 1.1 booleans)", () => {
    // Kestra parses flows with jackson-dataformat-yaml, whose parser resolves plain scalars with SnakeYAML's YAML 1.1
    // resolver (yes|Yes|YES|on|On|ON are booleans) and maps them to true; the `yaml` package's 1.2 core schema
    // reads them as strings.
    const flow = (value: string) => [
      "id: f", "namespace: company.team", "tasks:", "  - id: a", "    type: io.kestra.plugin.scripts.shell.Commands",
      "    taskRunner:", "      type: io.kestra.plugin.scripts.runner.docker.Docker", `      privileged: ${value}`,
      "  - id: b", "    type: io.kestra.plugin.kubernetes.core.PodCreate", "    spec:", `      hostNetwork: ${value}`,
      `      automountServiceAccountToken: ${value}`, "      containers:", "        - name: c", "          securityContext:",
      `            privileged: ${value}`, "",
    ].join("\n");
    for (const yes of ["yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"]) {
      assert.deepEqual(escapes(flow(yes)).map((e) => e.split(" ")[0]), ["privileged", "host-network", "token", "privileged"], yes);
    }
    // Positive control: what Kestra reads as false or as a string (which its boolean fields refuse) stays quiet.
    for (const no of ["no", "off", "false", "OFF", "'yes'", '"on"', "y", "yes please"]) assert.deepEqual(escapes(flow(no)), [], no);
  });

  it("passes the documented safe settings (positive control), named volumes and look-alike text", () => {
    assert.deepEqual(escapes(read("safe.yml")), []);
  });

  it("is an error in the scan, at the setting's position, with the flow namespace and kind", () => {
    const text = read("docker-escapes.yml");
    const r = scanText(text, "docker-escapes.yml", new ScanContext(literalDetect));
    const f = r.findings.find((x) => x.ruleId === "kestra-runner-escape");
    assert.ok(f);
    assert.deepEqual([f.line, f.column, f.severity, f.match], [11, 20, "error", "tasks[0].taskRunner.networkMode: host"]);
    assert.equal(
      f.message,
      "tasks[0].taskRunner.networkMode is \"host\": the container would share another network namespace (the host's: its metadata endpoint, its firewall exemptions and its services); use bridge or a user-defined network (flow namespace company.team; kind host-network)",
    );
    // The issue's flow: before this rule, the only finding was the literal metadata host name (for the real detector).
    const all = scanText(text, "docker-escapes.yml", new ScanContext(defaultDetector));
    assert.equal(all.findings.filter((x) => x.ruleId === "kestra-runner-escape").length, 11);
    assert.ok(all.findings.some((x) => x.ruleId === "metadata-endpoint"));
  });

  it("applies a reasoned per-namespace exception to the kinds it names only", () => {
    const config = parseScanConfig(
      ["runnerEscapes:", "  exceptions:", "    - namespace: company.*", "      kinds: [host-path]", "      reason: build cache on a dedicated host"].join("\n"),
      "scan.yml",
    );
    const r = scanText(read("docker-escapes.yml"), "f.yml", new ScanContext(literalDetect, config));
    const sup = r.suppressed.filter((s) => s.ruleId === "kestra-runner-escape");
    assert.equal(sup.length, 4);
    assert.ok(sup.every((s) => s.suppressedBy === "config" && s.reason === "build cache on a dedicated host" && s.message.includes("kind host-path")));
    assert.equal(r.findings.filter((f) => f.ruleId === "kestra-runner-escape").length, 7);
    // Another namespace gets no exception.
    const other = scanText(read("kubernetes-escapes.yml").replace("company.data", "other.data"), "g.yml", new ScanContext(literalDetect, config));
    assert.equal(other.suppressed.length, 0);
  });

  it("refuses a config exception without a reason or with an unknown kind", () => {
    assert.throws(
      () => parseScanConfig("runnerEscapes:\n  exceptions:\n    - namespace: a\n      kinds: [root]\n      reason: ' '\n", "scan.yml"),
      (e: unknown) =>
        e instanceof InvalidConfigError &&
        e.issues.some((i) => i.startsWith("runnerEscapes.exceptions[0].kinds[0] \"root\" is not one of host-network")) &&
        e.issues.includes("runnerEscapes.exceptions[0].reason \" \" must not be blank"),
    );
  });

  it("finds in the real Kestra corpus only the two blueprints that really configure a runner against the host or the forced settings", function () {
    this.timeout(120000);
    const report = scanPaths([CORPUS], { cwd: CORPUS, detect: () => [] });
    const found = report.findings.filter((f) => f.ruleId === "kestra-runner-escape").map((f) => `${f.file}:${f.line} ${f.match}`);
    assert.deepEqual(found, [
      // "only for local testing with minikube": the Docker runner on the host's network.
      "kestra-io__blueprints__flows_k8s-namespace-logs-and-events.yml:77 pluginDefaults[0].values.taskRunner.networkMode: host",
      // The Kubernetes runner sent to the `default` namespace with the flow's own cluster credentials.
      "kestra-io__blueprints__flows_kubernetes-script-runner.yml:9 tasks[0].taskRunner.namespace: default",
      "kestra-io__blueprints__flows_kubernetes-script-runner.yml:11 tasks[0].taskRunner.config",
    ]);
    // Of the 71 corpus flows that set a taskRunner, every other one passes, e.g. Docker runners with cpu/memory.
    const withRunner = fs.readdirSync(CORPUS).filter((n) => fs.readFileSync(path.join(CORPUS, n), "utf8").includes("taskRunner:"));
    assert.ok(withRunner.length >= 60, String(withRunner.length));
  });
});
