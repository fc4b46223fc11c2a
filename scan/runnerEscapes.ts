/**
 * Runner escapes: settings in a Kestra flow that hand the task's code the host or another identity, whatever the
 * code itself does. Reported as `kestra-runner-escape` (error) by `hardening scan`.
 *
 * Where they are read (Kestra plugin documentation):
 * - the Docker task runner `io.kestra.plugin.scripts.runner.docker.Docker` (and its older name `DockerTaskRunner`),
 *   the Docker plugin's `io.kestra.plugin.docker.Run` task, and the legacy `docker:` options of script tasks
 *   (`runner: DOCKER`): `networkMode: host` (or `container:<id>`), `privileged: true`, bind-mounted `volumes`
 *   (`/var/run/docker.sock:...`, `/:/host`, `/proc:...`), added capabilities, `pidMode`/`ipcMode: host`;
 * - the Kubernetes task runner `io.kestra.plugin.ee.kubernetes.runner.Kubernetes`: `podSpec` host namespaces,
 *   hostPath volumes, privileged or capability-adding containers (`podSpec.containers`, `containerSpec`,
 *   `containerDefaultSpec`), a token (`automountServiceAccountToken: true`), and overrides of what the forced
 *   runner settings pin: `serviceAccountName`, `runtimeClassName`, `namespace`, and `config` (another cluster or
 *   identity);
 * - the Kubernetes plugin's `PodCreate` task (`spec`): the same host-facing pod fields;
 * - `pluginDefaults` entries whose `type` is one of the above apply their `values` to it, so those are read too.
 *
 * A value written as a Pebble expression (`{{ ... }}`) cannot be checked before run time and is reported as such.
 * Exceptions are per flow namespace, per kind, with a reason (config `runnerEscapes.exceptions`).
 */
import picomatch from "picomatch";
import * as YAML from "yaml";
import { readVouchedTree, UNREAD } from "./vouchedTree";
import { KeyWatch, YamlNotes } from "./yamlVouch";

/** What a setting gives away; exceptions name these. */
export const RUNNER_ESCAPE_KINDS = [
  "host-network",
  "host-namespace",
  "privileged",
  "host-path",
  "capabilities",
  "token",
  "service-account",
  "runtime-class",
  "namespace",
  "connection",
] as const;
/** What a setting gives away. */
export type RunnerEscapeKind = (typeof RUNNER_ESCAPE_KINDS)[number];

/** A reviewed exception: flows in matching namespaces may use these settings. */
export interface RunnerEscapeException {
  /** Glob on the flow's namespace (`platform.infra.*`). */
  readonly namespace: string;
  /** The kinds of escape allowed there. */
  readonly kinds: readonly RunnerEscapeKind[];
  /** Why this is safe; mandatory. */
  readonly reason: string;
}

/** The `runnerEscapes` section of the scan config. */
export interface RunnerEscapeControl {
  /**
   * Exceptions by flow namespace; the first that matches the flow's namespace and the finding's kind applies.
   * @default []
   */
  readonly exceptions?: readonly RunnerEscapeException[];
}

/** One escape found, located in the source. */
export interface RunnerEscape {
  readonly kind: RunnerEscapeKind;
  /** Offset of the offending value (or key) in the source, and just past it. */
  readonly start: number;
  readonly end: number;
  /** The setting as written, e.g. `networkMode: host`. */
  readonly match: string;
  readonly message: string;
  /** The flow's namespace, when it names one. */
  readonly namespace: string | undefined;
  /** Set when a config exception allows it: the exception's reason. */
  readonly exceptionReason?: string;
}

const DOCKER_TYPES = new Set([
  "io.kestra.plugin.scripts.runner.docker.docker",
  "io.kestra.plugin.scripts.runner.docker.dockertaskrunner",
  "io.kestra.plugin.docker.run",
]);
const KUBERNETES_RUNNER_TYPES = new Set(["io.kestra.plugin.ee.kubernetes.runner.kubernetes", "io.kestra.plugin.kubernetes.runner.kubernetes"]);
const POD_CREATE_TYPES = new Set(["io.kestra.plugin.kubernetes.core.podcreate", "io.kestra.plugin.kubernetes.podcreate"]);

