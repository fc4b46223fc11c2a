/**
 * Kestra's legacy plugin names and what they are today, so a deny on `io.kestra.plugin.core.flow.*` also denies
 * `io.kestra.core.tasks.flows.Subflow`, and a deny on `io.kestra.plugin.scripts.shell.*` also denies the old
 * `io.kestra.core.tasks.scripts.Bash`.
 *
 * Sources:
 * - Kestra docs, migration guide 0.17.0 "Renamed Plugins" (kestra-io/docs): the full table of renamed core
 *   plugins, task runners and serdes tasks, kept working through `@Plugin(aliases = ...)`.
 * - kestra-io/kestra core/src/main/java/io/kestra/plugin/core/**: the `@Plugin(aliases = "io.kestra.core.tasks...")`
 *   annotations themselves (e.g. log/Log.java, flow/Pause.java, execution/Count.java aliasing executions.Counts).
 * - io.kestra.core.tasks.scripts.Bash / Python / Node were not aliased: they were separate tasks, deprecated and
 *   later removed from core; they ran shell, Python and Node commands, so they are matched as the script plugins
 *   that replaced them (io.kestra.plugin.scripts.<shell|python|node>.Commands).
 */

/** Exact legacy names whose new name is not the old class in a renamed package. */
const RENAMED_CLASSES: Readonly<Record<string, string>> = {
  "io.kestra.core.tasks.executions.Counts": "io.kestra.plugin.core.execution.Count",
  "io.kestra.core.models.conditions.types.VariableCondition": "io.kestra.plugin.core.condition.ExpressionCondition",
  "io.kestra.core.models.tasks.runners.types.ProcessTaskRunner": "io.kestra.plugin.core.runner.Process",
  "io.kestra.plugin.scripts.runner.docker.DockerTaskRunner": "io.kestra.plugin.scripts.runner.docker.Docker",
  "io.kestra.plugin.ee.kubernetes.runner.KubernetesTaskRunner": "io.kestra.plugin.ee.kubernetes.runner.Kubernetes",
  "io.kestra.plugin.ee.aws.runner.AwsBatchTaskRunner": "io.kestra.plugin.ee.aws.runner.Batch",
  "io.kestra.plugin.ee.azure.runner.AzureBatchTaskRunner": "io.kestra.plugin.ee.azure.runner.Batch",
  "io.kestra.plugin.ee.gcp.runner.GcpBatchTaskRunner": "io.kestra.plugin.ee.gcp.runner.Batch",
  "io.kestra.plugin.ee.gcp.runner.GcpCloudRunTaskRunner": "io.kestra.plugin.ee.gcp.runner.CloudRun",
  "io.kestra.plugin.serdes.csv.CsvReader": "io.kestra.plugin.serdes.csv.CsvToIon",
  "io.kestra.plugin.serdes.csv.CsvWriter": "io.kestra.plugin.serdes.csv.IonToCsv",
  "io.kestra.plugin.serdes.json.JsonReader": "io.kestra.plugin.serdes.json.JsonToIon",
  "io.kestra.plugin.serdes.json.JsonWriter": "io.kestra.plugin.serdes.json.IonToJson",
  "io.kestra.plugin.serdes.avro.AvroReader": "io.kestra.plugin.serdes.avro.AvroToIon",
  "io.kestra.plugin.serdes.avro.AvroWriter": "io.kestra.plugin.serdes.avro.IonToAvro",
  "io.kestra.plugin.serdes.xml.XmlReader": "io.kestra.plugin.serdes.xml.XmlToIon",
  "io.kestra.plugin.serdes.xml.XmlWriter": "io.kestra.plugin.serdes.xml.IonToXml",
  "io.kestra.plugin.serdes.parquet.ParquetReader": "io.kestra.plugin.serdes.parquet.ParquetToIon",
  "io.kestra.plugin.serdes.parquet.ParquetWriter": "io.kestra.plugin.serdes.parquet.IonToParquet",
  // Removed legacy script tasks: not aliases, matched as the plugins of the same kind that replaced them.
  "io.kestra.core.tasks.scripts.Bash": "io.kestra.plugin.scripts.shell.Commands",
  "io.kestra.core.tasks.scripts.Python": "io.kestra.plugin.scripts.python.Commands",
  "io.kestra.core.tasks.scripts.Node": "io.kestra.plugin.scripts.node.Commands",
};

/**
 * Legacy packages renamed with their classes unchanged (the 0.17.0 table: conditions, triggers, debugs,
 * executions, flows, log, states, storages, templating, trigger, fs.http), longest first.
 */
const RENAMED_PACKAGES: readonly (readonly [string, string])[] = [
  ["io.kestra.core.models.conditions.types.", "io.kestra.plugin.core.condition."],
  ["io.kestra.core.models.triggers.types.", "io.kestra.plugin.core.trigger."],
  ["io.kestra.core.tasks.debugs.", "io.kestra.plugin.core.debug."],
  ["io.kestra.core.tasks.executions.", "io.kestra.plugin.core.execution."],
  ["io.kestra.core.tasks.flows.", "io.kestra.plugin.core.flow."],
  ["io.kestra.core.tasks.log.", "io.kestra.plugin.core.log."],
  ["io.kestra.core.tasks.states.", "io.kestra.plugin.core.state."],
  ["io.kestra.core.tasks.storages.", "io.kestra.plugin.core.storage."],
  ["io.kestra.core.tasks.templating.", "io.kestra.plugin.core.templating."],
  ["io.kestra.core.tasks.trigger.", "io.kestra.plugin.core.trigger."],
  ["io.kestra.plugin.fs.http.", "io.kestra.plugin.core.http."],
];

/**
 * The current name of a plugin type written under a legacy name, or undefined when `type` is not a known legacy
 * name.
 * @example canonicalPluginType("io.kestra.core.tasks.log.Log") === "io.kestra.plugin.core.log.Log"
 */
export function canonicalPluginType(type: string): string | undefined {
  const renamed = RENAMED_CLASSES[type];
  if (renamed !== undefined) return renamed;
  for (const [from, to] of RENAMED_PACKAGES) {
    // Only a class directly in the package: a deeper name was never part of the rename.
    if (type.startsWith(from) && !type.slice(from.length).includes(".") && type.length > from.length) {
      return to + type.slice(from.length);
    }
  }
  return undefined;
}

/**
 * Legacy names (exact names, or package prefixes ending in `.`) that stand for a current name for which
 * `couldMatch` may hold; used to decide which raw texts might hold a denied type.
 */
export function legacyNamesFor(couldMatch: (current: string, isPrefix: boolean) => boolean): string[] {
  const out: string[] = [];
  for (const [legacy, current] of Object.entries(RENAMED_CLASSES)) if (couldMatch(current, false)) out.push(legacy);
  for (const [from, to] of RENAMED_PACKAGES) if (couldMatch(to, true)) out.push(from);
  return out;
}

/** Every name a type answers to: as written first, then its current name when it is a legacy one. */
export function pluginTypeNames(type: string): string[] {
  const canonical = canonicalPluginType(type);
  return canonical === undefined || canonical === type ? [type] : [type, canonical];
}
