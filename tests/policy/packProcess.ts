/**
 * Starts a policy pack the way the Pulumi CLI does and talks to it over the analyzer gRPC service. Shared by the
 * pack test (tests/policy/pack.grpc.test.ts) and the benchmark (tests/bench/pack.bench.ts).
 *
 * How the CLI starts a Node.js pack (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go, NewPolicyAnalyzer):
 * it reads PulumiPolicy.yaml, runs the `pulumi-analyzer-policy` plugin with the pack directory as working
 * directory and the arguments `<engine address> .`; that plugin is a script that resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` from the pack directory and runs it with `node`. run-policy-pack registers
 * ts-node, requires the pack directory (its package.json `main`), and the pack's `new PolicyPack` prints the gRPC
 * port on stdout. We do exactly that, minus the shell script.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as analyzerPbTypes from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpcTypes from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { startPortProcess } from "../portProcess";

// The generated stubs check `instanceof` against their own google-protobuf copy (@pulumi/pulumi ships one), so
// messages must be built from the modules the stubs themselves load.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/analyzer_pb"));
/** The analyzer messages, from the same module instance the client stubs use. */
export const analyzerPb: typeof analyzerPbTypes = protoRequire("./analyzer_pb.js");
const analyzerGrpc: typeof analyzerGrpcTypes = protoRequire("./analyzer_grpc_pb.js");
const grpc: typeof grpcTypes = protoRequire("@grpc/grpc-js");
const structPb = protoRequire("google-protobuf/google/protobuf/struct_pb.js") as typeof import("google-protobuf/google/protobuf/struct_pb");
const emptyPb = protoRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof import("google-protobuf/google/protobuf/empty_pb");

/** A running pack process and a connected analyzer client. */
export interface PackProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Milliseconds from spawn until the port was printed. */
  readonly startupMs: number;
  /** CPU milliseconds (user + system) the process had used when its port arrived; NaN off Linux. */
  readonly startupCpuMs: number;
  readonly client: analyzerGrpcTypes.AnalyzerClient;
  /** Everything the pack wrote to stderr so far. */
  stderr(): string;
  /** Closes the client and kills the process; resolves when it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Spawns the pack in `dir` as the CLI does and resolves once it printed its port; rejects (and kills the process)
 * when it exits first or `timeoutMs` passes.
 */
export async function startPack(dir: string, timeoutMs = 60_000): Promise<PackProcess> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [dir] });
  const p = await startPortProcess(`pack in ${dir}`, runner, ["127.0.0.1:0", "."], dir, timeoutMs);
  const startupCpuMs = cpuMs(p.child.pid);
  const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
  return {
    port: p.port,
    child: p.child,
    startupMs: p.startupMs,
    startupCpuMs,
    client,
    stderr: p.stderr,
    stop: async () => {
      client.close();
      await p.kill();
    },
  };
}

/**
 * CPU time (user + system, ms) a process has used, from /proc/<pid>/stat; NaN where /proc is absent. Less
 * sensitive than wall time to other processes competing for the CPU, so benchmarks print both.
 */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of stat(5) (utime, stime), counted after the ")" that ends the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

/** The pack directory of this repository's policy pack. */
export const POLICY_PACK_DIR = path.resolve(__dirname, "../../policy");

/** A resource to send in an AnalyzeRequest. */
export interface WireResource {
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly parent?: string;
  readonly propertyDependencies?: Record<string, string[]>;
}

/** The unknown-value sentinel the engine sends for values not known during preview (pulumi runtime/rpc.ts). */
export const WIRE_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function options(parent?: string): analyzerPbTypes.AnalyzerResourceOptions {
  // The CLI always sends options; the SDK refuses a request without them ("A more recent version of the CLI...").
  const o = new analyzerPb.AnalyzerResourceOptions();
  o.setProtect(false);
  if (parent) o.setParent(parent);
  return o;
}

/** Builds the AnalyzeRequest the CLI would send for one resource (also the remediate request). */
export function analyzeRequest(r: WireResource): analyzerPbTypes.AnalyzeRequest {
  const req = new analyzerPb.AnalyzeRequest();
  req.setType(r.type);
  req.setUrn(r.urn);
  req.setName(r.name);
  req.setProperties(structPb.Struct.fromJavaScript(r.props as never));
  req.setOptions(options(r.parent));
  return req;
}

/** Builds the AnalyzeStackRequest the CLI sends at the end of a preview or update. */
export function analyzeStackRequest(resources: readonly WireResource[]): analyzerPbTypes.AnalyzeStackRequest {
  const req = new analyzerPb.AnalyzeStackRequest();
  req.setResourcesList(
    resources.map((r) => {
      const a = new analyzerPb.AnalyzerResource();
      a.setType(r.type);
      a.setUrn(r.urn);
      a.setName(r.name);
      a.setProperties(structPb.Struct.fromJavaScript(r.props as never));
      a.setOptions(options(r.parent));
      if (r.parent) a.setParent(r.parent);
      const deps = a.getPropertydependenciesMap();
      for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        const d = new analyzerPb.AnalyzerPropertyDependencies();
        d.setUrnsList(urns);
        deps.set(k, d);
      }
      return a;
    }),
  );
  return req;
}

/** Builds a ConfigureAnalyzerRequest: per-policy enforcement level and properties, as `pulumi preview` sends. */
export function configureRequest(
  config: Record<string, { enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled"; props?: Record<string, unknown> }>,
): analyzerPbTypes.ConfigureAnalyzerRequest {
  const levels = {
    advisory: analyzerPb.EnforcementLevel.ADVISORY,
    mandatory: analyzerPb.EnforcementLevel.MANDATORY,
    remediate: analyzerPb.EnforcementLevel.REMEDIATE,
    disabled: analyzerPb.EnforcementLevel.DISABLED,
  };
  const req = new analyzerPb.ConfigureAnalyzerRequest();
  const map = req.getPolicyconfigMap();
  for (const [name, c] of Object.entries(config)) {
    const pc = new analyzerPb.PolicyConfig();
    pc.setEnforcementlevel(levels[c.enforcementLevel]);
    pc.setProperties(structPb.Struct.fromJavaScript((c.props ?? {}) as never));
    map.set(name, pc);
  }
  return req;
}

/** An empty message for getAnalyzerInfo, from the stubs' own google-protobuf. */
export function empty(): InstanceType<typeof emptyPb.Empty> {
  return new emptyPb.Empty();
}

/** Promisifies one unary call with a deadline. */
export function call<Req, Res>(
  client: analyzerGrpcTypes.AnalyzerClient,
  method: "analyze" | "analyzeStack" | "remediate" | "getAnalyzerInfo" | "configure",
  req: Req,
  timeoutMs = 10_000,
): Promise<Res> {
  return new Promise<Res>((resolve, reject) => {
    const deadline = new Date(Date.now() + timeoutMs);
    const fn = (client as unknown as Record<string, (...a: unknown[]) => void>)[method].bind(client);
    fn(req, new grpc.Metadata(), { deadline }, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res)));
  });
}

/** The names of the enforcement levels in the wire enum, for assertions. */
export function levelName(level: number): string {
  const names: Record<number, string> = {
    [analyzerPb.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerPb.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerPb.EnforcementLevel.REMEDIATE]: "remediate",
    [analyzerPb.EnforcementLevel.DISABLED]: "disabled",
  };
  return names[level] ?? `unknown(${level})`;
}