/** The Docker settings checkDocker reads by exact key, beyond `networkMode`, `privileged` and `volumes`. */
const NAMESPACE_MODE_KEYS = ["pidMode", "ipcMode", "usernsMode", "utsMode"];
const CAPABILITY_KEYS = ["capAdd", "capabilities", "cap_add"];
const DOCKER_SETTINGS = ["networkMode", "privileged", "volumes", ...NAMESPACE_MODE_KEYS, ...CAPABILITY_KEYS];

/**
 * Words looked for from a rare letter in them: an `indexOf` loop over that letter, each hit compared with the word
 * around it. A regex such as `/kubernetes/i` or an alternation of the Docker settings tries a branch at almost every
 * position (measured on 40 MB of flows: the gate cost as much as the detector's whole cheap pass).
 */
interface WordsByLetter {
  readonly letter: string;
  /** Each word with the offset of `letter` in it. */
  readonly words: readonly (readonly [string, number])[];
  /** Compare ASCII letters in either case (the word is lower case). */
  readonly foldCase: boolean;
}

function byLetter(letter: string, words: readonly string[], foldCase: boolean): WordsByLetter[] {
  const out: WordsByLetter[] = [{ letter, words: words.map((w) => [w, w.indexOf(letter)] as const), foldCase }];
  if (foldCase) out.push({ letter: letter.toUpperCase(), words: out[0].words, foldCase });
  for (const w of words) if (!w.includes(letter)) throw new Error(`${w} lacks ${letter}`);
  return out;
}

// Rare letters: `b` and `p` in the Kubernetes types' tails, `k` in docker, `v`, `M` and `p` in the Docker settings.
// Every Kubernetes type read here ends in `runner.kubernetes` or `podcreate` (KUBERNETES_RUNNER_TYPES,
// POD_CREATE_TYPES): the Kubernetes plugin's other tasks (kubectl, ...) configure no runner.
const KUBERNETES = [...byLetter("b", ["runner.kubernetes"], true), ...byLetter("p", ["podcreate"], true)];
for (const t of [...KUBERNETES_RUNNER_TYPES, ...POD_CREATE_TYPES]) {
  if (!t.endsWith("runner.kubernetes") && !t.endsWith("podcreate")) throw new Error(`the runner-escape gate does not know ${t}`);
}
const DOCKER = byLetter("k", ["docker"], true);
const SETTINGS = [
  ...byLetter("M", DOCKER_SETTINGS.filter((k) => k.includes("M")), false),
  ...byLetter("v", DOCKER_SETTINGS.filter((k) => !k.includes("M") && k.includes("v")), false),
  ...byLetter("p", DOCKER_SETTINGS.filter((k) => !k.includes("M") && !k.includes("v")), false),
];

function hasWord(text: string, groups: readonly WordsByLetter[]): boolean {
  for (const { letter, words, foldCase } of groups) {
    for (let i = text.indexOf(letter); i >= 0; i = text.indexOf(letter, i + 1)) {
      outer: for (const [word, at] of words) {
        const start = i - at;
        if (start < 0 || start + word.length > text.length) continue;
        for (let k = 0; k < word.length; k++) {
          const c = text.charCodeAt(start + k);
          const w = word.charCodeAt(k);
          if (c !== w && !(foldCase && c === w - 32 && w >= 97 && w <= 122)) continue outer;
        }
        return true;
      }
    }
  }
  return false;
}

/**
 * True for a YAML escape that can spell a letter of a key or a type (`\x`, `\u`, `\U`) or join two lines of a
 * double-quoted scalar (an escaped line break, `"network\` then `Mode"`). Other escapes (`\"`, `\\`, `\t`, `\/`,
 * ...) spell no letter, and a backslash outside a double-quoted scalar is a literal character.
 */
function hasLetterEscape(text: string): boolean {
  for (let i = text.indexOf("\\"); i >= 0; i = text.indexOf("\\", i + 1)) {
    const c = text.charCodeAt(i + 1);
    if (c === 120 || c === 117 || c === 85 || c === 10 || c === 13) return true;
  }
  return false;
}

