/**
 * Audit speed and memory on a synthetic 100,000-resource export of mixed types (AWS, GCP, Azure, Kubernetes),
 * against a baseline measured in the same run: `JSON.parse` of the same file plus a walk over every property.
 * Goals (issue 7): audit time at most 3x the baseline; peak memory at most 4x the file size.
 *
 * What is measured is the package as installed: the sources compiled by tsc (as `npm run build` does, into a
 * scratch folder) and loaded as plain JavaScript, which is what `hardening audit` runs from npm. The same audit
 * run from the TypeScript sources through tsx (as in a development checkout) is printed too; tsx's transform
 * (esbuild with keepNames) makes it slower, and that cost is not the auditor's.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fromSources from "../../policy/audit";
import { compilePackage, loadCompiled as load } from "./compiled";

type AuditModule = Pick<typeof fromSources, "auditStateFile" | "openState">;

const COUNT = Number(process.env.BENCH_RESOURCES ?? 100_000);
const REPEAT = 5;

function resource(i: number): Record<string, unknown> {
  const urn = (type: string) => `urn:pulumi:prod::kestra::${type}::r${i}`;
  switch (i % 8) {
    case 0:
      return { urn: urn("aws:ec2/launchTemplate:LaunchTemplate"), custom: true, type: "aws:ec2/launchTemplate:LaunchTemplate",
        inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens: i % 16 === 0 ? "optional" : "required", httpPutResponseHopLimit: 1 },
          userData: Buffer.from(`#!/bin/sh\necho worker ${i}\n`).toString("base64"), tags: { Name: `worker-${i}` } } };
    case 1:
      return { urn: urn("aws:ec2/securityGroup:SecurityGroup"), custom: true, type: "aws:ec2/securityGroup:SecurityGroup",
        inputs: { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["203.0.113.0/24"] }], tags: { Name: `sg-${i}` } } };
    case 2:
      return { urn: urn("aws:ec2/subnet:Subnet"), custom: true, type: "aws:ec2/subnet:Subnet",
        inputs: { cidrBlock: `10.${i % 256}.0.0/24`, mapPublicIpOnLaunch: false, tags: { "hardening:role": "workload" } } };
    case 3:
      return { urn: urn("gcp:compute/instanceTemplate:InstanceTemplate"), custom: true, type: "gcp:compute/instanceTemplate:InstanceTemplate",
        inputs: { machineType: "e2-standard-2", metadata: { "disable-legacy-endpoints": "TRUE", "startup-script": "#!/bin/sh\ntrue\n" },
          networkInterfaces: [{ network: "n", subnetwork: "s" }], shieldedInstanceConfig: { enableSecureBoot: true } } };
    case 4:
      return { urn: urn("azure-native:compute:VirtualMachineScaleSet"), custom: true, type: "azure-native:compute:VirtualMachineScaleSet",
        inputs: { orchestrationMode: "Flexible", virtualMachineProfile: { osProfile: { computerNamePrefix: "w", customData: Buffer.from("#cloud-config\n").toString("base64") } } } };
    case 5:
      return { urn: urn("kubernetes:apps/v1:Deployment"), custom: true, type: "kubernetes:apps/v1:Deployment",
        inputs: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: `d${i}`, namespace: "kestra" },
          spec: { template: { spec: { automountServiceAccountToken: false, securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            containers: [{ name: "c", image: "kestra/kestra:latest", args: ["server", "worker"], env: [{ name: "X", value: `v${i}` }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true } }] } } } } };
    case 6:
      return { urn: urn("aws:s3/bucket:Bucket"), custom: true, type: "aws:s3/bucket:Bucket", inputs: { bucket: `b-${i}` },
        outputs: { arn: `arn:aws:s3:::b-${i}`, region: "eu-west-1", tagsAll: {} } };
    default:
      return { urn: urn("aws:iam/role:Role"), custom: true, type: "aws:iam/role:Role",
        inputs: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) } };
  }
}

function walk(value: unknown): number {
  let n = 0;
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    n++;
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === "object") for (const x of Object.values(v)) stack.push(x);
  }
  return n;
}

function time(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/**
 * The best of REPEAT runs of each, the two taking turns: on a shared machine a burst of load then hits both rather
 * than all the runs of one.
 */
