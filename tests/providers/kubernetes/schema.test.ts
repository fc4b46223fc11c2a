import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The SDK's component analyzer infers the package schema (for Python, Go, C#, YAML users) from the classes; it
// throws on any input or output type it cannot express. Running it proves both components stay reusable.
describe("Kubernetes components under the Pulumi component analyzer", () => {
  it("yields a schema for KubernetesWorkerNamespace and KestraWorker", function () {
    this.timeout(120_000);
    const root = path.resolve(__dirname, "../../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "k8s-schema-"));
    try {
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, types: ["node"], typeRoots: [path.join(root, "node_modules/@types")] },
          files: ["index.ts"],
        }),
      );
      fs.writeFileSync(path.join(dir, "index.ts"), `export { KubernetesWorkerNamespace, KestraWorker } from ${JSON.stringify(path.join(root, "providers/kubernetes/index"))};\n`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
        Analyzer: new (dir: string, name: string, pkg: object, names: Set<string>) => { analyze(): { components: Record<string, { inputs: object; outputs: object }> } };
      };
      const names = ["KubernetesWorkerNamespace", "KestraWorker"];
      const result = new Analyzer(dir, "hardening", { name: "hardening", main: "index.ts" }, new Set(names)).analyze();
      assert.deepEqual(Object.keys(result.components).sort(), [...names].sort());
      assert.ok("hardening" in result.components.KubernetesWorkerNamespace.inputs);
      assert.ok("backendEgress" in result.components.KestraWorker.inputs);
      assert.ok("controls" in result.components.KubernetesWorkerNamespace.outputs);
      assert.ok("taskRunner" in result.components.KestraWorker.outputs);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
