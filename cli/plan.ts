/**
 * `hardening plan`: the root program under mocks, offline, for one cloud or all: the resources it would create,
 * the controls report, and the policy pack's verdicts on those resources. An offline `pulumi preview
 * --policy-pack` that needs no credentials.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidArgsError } from "../components";
import { CLOUDS, CloudName, CloudNotAvailableError } from "../program/environment";
import { planCloud } from "../program/plan";
import { oneOf, parseFlags } from "./flags";
import type { PlanReport, PlanReportCloud } from "./format/planReport";
import { formatPlanText } from "./format/planText";
import { planToMermaid } from "./format/mermaid";
import { CliIO, Command, ExitCode, UsageError } from "./io";
import { evaluatePlan } from "./verdicts";

export type { PlanReport, PlanReportCloud } from "./format/planReport";

const FORMATS = ["text", "json", "mermaid"] as const;

/**
 * Reads the `hardening:*` values of a stack config file (`Pulumi.<stack>.yaml`). Secure values are refused: the
 * plan runs offline and cannot decrypt them, and must never print them.
 */
export function readStackConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read --stack-config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    // The parser recurses per nesting level: a hostile file runs it out of stack, which is the file's fault.
    if (e instanceof RangeError || /Maximum call stack size exceeded/.test((e as Error).message)) throw new UsageError(`--stack-config ${file} nests too deeply to read; a stack config is a mapping of settings`);
    throw new UsageError(`--stack-config ${file} is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new UsageError(`--stack-config ${file} has no "config:" mapping`);
  }
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith("hardening:")) continue;
    if (value && typeof value === "object" && "secure" in value) {
      throw new UsageError(`--stack-config ${file}: ${key} is a secret; the offline plan does not read secrets`);
    }
    values[key.slice("hardening:".length)] = value;
  }
  return values;
}

/** Plans the clouds, each through the pack. Clouds whose module is missing are returned in `missing`. */
export async function buildPlanReport(
  clouds: readonly CloudName[],
  values: Record<string, unknown>,
): Promise<{ report: PlanReport; missing: CloudNotAvailableError[] }> {
  const sections: PlanReportCloud[] = [];
  const missing: CloudNotAvailableError[] = [];
  for (const cloud of clouds) {
    try {
      const plan = await planCloud(cloud, values);
      sections.push({ ...plan, violations: evaluatePlan(plan.resources) });
    } catch (e) {
      if (e instanceof CloudNotAvailableError) missing.push(e);
      else throw e;
    }
  }
  return { report: { version: 1, clouds: sections }, missing };
}

/** `hardening plan [--cloud aws|gcp|azure|kubernetes|all] [--format text|json|mermaid] [--stack-config FILE]`. */
export const planCommand: Command = async (argv: string[], io: CliIO) => {
  const { values } = parseFlags(
    argv,
    { cloud: { type: "string" }, format: { type: "string" }, "stack-config": { type: "string" } },
    false,
  );
  const cloud = oneOf("cloud", values.cloud as string | undefined, [...CLOUDS, "all"] as const, "all");
  const format = oneOf("format", values.format as string | undefined, FORMATS, "text");
  const configFile = values["stack-config"] as string | undefined;
  const config = configFile ? readStackConfig(path.resolve(io.cwd, configFile)) : {};
  const clouds = cloud === "all" ? CLOUDS : [cloud];

  let built: Awaited<ReturnType<typeof buildPlanReport>>;
  try {
    built = await buildPlanReport(clouds, config);
  } catch (e) {
    if (e instanceof InvalidArgsError) throw new UsageError(e.message.replace(/\n/g, " "));
    // Component validation errors name the component; keep them on one line.
    if (e instanceof Error && /invalid arguments:/.test(e.message)) throw new UsageError(e.message.replace(/\n/g, " "));
    throw e;
  }
  const { report, missing } = built;
  if (format === "json") io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === "mermaid") {
    for (const c of report.clouds) io.stdout(`${planToMermaid(`hardening plan --cloud ${c.cloud}`, c.resources)}\n`);
  } else io.stdout(formatPlanText(report));
  for (const m of missing) io.stderr(`hardening plan: ${m.message}\n`);
  if (missing.length > 0) return ExitCode.Usage;
  const blocking = report.clouds.some((c) => c.violations.some((v) => v.enforcementLevel === "mandatory"));
  return blocking ? ExitCode.Findings : ExitCode.Clean;
};
