/**
 * What the allow-list costs: requests per second through the real Squid with the rendered configuration (a
 * realistic allow-list of 60 rules, the destination near the end) against the same Squid with `http_access allow
 * all`, in the same run, to the same local upstream. Two workloads: plain HTTP over kept-alive client connections
 * (every request is checked: name, resolved address, port), and a new CONNECT tunnel per request. Rounds alternate
 * between the two proxies so that drift on a shared machine hits both. Goal: filtering costs at most 20%
 * (ratio >= 0.80).
 *
 *   node --import tsx tests/bench/proxy.bench.ts [seconds-per-round]
 */
import * as http from "node:http";
import { HardeningSpec, planSquidConfig, SquidConfigOptions } from "../../components";
import { allowAllSquidConfigFor } from "../../components/egressProxy/squidConfig";
import { findSquid, nonLoopbackAddress, proxyConnect, SquidPaths, startSquid, startUpstream } from "../components/egressProxy/squidHarness";

const ROUND_MS = Number(process.argv[2] ?? 2) * 1000;
const ROUNDS = 3;
const CONCURRENCY = 8;

function spec(upstreamAddress: string, upstreamPort: number): HardeningSpec {
  const allow: NonNullable<NonNullable<HardeningSpec["egress"]>["allow"]> = [];
  for (let i = 0; i < 25; i++) allow.push({ domain: `mirror${i}.example.com` });
  for (let i = 0; i < 25; i++) allow.push({ domain: `*.cdn${i}.example.net`, ports: [443, 8443] });
  for (let i = 0; i < 8; i++) allow.push({ cidr: `198.51.${i}.0/24`, ports: [5432] });
  allow.push({ domain: "allowed.test", ports: [upstreamPort] }, { cidr: `${upstreamAddress}/32`, ports: [upstreamPort] });
  return { workloadSubnet: "private", egress: { mode: "allowList", allow } };
}

function options(p: SquidPaths): SquidConfigOptions {
  return {
    port: p.port,
    listenAddress: "127.0.0.1",
    clients: ["127.0.0.0/8"],
    accessLog: p.accessLog,
    cacheLog: p.cacheLog,
    runDirectory: p.runDirectory,
    hostsFile: p.hostsFile,
    dnsNameservers: ["127.0.0.1"],
  };
}

/** Requests completed in `ms` by CONCURRENCY loops, each sending `one()` back to back. */
async function rate(ms: number, one: () => Promise<void>): Promise<number> {
  const end = Date.now() + ms;
  let done = 0;
  const loop = async () => {
    while (Date.now() < end) {
      await one();
      done++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  return done / ((Date.now() - started) / 1000);
}

function get(agent: http.Agent, proxyPort: number, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, path: url, agent }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode} for ${url}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const found = findSquid();
  if ("missing" in found) {
    process.stdout.write(`proxy benchmark not run: ${found.missing}\n`);
    process.exitCode = 1;
    return;
  }
  // The proxy never reaches its own loopback, nor a name resolving to an internal address: the upstream listens on
  // the machine's other address and is requested by that address, which the allow-list lists as a cidr rule.
  const address = nonLoopbackAddress();
  if (address === undefined) {
    process.stdout.write("proxy benchmark not run: no IPv4 address outside loopback for the upstream\n");
    process.exitCode = 1;
    return;
  }
  const upstream = await startUpstream(address);
  const hosts = `${address} allowed.test\n`;
  const filtered = await startSquid(found.squid, hosts, (p) => planSquidConfig(spec(address, upstream.port), options(p)).config);
  const baseline = await startSquid(found.squid, hosts, (p) => allowAllSquidConfigFor(options(p)));
  const url = `http://${address}:${upstream.port}/bench`;
  try {
    const results = { http: { filtered: [] as number[], baseline: [] as number[] }, connect: { filtered: [] as number[], baseline: [] as number[] } };
    for (const proxy of [filtered, baseline]) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      await rate(300, () => get(agent, proxy.port, url)); // warm-up: connections, DNS cache
      agent.destroy();
    }
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? ([["filtered", filtered], ["baseline", baseline]] as const) : ([["baseline", baseline], ["filtered", filtered]] as const);
      for (const [name, proxy] of order) {
        const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
        results.http[name].push(await rate(ROUND_MS, () => get(agent, proxy.port, url)));
        agent.destroy();
        results.connect[name].push(
          await rate(ROUND_MS, async () => {
            const r = await proxyConnect(proxy.port, `${address}:${upstream.port}`);
            if (r.tunnelled !== 200) throw new Error(`CONNECT failed: ${JSON.stringify(r)}`);
          }),
        );
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    process.stdout.write(`proxy: ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s, ${CONCURRENCY} concurrent clients, 60-rule allow-list\n`);
    for (const kind of ["http", "connect"] as const) {
      const f = median(results[kind].filtered);
      const b = median(results[kind].baseline);
      const ratio = f / b;
      process.stdout.write(
        `  ${kind.padEnd(8)} allow-list ${f.toFixed(0).padStart(6)} req/s   allow-all ${b.toFixed(0).padStart(6)} req/s   ratio ${ratio.toFixed(2)} (goal >= 0.80: ${ratio >= 0.8 ? "met" : "NOT met"})\n`,
      );
    }
  } finally {
    await filtered.stop();
    await baseline.stop();
    await upstream.close();
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exitCode = 1;
});
