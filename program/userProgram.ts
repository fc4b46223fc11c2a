/**
 * `hardening plan DIR`: a user's own Pulumi TypeScript program run offline, under the same mocks as the package's
 * root program. Reads the project (DIR/Pulumi.yaml: name, runtime, main, config defaults) and one stack config
 * file, loads the entry point with the program's own TypeScript compiler, records every resource, and collects
 * the controls report every hardening component registers as its `controls` output.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Module from "node:module";
import { parse as parseYaml } from "yaml";
import type { ControlReport } from "../components";
import { CLOUDS, CloudModule, CloudName, loadCloud, missingSdkError, OfflineCall } from "./environment";
import { runUnderMocks } from "./offlineEngine";
import { PlannedResource, redactSecrets } from "./plan";

/** A user program's plan before the policy pack has looked at it. */
export interface ProgramPlan {
  /** The project name (Pulumi.yaml `name`). */
  readonly project: string;
  /** The stack the config came from (`plan` when none was given). */
  readonly stack: string;
  readonly resources: PlannedResource[];
  /** Every hardening component's controls report, in registration order. */
  readonly controls: ControlReport[];
}

/** Bad input about the program: printed as one line per problem, exit 2. */
export class ProgramInputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ProgramInputError";
  }
}

/** The value the plan gives a secret config value: it never decrypts, and never prints one. */
export const SECRET_PLACEHOLDER = "[secret]";

interface Project {
  readonly name: string;
  readonly runtime: string;
  readonly main: string;
  readonly config: Record<string, string>;
}

function readProject(dir: string): Project {
  const file = path.join(dir, "Pulumi.yaml");
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"), { maxAliasCount: 100 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProgramInputError([code === "ENOENT" ? `${dir} has no Pulumi.yaml; give the directory of a Pulumi project` : `${file}: ${(e as Error).message.split("\n")[0]}`]);
  }
  const p = (doc ?? {}) as { name?: unknown; runtime?: unknown; main?: unknown; config?: unknown };
  const runtime = typeof p.runtime === "string" ? p.runtime : (p.runtime as { name?: unknown } | undefined)?.name;
  const problems: string[] = [];
  if (typeof p.name !== "string" || p.name === "") problems.push(`${file}: name is missing`);
  if (runtime !== "nodejs") problems.push(`${file}: runtime ${JSON.stringify(runtime)} is not nodejs; hardening plan runs TypeScript and JavaScript programs`);
  if (problems.length > 0) throw new ProgramInputError(problems);
  const name = p.name as string;
  // Project config: a default for the project's own keys, a value for other namespaces (Project.Validate's rule).
  const config: Record<string, string> = {};
  for (const [key, decl] of Object.entries((p.config ?? {}) as Record<string, unknown>)) {
    const full = key.includes(":") ? key : `${name}:${key}`;
    const d = decl !== null && typeof decl === "object" ? (decl as { default?: unknown; value?: unknown }) : { value: decl };
    const v = d.value ?? d.default;
    if (v !== undefined) config[full] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return { name, runtime: "nodejs", main: typeof p.main === "string" ? p.main : ".", config };
}

/** The stack config file's values as the SDK holds them (`ns:key` -> text), and which are secrets. */
function readStackFile(file: string): { config: Record<string, string>; secretKeys: string[] } {
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8"), { maxAliasCount: 100 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProgramInputError([code === "ENOENT" ? `${file} does not exist` : `${file}: ${(e as Error).message.split("\n")[0]}`]);
  }
  const raw = doc !== null && typeof doc === "object" ? (doc as { config?: unknown }).config : undefined;
  if (raw === undefined || raw === null) return { config: {}, secretKeys: [] };
  if (typeof raw !== "object" || Array.isArray(raw)) throw new ProgramInputError([`${file}: config is not a mapping`]);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const problems: string[] = [];
  const hasSecure = (v: unknown): boolean =>
    v !== null && typeof v === "object" && (Array.isArray(v) ? v.some(hasSecure) : "secure" in v || Object.values(v).some(hasSecure));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!key.includes(":")) {
      problems.push(`${file}: ${key} has no namespace; stack config keys are written "<project>:${key}"`);
      continue;
    }
    if (hasSecure(value)) {
      config[key] = SECRET_PLACEHOLDER;
      secretKeys.push(key);
    } else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  if (problems.length > 0) throw new ProgramInputError(problems);
  return { config, secretKeys };
}

/** The program's entry file: `main` (a file, or a directory with package.json `main` or index.ts/index.js). */
function entryOf(dir: string, main: string): string {
  const target = path.resolve(dir, main);
  if (fs.existsSync(target) && fs.statSync(target).isFile()) return target;
  const pkgFile = path.join(target, "package.json");
  if (fs.existsSync(pkgFile)) {
    const pkgMain = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: string }).main;
    if (pkgMain) {
      for (const candidate of [pkgMain, `${pkgMain}.ts`, `${pkgMain}.js`, path.join(pkgMain, "index.ts")]) {
        const f = path.resolve(target, candidate);
        if (fs.existsSync(f) && fs.statSync(f).isFile()) return f;
      }
    }
  }
  for (const candidate of ["index.ts", "index.js"]) if (fs.existsSync(path.join(target, candidate))) return path.join(target, candidate);
  throw new ProgramInputError([`${dir}: no entry point (Pulumi.yaml main ${JSON.stringify(main)}, package.json main, index.ts or index.js)`]);
}

