import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { PackageSpec, Property } from "@pulumi/pulumi/provider/experimental/schema";
import { parse as parseYaml } from "yaml";
import { runUnderMocks } from "../../program/offlineEngine";
import { PLUGIN_DIR, PluginProcess, ROOT, startPlugin } from "./pluginHost";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getPulumiComponents } = require("@pulumi/pulumi/provider/experimental/provider") as {
  getPulumiComponents(exports: unknown): { name: string }[];
};

const CLOUDS = ["aws", "gcp", "azure", "kubernetes"];
const PACKAGE = "hardening";

/**
 * Properties whose JSDoc the analyzer cannot see (a shared comment above several properties covers only the first;
 * a comment holding only `@default` has no text), so Python, Go, C# and YAML users get no description for them.
 * Each entry is a gap for its provider's owner to close; the test fails when a new gap appears and when a listed one
 * is closed, so this list only shrinks.
 */
const KNOWN_UNDESCRIBED = [
  "hardening:index:AzureWorkerNetwork output dnsResolverPolicy",
  "hardening:index:AzureWorkerNetwork output egressPublicIp",
  "hardening:index:AzureWorkerNetwork output firewall",
  "hardening:index:AzureWorkerNetwork output firewallPolicy",
  "hardening:index:AzureWorkerNetwork output natGateway",
  "hardening:index:AzureWorkerNetwork output networkSecurityGroup",
  "hardening:index:AzureWorkerNetwork output routeTable",
  "hardening:index:AzureWorkerNetwork output workloadSubnet",
  "hardening:index:KestraWorker output configurationSecret",
  "hardening:index:KestraWorker output disruptionBudget",
  "hardening:index:KestraWorker output networkPolicy",
  "hardening:index:KestraWorker output role",
  "hardening:index:KestraWorker output roleBinding",
  "hardening:index:KestraWorker output serviceAccount",
  "hardening:index:KubernetesWorkerNamespace output limitRange",
  "hardening:index:KubernetesWorkerNamespace output networkPolicies",
  "hardening:index:KubernetesWorkerNamespace output resourceQuota",
  "hardening:index:KubernetesWorkerNamespace output runtimeClass",
  "hardening:index:KubernetesWorkerNamespace output serviceAccount",
  "type hardening:index:LimitRangeArgs property defaultMemory",
  "type hardening:index:LimitRangeArgs property defaultRequestMemory",
  "type hardening:index:LimitRangeArgs property maxMemory",
  "type hardening:index:QuotaArgs property limitsCpu",
  "type hardening:index:QuotaArgs property limitsEphemeralStorage",
  "type hardening:index:QuotaArgs property limitsMemory",
  "type hardening:index:QuotaArgs property pods",
  "type hardening:index:QuotaArgs property requestsCpu",
  "type hardening:index:QuotaArgs property requestsMemory",
  "type hardening:index:ResourceDefaults property limits",
  "type hardening:index:ResourceDefaults property requests",
];

/** Every component class the per-cloud entry points export, as the component host would find them. */
function componentClasses(): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return CLOUDS.flatMap((c) => getPulumiComponents(require(path.join(ROOT, "providers", c, "index"))).map((k) => k.name)).sort();
}

/** Every property of the schema with where it sits: component inputs and outputs, and object type properties. */
function properties(schema: PackageSpec): { where: string; prop: Property }[] {
  const out: { where: string; prop: Property }[] = [];
  for (const [token, r] of Object.entries(schema.resources)) {
    for (const [k, p] of Object.entries(r.inputProperties ?? {})) out.push({ where: `${token} input ${k}`, prop: p });
    for (const [k, p] of Object.entries(r.properties ?? {})) out.push({ where: `${token} output ${k}`, prop: p });
  }
  for (const [token, t] of Object.entries(schema.types)) {
    for (const [k, p] of Object.entries(t.properties ?? {})) out.push({ where: `type ${token} property ${k}`, prop: p });
  }
  return out;
}

