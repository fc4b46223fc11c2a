/**
 * SARIF 2.1.0 validation for tests: the official schema (a verbatim copy in tests/fixtures/scan/sarif, see its
 * README for the source), compiled once with ajv and ajv-formats.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

const SCHEMA = path.join(__dirname, "fixtures", "scan", "sarif", "sarif-schema-2.1.0.json");
let validator: ValidateFunction | undefined;

/** The schema itself (it declares JSON Schema draft-07). */
export const SARIF_SCHEMA = JSON.parse(fs.readFileSync(SCHEMA, "utf8")) as { $schema: string };

/** Validates a SARIF log against the 2.1.0 schema; `errors` is ajv's report when it fails. */
export function validateSarif(data: unknown): { ok: boolean; errors: string } {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(SARIF_SCHEMA);
  }
  const ok = validator(data);
  return { ok, errors: JSON.stringify(validator.errors, null, 2) };
}
