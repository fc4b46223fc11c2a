/**
 * Reads a Kestra flow's YAML for what the raw-text scan cannot see: the plugin types it runs (tasks at any depth,
 * flowable tasks' children, triggers, conditions, task runners, errors/finally/afterExecution), the namespace they
 * run in, and the parser's errors. It never expands aliases (a billion-laughs file costs what its text costs) and
 * walks with an explicit stack (deep nesting cannot overflow the call stack); the `yaml` parser itself reports
 * nesting past its limit as an error instead of throwing.
 */
import * as YAML from "yaml";

/** A plugin instance in a flow: a map whose `type` names a Java class. */
export interface PluginRef {
  /** The type as the parser reads it (escapes resolved). */
  readonly type: string;
  /** `task`, `trigger`, `condition`, `task runner`, or `plugin` when the position says nothing. */
  readonly kind: string;
  /** The map's `id`, when it has one. */
  readonly id: string | undefined;
  /** Offset of the `type` value in the source. */
  readonly typeStart: number;
  /** Offset just past the `type` value. */
  readonly typeEnd: number;
  /** The map's span, for attributing other findings to the innermost plugin. */
  readonly start: number;
  /** Offset just past the map. */
  readonly end: number;
}

/** One YAML document that is a Kestra flow (a map with `id` and `namespace`). */
export interface FlowDocument {
  /** The flow's `id`, when it is a string. */
  readonly id: string | undefined;
  /** The flow's `namespace`, when it is a string; per-namespace plugin rules match it. */
  readonly namespace: string | undefined;
  /** Every plugin instance in the document, in source order. */
  readonly plugins: readonly PluginRef[];
}

/** A parser error with its offset. */
export interface YamlProblem {
  /** The parser's message, first line. */
  readonly message: string;
  /** UTF-16 offset where the parser placed it. */
  readonly offset: number;
}

/** What a file's YAML holds. */
export interface ParsedFlowFile {
  /** The documents that are Kestra flows. */
  readonly flows: readonly FlowDocument[];
  /** Parser errors of every document; the flows above are read from what did parse. */
  readonly problems: readonly YamlProblem[];
  /** Every document as parsed, for other checks of the same file (one parse per file). */
  readonly documents: readonly YAML.Document.Parsed[];
}

// A Java class name: lower-case packages, at least two, then a class (Kestra's plugin types all look like this).
const JAVA_CLASS = /^[a-z_$][\w$]*(?:\.[a-zA-Z_$][\w$]*)*\.[A-Z][\w$]*$/;

const KIND_OF_KEY: Readonly<Record<string, string>> = {
  tasks: "task",
  errors: "task",
  finally: "task",
  afterExecution: "task",
  then: "task",
  else: "task",
  cases: "task",
  defaults: "task",
  subflow: "task",
  task: "task",
  triggers: "trigger",
  conditions: "condition",
  preconditions: "condition",
  stopAfter: "condition",
  taskRunner: "task runner",
};

/** Parses every document of `text`; never throws (an internal parser failure becomes a problem). */
export function parseFlowFile(text: string): ParsedFlowFile {
  let docs: YAML.Document.Parsed[];
  try {
    const parsed = YAML.parseAllDocuments(text, { prettyErrors: false });
    docs = Array.isArray(parsed) ? parsed : [];
  } catch (e) {
    return { flows: [], problems: [{ message: (e as Error).message.split("\n")[0], offset: 0 }], documents: [] };
  }
  const problems: YamlProblem[] = [];
  const flows: FlowDocument[] = [];
  for (const doc of docs) {
    for (const err of doc.errors) problems.push({ message: err.message.split("\n")[0], offset: err.pos[0] });
    const flow = readFlow(doc);
    if (flow) flows.push(flow);
  }
  return { flows, problems, documents: docs };
}

function scalarString(doc: YAML.Document, node: unknown): string | undefined {
  const n = YAML.isAlias(node) ? safeResolve(doc, node) : node;
  return YAML.isScalar(n) && typeof n.value === "string" ? n.value : undefined;
}

