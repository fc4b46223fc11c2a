/**
 * One pass over a state file's bytes that finds where each element of its resources array begins and ends, without
 * building any value. The reader then parses one resource at a time (and drops it once the rules have seen it), so
 * an audit never holds the whole parsed state: that tree is about twice the file's size and most of the baseline's
 * memory. The same pass measures nesting depth for the whole document, so hostile nesting is refused before any
 * `JSON.parse` runs.
 *
 * The scanner only has to find boundaries: validity is left to `JSON.parse` of the skeleton (the document with the
 * resources array emptied) and of each element. Those parses together accept exactly what one parse of the whole
 * text accepts, provided the separators between elements are bare commas, which the scanner checks. Anything
 * unexpected makes it give up (`undefined`), and the reader falls back to parsing the whole text, whose error
 * message is then the one reported.
 */

/** Where the resources array sits: in a `pulumi stack export` or in a self-managed checkpoint. */
export type ResourcesPath = "deployment.resources" | "checkpoint.latest.resources";

/** The elements of one resources array, as [start, end) byte offsets into the file. */
export interface ResourcesArray {
  /** Offset of the array's `[`. */
  readonly open: number;
  /** Offset of the array's `]`. */
  readonly close: number;
  /** Offsets of each element's text; whitespace around an element is included. */
  readonly starts: number[];
  readonly ends: number[];
}

/** The result of {@link splitState}: the depth verdict, and the resources arrays found. */
export type SplitResult =
  | { readonly kind: "split"; readonly arrays: ReadonlyMap<ResourcesPath, ResourcesArray> }
  | { readonly kind: "too-deep" }
  | { readonly kind: "unsplittable" };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** The key paths (up to three levels) whose value is a resources array. */
const PATHS: ReadonlyMap<string, ResourcesPath> = new Map([
  ["deployment\0resources", "deployment.resources"],
  ["checkpoint\0latest\0resources", "checkpoint.latest.resources"],
]);

/**
 * Scans the UTF-8 bytes of a state file once. Returns `too-deep` when some value is nested `maxDepth` or more
 * containers deep (the root is depth 0), `unsplittable` when the text is not well-formed enough to split (the
 * caller then parses it whole and reports the parser's message), else every resources array found at the two known
 * paths. Bytes, not a string: the caller never needs the whole file decoded at once, and every byte this looks for
 * is ASCII, which UTF-8 never uses inside a multi-byte character.
 */
export function splitState(bytes: Uint8Array, maxDepth: number): SplitResult {
  // keys[d] is the key under which the container at depth d+1 was opened, for the first three levels.
  const keys: string[] = [];
  const kinds: number[] = []; // OPEN_BRACE or OPEN_BRACKET per open container
  let lastString = "";
  let lastStringEnd = -1;
  const arrays = new Map<ResourcesPath, ResourcesArray>();
  let target: { path: ResourcesPath; depth: number; open: number; starts: number[]; ends: number[] } | undefined;
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const c = bytes[i];
    if (c === QUOTE) {
      // Skip the string: a backslash escapes the byte after it, so the first quote not so escaped ends it.
      let j = i + 1;
      while (j < n) {
        const b = bytes[j];
        if (b === QUOTE) break;
        j += b === BACKSLASH ? 2 : 1;
      }
      if (j >= n) return { kind: "unsplittable" };
      // Keys are only needed near the root; decoding every string would cost a copy of the file.
      if (kinds.length <= 3) {
        lastString = Buffer.from(bytes.buffer, bytes.byteOffset + i + 1, j - i - 1).toString("utf8");
        lastStringEnd = j;
      }
      i = j + 1;
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const depth = kinds.length;
      if (depth >= maxDepth) return { kind: "too-deep" };
      if (depth >= 1 && depth <= 3 && kinds[depth - 1] === OPEN_BRACE) {
        // The key is the last string before this container's colon.
        keys[depth - 1] = isKeyBefore(bytes, lastStringEnd, i) ? lastString : "";
      }
      kinds.push(c);
      if (c === OPEN_BRACKET && depth >= 2 && depth <= 3 && allObjects(kinds, depth)) {
        const path = PATHS.get(keys.slice(0, depth).join("\0"));
        if (path !== undefined) {
          // The same key twice: JSON.parse keeps the last, which this scanner does not model.
          if (arrays.has(path) || target !== undefined) return { kind: "unsplittable" };
          target = { path, depth: depth + 1, open: i, starts: [i + 1], ends: [] };
        }
      }
      i++;
      continue;
    }
    if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      const open = kinds.pop();
      if (open === undefined || (open === OPEN_BRACE) !== (c === CLOSE_BRACE)) return { kind: "unsplittable" };
      if (target !== undefined && kinds.length === target.depth - 1) {
        target.ends.push(i);
        arrays.set(target.path, finish(bytes, target, i));
        target = undefined;
      }
      i++;
      continue;
    }
    if (c === COMMA && target !== undefined && kinds.length === target.depth) {
      target.ends.push(i);
      target.starts.push(i + 1);
    }
    i++;
  }
  if (kinds.length !== 0 || target !== undefined) return { kind: "unsplittable" };
  return { kind: "split", arrays };
}

/** True when the first `depth` open containers are all objects, so `keys` holds the path to this point. */
function allObjects(kinds: readonly number[], depth: number): boolean {
  for (let d = 0; d < depth; d++) if (kinds[d] !== OPEN_BRACE) return false;
  return true;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
export function isJsonSpace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}

/** True when only whitespace and one colon lie between a string's closing quote and `at`. */
function isKeyBefore(bytes: Uint8Array, stringEnd: number, at: number): boolean {
  if (stringEnd < 0) return false;
  let colon = false;
  for (let k = stringEnd + 1; k < at; k++) {
    const c = bytes[k];
    if (c === COLON && !colon) colon = true;
    else if (!isJsonSpace(c)) return false;
  }
  return colon;
}

/** An empty array `[ ]` has one all-whitespace slot, which is no element at all. */
function finish(bytes: Uint8Array, t: { open: number; starts: number[]; ends: number[] }, close: number): ResourcesArray {
  if (t.starts.length === 1 && bytes.subarray(t.starts[0], t.ends[0]).every(isJsonSpace)) return { open: t.open, close, starts: [], ends: [] };
  return { open: t.open, close, starts: t.starts, ends: t.ends };
}
