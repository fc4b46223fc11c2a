/**
 * Benchmark: the pulumi-hardening pack against an empty pack (tests/bench/fixtures/empty-pack), both started the
 * way the Pulumi CLI starts a Node.js pack, measured in the same run.
 *
 *   node --import tsx tests/bench/pack.bench.ts [--calls 10000] [--inflight 16] [--starts 5]
 *
 * Prints the per-call ratio of 10,000 `analyze` calls over gRPC with 16 in flight (goal <= 1.3x) and the start-up
 * ratio (time from spawn to the printed port, median of several starts after one unmeasured start that fills
 * ts-node's compile cache; goal <= 1.2x). Each is printed as wall time and as the pack process's CPU time (from
 * /proc), which other processes competing for the CPU disturb less. Timings are printed, never asserted.
 */
import * as os from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { analyzeRequest, call, cpuMs, PackProcess, POLICY_PACK_DIR, startPack, WireResource } from "../policy/packProcess";

const EMPTY_PACK_DIR = path.resolve(__dirname, "fixtures/empty-pack");

const { values } = parseArgs({
  options: { calls: { type: "string", default: "10000" }, inflight: { type: "string", default: "16" }, starts: { type: "string", default: "5" } },
});
const CALLS = Number(values.calls);
const INFLIGHT = Number(values.inflight);
const STARTS = Number(values.starts);

const urn = (type: string, name: string) => `urn:pulumi:bench::proj::${type}::${name}`;
const r = (type: string, name: string, props: Record<string, unknown>): WireResource => ({ type, name, urn: urn(type, name), props });

// A mix like a real Kestra stack: hardened hosts, a few findings, Kubernetes workloads, and types no rule checks.
const RESOURCES: WireResource[] = [
  r("aws:ec2/launchTemplate:LaunchTemplate", "workers", {
    imageId: "ami-0abc",
    instanceType: "m6i.large",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: ["sg-1"] }],
    userData: Buffer.from("#!/bin/bash\necho ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config\n").toString("base64"),
    tags: { "hardening:role": "workload" },
  }),
  r("aws:ec2/instance:Instance", "legacy", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "optional" }, associatePublicIpAddress: true }),
  r("aws:ec2/securityGroup:SecurityGroup", "workers", { vpcId: "vpc-1", egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }] }),
  r("aws:s3/bucket:Bucket", "artifacts", { bucket: "kestra-artifacts", tags: { team: "data" } }),
  r("gcp:compute/instanceTemplate:InstanceTemplate", "workers", {
    machineType: "e2-standard-4",
    networkInterfaces: [{ network: "n", subnetwork: "s" }],
    serviceAccount: { email: "worker@p.iam.gserviceaccount.com", scopes: ["cloud-platform"] },
    metadata: { "disable-legacy-endpoints": "TRUE", "block-project-ssh-keys": "TRUE" },
  }),
  r("azure-native:compute:VirtualMachineScaleSet", "workers", {
    resourceGroupName: "rg",
    virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ name: "nic", ipConfigurations: [{ name: "ip" }] }] } },
  }),
  r("kubernetes:apps/v1:Deployment", "kestra-worker", {
    metadata: { name: "kestra-worker", namespace: "kestra" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "worker" } },
      template: {
        metadata: { labels: { app: "worker" } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "worker",
              image: "kestra/kestra:latest",
              args: ["server", "worker"],
              env: [{ name: "KESTRA_CONFIGURATION", value: "datasources: {}" }],
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 1000 },
            },
          ],
        },
      },
    },
  }),
  r("kubernetes:core/v1:ConfigMap", "flows", { metadata: { name: "flows" }, data: { "flow.yml": "id: hello\nnamespace: company.team\ntasks:\n  - id: log\n    type: io.kestra.plugin.core.log.Log\n    message: hi\n" } }),
  r("random:index/randomPassword:RandomPassword", "pw", { length: 24 }),
];
const REQUESTS = RESOURCES.map(analyzeRequest);

