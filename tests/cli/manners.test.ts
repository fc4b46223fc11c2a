/**
 * The CLI's manners: `--help` per command, `--version`, did-you-mean for commands, flags, settings keys and enum
 * case slips, one problem per line naming the key the user wrote, and `--stack-config` read as the file says.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { COMMAND_HELP, main, USAGE } from "../../cli";
import { closestMatch } from "../../components/validation";
import { checkWorkerNetworkCidr } from "../../components/workerNetworkRange";
import { captureIO } from "./helpers";

async function run(argv: string[], files: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "manners-"));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const io = captureIO({ cwd: dir });
    const code = await main(argv, io);
    return { code, out: io.out(), err: io.err() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("hardening CLI manners", () => {
  it("prints each command's help on stdout with exit 0, and the version", async () => {
    for (const cmd of ["plan", "audit", "scan"]) {
      for (const flag of ["--help", "-h"]) {
        const r = await run([cmd, flag]);
        assert.equal(r.code, 0);
        assert.equal(r.out, COMMAND_HELP[cmd]);
        assert.match(r.out, new RegExp(`^usage: hardening ${cmd} `));
      }
    }
    assert.equal((await run(["help", "audit"])).out, COMMAND_HELP.audit);
    const v = await run(["--version"]);
    assert.equal(v.code, 0);
    assert.equal(v.out, `${JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8")).version}\n`);
    // Positive control: the tool's own help is still the usage block.
    assert.equal((await run(["--help"])).out, USAGE);
  });

  it("answers a misspelt command or flag on one line with the one meant, never the usage block", async () => {
    const cases: [string[], RegExp][] = [
      [["pln"], /^hardening: unknown command "pln"; did you mean "plan"\?/],
      [["audti"], /did you mean "audit"\?/],
      [["plan", "--clod", "aws"], /^hardening plan: unknown option --clod; did you mean --cloud\?/],
      [["plan", "--stack-cnofig", "x"], /did you mean --stack-config\?/],
      [["plan", "--cloud", "AWS"], /--cloud "AWS" is not one of aws, gcp, azure, kubernetes, all; did you mean "aws"\?/],
      [["plan", "--format", "mermiad"], /did you mean "mermaid"\?/],
      [["scan", "--formt", "json", "x"], /did you mean --format\?/],
    ];
    for (const [argv, expected] of cases) {
      const r = await run(argv);
      assert.equal(r.code, 2, argv.join(" "));
      assert.match(r.err, expected);
      assert.equal(r.err.split("\n").length, 2, `one line: ${r.err}`);
      assert.ok(!r.err.includes("commands:"), "no usage block on an error");
    }
    assert.equal(closestMatch("kubernets", ["aws", "kubernetes"]), "kubernetes");
    assert.equal(closestMatch("xyz", ["aws", "gcp"]), undefined);
  });

  it("lists every configuration problem on its own line, each naming the key the user wrote", async () => {
    const r = await run(["plan", "--stack-config", "Pulumi.dev.yaml"], {
      "Pulumi.dev.yaml": [
        "config:",
        "  hardening:cloud: aws",
        "  hardening:spec:",
        "    egress:",
        "      mode: allowlist",
        "  hardening:aws:",
        "    cidr: 10.0.0.0/16",
        "    l7filter: egressProxy",
        "",
      ].join("\n"),
    });
    assert.equal(r.code, 2);
    const lines = r.err.trimEnd().split("\n");
    assert.match(lines[0], /^hardening plan: invalid configuration \(3 problems\):$/);
    assert.deepEqual(lines.slice(1).sort(), [
      "  hardening:aws.cidr is not a setting; did you mean hardening:networkCidr?",
      "  hardening:aws.l7filter is not a setting; did you mean \"l7Filter\"?",
      "  hardening:spec.egress.mode \"allowlist\" is not one of \"denyAll\", \"allowList\"; did you mean \"allowList\"?",
    ]);
    const top = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardening:cloud: aws\n  hardening:netwrokCidr: 10.0.0.0/16\n" });
    assert.match(top.err, /hardening:netwrokCidr is not a setting; did you mean "hardening:networkCidr"\?/);
    // Enum case slips in any cloud's settings name the choice meant.
    const slips = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardening:cloud: aws\n  hardening:aws:\n    l7Filter: egressproxy\n" });
    assert.match(slips.err, /\n {2}hardening:aws\.l7Filter "egressproxy" is not one of "networkFirewall", "egressProxy"; did you mean "egressProxy"\?\n/);
    const k8s = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardening:cloud: kubernetes\n  hardening:kubernetes:\n    kestra:\n      runner: Process\n" });
    assert.match(k8s.err, /hardening:kubernetes\.kestra\.runner "Process" must be "process" or "kubernetes"; did you mean "process"\?/);
    // Top-level and cloud problems in the same run.
    const both = await run(["plan", "--stack-config", "P.yaml"], {
      "P.yaml": "config:\n  hardening:cloud: gcp\n  hardening:zoneCount: 9\n  hardening:gcp:\n    minReplicas: 5\n    maxReplicas: 2\n",
    });
    assert.deepEqual(both.err.trimEnd().split("\n").slice(1), [
      "  hardening:zoneCount 9 must be a whole number from 1 to 6.",
      "  hardening:gcp.maxReplicas 2 is below minReplicas 5; raise maxReplicas or lower minReplicas.",
    ]);
  });

  it("plans the cloud the file names, refuses a conflicting --cloud, a misspelt namespace and a file without config:", async () => {
    const aws = "config:\n  hardening:cloud: aws\n  aws:region: eu-west-1\n";
    const ok = await run(["plan", "--stack-config", "Pulumi.aws.yaml", "--format", "json"], { "Pulumi.aws.yaml": aws });
    assert.equal(ok.err, "");
    assert.deepEqual(JSON.parse(ok.out).clouds.map((c: { cloud: string }) => c.cloud), ["aws"]);
    const conflict = await run(["plan", "--cloud", "kubernetes", "--stack-config", "Pulumi.aws.yaml"], { "Pulumi.aws.yaml": aws });
    assert.equal(conflict.code, 2);
    assert.match(conflict.err, /--cloud kubernetes conflicts with hardening:cloud "aws" in Pulumi\.aws\.yaml/);
    const typo = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardenning:cloud: aws\n" });
    assert.equal(typo.code, 2);
    assert.match(typo.err, /hardenning:cloud: "hardenning" is not a namespace this program reads; did you mean "hardening"\?/);
    const none = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "hardening:cloud: aws\n" });
    assert.equal(none.code, 2);
    assert.match(none.err, /has no "config:" mapping/);
  });

  it("refuses a worker network in a reserved range and warns about a public one", async () => {
    const reserved = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardening:cloud: aws\n  hardening:networkCidr: 169.254.0.0/16\n" });
    assert.equal(reserved.code, 2);
    assert.match(reserved.err, /hardening:networkCidr "169\.254\.0\.0\/16" overlaps 169\.254\.0\.0\/16 \(link-local/);
    const pub = await run(["plan", "--stack-config", "P.yaml", "--format", "json"], { "P.yaml": "config:\n  hardening:cloud: aws\n  hardening:networkCidr: 8.8.0.0/16\n" });
    assert.match(pub.err, /^hardening plan: warning: hardening:networkCidr "8\.8\.0\.0\/16" is not inside a private range/);
    for (const cidr of ["127.0.0.0/16", "224.1.0.0/16", "0.0.0.0/0", "240.0.0.0/8"]) assert.equal(checkWorkerNetworkCidr("cidr", cidr).problems.length > 0, true, cidr);
    // Positive controls: the private ranges plan clean.
    for (const cidr of ["10.42.0.0/16", "172.16.0.0/12", "192.168.10.0/24", "100.64.0.0/16"]) assert.deepEqual(checkWorkerNetworkCidr("cidr", cidr), { problems: [], warnings: [] }, cidr);
  });
});

describe("hardening plan assumes example settings only without a stack config", () => {
  it("with --stack-config refuses what pulumi up would (the Kubernetes runner without an API-server CIDR)", async () => {
    const r = await run(["plan", "--stack-config", "P.yaml"], { "P.yaml": "config:\n  hardening:cloud: kubernetes\n" });
    assert.equal(r.code, 2);
    assert.match(r.err, /\n {2}hardening:kubernetes\.kestra\.runner "kubernetes" needs the worker to reach the API server/);
    // Positive controls: the example plan states its assumption; an OSS config with the process runner plans.
    const example = await run(["plan", "--cloud", "kubernetes", "--format", "json"]);
    assert.deepEqual(JSON.parse(example.out).clouds[0].assumedSettings, { kestra: { apiServerCidrs: ["10.0.0.1/32"] } });
    const oss = await run(["plan", "--stack-config", "P.yaml", "--format", "json"], { "P.yaml": "config:\n  hardening:cloud: kubernetes\n  hardening:kubernetes:\n    kestra:\n      runner: process\n" });
    assert.equal(oss.err, "");
    assert.equal(JSON.parse(oss.out).clouds[0].assumedSettings, undefined);
  });
});