/** The property and every type nested in it (array items, map values). */
function nested(prop: Property, where: string): { where: string; type: Property }[] {
  const out = [{ where, type: prop }];
  if (prop.items) out.push(...nested(prop.items, `${where}[]`));
  if (prop.additionalProperties) out.push(...nested(prop.additionalProperties, `${where}{}`));
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith(".ts") ? [p] : [];
  });
}


/** The definition a `$ref` to a type of this schema points at; undefined for other references. */
function typeOf(schema: PackageSpec, prop: Property): PackageSpec["types"][string] | undefined {
  return "$ref" in prop && prop.$ref.startsWith("#/types/") ? schema.types[prop.$ref.slice("#/types/".length)] : undefined;
}

/** Checks a YAML program's value against a schema property: field names, enum values, shapes. Returns problems. */
function checkValue(schema: PackageSpec, prop: Property, value: unknown, where: string): string[] {
  if (typeof value === "string" && value.includes("${")) return []; // an interpolation: checked by Pulumi YAML
  const type = typeOf(schema, prop);
  if (type?.enum) {
    return type.enum.some((e) => e.value === value) ? [] : [`${where}: ${JSON.stringify(value)} is not one of ${type.enum.map((e) => e.value).join(", ")}`];
  }
  if (type?.properties) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${where}: expected an object`];
    return checkFields(schema, type.properties, type.required ?? [], value as Record<string, unknown>, where);
  }
  if ("type" in prop && prop.type === "array") {
    if (!Array.isArray(value)) return [`${where}: expected a list`];
    return value.flatMap((v, i) => checkValue(schema, prop.items!, v, `${where}[${i}]`));
  }
  if ("type" in prop && prop.type === "object" && prop.additionalProperties) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => checkValue(schema, prop.additionalProperties!, v, `${where}.${k}`));
  }
  if ("type" in prop && ["string", "number", "integer", "boolean"].includes(prop.type)) {
    const ok = prop.type === "integer" || prop.type === "number" ? typeof value === "number" : typeof value === prop.type;
    return ok ? [] : [`${where}: expected a ${prop.type}`];
  }
  return [];
}

function checkFields(schema: PackageSpec, props: Record<string, Property>, required: readonly string[], value: Record<string, unknown>, where: string): string[] {
  const problems = required.filter((r) => !(r in value)).map((r) => `${where}: ${r} is required`);
  for (const [k, v] of Object.entries(value)) {
    if (!props[k]) problems.push(`${where}.${k} is not a property (known: ${Object.keys(props).join(", ")})`);
    else problems.push(...checkValue(schema, props[k], v, `${where}.${k}`));
  }
  return problems;
}

/** Python SDK names: snake_case properties, UPPER_SNAKE enum members (the code generator's rules). */
function camelOf(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
function pythonEnumMember(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** The text between the parenthesis at `open` and its match. */
function callBody(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "(" || text[i] === "[") depth++;
    else if (text[i] === ")" || text[i] === "]") depth--;
    if (depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced call at ${open}`);
}

/** Keyword arguments given at the top level of a call body. */
function keywordArgs(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (depth === 0) {
      const m = /^([a-z_][a-z0-9_]*)=(?!=)/.exec(body.slice(i));
      if (m && (i === 0 || /[\s,(]/.test(body[i - 1]))) {
        out.push(m[1]);
        i += m[0].length - 1;
      }
    }
  }
  return out;
}