function safeResolve(doc: YAML.Document, alias: YAML.Alias): unknown {
  try {
    return alias.resolve(doc);
  } catch {
    return undefined;
  }
}

function readFlow(doc: YAML.Document.Parsed): FlowDocument | undefined {
  const root = doc.contents;
  if (!YAML.isMap(root)) return undefined;
  let id: string | undefined;
  let namespace: string | undefined;
  let hasId = false;
  let hasNamespace = false;
  for (const pair of root.items) {
    const key = scalarString(doc, pair.key);
    if (key === "id") [hasId, id] = [true, scalarString(doc, pair.value)];
    if (key === "namespace") [hasNamespace, namespace] = [true, scalarString(doc, pair.value)];
  }
  if (!hasId || !hasNamespace) return undefined;
  return { id, namespace, plugins: collectPlugins(doc, root) };
}

interface Frame {
  readonly node: unknown;
  readonly kind: string;
  /** True for the entries of top-level `pluginDefaults`: their `type` names whom defaults apply to, not a run. */
  readonly defaultsEntry: boolean;
}

function collectPlugins(doc: YAML.Document, root: YAML.YAMLMap): PluginRef[] {
  const plugins: PluginRef[] = [];
  // Node -> whether it was walked only as a pluginDefaults entry (its own `type` unchecked). A node reached again
  // through an alias from anywhere else is walked once more, so an anchor on a defaults entry is no hiding place.
  const seen = new Map<unknown, boolean>();
  const stack: Frame[] = [];
  for (const pair of root.items) {
    const key = scalarString(doc, pair.key);
    const defaults = key === "pluginDefaults" || key === "taskDefaults";
    stack.push({ node: pair.value, kind: KIND_OF_KEY[key ?? ""] ?? "plugin", defaultsEntry: defaults });
  }
  while (stack.length > 0) {
    const frame = stack.pop()!;
    let node = frame.node;
    if (YAML.isAlias(node)) node = safeResolve(doc, node);
    // Each node is walked at most twice, however many aliases point at it: no alias-bomb expansion.
    if (node === null || typeof node !== "object") continue;
    const before = seen.get(node);
    if (before === false || (before === true && frame.defaultsEntry)) continue;
    seen.set(node, frame.defaultsEntry);
    if (YAML.isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ ...frame, node: node.items[i] });
    } else if (YAML.isMap(node)) {
      let id: string | undefined;
      const types: YAML.Pair[] = [];
      for (const pair of node.items) {
        const key = scalarString(doc, pair.key);
        if (key === "type") types.push(pair);
        else if (key === "id") id = scalarString(doc, pair.value);
      }
      if (!frame.defaultsEntry) {
        // Every `type` pair counts: with a duplicate key, some parsers keep the first and others the last.
        for (const pair of types) {
          const type = scalarString(doc, pair.value);
          const valueNode = pair.value as YAML.Node | null;
          if (type === undefined || !JAVA_CLASS.test(type) || !valueNode?.range) continue;
          const range = node.range ?? valueNode.range;
          plugins.push({
            type, kind: frame.kind, id,
            typeStart: valueNode.range[0], typeEnd: valueNode.range[1],
            start: range[0], end: range[2],
          });
        }
      }
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        const key = scalarString(doc, pair.key);
        if (key === "type") continue;
        const kind = KIND_OF_KEY[key ?? ""] ?? frame.kind;
        stack.push({ node: pair.value, kind, defaultsEntry: false });
        if (YAML.isCollection(pair.key)) stack.push({ node: pair.key, kind, defaultsEntry: false });
      }
    }
  }
  return plugins.sort((a, b) => a.typeStart - b.typeStart);
}

/** The innermost plugin whose map contains `offset`, for naming where a finding sits. */
export function pluginAt(flow: FlowDocument, offset: number): PluginRef | undefined {
  let best: PluginRef | undefined;
  for (const p of flow.plugins) {
    if (p.start <= offset && offset < p.end && (!best || p.end - p.start < best.end - best.start)) best = p;
  }
  return best;
}