/** Wall and pack-process CPU microseconds per call for `n` analyze calls with INFLIGHT in flight. */
async function analyzeMany(pack: PackProcess, n: number): Promise<{ wall: number; cpu: number }> {
  let next = 0;
  const started = process.hrtime.bigint();
  const cpu0 = cpuMs(pack.child.pid);
  await Promise.all(
    Array.from({ length: INFLIGHT }, async () => {
      for (let i = next++; i < n; i = next++) await call(pack.client, "analyze", REQUESTS[i % REQUESTS.length], 30_000);
    }),
  );
  return { wall: Number(process.hrtime.bigint() - started) / 1e3 / n, cpu: ((cpuMs(pack.child.pid) - cpu0) * 1e3) / n };
}

/** Start-up times: one unmeasured start each (fills ts-node's cache), then alternating starts of the two packs. */
async function startTimes() {
  type Start = { wall: number; cpu: number };
  const once = async (dir: string, timeoutMs: number): Promise<Start> => {
    const p = await startPack(dir, timeoutMs);
    await p.stop();
    return { wall: p.startupMs, cpu: p.startupCpuMs };
  };
  const out = { empty: { cold: await once(EMPTY_PACK_DIR, 180_000), warm: [] as Start[] }, pack: { cold: await once(POLICY_PACK_DIR, 180_000), warm: [] as Start[] } };
  for (let i = 0; i < STARTS; i++) {
    out.empty.warm.push(await once(EMPTY_PACK_DIR, 60_000));
    out.pack.warm.push(await once(POLICY_PACK_DIR, 60_000));
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const uptimeLoad = () => os.loadavg()[0] / Math.max(1, os.cpus().length);

async function main(): Promise<void> {
  const live: PackProcess[] = [];
  try {
    const { empty: emptyStart, pack: packStart } = await startTimes();

    const empty = await startPack(EMPTY_PACK_DIR);
    live.push(empty);
    const pack = await startPack(POLICY_PACK_DIR);
    live.push(pack);
    // Warm both (JIT, connections), then alternate halves so load from other processes hits both alike.
    await analyzeMany(empty, 500);
    await analyzeMany(pack, 500);
    const half = Math.ceil(CALLS / 2);
    const e1 = await analyzeMany(empty, half);
    const p1 = await analyzeMany(pack, half);
    const p2 = await analyzeMany(pack, CALLS - half);
    const e2 = await analyzeMany(empty, CALLS - half);
    const avg = (a: { wall: number; cpu: number }, b: { wall: number; cpu: number }) => ({
      wall: (a.wall * half + b.wall * (CALLS - half)) / CALLS,
      cpu: (a.cpu * half + b.cpu * (CALLS - half)) / CALLS,
    });
    const e = avg(e1, e2);
    const p = avg(p1, p2);

    const fmt = (x: number) => x.toFixed(1);
    console.log(`analyze: ${CALLS} calls per pack, ${INFLIGHT} in flight, ${RESOURCES.length} resource shapes`);
    console.log(`  empty pack          ${fmt(e.wall)} us/call wall, ${fmt(e.cpu)} us/call pack CPU`);
    console.log(`  pulumi-hardening    ${fmt(p.wall)} us/call wall, ${fmt(p.cpu)} us/call pack CPU`);
    console.log(`  per-call ratio      ${(p.wall / e.wall).toFixed(2)}x wall, ${(p.cpu / e.cpu).toFixed(2)}x CPU (goal <= 1.3x)`);
    const mw = (xs: { wall: number; cpu: number }[]) => ({ wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) });
    const es = mw(emptyStart.warm);
    const ps = mw(packStart.warm);
    console.log(`start-up (spawn to port), median of ${STARTS} alternating starts after one that fills ts-node's cache:`);
    console.log(`  empty pack          ${fmt(es.wall)} ms wall, ${fmt(es.cpu)} ms CPU (first start ${fmt(emptyStart.cold.wall)} ms)`);
    console.log(`  pulumi-hardening    ${fmt(ps.wall)} ms wall, ${fmt(ps.cpu)} ms CPU (first start ${fmt(packStart.cold.wall)} ms)`);
    console.log(`  start-up ratio      ${(ps.wall / es.wall).toFixed(2)}x wall, ${(ps.cpu / es.cpu).toFixed(2)}x CPU (goal <= 1.2x)`);
    if (uptimeLoad() > 2) console.log(`note: load average ${(uptimeLoad() * os.cpus().length).toFixed(1)} on ${os.cpus().length} CPUs; wall-clock ratios are noisy, CPU ratios less so.`);
  } finally {
    await Promise.all(live.map((p) => p.stop()));
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
