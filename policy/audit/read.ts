/**
 * Reading Pulumi state for the offline audit: `pulumi stack export` output (`{"version":3,"deployment":{...}}`)
 * and the self-managed backend's checkpoint files (`{"version":3|4,"checkpoint":{"latest":{...}}}`), deployment
 * versions 3 and 4. Each becomes a list of resources as rules see them, with every secret replaced by an opaque
 * marker before any rule or formatter can see it.
 */
import type { ResourceInput } from "../rules/types";

/** The wire signature key of Pulumi's special values (secrets, assets, archives, resource references). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * What a secret becomes: rules treat it as an opaque value they cannot read (like an unknown during preview),
 * formatters print it as `[secret]`.
 */
export const SECRET_MARKER = "[secret]";

/** Deployment versions this reader understands. */
export const SUPPORTED_VERSIONS: readonly number[] = [3, 4];

/** Deepest nesting accepted in a state file; real state stays far below it, a hostile file does not. */
export const MAX_DEPTH = 256;

/** One stack's state, ready for the rules. */
export interface StackSnapshot {
  /** Where it came from (a path, or `-` for stdin). */
  readonly source: string;
  /** The stack's name: the checkpoint's `stack`, or the stack part of the first URN. */
  readonly stack: string;
  /** Every resource read, including the stack and providers (they count as checked). */
  readonly resources: ResourceInput[];
  /** Plaintext secret values found (from `--show-secrets` exports), to scrub from any output as well. */
  readonly secretValues: string[];
}

/** A file that is not readable Pulumi state: the message is one line and names the file. */
export class StateFileError extends Error {
  constructor(readonly source: string, reason: string) {
    super(`${source}: ${reason}`);
    this.name = "StateFileError";
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks nesting depth without recursion, before anything recursive touches the document (a 10,000-deep value
 * must not overflow the stack).
 */
function checkDepth(source: string, root: unknown): void {
  const stack: unknown[] = [root];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const value = stack.pop();
    const depth = depths.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= MAX_DEPTH) throw new StateFileError(source, `nesting deeper than ${MAX_DEPTH} levels; not Pulumi state`);
    for (const v of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof v === "object" && v !== null) {
        stack.push(v);
        depths.push(depth + 1);
      }
    }
  }
}

/**
 * Replaces, in place, every secret (ciphertext or plaintext) with {@link SECRET_MARKER}, collecting plaintexts,
 * and drops the engine's bookkeeping keys (`__defaults`, `__meta`). In place because the parsed document is
 * ours alone and a copy of a 100,000-resource state would double the audit's memory. Depth was checked before.
 */
function redact(value: unknown, secrets: string[]): unknown {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = redact(value[i], secrets);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (record[SIG_KEY] === SECRET_SIG) {
    if (typeof record.plaintext === "string") {
      secrets.push(record.plaintext);
      // --show-secrets exports hold the JSON encoding of the value; keep its string content too.
      try {
        const decoded: unknown = JSON.parse(record.plaintext);
        if (typeof decoded === "string") secrets.push(decoded);
      } catch {
        // not JSON: the raw plaintext is already collected
      }
    }
    return SECRET_MARKER;
  }
  delete record.__defaults;
  delete record.__meta;
  for (const k in record) record[k] = redact(record[k], secrets);
  return record;
}

/** Picks the deployment object from either shape, or says what the file is instead. */
function deploymentOf(source: string, doc: unknown): { deployment: Record<string, unknown>; stack?: string } {
  if (!isRecord(doc)) throw new StateFileError(source, "is not a Pulumi stack export or checkpoint (expected a JSON object)");
  const version = doc.version;
  let deployment: unknown;
  let stack: string | undefined;
  if ("deployment" in doc) deployment = doc.deployment;
  else if (isRecord(doc.checkpoint)) {
    deployment = doc.checkpoint.latest;
    if (typeof doc.checkpoint.stack === "string" && doc.checkpoint.stack !== "") stack = doc.checkpoint.stack;
    // A checkpoint of a stack that was never deployed has no "latest": an empty stack, not an error.
    if (deployment === undefined || deployment === null) deployment = { resources: [] };
  } else {
    throw new StateFileError(source, 'is not a Pulumi stack export or checkpoint (no "deployment" or "checkpoint" key)');
  }
  if (typeof version !== "number" || !SUPPORTED_VERSIONS.includes(version)) {
    throw new StateFileError(
      source,
      `has deployment version ${JSON.stringify(version) ?? "undefined"}; this auditor reads versions ${SUPPORTED_VERSIONS.join(" and ")} (re-export it with a current Pulumi CLI)`,
    );
  }
  if (!isRecord(deployment)) throw new StateFileError(source, "has a deployment that is not a JSON object");
  return { deployment, stack };
}

/** The stack name inside a URN (`urn:pulumi:<stack>::<project>::...`). */
function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1] : undefined;
}

/** The logical name at the end of a URN. */
function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i >= 0 ? urn.slice(i + 2) : urn;
}

/**
 * Parses one state file's text into a snapshot. Throws {@link StateFileError} with a one-line reason for
 * anything that is not Pulumi state: invalid or truncated JSON, another version, another kind of file, an empty
 * file, hostile nesting.
 */
export function readState(source: string, text: string): StackSnapshot {
  if (text.trim() === "") throw new StateFileError(source, "is empty");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(source, `is not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  checkDepth(source, doc);
  const { deployment, stack } = deploymentOf(source, doc);
  const raw = deployment.resources ?? [];
  if (!Array.isArray(raw)) throw new StateFileError(source, 'has "resources" that is not a list');
  const secretValues: string[] = [];
  const resources: ResourceInput[] = raw.map((r, i) => {
    if (!isRecord(r) || typeof r.urn !== "string" || typeof r.type !== "string") {
      throw new StateFileError(source, `resource ${i} has no "urn" and "type"; not Pulumi state`);
    }
    const inputs = isRecord(r.inputs) ? (redact(r.inputs, secretValues) as Record<string, unknown>) : {};
    const outputs = isRecord(r.outputs) ? (redact(r.outputs, secretValues) as Record<string, unknown>) : {};
    // Inputs say what the program asked for; outputs fill in what it left to the provider's defaults (an
    // instance's metadataOptions, a subnet's mapPublicIpOnLaunch), which is what is really deployed.
    const props = { ...outputs, ...inputs };
    return {
      type: r.type,
      urn: r.urn,
      name: nameOfUrn(r.urn),
      props,
      ...(typeof r.parent === "string" ? { parent: r.parent } : {}),
    };
  });
  const name = stack ?? (resources.length > 0 ? stackOfUrn(resources[0].urn) : undefined) ?? "(empty stack)";
  return { source, stack: name, resources, secretValues: [...new Set(secretValues)].filter((s) => s.length >= 4) };
}