/**
 * Cheap test: false only when `text` cannot configure any runner this module reads (so it need not be parsed).
 * Every runner type read here names Docker, or ends in `runner.kubernetes` or `podcreate` (types are compared in
 * lower case), and a Docker escape needs one of the Docker settings under its exact key; a key or type spelled with escapes holds a letter escape. Plain key and
 * type text cannot come from anywhere else: anchors and aliases repeat text written in the file, and folding a
 * plain or quoted scalar over lines puts a space into it.
 */
export function mayHaveRunnerEscape(text: string): boolean {
  // The Kelvin sign lower-cases to `k` (in JavaScript and in Java alike), so it can spell the `k` of a type.
  return hasLetterEscape(text) || text.includes("\u212a") || hasWord(text, KUBERNETES) || (hasWord(text, DOCKER) && hasWord(text, SETTINGS));
}

/**
 * The keys an escape in a pod spec needs (checkPodSpec with `pinned` false, as for PodCreate, and checkContainer):
 * a host namespace, a hostPath volume, the token, or a container's privileged flag or capabilities. The pinned
 * overrides of the Kubernetes runner are not here: its type alone sends a flow to the parse.
 */
const HOST_NAMESPACE_KEYS = ["hostNetwork", "hostPID", "hostIPC"];
const POD_SETTINGS = [...HOST_NAMESPACE_KEYS, "hostPath", "automountServiceAccountToken", "privileged", "capabilities"];

/**
 * What the noted gate needs from yamlVouch.ts: the legacy `docker:` options key, the Docker settings and the pod
 * settings, and the runner types themselves, which checkRunner compares as typeOf gives them (trimmed and
 * lower-cased) with exactly these names.
 */
const WATCHED_TYPES = [...DOCKER_TYPES, ...KUBERNETES_RUNNER_TYPES, ...POD_CREATE_TYPES];
const WATCHED_KEYS = ["docker", ...new Set([...DOCKER_SETTINGS, ...POD_SETTINGS])];
/** Bits of the keys or types found, as RUNNER_KEY_WATCH numbers them (bit n: the n-th of the list). */
const bits = (all: readonly string[], some: Iterable<string>): number => [...some].reduce((b, k) => b | (1 << all.indexOf(k)), 0);
const DOCKER_KEY = bits(WATCHED_KEYS, ["docker"]);
const DOCKER_SETTING_KEYS = bits(WATCHED_KEYS, DOCKER_SETTINGS);
const POD_SETTING_KEYS = bits(WATCHED_KEYS, POD_SETTINGS);
const DOCKER_TYPE = bits(WATCHED_TYPES, DOCKER_TYPES);
const KUBERNETES_RUNNER_TYPE = bits(WATCHED_TYPES, KUBERNETES_RUNNER_TYPES);
const POD_CREATE_TYPE = bits(WATCHED_TYPES, POD_CREATE_TYPES);
export const RUNNER_KEY_WATCH = new KeyWatch(WATCHED_KEYS, WATCHED_TYPES);

/**
 * The same gate as mayHaveRunnerEscape, from what vouchForYaml noted while it vouched for the text (with
 * RUNNER_KEY_WATCH), so no pass of its own over the text: true when a `type` value could not be read or names the
 * Kubernetes runner (in any letter case, as Kestra and typeOf compare types), when one names Docker (or the flow
 * has a `docker:` key) and a Docker setting occurs as a key, or when one names PodCreate and a pod setting occurs
 * as a key. In the vouched subset every key is plain or quoted without escapes, no alias or merge key repeats one,
 * and every `type` value is noted or marked unread.
 */
export function mayHaveRunnerEscapeNoted(notes: YamlNotes): boolean {
  const types = notes.typesFound;
  const keys = notes.keysFound;
  if (notes.typeUnread || (types & KUBERNETES_RUNNER_TYPE) !== 0) return true;
  if (((types & DOCKER_TYPE) !== 0 || (keys & DOCKER_KEY) !== 0) && (keys & DOCKER_SETTING_KEYS) !== 0) return true;
  return (types & POD_CREATE_TYPE) !== 0 && (keys & POD_SETTING_KEYS) !== 0;
}

