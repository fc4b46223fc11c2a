/**
 * The canary's pure parts: the checks cover the whole catalogue (so they cannot drift from it), every alternative
 * spelling is one the detector recognises as the same endpoint, the verdicts follow the controls report, bad
 * arguments are listed at once; and the rendered artifacts pass their real consumers: python3 compiles the probe,
 * Kestra's flow shape accepts the flow, `hardening scan` passes it only through the probe's reasoned exceptions.
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { ControlReport, METADATA_ENDPOINTS } from "../../components";
import { canaryChecks, canaryExpectations, kestraCanaryFlow, planCanary, PROBE_IGNORE_REASON } from "../../canary";
import { needsScope } from "../../canary/checks";
import { findEndpointReferences } from "../../detect";
import { KESTRA_FLOW_SCHEMA } from "./kestraFlowSchema";

const REPO = path.join(__dirname, "..", "..");
const control = (id: string, family: ControlReport["family"], effective: boolean, protects = "x"): ControlReport => ({
  id, family, cloud: "t", appliedBy: "t", protects, effective, limits: "", resources: [], source: "t",
});

function python(): string | undefined {
  return ["/usr/bin/python3", "/usr/local/bin/python3"].find((p) => fs.existsSync(p));
}

describe("canary checks", () => {
  const checks = canaryChecks();

  it("try every catalogued address on every port, every host name and every variable", () => {
    const ids = new Set(checks.map((c) => c.id));
    const missing: string[] = [];
    for (const e of METADATA_ENDPOINTS) {
      for (const a of e.addresses.filter((x) => !needsScope(x))) for (const p of e.ports) if (!ids.has(`metadata:${a.includes(":") ? `[${a}]` : a}:${p}`)) missing.push(`${e.id} ${a}:${p}`);
      for (const h of e.hostnames) if (!ids.has(`name:${h}:${e.ports[0]}`)) missing.push(`${e.id} ${h}`);
      for (const v of e.variables ?? []) if (!ids.has(`variable:${v}`)) missing.push(`${e.id} $${v}`);
    }
    assert.deepEqual(missing, []);
    for (const id of ["kubernetes-token", "kubernetes-api", "kubernetes-api-token", "dns-outside", "connect-outside", "write-root"]) assert.ok(ids.has(id), id);
    assert.equal(ids.size, checks.length, "check ids are unique");
  });

  it("every alternative spelling is one the detector reads as the same endpoint", () => {
    const spelled = checks.filter((c) => c.id.startsWith("spelling:"));
    assert.ok(spelled.length >= 35, `${spelled.length} spellings`);
    const wrong = spelled.flatMap((c) => {
      const canonical = /\(([^)]+)\)$/.exec(c.target)![1];
      const refs = findEndpointReferences(`http://${c.host!.includes(":") ? `[${c.host}]` : c.host}/`);
      return refs.length === 1 && refs[0].endpoint === canonical && refs[0].severity === "error" ? [] : [`${c.host} -> ${JSON.stringify(refs)}`];
    });
    assert.deepEqual(wrong, []);
  });
});

describe("canary verdicts", () => {
  const checks = canaryChecks();
  const verdict = (controls: ControlReport[], id: string, accept = [] as { check: string; reason: string }[]) =>
    canaryExpectations(checks, controls, accept).find((c) => c.id === id)!;

  it("error where an effective control promises it, warning where the report says not effective or nothing", () => {
    const imds = "metadata:169.254.169.254:80";
    assert.equal(verdict([control("fw", "metadataEndpoint", true), control("sg", "metadataEndpoint", false)], imds).severity, "error");
    assert.deepEqual(verdict([control("fw", "metadataEndpoint", true), control("sg", "metadataEndpoint", false)], imds).controls, ["fw"]);
    assert.equal(verdict([control("sg", "metadataEndpoint", false)], imds).severity, "warning");
    assert.deepEqual(verdict([control("sg", "metadataEndpoint", false)], imds).controls, ["sg"]);
    assert.equal(verdict([control("egress", "egress", true)], imds).severity, "warning");
    assert.equal(verdict([], imds).why, "no control in the report speaks for metadataEndpoint");
  });

  it("only a control that says it stops resolution speaks for the outside name", () => {
    assert.equal(verdict([control("cidr", "egress", true, "connections outside the allow-list")], "dns-outside").severity, "warning");
    assert.equal(verdict([control("dnsfw", "egress", true, "resolution of names outside the allow-list")], "dns-outside").severity, "error");
    assert.equal(verdict([control("cidr", "egress", true, "connections outside the allow-list")], "connect-outside").severity, "error");
  });

  it("an accepted check is accepted with its reason; a positive control is always an error when refused", () => {
    const v = verdict([control("fw", "metadataEndpoint", true)], "metadata:169.254.170.2:80", [{ check: "metadata:169.254.170.2:80", reason: "Fargate task metadata, no task role" }]);
    assert.deepEqual([v.severity, v.why], ["accepted", "accepted: Fargate task metadata, no task role"]);
    const positive = canaryExpectations(canaryChecks({ positiveControls: [{ name: "pypi.org" }] }), []).find((c) => c.expect === "reached")!;
    assert.equal(positive.severity, "error");
  });
});

describe("planCanary", () => {
  it("lists every bad argument at once", () => {
    assert.throws(
      () =>
        planCanary({
          controls: [],
          timeoutSeconds: 0,
          checks: {
            outsideName: "not a name",
            outsideAddress: "169.254.169.254",
            outsidePort: 70000,
            positiveControls: [{ name: "a.example", address: "192.0.2.1", port: 443 }, { address: "192.0.2.1" }],
            tokenPath: "relative/token",
          },
        }),
      (e: Error & { issues?: string[] }) => {
        assert.deepEqual(e.issues, [
          'checks.outsideName "not a name" must be a DNS name such as "example.com".',
          'checks.outsideAddress "169.254.169.254" is a metadata network, which the catalogue checks already; give an ordinary address outside the allow-list.',
          "checks.outsidePort 70000 must be a whole number from 1 to 65535.",
          "checks.positiveControls[0] must give exactly one of name and address.",
          "checks.positiveControls[1] gives an address without a port; give the port that must accept a connection.",
          'checks.tokenPath "relative/token" must be an absolute path.',
          "timeoutSeconds 0 must be a number of seconds above 0, at most 60.",
        ]);
        return true;
      },
    );
  });

  it("renders a probe python3 compiles, with no Kestra template syntax in it", function () {
    const py = python();
    if (!py) {
      if (process.env.HARDENING_REQUIRE_NETNS === "1") throw new Error("python3 is not installed");
      this.skip();
    }
    const { script } = planCanary({ controls: [control("fw", "metadataEndpoint", true)] });
    // Kestra renders a Script task's `script` with Pebble first: `{{`, `{%` or `{#` would be read as a template.
    assert.doesNotMatch(script, /\{\{|\{%|\{#/);
    const r = spawnSync(py as string, ["-c", "import sys; compile(sys.stdin.read(), 'canary.py', 'exec')"], { input: script, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });
});

describe("the Kestra canary flow", () => {
  const controls = [control("fw", "metadataEndpoint", true), control("deny", "egress", true, "connections outside the allow-list")];
  // The namespace and ServiceAccount come from the forced plugin defaults (components/kestraTaskRunner.ts), as for
  // every flow: a flow that sets them itself is a runner escape to `hardening scan`.
  const runner = { type: "io.kestra.plugin.ee.kubernetes.runner.Kubernetes", pullPolicy: "ALWAYS" };
  const text = kestraCanaryFlow({ namespace: "company.platform", controls, taskRunner: runner });
  const flow = parse(text) as { tasks: Record<string, unknown>[]; triggers: Record<string, unknown>[] };

  it("has Kestra's flow shape: a Schedule trigger and the probe as a Python script task on the given task runner", () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(KESTRA_FLOW_SCHEMA);
    assert.ok(validate(flow), JSON.stringify(validate.errors));
    assert.deepEqual(flow.tasks[0].taskRunner, runner);
    assert.equal(flow.tasks[0].script, planCanary({ controls }).script, "the flow runs exactly the planned probe");
    assert.deepEqual(flow.triggers, [{ id: "schedule", type: "io.kestra.plugin.core.trigger.Schedule", cron: "17 * * * *" }]);
    // Without a runner the flow sets none, and the instance's pluginDefaults apply as to every flow.
    assert.equal((parse(kestraCanaryFlow({ namespace: "company.platform", controls })) as typeof flow).tasks[0].taskRunner, undefined);
  });

  it("passes `hardening scan` only through the probe's reasoned inline exceptions", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "canary-flow-"));
    try {
      fs.writeFileSync(path.join(dir, "canary.yml"), text);
      fs.writeFileSync(path.join(dir, "stripped.yml"), text.replace(/ {2}# hardening:ignore [^\n]*/g, ""));
      const scan = (file: string) => {
        const r = spawnSync(process.execPath, [path.join(REPO, "bin", "hardening.js"), "scan", file, "--format", "json"], { cwd: dir, encoding: "utf8" });
        return { code: r.status, report: JSON.parse(r.stdout) as { findings: { ruleId: string }[]; suppressions: { ruleId: string; suppressedBy: string; reason: string }[] } };
      };
      const clean = scan("canary.yml");
      assert.deepEqual([clean.code, clean.report.findings], [0, []]);
      assert.ok(clean.report.suppressions.length > 100);
      assert.ok(clean.report.suppressions.every((s) => s.suppressedBy === "comment" && s.reason === PROBE_IGNORE_REASON && s.ruleId === "metadata-endpoint"));
      // The same flow without its exceptions is refused: the exceptions are what let it through.
      const stripped = scan("stripped.yml");
      assert.equal(stripped.code, 1);
      assert.equal(stripped.report.findings.length, clean.report.suppressions.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists every bad flow argument at once", () => {
    assert.throws(
      () => kestraCanaryFlow({ namespace: "Company", id: "-x", cron: "hourly", containerImage: "", taskRunner: {}, controls, accept: [{ check: "nope", reason: "x" }] }),
      (e: Error & { issues?: string[] }) => {
        assert.deepEqual(e.issues, [
          'id "-x" must match ^[a-zA-Z0-9][a-zA-Z0-9._-]*$, at most 100 characters.',
          'namespace "Company" must be a Kestra namespace such as "company.platform" (^[a-z0-9][a-z0-9._-]*$, at most 150 characters).',
          'cron "hourly" must be a five-field cron expression such as "17 * * * *" or @hourly.',
          'containerImage "" must be an image reference such as "python:3.13-slim".',
          "taskRunner {} must be a task runner block with a type, e.g. planKestraWorker(...).taskRunner.",
          'accept[0].check "nope" is not a check of this canary; ids look like "dns-outside" or "metadata:169.254.170.2:80".',
          'accept[0].reason "x" must say why reaching "nope" is acceptable here.',
        ]);
        return true;
      },
    );
  });
});