/**
 * Makes `.ts` files loadable when nothing (tsx, ts-node) has: transpiles each with the program's own `typescript`
 * package, as `pulumi up` does for a TypeScript program.
 */
function ensureTypeScript(dir: string, entry: string): void {
  const extensions = (Module as unknown as { _extensions: Record<string, unknown> })._extensions;
  if (!entry.endsWith(".ts") || extensions[".ts"]) return;
  let ts: typeof import("typescript");
  try {
    ts = Module.createRequire(path.join(dir, "package.json"))("typescript") as typeof import("typescript");
  } catch {
    throw new ProgramInputError([`${entry} is TypeScript but ${dir} has no typescript package; npm install --save-dev typescript`]);
  }
  extensions[".ts"] = (module: { _compile(code: string, file: string): void }, filename: string) => {
    const out = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true, sourceMap: false },
    });
    module._compile(out.outputText, filename);
  };
}

/** The cloud whose module answers for a type or function token (`aws:...`, `azure-native:...`). */
function cloudOfToken(token: string): CloudName | undefined {
  const pkg = token.split(":")[0];
  const cloud = pkg === "azure-native" ? "azure" : pkg;
  return (CLOUDS as readonly string[]).includes(cloud) ? (cloud as CloudName) : undefined;
}

/**
 * Offline answers for provider functions and created resources, from the cloud module of the token's package,
 * loaded only when the program first uses that cloud: a one-cloud program loads one cloud's module.
 */
function offlineAnswers(): { calls: Record<string, OfflineCall>; state: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown> } {
  const modules = new Map<CloudName, CloudModule | undefined>();
  const moduleFor = (token: string): CloudModule | undefined => {
    const cloud = cloudOfToken(token);
    if (cloud === undefined) return undefined;
    if (!modules.has(cloud)) {
      try {
        modules.set(cloud, loadCloud(cloud));
      } catch (e) {
        if (!missingSdkError(cloud, e)) throw e;
        modules.set(cloud, undefined);
      }
    }
    return modules.get(cloud);
  };
  const calls = new Proxy({} as Record<string, OfflineCall>, {
    get: (_, token) => (typeof token === "string" ? moduleFor(token)?.offlineCalls?.[token] : undefined),
  });
  const state = (type: string, name: string, inputs: Record<string, unknown>) => {
    const mod = moduleFor(type);
    return mod?.offlineState ? mod.offlineState(type, name, inputs) : {};
  };
  return { calls, state };
}

/** `type::name` of a URN, parents' types dropped: how the SDK's and the recorder's URNs are matched. */
function typeAndName(urn: string): string {
  const parts = urn.split("::");
  return `${parts[2]?.split("$").pop()}::${parts.slice(3).join("::")}`;
}

/**
 * Plans the Pulumi program in `dir` offline. `stackConfigFile` (or DIR/Pulumi.<stack>.yaml) supplies the stack
 * config; secrets are given to the program as "[secret]" and never decrypted.
 */
export async function planUserProgram(dir: string, options: { stack?: string; stackConfigFile?: string } = {}): Promise<ProgramPlan> {
  const project = readProject(dir);
  const stack = options.stack ?? (options.stackConfigFile ? /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(options.stackConfigFile))?.[1] : undefined) ?? "plan";
  const file = options.stackConfigFile ?? (options.stack ? path.join(dir, `Pulumi.${options.stack}.yaml`) : undefined);
  const stackConfig = file ? readStackFile(file) : { config: {}, secretKeys: [] };
  const entry = entryOf(dir, project.main);
  ensureTypeScript(dir, entry);
  const answers = offlineAnswers();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { setAllConfig(c: Record<string, string>, secretKeys?: string[]): void };
  const run = await runUnderMocks(
    async () => {
      runtimeConfig.setAllConfig({ ...project.config, ...stackConfig.config }, stackConfig.secretKeys);
      delete require.cache[entry];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = require(entry) as unknown;
      const main = (exported as { default?: unknown })?.default ?? exported;
      return typeof main === "function" ? await (main as () => unknown)() : exported;
    },
    {
      project: project.name,
      stack,
      calls: answers.calls,
      state: answers.state,
    },
  );
  const outputs = new Map([...run.componentOutputs].map(([urn, o]) => [typeAndName(urn), o]));
  const controls: ControlReport[] = [];
  for (const r of run.resources) {
    const reported = outputs.get(typeAndName(r.urn))?.controls;
    if (Array.isArray(reported)) controls.push(...(reported as ControlReport[]));
  }
  return {
    project: project.name,
    stack,
    resources: run.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, parent: r.parent, inputs: redactSecrets(r.inputs) as Record<string, unknown> })),
    controls,
  };
}
