/**
 * Reading Pulumi state for the offline audit: `pulumi stack export` output (`{"version":3,"deployment":{...}}`)
 * and the self-managed backend's checkpoint files (`{"version":3|4,"checkpoint":{"latest":{...}}}`), deployment
 * versions 3 and 4. Each becomes a list of resources as rules see them, with every secret replaced by an opaque
 * marker before any rule or formatter can see it.
 */
import type { ResourceInput } from "../rules/types";
import { MIN_SUBSTRING_SECRET, SecretMasker } from "./mask";
import { SECRET_MARKER } from "./secretMarker";
import { isJsonSpace, ResourcesArray, ResourcesPath, splitState } from "./split";
import { isRecord } from "../../components/validation";

/** The wire signature key of Pulumi's special values (secrets, assets, archives, resource references). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret value. */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export { SECRET_MARKER } from "./secretMarker";

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

/**
 * True when a JSON key names the struct field `name` as Go's encoding/json (which the Pulumi CLI reads state with)
 * matches it: exactly, or equal under simple case folding, where the Kelvin sign folds to `k` and the long s to `s`.
 */
export function isFieldName(key: string, name: string): boolean {
  if (key === name) return true;
  if (key.length !== name.length) return false;
  for (let i = 0; i < key.length; i++) {
    const k = key.charCodeAt(i);
    const n = name.charCodeAt(i);
    if (k === n || (k | 0x20) === n) continue;
    if ((n === 0x6b && k === 0x212a) || (n === 0x73 && k === 0x17f)) continue;
    return false;
  }
  return true;
}

/** The value Go's decoder puts in the struct field `name`: the last key that names it, as each one overwrites it. */
export function field(record: Record<string, unknown>, name: string): unknown {
  let value: unknown;
  for (const k in record) if (isFieldName(k, name)) value = record[k];
  return value;
}

function hasField(record: Record<string, unknown>, name: string): boolean {
  for (const k in record) if (isFieldName(k, name)) return true;
  return false;
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
    if (depth >= MAX_DEPTH) throw tooDeep(source);
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
  // Deleting only what is there: a delete changes the object's hidden class, which slows every later read of it.
  if (record.__defaults !== undefined) delete record.__defaults;
  if (record.__meta !== undefined) delete record.__meta;
  for (const k in record) {
    const v = record[k];
    if (typeof v === "object" && v !== null) record[k] = redact(v, secrets);
  }
  return record;
}

/** Picks the deployment object from either shape, or says what the file is instead. */
function deploymentOf(source: string, doc: unknown): { deployment: Record<string, unknown>; stack?: string; path: ResourcesPath } {
  if (!isRecord(doc)) throw new StateFileError(source, "is not a Pulumi stack export or checkpoint (expected a JSON object)");
  const version = field(doc, "version");
  let deployment: unknown;
  let stack: string | undefined;
  const checkpoint = field(doc, "checkpoint");
  const isExport = hasField(doc, "deployment");
  if (isExport) deployment = field(doc, "deployment");
  else if (isRecord(checkpoint)) {
    deployment = field(checkpoint, "latest");
    const name = field(checkpoint, "stack");
    if (typeof name === "string" && name !== "") stack = name;
    // A checkpoint of a stack that was never deployed has no "latest": an empty stack, not an error.
    if (deployment === undefined || deployment === null) deployment = { resources: [] };
  } else {
    throw new StateFileError(source, 'is not a Pulumi stack export or checkpoint (no "deployment" or "checkpoint" key)');
  }
  if (typeof version !== "number" || !SUPPORTED_VERSIONS.includes(version)) {
    throw new StateFileError(
      source,
      `has deployment version ${typeof version === "number" ? version : `of type ${version === null ? "null" : typeof version}`}; this auditor reads versions ${SUPPORTED_VERSIONS.join(" and ")} (re-export it with a current Pulumi CLI)`,
    );
  }
  if (!isRecord(deployment)) throw new StateFileError(source, "has a deployment that is not a JSON object");
  return { deployment, stack, path: isExport ? "deployment.resources" : "checkpoint.latest.resources" };
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
 * One state file, opened: its stack name and resource count are known, its resources are parsed one at a time by
 * {@link StateFile.forEachResource}, so a caller that does not keep them never holds the whole parsed state.
 */
export interface StateFile {
  /** Where it came from (a path, or `-` for stdin). */
  readonly source: string;
  /** The stack's name: the checkpoint's `stack`, or the stack part of the first URN. */
  readonly stack: string;
  /** How many resources the file holds. */
  readonly resourceCount: number;
  /**
   * Calls `visit` with each resource in file order, secrets already replaced by {@link SECRET_MARKER}. Throws
   * {@link StateFileError} at the first resource that is not Pulumi state. Call it once.
   */
  forEachResource(visit: (resource: ResourceInput) => void): void;
  /** Plaintext secret values found so far (complete once forEachResource returns), to scrub from any output. */
  readonly secretValues: string[];
}

/**
 * The file's bytes as UTF-8 without a byte-order mark: PowerShell's `pulumi stack export > state.json` writes UTF-16
 * with a mark (Windows PowerShell) or UTF-8 with one, and both are the same state.
 */
export function asUtf8(bytes: Buffer): Buffer {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3);
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return Buffer.from(bytes.toString("utf16le", 2), "utf8");
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)));
    swapped.swap16();
    return Buffer.from(swapped.toString("utf16le"), "utf8");
  }
  return bytes;
}

