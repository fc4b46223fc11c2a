import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The SDK's component analyzer infers the package schema (for Python, Go, C#, YAML users) from the classes; it
// throws on any input or output type it cannot express. Running it proves the three components stay reusable.
describe("GCP components under the Pulumi component analyzer", () => {
  it("yields a schema for GcpWorkerNetwork, GcpWorkerPool and GcpGkeNodePool", function () {
    this.timeout(120_000);
    const root = path.resolve(__dirname, "../../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gcp-schema-"));
    try {
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, types: ["node"], typeRoots: [path.join(root, "node_modules/@types")] },
          files: ["index.ts"],
        }),
      );
      fs.writeFileSync(path.join(dir, "index.ts"), `export { GcpWorkerNetwork, GcpWorkerPool, GcpGkeNodePool } from ${JSON.stringify(path.join(root, "providers/gcp/index"))};\n`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
        Analyzer: new (dir: string, name: string, pkg: object, names: Set<string>) => { analyze(): { components: Record<string, { inputs: object; outputs: object }> } };
      };
      const names = ["GcpWorkerNetwork", "GcpWorkerPool", "GcpGkeNodePool"];
      const result = new Analyzer(dir, "hardening", { name: "hardening", main: "index.ts" }, new Set(names)).analyze();
      assert.deepEqual(Object.keys(result.components).sort(), [...names].sort());
      assert.ok("hardening" in result.components.GcpWorkerNetwork.inputs);
      assert.ok("controls" in result.components.GcpWorkerPool.outputs);
      assert.ok("networkId" in result.components.GcpWorkerNetwork.outputs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
