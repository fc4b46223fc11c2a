/**
 * Bundles the policy pack into a self-contained folder for `pulumi policy publish`, which uploads the pack's folder
 * alone: policy/ imports the rules' shared code from ../components, which a published pack would not have. The
 * bundle holds one index.js (every rule and their dependencies: yaml, ipaddr.js, picomatch, ajv), PulumiPolicy.yaml
 * and a package.json whose only dependencies are the two the Pulumi CLI installs itself.
 *
 *   node --import tsx scripts/bundlePolicy.ts [outDir]     (default dist/policy-pack)
 *   pulumi policy publish dist/policy-pack
 */
import { buildSync } from "esbuild";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");

/** Writes the bundled pack into `outDir` (created or replaced) and returns the files written. */
export function bundlePolicyPack(outDir: string): string[] {
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
    version: string;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [path.join(ROOT, "policy", "index.ts")],
    outfile: path.join(outDir, "index.js"),
    bundle: true,
    platform: "node",
    target: "node18",
    format: "cjs",
    // Installed by the CLI from package.json; one copy of each, as @pulumi/policy requires.
    external: ["@pulumi/policy", "@pulumi/pulumi"],
    sourcemap: false,
    legalComments: "inline",
    logLevel: "error",
  });
  const pkg = {
    name: "pulumi-hardening-policy",
    version: root.version,
    description: "The pulumi-hardening CrossGuard policy pack (bundled for pulumi policy publish).",
    main: "index.js",
    dependencies: {
      "@pulumi/policy": root.peerDependencies["@pulumi/policy"],
      "@pulumi/pulumi": root.peerDependencies["@pulumi/pulumi"],
    },
  };
  fs.writeFileSync(path.join(outDir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.copyFileSync(path.join(ROOT, "policy", "PulumiPolicy.yaml"), path.join(outDir, "PulumiPolicy.yaml"));
  return ["index.js", "package.json", "PulumiPolicy.yaml"].map((f) => path.join(outDir, f));
}

if (require.main === module) {
  const out = path.resolve(process.argv[2] ?? path.join(ROOT, "dist", "policy-pack"));
  for (const f of bundlePolicyPack(out)) process.stdout.write(`${path.relative(process.cwd(), f)}\n`);
}
