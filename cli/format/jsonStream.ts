/**
 * JSON written piece by piece: the same text as `JSON.stringify(value, null, 2)`, produced as chunks so a report
 * of a million findings is never one string (V8 caps a string at about 512 MiB, and building one holds the whole
 * report twice). Containers down to `streamDepth` are walked; anything deeper is stringified whole, which is small.
 */

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== "function";
}

const omitted = (v: unknown): boolean => v === undefined || typeof v === "function" || typeof v === "symbol";

/**
 * Yields the text of `JSON.stringify(value, null, 2)` in pieces.
 * @param streamDepth how many levels of arrays and objects are written piece by piece. @default 4
 */
export function* jsonChunks(value: unknown, streamDepth = 4, indent = ""): Generator<string> {
  const inner = `${indent}  `;
  if (streamDepth > 0 && Array.isArray(value)) {
    if (value.length === 0) {
      yield "[]";
      return;
    }
    yield "[";
    for (let i = 0; i < value.length; i++) {
      yield `${i === 0 ? "\n" : ",\n"}${inner}`;
      const v: unknown = value[i];
      if (omitted(v)) yield "null";
      else yield* jsonChunks(v, streamDepth - 1, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  if (streamDepth > 0 && isPlainObject(value)) {
    let first = true;
    for (const k of Object.keys(value)) {
      const v = value[k];
      if (omitted(v)) continue;
      yield `${first ? "{\n" : ",\n"}${inner}${JSON.stringify(k)}: `;
      first = false;
      yield* jsonChunks(v, streamDepth - 1, inner);
    }
    yield first ? "{}" : `\n${indent}}`;
    return;
  }
  const text = JSON.stringify(value, null, 2);
  // JSON.stringify escapes newlines inside strings, so every newline here is layout.
  yield indent === "" ? text : text.replaceAll("\n", `\n${indent}`);
}