const PEBBLE = /\{\{|\{%/;
/** Host paths whose bind mount hands over the host: the Docker socket, the root, the kernel's views, run state. */
const SENSITIVE_HOST_PATH = /^\/(?:$|var\/run|run|proc|sys|dev|etc|root|home|var\/lib\/(?:docker|kubelet|containerd)|boot)(?:\/|$)/;

interface Ctx {
  readonly doc: YAML.Document;
  readonly namespace: string | undefined;
  readonly out: RunnerEscape[];
  readonly seen: Set<unknown>;
}

function resolve(doc: YAML.Document, node: unknown): unknown {
  if (!YAML.isAlias(node)) return node;
  try {
    return node.resolve(doc);
  } catch {
    return undefined;
  }
}

function keyOf(doc: YAML.Document, pair: YAML.Pair): string | undefined {
  const k = resolve(doc, pair.key);
  return YAML.isScalar(k) ? String(k.value) : undefined;
}

function get(doc: YAML.Document, map: unknown, key: string): { node: unknown; pair: YAML.Pair } | undefined {
  const m = resolve(doc, map);
  if (!YAML.isMap(m)) return undefined;
  for (const pair of m.items) if (keyOf(doc, pair) === key) return { node: resolve(doc, pair.value), pair };
  return undefined;
}

/**
 * Where a finding is placed: on a scalar value itself, else (a mapping, a sequence, no value) on its key, the line
 * that names the setting rather than a span over the lines under it.
 */
function rangeOf(pair: YAML.Pair, node: unknown): [number, number] {
  const n = (YAML.isScalar(node) ? node : YAML.isNode(pair.key) ? pair.key : undefined) as YAML.Node | undefined;
  const r = n?.range;
  return r ? [r[0], r[1]] : [0, 0];
}

function scalarText(node: unknown): string | undefined {
  return YAML.isScalar(node) && node.value !== null && typeof node.value !== "object" ? String(node.value) : undefined;
}

/**
 * Plain words Kestra reads as true besides `true`: it parses flows with jackson-dataformat-yaml, which resolves plain
 * scalars with SnakeYAML's YAML 1.1 resolver (its BOOL pattern) and maps `yes` and `on` to true (YAMLParser's
 * `_matchYAMLBoolean`, PARSE_BOOLEAN_LIKE_WORDS_AS_STRINGS off by default). The `yaml` package reads them as strings.
 */
const YAML_1_1_TRUE = /^(?:yes|Yes|YES|on|On|ON)$/;

/** True for a value Kestra would read as `true`: `true` in any case or quoting, or a plain YAML 1.1 true word. */
function isTrue(node: unknown): boolean {
  const t = scalarText(node);
  if (t === undefined) return false;
  return t.trim().toLowerCase() === "true" || (YAML.isScalar(node) && node.type === "PLAIN" && YAML_1_1_TRUE.test(t));
}

function isDynamic(node: unknown): boolean {
  const t = scalarText(node);
  return t !== undefined && PEBBLE.test(t);
}

function report(ctx: Ctx, kind: RunnerEscapeKind, at: { node: unknown; pair: YAML.Pair }, setting: string, what: string): void {
  const [start, end] = rangeOf(at.pair, at.node);
  ctx.out.push({ kind, start, end, match: setting, message: what, namespace: ctx.namespace });
}

/** A scalar setting that is dangerous when `bad` holds, or unverifiable when written as an expression. */
function checkScalar(ctx: Ctx, map: unknown, key: string, path: string, kind: RunnerEscapeKind, bad: (v: string) => boolean, why: string): void {
  const at = get(ctx.doc, map, key);
  if (!at) return;
  const text = scalarText(at.node);
  if (text === undefined) return;
  if (PEBBLE.test(text)) report(ctx, kind, at, `${path}: ${text}`, `${path} is an expression (${text}) that cannot be checked before run time, and ${why}; write a literal safe value`);
  else if (bad(text)) report(ctx, kind, at, `${path}: ${text}`, `${path} is ${JSON.stringify(text)}: ${why}`);
}

function checkCapabilities(ctx: Ctx, securityContext: unknown, path: string): void {
  const caps = get(ctx.doc, securityContext, "capabilities");
  const add = caps && get(ctx.doc, caps.node, "add");
  if (add && YAML.isSeq(add.node) && add.node.items.length > 0) {
    const names = add.node.items.map((i) => scalarText(resolve(ctx.doc, i)) ?? "?").join(", ");
    report(ctx, "capabilities", add, `${path}.capabilities.add: [${names}]`, `${path}.capabilities.add adds ${names}: extra kernel capabilities widen what the code can do to the host; remove them`);
  }
}

function checkDocker(ctx: Ctx, map: unknown, where: string): void {
  checkScalar(ctx, map, "networkMode", `${where}.networkMode`, "host-network", (v) => /^(host|container:.*)$/i.test(v.trim()),
    "the container would share another network namespace (the host's: its metadata endpoint, its firewall exemptions and its services); use bridge or a user-defined network");
  for (const key of NAMESPACE_MODE_KEYS) {
    checkScalar(ctx, map, key, `${where}.${key}`, "host-namespace", (v) => v.trim().toLowerCase() === "host" || /^container:/i.test(v.trim()),
      "the container would share the host's namespace; remove it");
  }
  const priv = get(ctx.doc, map, "privileged");
  if (priv && (isTrue(priv.node) || isDynamic(priv.node))) {
    report(ctx, "privileged", priv, `${where}.privileged: ${scalarText(priv.node)}`, `${where}.privileged ${isDynamic(priv.node) ? "is an expression that may be true" : "is true"}: a privileged container is root on the host; remove it`);
  }
  const volumes = get(ctx.doc, map, "volumes");
  if (volumes) {
    const items = YAML.isSeq(volumes.node) ? volumes.node.items : [volumes.node];
    for (const item of items) {
      const node = resolve(ctx.doc, item);
      const text = scalarText(node);
      if (text === undefined) continue;
      const at = { node, pair: volumes.pair };
      const source = text.split(":")[0].trim();
      if (PEBBLE.test(text)) {
        report(ctx, "host-path", at, `${where}.volumes: ${text}`, `${where}.volumes entry ${JSON.stringify(text)} is an expression that cannot be checked before run time; a bind mount gives the code host files; remove it`);
      } else if (/^[/~.]/.test(source) || /^[A-Za-z]:[\\/]/.test(text)) {
        const socket = /docker\.sock|containerd\.sock|crio\.sock/.test(source);
        const sensitive = socket || SENSITIVE_HOST_PATH.test(source.replace(/\/+$/, "") || "/");
        report(ctx, "host-path", at, `${where}.volumes: ${text}`,
          socket
            ? `${where}.volumes bind-mounts the container engine's socket (${source}): the code can start a privileged container and own the host; remove it`
            : `${where}.volumes bind-mounts the host path ${source}${sensitive ? " (host system state)" : ""}: the code reads and writes host files; use inputFiles/outputFiles or namespace files instead`);
      }
    }
  }
  for (const key of CAPABILITY_KEYS) {
    const caps = get(ctx.doc, map, key);
    if (caps && YAML.isSeq(caps.node) && caps.node.items.length > 0) {
      const names = caps.node.items.map((i) => scalarText(resolve(ctx.doc, i)) ?? "?").join(", ");
      report(ctx, "capabilities", caps, `${where}.${key}: [${names}]`, `${where}.${key} adds ${names}: extra kernel capabilities widen what the code can do to the host; remove them`);
    }
  }
}

/** Host-facing fields of a pod spec (Kubernetes runner `podSpec`, PodCreate `spec`). */
function checkPodSpec(ctx: Ctx, spec: unknown, where: string, pinned: boolean): void {
  for (const key of HOST_NAMESPACE_KEYS) {
    const at = get(ctx.doc, spec, key);
    if (at && (isTrue(at.node) || isDynamic(at.node))) {
      report(ctx, key === "hostNetwork" ? "host-network" : "host-namespace", at, `${where}.${key}: ${scalarText(at.node)}`,
        `${where}.${key} ${isDynamic(at.node) ? "is an expression that may be true" : "is true"}: the pod would share the node's ${key === "hostNetwork" ? "network (and its metadata endpoint)" : key === "hostPID" ? "processes" : "IPC"}; remove it`);
    }
  }
  const volumes = get(ctx.doc, spec, "volumes");
  if (volumes && YAML.isSeq(volumes.node)) {
    for (const v of volumes.node.items) {
      const hostPath = get(ctx.doc, v, "hostPath");
      if (hostPath) {
        const p = scalarText(get(ctx.doc, hostPath.node, "path")?.node) ?? "?";
        report(ctx, "host-path", hostPath, `${where}.volumes[].hostPath: ${p}`, `${where}.volumes[].hostPath mounts the node's ${p}: the code reads and writes node files; use an emptyDir`);
      }
    }
  }
  const automount = get(ctx.doc, spec, "automountServiceAccountToken");
  if (automount && (isTrue(automount.node) || isDynamic(automount.node))) {
    report(ctx, "token", automount, `${where}.automountServiceAccountToken: ${scalarText(automount.node)}`, `${where}.automountServiceAccountToken would give the code an API token; remove it`);
  }
  for (const list of ["containers", "initContainers", "ephemeralContainers"]) {
    const cs = get(ctx.doc, spec, list);
    if (!cs || !YAML.isSeq(cs.node)) continue;
    for (const c of cs.node.items) checkContainer(ctx, c, `${where}.${list}[]`);
  }
  if (!pinned) return;
  for (const key of ["serviceAccountName", "serviceAccount"]) {
    const at = get(ctx.doc, spec, key);
    if (at) report(ctx, "service-account", at, `${where}.${key}: ${scalarText(at.node) ?? "..."}`, `${where}.${key} overrides the ServiceAccount the forced runner settings pin (a token-less one); remove it`);
  }
  const rc = get(ctx.doc, spec, "runtimeClassName");
  if (rc) report(ctx, "runtime-class", rc, `${where}.runtimeClassName: ${scalarText(rc.node) ?? "..."}`, `${where}.runtimeClassName overrides the sandbox RuntimeClass the forced runner settings pin; remove it`);
}

function checkContainer(ctx: Ctx, container: unknown, where: string): void {
  const sc = get(ctx.doc, container, "securityContext");
  if (!sc) return;
  const priv = get(ctx.doc, sc.node, "privileged");
  if (priv && (isTrue(priv.node) || isDynamic(priv.node))) {
    report(ctx, "privileged", priv, `${where}.securityContext.privileged: ${scalarText(priv.node)}`, `${where}.securityContext.privileged makes the container root on the node; remove it`);
  }
  checkCapabilities(ctx, sc.node, `${where}.securityContext`);
}

function checkKubernetesRunner(ctx: Ctx, map: unknown, where: string): void {
  const podSpec = get(ctx.doc, map, "podSpec");
  if (podSpec) checkPodSpec(ctx, podSpec.node, `${where}.podSpec`, true);
  for (const key of ["containerSpec", "containerDefaultSpec"]) {
    const c = get(ctx.doc, map, key);
    if (c) checkContainer(ctx, c.node, `${where}.${key}`);
  }
  const sa = get(ctx.doc, map, "serviceAccountName");
  if (sa) report(ctx, "service-account", sa, `${where}.serviceAccountName: ${scalarText(sa.node) ?? "..."}`, `${where}.serviceAccountName overrides the ServiceAccount the forced runner settings pin (a token-less one); remove it`);
  const ns = get(ctx.doc, map, "namespace");
  if (ns) report(ctx, "namespace", ns, `${where}.namespace: ${scalarText(ns.node) ?? "..."}`, `${where}.namespace sends the task pod outside the hardened task namespace the forced runner settings pin; remove it`);
  const config = get(ctx.doc, map, "config");
  if (config) report(ctx, "connection", config, `${where}.config`, `${where}.config connects the runner to a cluster or with credentials of the flow's choosing instead of the worker's; remove it`);
}

function typeOf(ctx: Ctx, map: YAML.YAMLMap): string | undefined {
  const t = scalarText(get(ctx.doc, map, "type")?.node);
  return t?.trim().toLowerCase();
}

function checkPlugin(ctx: Ctx, type: string, settings: unknown, where: string): void {
  if (DOCKER_TYPES.has(type)) checkDocker(ctx, settings, where);
  else if (KUBERNETES_RUNNER_TYPES.has(type)) checkKubernetesRunner(ctx, settings, where);
  else if (POD_CREATE_TYPES.has(type)) {
    const spec = get(ctx.doc, settings, "spec");
    if (spec) checkPodSpec(ctx, spec.node, `${where}.spec`, false);
  }
}

/** Walks one document with an explicit stack, each node once (aliases cannot multiply the work). */
function walk(ctx: Ctx, root: unknown): void {
  const stack: { node: unknown; path: string; inDefaults: boolean }[] = [{ node: root, path: "", inDefaults: false }];
  while (stack.length > 0) {
    const { node: raw, path, inDefaults } = stack.pop()!;
    const node = resolve(ctx.doc, raw);
    if (node === null || typeof node !== "object" || ctx.seen.has(node)) continue;
    ctx.seen.add(node);
    if (YAML.isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: `${path}[${i}]`, inDefaults }));
      continue;
    }
    if (!YAML.isMap(node)) continue;
    const type = typeOf(ctx, node);
    const here = path || "(flow)";
    if (type !== undefined) {
      if (inDefaults) {
        // A pluginDefaults entry: its values apply to every plugin of that type.
        const values = get(ctx.doc, node, "values");
        if (values) checkPlugin(ctx, type, values.node, `${here}.values`);
      } else checkPlugin(ctx, type, node, here);
    }
    const docker = get(ctx.doc, node, "docker");
    if (docker && YAML.isMap(docker.node) && (type?.includes(".scripts.") || inDefaults || path.endsWith(".values"))) {
      checkDocker(ctx, docker.node, `${here}.docker`);
    }
    for (const pair of node.items) {
      const key = keyOf(ctx.doc, pair) ?? "?";
      const defaults = path === "" && (key === "pluginDefaults" || key === "taskDefaults");
      // Only the entries of the top-level pluginDefaults list are defaults entries; their children are settings.
      stack.push({ node: pair.value, path: path ? `${path}.${key}` : key, inDefaults: defaults });
    }
  }
}

