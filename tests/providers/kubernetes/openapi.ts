/**
 * Test oracle: validates an object against the Kubernetes API server's own OpenAPI v3 document for its group
 * version (tests/fixtures/kubernetes-openapi/), with ajv, the way the API server's strict field validation reads it:
 * Kubernetes' built-in types are structural, so a property that an object schema does not list is an unknown field
 * and is refused (`kubectl apply --validate=strict`, the default since 1.27, does the same). Maps (schemas with
 * `additionalProperties`) and schemas with no `properties` at all (RawExtension, FieldsV1) stay open, as they are
 * for the API server.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import * as fs from "node:fs";
import * as path from "node:path";

const FIXTURES = path.join(__dirname, "..", "..", "fixtures", "kubernetes-openapi");

type Schema = Record<string, unknown>;

/** Copies the schema, closing every object schema that lists its properties (recursively). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema as Schema)) {
    // `properties` and `x-kubernetes-*` hold names and data, not schemas to close at their own level.
    if (k === "properties") out[k] = Object.fromEntries(Object.entries(v as Schema).map(([name, s]) => [name, closed(s)]));
    else if (k.startsWith("x-kubernetes-")) out[k] = v;
    else out[k] = closed(v);
  }
  if (out.properties !== undefined && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/** A validator for every kind of one group-version document: `validate(kind, object)` gives ajv's errors or []. */
export interface OpenApiValidator {
  /** The file validated against, relative to the fixtures folder. */
  readonly file: string;
  validate(kind: string, object: unknown): ErrorObject[];
}

/** Loads `tests/fixtures/kubernetes-openapi/<file>` (an OpenAPI v3 document) with unknown fields refused. */
export function openApiValidator(file: string): OpenApiValidator {
  const doc = JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8")) as { components: { schemas: Record<string, Schema> } };
  const schemas = closed(doc.components.schemas) as Record<string, Schema>;
  // strict: false because the document carries the x-kubernetes-* vendor keywords; the formats are the OpenAPI
  // ones Kubernetes uses (ajv would otherwise refuse to compile an unknown format).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addFormat("byte", { type: "string", validate: (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 });
  ajv.addFormat("date-time", { type: "string", validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addSchema({ $id: "k8s", components: { schemas } });
  const byKind = new Map<string, ValidateFunction>();
  for (const [name, schema] of Object.entries(schemas)) {
    const gvk = schema["x-kubernetes-group-version-kind"] as { kind: string }[] | undefined;
    for (const { kind } of gvk ?? []) byKind.set(kind, ajv.compile({ $ref: `k8s#/components/schemas/${name}` }));
  }
  return {
    file,
    validate(kind, object) {
      const check = byKind.get(kind);
      if (!check) throw new Error(`${file} has no schema for kind ${kind}; known: ${[...byKind.keys()].join(", ")}`);
      return check(object) ? [] : [...(check.errors ?? [])];
    },
  };
}

/** ajv's errors as "path: message (detail)" lines, for assertions that read. */
export function describeErrors(errors: readonly ErrorObject[]): string[] {
  return errors.map((e) => {
    const extra = e.keyword === "additionalProperties" ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"` : "";
    return `${e.instancePath || "/"}: ${e.message ?? e.keyword}${extra}`;
  });
}
