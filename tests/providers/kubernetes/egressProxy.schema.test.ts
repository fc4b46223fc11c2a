import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The SDK's component analyzer infers the package schema (for Python, Go, C#, YAML users) from the class; it throws
// on any input or output type it cannot express. Running it proves the proxy component stays reusable from them.
describe("KubernetesEgressProxy under the Pulumi component analyzer", () => {
  it("yields a schema with the proxy's inputs and outputs", function () {
    this.timeout(120_000);
    const root = path.resolve(__dirname, "../../..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-schema-"));
    try {
      fs.writeFileSync(
        path.join(dir, "tsconfig.json"),
        JSON.stringify({
          compilerOptions: { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, types: ["node"], typeRoots: [path.join(root, "node_modules/@types")] },
          files: ["index.ts"],
        }),
      );
      fs.writeFileSync(path.join(dir, "index.ts"), `export { KubernetesEgressProxy } from ${JSON.stringify(path.join(root, "providers/kubernetes/egressProxy"))};\n`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as {
        Analyzer: new (dir: string, name: string, pkg: object, names: Set<string>) => { analyze(): { components: Record<string, { inputs: object; outputs: object }> } };
      };
      const result = new Analyzer(dir, "hardening", { name: "hardening", main: "index.ts" }, new Set(["KubernetesEgressProxy"])).analyze();
      const proxy = result.components.KubernetesEgressProxy;
      assert.deepEqual(Object.keys(proxy.inputs).sort(), [
        "clients", "clusterDomain", "createNamespace", "dns", "hardening", "image", "namespaceName", "noProxy", "port", "replicas", "resources", "runAsUser", "workerNamespaces",
      ]);
      for (const output of ["namespaceName", "proxyUrl", "proxyEnv", "javaToolOptions", "target", "squidConfig", "controls", "deployment", "service"]) assert.ok(output in proxy.outputs, output);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