/**
 * Opens one state file: its text, or better its bytes as read (a file is then never decoded whole; each resource
 * is decoded as it is visited). Throws {@link StateFileError} with a one-line reason for anything that is not
 * Pulumi state: invalid or truncated JSON, another version, another kind of file, an empty file, hostile nesting.
 * A resource that is not a resource is reported when {@link StateFile.forEachResource} reaches it.
 */
export function openState(source: string, data: string | Uint8Array): StateFile {
  const bytes = asUtf8(typeof data === "string" ? Buffer.from(data, "utf8") : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  if (bytes.every(isJsonSpace)) throw new StateFileError(source, "is empty");
  const split = splitState(bytes, MAX_DEPTH);
  if (split.kind === "too-deep") throw tooDeep(source);
  if (split.kind === "split") {
    const opened = openSplit(source, bytes, split.arrays);
    if (opened) return opened;
  }
  // Not splittable (or not the shape the split expected): parse it whole, which reports the parser's own message.
  const doc = parseWhole(source, bytes);
  checkDepth(source, doc);
  const { deployment, stack } = deploymentOf(source, doc);
  const raw = field(deployment, "resources") ?? [];
  if (!Array.isArray(raw)) throw new StateFileError(source, 'has "resources" that is not a list');
  return stateFile(source, stack, raw.length, (i) => raw[i] as unknown, mayHoldPlaintext(bytes));
}

/**
 * The fast path: the skeleton (the document with its resources arrays emptied) is parsed now, each resource when
 * it is visited. Returns undefined when the skeleton does not agree with what the split found (a duplicated key,
 * say), so the caller parses the whole text instead.
 */
function openSplit(source: string, bytes: Buffer, arrays: ReadonlyMap<ResourcesPath, ResourcesArray>): StateFile | undefined {
  const cuts = [...arrays.values()].sort((a, b) => a.open - b.open);
  const pieces: Buffer[] = [];
  let from = 0;
  for (const a of cuts) {
    pieces.push(bytes.subarray(from, a.open + 1));
    from = a.close;
  }
  pieces.push(bytes.subarray(from));
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.concat(pieces).toString("utf8"));
  } catch {
    return undefined;
  }
  const { deployment, stack, path } = deploymentOf(source, doc);
  const array = arrays.get(path);
  const raw = field(deployment, "resources") ?? [];
  if (!Array.isArray(raw)) {
    if (array) return undefined;
    throw new StateFileError(source, 'has "resources" that is not a list');
  }
  if (!array) return raw.length === 0 ? stateFile(source, stack, 0, () => undefined, false) : undefined;
  if (raw.length !== 0) return undefined;
  return stateFile(source, stack, array.starts.length, (i) => {
    try {
      return JSON.parse(bytes.toString("utf8", array.starts[i], array.ends[i])) as unknown;
    } catch {
      // The whole file's parse names the position in the file, not in the slice.
      parseWhole(source, bytes);
      throw new StateFileError(source, `resource ${i} is not valid JSON`);
    }
  }, mayHoldPlaintext(bytes));
}

/** The whole file parsed at once, or its parser's message as a StateFileError. */
function parseWhole(source: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    throw new StateFileError(source, `is not valid JSON (${parserMessage(e)})`);
  }
}

/**
 * The JSON parser's message without the text it quotes: V8 quotes up to about 30 characters around the error
 * (`Unexpected token 'x', "...abc..." is not valid JSON`), which in a `--show-secrets` export can be part of a
 * plaintext secret. Only the kind of error and its position are kept.
 */
export function parserMessage(e: unknown): string {
  const message = String((e as Error)?.message ?? e).split("\n")[0];
  const position = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(message);
  const kind = message.startsWith("Unexpected end") ? "unexpected end of input"
    : message.startsWith("Unterminated string") ? "unterminated string"
    : message.startsWith("Bad control character") ? "control character in a string"
    : message.startsWith("Bad escaped character") || message.startsWith("Bad Unicode escape") ? "bad escape in a string"
    : message.startsWith("Unexpected non-whitespace") ? "text after the JSON value"
    : message.startsWith("Expected") || message.startsWith("Unexpected token") ? "unexpected character"
    : "malformed JSON";
  if (!position) return kind;
  return position[2] ? `${kind} at line ${position[2]} column ${position[3]}` : `${kind} at character ${Number(position[1]) + 1}`;
}

