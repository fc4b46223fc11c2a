/**
 * Starts the component package the way the Pulumi CLI does for `pulumi package add <checkout>/plugin`, and asks it
 * for its schema over the provider gRPC service.
 *
 * How the CLI starts a Node.js source-based plugin (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs,
 * RunPlugin): it resolves `@pulumi/pulumi/cmd/run-plugin` from the plugin directory and runs
 * `node <run-plugin> <plugin dir> [engine address]` in the consumer's working directory. run-plugin registers
 * ts-node, `require`s the plugin directory (package.json `main`), collects every exported ComponentResource
 * subclass, names the provider after package.json `name`, and serves it; the process prints its port on stdout.
 * We do exactly that, with an empty directory standing for the consumer's.
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as providerPbTypes from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpcTypes from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { startPortProcess } from "../portProcess";

/** The repository root. */
export const ROOT = path.resolve(__dirname, "../..");
/** The component package directory consumers pass to `pulumi package add`. */
export const PLUGIN_DIR = path.join(ROOT, "plugin");

// The generated stubs check `instanceof` against their own google-protobuf copy, so messages come from the same
// module instances the stubs load.
const protoRequire = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const providerPb: typeof providerPbTypes = protoRequire("./provider_pb.js");
const providerGrpc: typeof providerGrpcTypes = protoRequire("./provider_grpc_pb.js");
const grpc: typeof grpcTypes = protoRequire("@grpc/grpc-js");

/** A running component provider and a connected client. */
export interface PluginProcess {
  readonly port: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** The package schema, as `pulumi package add` receives it. */
  getSchema(timeoutMs: number): Promise<PackageSpec>;
  /** Closes the client and kills the process; resolves when it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Runs the package in `dir` as the Node language host does, in the working directory `cwd`; resolves once it
 * printed its port.
 */
export async function startPlugin(dir: string, cwd: string, timeoutMs: number): Promise<PluginProcess> {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [dir] });
  const p = await startPortProcess("the plugin", runner, [dir], cwd, timeoutMs);
  const client = new providerGrpc.ResourceProviderClient(`127.0.0.1:${p.port}`, grpc.credentials.createInsecure());
  return {
    port: p.port,
    stderr: p.stderr,
    getSchema: (ms) =>
      new Promise<PackageSpec>((ok, fail) => {
        client.getSchema(new providerPb.GetSchemaRequest(), new grpc.Metadata(), { deadline: Date.now() + ms }, (err, res) => {
          if (err) fail(new Error(`GetSchema failed: ${err.message}; plugin stderr:\n${p.stderr()}`));
          else ok(JSON.parse(res.getSchema()) as PackageSpec);
        });
      }),
    stop: async () => {
      client.close();
      await p.kill();
    },
  };
}
