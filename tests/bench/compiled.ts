/**
 * The package as installed, for benchmarks: the sources compiled by tsc with the project's tsconfig (what
 * `npm run build` ships in dist/) into a scratch folder inside the checkout, so the compiled files resolve
 * node_modules as an installed package does. Benchmarks run from the TypeScript sources go through tsx, whose
 * transform (esbuild with keepNames) adds its own cost; users of the npm package never pay it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

/** The repository root. */
export const REPO_ROOT = path.join(__dirname, "..", "..");

/** Loads plain CommonJS files of a compiled build (and resolves typescript's tsc). */
export const loadCompiled = createRequire(__filename);

/** A compiled build in a scratch folder; `remove()` deletes it. */
export interface CompiledPackage {
  readonly dir: string;
  remove(): void;
}

/** Compiles the package (no declarations or source maps: not needed to run). Throws with tsc's output on failure. */
export function compilePackage(): CompiledPackage {
  const dir = fs.mkdtempSync(path.join(REPO_ROOT, ".bench-build-"));
  const tsc = loadCompiled.resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(REPO_ROOT, "tsconfig.json"), "--outDir", dir, "--declaration", "false", "--sourceMap", "false"], {
    encoding: "utf8",
  });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`tsc failed:\n${r.stdout}${r.stderr}`);
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The arguments that run the compiled `hardening` CLI with `args`, as bin/hardening.js does from an installed package. */
export function compiledCliArgs(build: string, args: readonly string[]): string[] {
  const main = path.join(build, "cli", "index.js");
  const script = `require(${JSON.stringify(main)}).main(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`;
  return ["-e", script];
}