/** True when the bytes may hold a `--show-secrets` plaintext, so secrets must be gathered before any resource is checked. */
function mayHoldPlaintext(bytes: Buffer): boolean {
  return bytes.includes(SECRET_SIG) && bytes.includes('"plaintext"');
}

function tooDeep(source: string): StateFileError {
  return new StateFileError(source, `nesting deeper than ${MAX_DEPTH} levels; not Pulumi state`);
}

/** A StateFile over `count` raw resources that `element(i)` produces. */
function stateFile(
  source: string, checkpointStack: string | undefined, count: number, element: (i: number) => unknown, plaintexts: boolean,
): StateFile {
  const secretValues: string[] = [];
  const seen = new Set<string>();
  const collect = (found: readonly string[]) => {
    for (const s of found) {
      if (s.length >= 4 && !seen.has(s)) {
        seen.add(s);
        secretValues.push(s);
      }
    }
  };
  // Set once every plaintext of the file is known: every string a rule sees is masked, so a secret that also
  // appears unmarked (in user data, a tag, a name) never reaches a rule's message, whole or in part.
  let masker: SecretMasker | undefined;
  const toResource = (raw: unknown, i: number): ResourceInput => {
    const urn = isRecord(raw) ? field(raw, "urn") : undefined;
    const type = isRecord(raw) ? field(raw, "type") : undefined;
    if (!isRecord(raw) || typeof urn !== "string" || typeof type !== "string") {
      throw new StateFileError(source, `resource ${i} has no "urn" and "type"; not Pulumi state`);
    }
    const found: string[] = [];
    const rawInputs = field(raw, "inputs");
    const rawOutputs = field(raw, "outputs");
    const inputs = isRecord(rawInputs) ? (redact(rawInputs, found) as Record<string, unknown>) : {};
    const outputs = isRecord(rawOutputs) ? (redact(rawOutputs, found) as Record<string, unknown>) : {};
    collect(found);
    if (masker) {
      masker.maskDeep(inputs);
      masker.maskDeep(outputs);
    }
    // Inputs say what the program asked for; outputs fill in what it left to the provider's defaults (an
    // instance's metadataOptions, a subnet's mapPublicIpOnLaunch), which is what is really deployed. Merged into
    // the outputs object, which is ours alone: the same keys in the same order as `{ ...outputs, ...inputs }`,
    // without a third object per resource.
    const props = outputs;
    for (const k in inputs) {
      // A "__proto__" key is data in JSON; assigning it would set the object's prototype instead.
      if (k === "__proto__") Object.defineProperty(props, k, { value: inputs[k], enumerable: true, writable: true, configurable: true });
      else props[k] = inputs[k];
    }
    const parent = field(raw, "parent");
    return {
      type,
      urn,
      name: nameOfUrn(urn),
      props,
      ...(typeof parent === "string" ? { parent } : {}),
    };
  };
  // The stack name comes from the first URN when the file does not say it; only a peek, parsed again when visited.
  let stack = checkpointStack;
  if (stack === undefined && count > 0) {
    const first = element(0);
    const urn = isRecord(first) ? field(first, "urn") : undefined;
    if (typeof urn === "string") stack = stackOfUrn(urn);
  }
  let visited = false;
  return {
    source,
    stack: stack ?? "(empty stack)",
    resourceCount: count,
    secretValues,
    forEachResource(visit) {
      if (visited) throw new Error(`${source}: forEachResource called twice`);
      visited = true;
      if (plaintexts) {
        // A first pass gathers every plaintext (a secret of resource 900 may sit unmarked in resource 3).
        for (let i = 0; i < count; i++) {
          const raw = element(i);
          if (!isRecord(raw)) continue;
          const found: string[] = [];
          for (const name of ["inputs", "outputs"]) {
            const value = field(raw, name);
            if (isRecord(value)) redact(structuredClone(value), found);
          }
          collect(found);
        }
        masker = new SecretMasker(secretValues.filter((v) => v.length >= MIN_SUBSTRING_SECRET));
        if (masker.empty) masker = undefined;
      }
      for (let i = 0; i < count; i++) visit(toResource(element(i), i));
    },
  };
}

/**
 * Parses one state file's text into a snapshot holding every resource. Throws {@link StateFileError} with a
 * one-line reason for anything that is not Pulumi state (see {@link openState}).
 */
export function readState(source: string, text: string | Uint8Array): StackSnapshot {
  const file = openState(source, text);
  const resources: ResourceInput[] = [];
  file.forEachResource((r) => resources.push(r));
  return { source, stack: file.stack, resources, secretValues: file.secretValues };
}