describe("the component package for other languages (pulumi package add <checkout>/plugin)", function () {
  // One analyzer run over the four cloud SDKs' declarations: about 20-30 s on a quiet machine.
  this.timeout(240_000);
  let dir: string;
  let plugin: PluginProcess | undefined;
  let schema: PackageSpec;

  before(async () => {
    // The consumer's working directory: empty, as for a Python or YAML program.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hardening-consumer-"));
    plugin = await startPlugin(PLUGIN_DIR, dir, 120_000);
    schema = await plugin.getSchema(180_000);
  });

  after(async () => {
    await plugin?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is a Node.js plugin named after the components' type-token prefix, at the package's version", () => {
    const manifest = parseYaml(fs.readFileSync(path.join(PLUGIN_DIR, "PulumiPlugin.yaml"), "utf8")) as { runtime: unknown };
    assert.equal(manifest.runtime, "nodejs");
    const pkg = JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, "package.json"), "utf8")) as Record<string, string>;
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as Record<string, string>;
    // run-plugin names the provider after package.json `name` (a scope becomes the namespace).
    assert.equal(pkg.name, PACKAGE);
    assert.equal(pkg.version, root.version, "plugin/package.json version must follow the package's");
    assert.equal(schema.name, PACKAGE);
    assert.equal(schema.version, root.version);
    assert.equal(schema.description, pkg.description);
  });

  it("loads, through package.json `main`, the same component classes as providers/plugin.ts", () => {
    // run-plugin does `require(<plugin dir>)`; in a checkout main.cjs serves the TypeScript sources (never a stale
    // build), so the classes are the very ones the tests build.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const served = require(PLUGIN_DIR) as Record<string, unknown>;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const source = require(path.join(ROOT, "providers/plugin")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(served).sort(), Object.keys(source).sort());
    for (const k of Object.keys(source)) assert.equal(served[k], source[k], k);
    // Without the sources (a build-only copy), it loads the compiled module where `npm run build` puts it.
    const tsconfig = JSON.parse(fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8")) as {
      compilerOptions: { outDir: string; rootDir: string };
      include: string[];
    };
    assert.equal(path.normalize(tsconfig.compilerOptions.rootDir), ".");
    assert.ok(tsconfig.include.includes("providers/**/*.ts"));
    assert.match(fs.readFileSync(path.join(PLUGIN_DIR, "main.cjs"), "utf8"), new RegExp(`"${tsconfig.compilerOptions.outDir}", "providers", "plugin.js"`));
  });

  it("serves every component class that providers/*/index.ts exports", () => {
    const expected = componentClasses();
    assert.ok(expected.length >= 10, `expected the four clouds' components, found ${expected.join(", ")}`);
    assert.deepEqual(
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      getPulumiComponents(require(path.join(ROOT, "providers/plugin"))).map((c) => c.name).sort(),
      expected,
      "providers/plugin.ts must export exactly the component classes of providers/*/index.ts",
    );
    assert.deepEqual(Object.keys(schema.resources).sort(), expected.map((c) => `${PACKAGE}:index:${c}`).sort());
    for (const [token, r] of Object.entries(schema.resources)) {
      assert.equal(r.isComponent, true, token);
      assert.ok(Object.keys(r.inputProperties ?? {}).length > 0, `${token} has no inputs`);
      assert.ok("controls" in (r.properties ?? {}), `${token} does not output its controls report`);
    }
  });

  it("has each class register the type token its schema entry gives it", () => {
    // The host constructs `hardening:index:<Class>` by calling the class; a class registering another token would
    // hand back a URN of a different type than the consumer asked for.
    const sources = sourceFiles(path.join(ROOT, "providers")).map((f) => fs.readFileSync(f, "utf8"));
    const missing = Object.keys(schema.resources).filter((token) => !sources.some((s) => s.includes(`"${token}"`)));
    assert.deepEqual(missing, []);
  });

  it("has no untyped fallback (pulumi.json#/Any) anywhere", () => {
    const untyped = properties(schema)
      .flatMap(({ where, prop }) => nested(prop, where))
      .filter(({ type }) => "$ref" in type && type.$ref === "pulumi.json#/Any")
      .map(({ where }) => where);
    assert.deepEqual(untyped, []);
  });

  it("gives every property, array item and map value a type or a reference that resolves", () => {
    const deps = new Set((schema.dependencies ?? []).map((d) => `/${d.name}/v${d.version}/schema.json`));
    const problems: string[] = [];
    for (const { where, type } of properties(schema).flatMap(({ where, prop }) => nested(prop, where))) {
      if ("$ref" in type) {
        const ref = type.$ref;
        if (ref.startsWith("#/types/")) {
          if (!schema.types[ref.slice("#/types/".length)]) problems.push(`${where}: ${ref} is not a type of the schema`);
        } else if (!deps.has(ref.split("#")[0])) problems.push(`${where}: ${ref} is not in a declared dependency`);
      } else if (type.type === "array" && !type.items) problems.push(`${where}: array without items`);
      else if (type.type === "object" && !type.additionalProperties) problems.push(`${where}: object without a shape`);
    }
    assert.deepEqual(problems, []);
    // Enumerations reach other languages as enums, not bare strings.
    assert.deepEqual(
      schema.types[`${PACKAGE}:index:MetadataEndpointMode`].enum?.map((e) => e.value),
      ["blocked", "tokenRequired"],
    );
  });

  it("describes every component, input, output and type property from the JSDoc", () => {
    const undescribed = [
      ...Object.entries(schema.resources).filter(([, r]) => !r.description).map(([t]) => t),
      ...properties(schema).filter(({ prop }) => !prop.description?.trim()).map(({ where }) => where),
    ].sort();
    const fresh = undescribed.filter((u) => !KNOWN_UNDESCRIBED.includes(u));
    const closed = KNOWN_UNDESCRIBED.filter((u) => !undescribed.includes(u));
    assert.deepEqual(fresh, [], "add JSDoc (its own, with text besides @default) to these");
    assert.deepEqual(closed, [], "these are described now: remove them from KNOWN_UNDESCRIBED");
    // The descriptions are the JSDoc itself.
    assert.match(schema.resources[`${PACKAGE}:index:GcpWorkerNetwork`].description ?? "", /^A hardened GCP network/);
    assert.equal(
      schema.types[`${PACKAGE}:index:HardeningSpec`].properties?.metadataEndpoint.description,
      "Workload access to the instance metadata service.",
    );
  });

  it("declares each schema type name once in the sources (the analyzer merges same-named types)", () => {
    const files = [...sourceFiles(path.join(ROOT, "components")), ...sourceFiles(path.join(ROOT, "canary")), ...sourceFiles(path.join(ROOT, "providers"))];
    const texts = files.map((f) => ({ f: path.relative(ROOT, f), text: fs.readFileSync(f, "utf8") }));
    const duplicated: string[] = [];
    for (const token of Object.keys(schema.types)) {
      const name = token.split(":")[2];
      const declaration = new RegExp(`^(?:export )?(?:interface|type|const|enum|class) ${name}\\b`, "m");
      const where = texts.filter(({ text }) => declaration.test(text)).map(({ f }) => f);
      if (where.length !== 1) duplicated.push(`${name}: ${where.join(", ") || "not found"}`);
    }
    assert.deepEqual(duplicated, []);
  });

  it("accepts the YAML example: its type tokens, properties, enum values and output references", () => {
    const program = parseYaml(fs.readFileSync(path.join(ROOT, "docs/examples/yaml/Pulumi.yaml"), "utf8")) as {
      packages: Record<string, string>;
      resources: Record<string, { type: string; properties?: Record<string, unknown> }>;
      outputs: Record<string, string>;
    };
    assert.equal(path.resolve(ROOT, "docs/examples/yaml", program.packages[PACKAGE]), PLUGIN_DIR);
    const problems: string[] = [];
    for (const [name, r] of Object.entries(program.resources)) {
      const component = schema.resources[r.type];
      if (!component) {
        problems.push(`${name}: ${r.type} is not a component of the package`);
        continue;
      }
      problems.push(...checkFields(schema, component.inputProperties ?? {}, component.requiredInputs ?? [], r.properties ?? {}, name));
    }
    const refs = [...JSON.stringify(program).matchAll(/\$\{(\w+)\.(\w+)\}/g)];
    assert.ok(refs.length >= 4);
    for (const [, resource, output] of refs) {
      const token = program.resources[resource]?.type;
      if (!(output in (schema.resources[token]?.properties ?? {}))) problems.push(`\${${resource}.${output}} is not an output`);
    }
    assert.deepEqual(problems, []);
  });

  it("accepts the Python example: its classes, keyword arguments, enum members and outputs", () => {
    const text = fs.readFileSync(path.join(ROOT, "docs/examples/python/__main__.py"), "utf8");
    const problems: string[] = [];
    const instances = new Map<string, string>();
    let calls = 0;
    for (const m of text.matchAll(/(?:(\w+) = )?hardening\.(\w+)\(/g)) {
      calls++;
      const [, variable, cls] = m;
      const args = keywordArgs(callBody(text, m.index! + m[0].length - 1)).map(camelOf);
      const component = schema.resources[`${PACKAGE}:index:${cls}`];
      const type = cls.endsWith("Args") ? schema.types[`${PACKAGE}:index:${cls.slice(0, -4)}`] : undefined;
      const props = component?.inputProperties ?? type?.properties;
      if (!props) {
        problems.push(`hardening.${cls} is neither a component nor an input type (<Type>Args)`);
        continue;
      }
      if (component && variable) instances.set(variable, `${PACKAGE}:index:${cls}`);
      for (const a of args) if (!props[a]) problems.push(`hardening.${cls}(${a}=...) is not a property`);
      for (const r of component?.requiredInputs ?? type?.required ?? []) if (!args.includes(r)) problems.push(`hardening.${cls} lacks ${r}`);
    }
    for (const [, enumName, member] of text.matchAll(/hardening\.(\w+)\.([A-Z_]+)\b/g)) {
      const type = schema.types[`${PACKAGE}:index:${enumName}`];
      if (!type?.enum?.some((e) => pythonEnumMember(e.name) === member)) problems.push(`hardening.${enumName}.${member} is not an enum member`);
    }
    for (const [variable, token] of instances) {
      for (const [, attr] of text.matchAll(new RegExp(`\\b${variable}\\.(\\w+)`, "g"))) {
        if (!(camelOf(attr) in (schema.resources[token].properties ?? {}))) problems.push(`${variable}.${attr} is not an output of ${token}`);
      }
    }
    assert.ok(calls >= 5 && instances.size === 2, `found ${calls} calls, ${instances.size} components`);
    assert.deepEqual(problems, []);
  });

  it("builds a component from schema-shaped inputs with every output the schema lists", async () => {
    // What the host's construct does: `new Class(name, inputs, opts)`, then reads each schema output off the
    // instance. Done in-process under mocks, since construct needs an engine.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KubernetesWorkerNamespace } = require("../../providers/plugin") as typeof import("../../providers/plugin");
    const token = `${PACKAGE}:index:KubernetesWorkerNamespace`;
    const run = await runUnderMocks(async () => {
      const c = new KubernetesWorkerNamespace("workers", { hardening: { sandbox: "none" } });
      const urn = await new Promise<string>((resolve) => c.urn.apply(resolve));
      return { c: c as unknown as Record<string, unknown>, urn };
    });
    assert.match(run.result.urn, new RegExp(`::${token}::workers$`));
    const outputs = schema.resources[token].properties ?? {};
    const required = new Set(schema.resources[token].required ?? []);
    for (const key of Object.keys(outputs)) {
      assert.ok(key in run.result.c, `${token} has no property ${key}`);
      if (required.has(key)) assert.notEqual(run.result.c[key], undefined, `${token}.${key} is required but undefined`);
    }
    assert.ok(pulumi.Output.isInstance(run.result.c.controls));
  });
});