/** Compiled exceptions. */
export class RunnerEscapePolicy {
  private readonly exceptions: readonly { readonly match: picomatch.Matcher; readonly e: RunnerEscapeException }[];

  constructor(control: RunnerEscapeControl = {}) {
    this.exceptions = (control.exceptions ?? []).map((e) => ({ match: picomatch(e.namespace, { dot: true }), e }));
  }

  /** The exception allowing `kind` in `namespace`, if any. */
  exceptionFor(kind: RunnerEscapeKind, namespace: string | undefined): RunnerEscapeException | undefined {
    if (namespace === undefined) return undefined;
    return this.exceptions.find((x) => x.e.kinds.includes(kind) && x.match(namespace))?.e;
  }
}

/**
 * Every runner escape in `text` (every YAML document that is a flow), sorted by position; never throws on bad YAML.
 * `parsed`: the text's documents when the caller has parsed it already (with `prettyErrors: false`, as here).
 */
export function findRunnerEscapes(text: string, policy: RunnerEscapePolicy = new RunnerEscapePolicy(), parsed?: readonly YAML.Document.Parsed[]): RunnerEscape[] {
  let docs: readonly YAML.Document.Parsed[];
  try {
    docs = parsed ?? (YAML.parseAllDocuments(text, { prettyErrors: false }) as YAML.Document.Parsed[]);
    if (!Array.isArray(docs)) return [];
  } catch {
    return [];
  }
  return escapesIn(docs, policy);
}

/**
 * findRunnerEscapes for a text the fast validity check vouched for: read without the YAML parser (vouchedTree.ts)
 * when it can be, and parsed when the check needs a value the reader left unread or the reader gives up.
 */
export function findRunnerEscapesVouched(text: string, policy: RunnerEscapePolicy = new RunnerEscapePolicy()): RunnerEscape[] {
  const doc = readVouchedTree(text);
  if (doc) {
    try {
      return escapesIn([doc], policy);
    } catch (e) {
      if (e !== UNREAD) throw e;
    }
  }
  return findRunnerEscapes(text, policy);
}

function escapesIn(docs: readonly YAML.Document[], policy: RunnerEscapePolicy): RunnerEscape[] {
  const out: RunnerEscape[] = [];
  for (const doc of docs) {
    const root = doc.contents;
    if (!YAML.isMap(root)) continue;
    const namespace = scalarText(get(doc, root, "namespace")?.node);
    const ctx: Ctx = { doc, namespace, out: [], seen: new Set() };
    walk(ctx, root);
    for (const e of ctx.out) {
      const exception = policy.exceptionFor(e.kind, namespace);
      out.push(exception ? { ...e, exceptionReason: exception.reason } : e);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