function bestOfAlternating(a: () => void, b: () => void): [number, number] {
  let minA = Infinity;
  let minB = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    minA = Math.min(minA, time(a));
    minB = Math.min(minB, time(b));
  }
  return [minA, minB];
}

if (process.argv[2] === "--peak") {
  // Child mode: audit one file as `hardening audit` does (its bytes, never decoded whole) with the compiled
  // package, and print the peak resident set size (KiB) of this process.
  const compiled = load(path.join(process.argv[4], "policy", "audit", "index.js")) as AuditModule;
  compiled.auditStateFile(compiled.openState("bench", fs.readFileSync(process.argv[3])));
  process.stdout.write(String(process.resourceUsage().maxRSS));
} else if (process.argv[2] === "--parse") {
  // Child mode: the baseline's memory, JSON.parse of the same file plus a walk.
  walk(JSON.parse(fs.readFileSync(process.argv[3], "utf8")));
  process.stdout.write(String(process.resourceUsage().maxRSS));
} else if (process.argv[2] === "--idle") {
  // Child mode: the same process start-up and module loading, without the audit.
  void load(path.join(process.argv[4], "policy", "audit", "index.js"));
  process.stdout.write(String(process.resourceUsage().maxRSS));
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-bench-"));
  const pkg = compilePackage();
  const build = pkg.dir;
  try {
    const compiled = load(path.join(build, "policy", "audit", "index.js")) as AuditModule;
    const file = path.join(dir, "stack.json");
    const resources = Array.from({ length: COUNT }, (_, i) => resource(i));
    fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
    const size = fs.statSync(file).size;
    const text = fs.readFileSync(file, "utf8");
    const bytes = fs.readFileSync(file);
    let violations = 0;
    // What `hardening audit` does with the file's bytes: split them, then decode, parse, check and drop one
    // resource at a time. (The baseline is handed the text already decoded; the audit decodes its own.)
    const auditWith = (m: AuditModule) => () => {
      violations = m.auditStateFile(m.openState(file, bytes)).violations.length;
    };
    const [baseline, audit] = bestOfAlternating(() => walk(JSON.parse(text)), auditWith(compiled));
    const [baselineAgain, auditTsx] = bestOfAlternating(() => walk(JSON.parse(text)), auditWith(fromSources));
    // The audit's children run with the node flags `hardening audit` runs with (bin/node-flags.js); the
    // baseline's with node's defaults.
    const auditFlags = (load(path.join(__dirname, "..", "..", "bin", "node-flags.js")) as { audit: string[] }).audit;
    const peak = (mode: string, flags: readonly string[] = []) =>
      Number(spawnSync(process.execPath, [...flags, "--import", "tsx", __filename, mode, file, build], { encoding: "utf8" }).stdout) * 1024;
    const idle = peak("--idle", auditFlags);
    const peakRss = peak("--peak", auditFlags);
    const idleDefault = peak("--idle");
    const peakDefault = peak("--peak");
    const parseRss = peak("--parse");
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`synthetic export: ${COUNT} resources, ${mb(size)}, ${violations} violations found`);
    console.log(`baseline (JSON.parse + walk): ${baseline.toFixed(0)} ms`);
    console.log(`audit (read + every rule):    ${audit.toFixed(0)} ms  ->  ${(audit / baseline).toFixed(2)}x baseline (goal <= 3x)`);
    console.log(`  the same from the sources through tsx: ${auditTsx.toFixed(0)} ms  ->  ${(auditTsx / baselineAgain).toFixed(2)}x baseline (measured again: ${baselineAgain.toFixed(0)} ms)`);
    console.log(`peak memory of the audit: ${mb(peakRss - idle)} above an idle process  ->  ${((peakRss - idle) / size).toFixed(2)}x the file size (goal <= 4x; node ${auditFlags.join(" ")}, as \`hardening audit\` runs)`);
    console.log(`  the same with node's default flags: ${mb(peakDefault - idleDefault)}  ->  ${((peakDefault - idleDefault) / size).toFixed(2)}x the file size`);
    console.log(`peak memory of the baseline (JSON.parse + walk): ${mb(parseRss - idleDefault)}  ->  ${((parseRss - idleDefault) / size).toFixed(2)}x the file size`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    pkg.remove();
  }
}
