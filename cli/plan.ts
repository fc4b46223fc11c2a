/**
 * `hardening plan`: the root program under mocks, offline, for one cloud or all: the resources it would create,
 * the controls report, and the policy pack's verdicts on those resources. An offline `pulumi preview
 * --policy-pack` that needs no credentials.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { InvalidArgsError, show } from "../components";
import { suggestion } from "../components/suggest";
import { stackConfigWarnings } from "../program/stackConfig";
import { CLOUDS, CloudName, CloudNotAvailableError } from "../program/environment";
import { planCloud } from "../program/plan";
import { oneOf, parseFlags } from "./flags";
import type { PlanReport, PlanReportCloud } from "./format/planReport";
import { formatPlanText } from "./format/planText";
import { planToMermaid, plansToMermaid } from "./format/mermaid";
import { ProgramInputError, ProgramPlan, planUserProgram } from "../program/userProgram";
import { CliIO, Command, ExitCode, UsageError } from "./io";
import { evaluatePlanVerdicts } from "./verdicts";
import type { ExemptionRecord } from "../policy/core/evaluate";
import type { Violation } from "../policy/rules/types";

export type { PlanReport, PlanReportCloud } from "./format/planReport";

const FORMATS = ["text", "json", "mermaid"] as const;

/** Namespaces a stack config file of this project may hold besides `hardening`: the providers' own settings. */
export const PROVIDER_NAMESPACES = ["aws", "gcp", "azure-native", "kubernetes", "pulumi"] as const;

/** A UsageError listing every problem on its own line, under a one-line summary. */
export function problemsError(summary: string, problems: readonly string[]): UsageError {
  return new UsageError(`${summary} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n  ${problems.join("\n  ")}`);
}

/**
 * Reads the `hardening:*` values of a stack config file (`Pulumi.<stack>.yaml`), keys without the namespace.
 * Refused, all at once: a file without a `config:` mapping, a key without a namespace, a namespace that is neither
 * `hardening` nor a provider's (a misspelt `hardenning:` would otherwise plan the defaults), and secure values (the
 * plan runs offline, cannot decrypt them, and must never print them).
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
  const config = doc !== null && typeof doc === "object" && !Array.isArray(doc) ? (doc as { config?: unknown }).config : undefined;
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new UsageError(`--stack-config ${file} has no "config:" mapping; a stack config file looks like "config:\\n  hardening:cloud: aws"`);
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const known = ["hardening", ...PROVIDER_NAMESPACES];
  for (const [key, value] of Object.entries(config)) {
    const colon = key.indexOf(":");
    if (colon <= 0) {
      problems.push(`${key} has no namespace; stack config keys are written "hardening:${key}".`);
      continue;
    }
    const namespace = key.slice(0, colon);
    if (!known.includes(namespace)) {
      problems.push(`${key}: "${namespace}" is not a namespace this program reads; ${suggestion(namespace, known)}`);
      continue;
    }
    if (namespace !== "hardening") continue;
    if (value && typeof value === "object" && "secure" in value) {
      problems.push(`${key} is a secret; the offline plan does not read secrets`);
      continue;
    }
    values[key.slice("hardening:".length)] = value;
  }
  if (problems.length === 1) throw new UsageError(`--stack-config ${file}: ${problems[0]}`);
  if (problems.length > 1) throw problemsError(`--stack-config ${file}`, problems);
  return values;
}

/**
 * The clouds to plan: `--cloud`, else the stack config's `hardening:cloud`, else all. A `--cloud` that differs from
 * the file's `hardening:cloud` is refused rather than silently winning.
 */
export function cloudsToPlan(flag: string | undefined, config: Record<string, unknown>, configFile: string | undefined): readonly CloudName[] {
  const fromFile = config.cloud;
  if (flag !== undefined && fromFile !== undefined && flag !== fromFile) {
    throw new UsageError(`--cloud ${flag} conflicts with hardening:cloud ${show(fromFile)} in ${configFile}; drop --cloud or change the file`);
  }
  const cloud = oneOf("cloud", flag ?? (typeof fromFile === "string" ? fromFile : undefined), [...CLOUDS, "all"] as const, "all");
  return cloud === "all" ? CLOUDS : [cloud];
}

/** Plans the clouds, each through the pack. Clouds whose module is missing are returned in `missing`. */
export async function buildPlanReport(
  clouds: readonly CloudName[],
  values: Record<string, unknown>,
  options: { assumeExamples?: boolean } = {},
): Promise<{ report: PlanReport; missing: CloudNotAvailableError[] }> {
  const sections: PlanReportCloud[] = [];
  const missing: CloudNotAvailableError[] = [];
  for (const cloud of clouds) {
    try {
      const plan = await planCloud(cloud, values, options);
      const { violations, exemptions } = evaluatePlanVerdicts(plan.resources);
      sections.push({ ...plan, violations, exemptions });
    } catch (e) {
      if (e instanceof CloudNotAvailableError) missing.push(e);
      else throw e;
    }
  }
  return { report: { version: 1, clouds: sections }, missing };
}

/** `hardening plan [DIR] [--cloud aws|gcp|azure|kubernetes|all] [--format text|json|mermaid] [--stack-config FILE] [--stack NAME]`. */
export const planCommand: Command = async (argv: string[], io: CliIO) => {
  const { values, positionals } = parseFlags(
    argv,
    { cloud: { type: "string" }, format: { type: "string" }, "stack-config": { type: "string" }, stack: { type: "string" } },
    true,
  );
  const format = oneOf("format", values.format as string | undefined, FORMATS, "text");
  const configFile = values["stack-config"] as string | undefined;
  if (positionals.length > 1) throw new UsageError(`give one program directory, not ${positionals.length}: ${positionals.join(" ")}`, true);
  if (positionals.length === 1) {
    if (values.cloud !== undefined) throw new UsageError("--cloud chooses a cloud of the package's own program; a program directory decides its own clouds", true);
    if (configFile !== undefined && values.stack !== undefined) throw new UsageError("give --stack or --stack-config, not both", true);
    return planProgramCommand(path.resolve(io.cwd, positionals[0]), { stack: values.stack as string | undefined, stackConfigFile: configFile && path.resolve(io.cwd, configFile) }, format, io);
  }
  if (values.stack !== undefined) throw new UsageError("--stack needs a program directory (hardening plan DIR --stack NAME)", true);
  const config = configFile ? readStackConfig(path.resolve(io.cwd, configFile)) : {};
  const clouds = cloudsToPlan(values.cloud as string | undefined, config, configFile);
  for (const warning of stackConfigWarnings(config)) io.stderr(`hardening plan: warning: ${warning}\n`);

  let built: Awaited<ReturnType<typeof buildPlanReport>>;
  try {
    // A stack config file is the user's real configuration: nothing is assumed, as `pulumi up` assumes nothing.
    built = await buildPlanReport(clouds, config, { assumeExamples: configFile === undefined });
  } catch (e) {
    if (e instanceof InvalidArgsError) throw problemsError("invalid configuration", e.issues);
    throw e;
  }
  const { report, missing } = built;
  if (format === "json") io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else if (format === "mermaid") {
    io.stdout(plansToMermaid("hardening plan", report.clouds.map((c) => ({ name: c.cloud, resources: c.resources }))));
  } else io.stdout(formatPlanText(report));
  // With every cloud asked for, a cloud whose SDK is not installed is skipped with one line; asked for by name, or
  // missing for another reason, it is an error.
  const skippable = clouds.length > 1;
  for (const m of missing) io.stderr(`hardening plan: ${skippable && m.missingPackage ? "skipped " : ""}${m.message}\n`);
  if (missing.some((m) => !skippable || !m.missingPackage) || report.clouds.length === 0) return ExitCode.Usage;
  const blocking = report.clouds.some((c) => c.violations.some((v) => v.enforcementLevel === "mandatory"));
  return blocking ? ExitCode.Findings : ExitCode.Clean;
};

/** The JSON report of a user's program: `{"version":1,"program":{...},"resources","controls","violations"}`. */
export interface ProgramPlanReport {
  readonly version: 1;
  readonly program: { readonly project: string; readonly stack: string; readonly dir: string };
  readonly resources: ProgramPlan["resources"];
  readonly controls: ProgramPlan["controls"];
  readonly violations: Violation[];
  /** Findings an exemption kept from being enforced, with the exemption (where it came from, its reason). */
  readonly exemptions: ExemptionRecord[];
}

/** `hardening plan DIR`: the user's program under mocks, its controls reports and the pack's verdicts. */
async function planProgramCommand(dir: string, options: { stack?: string; stackConfigFile?: string }, format: (typeof FORMATS)[number], io: CliIO): Promise<number> {
  let plan: ProgramPlan;
  try {
    plan = await planUserProgram(dir, options);
  } catch (e) {
    if (e instanceof ProgramInputError) throw e.problems.length === 1 ? new UsageError(e.problems[0]) : problemsError(dir, e.problems);
    if (e instanceof InvalidArgsError) throw problemsError(`${dir}: invalid arguments`, e.issues);
    // A component's validation error, wrapped by the component ("AwsWorkerNetwork "n": invalid arguments:\n - ...").
    const message = e instanceof Error ? e.message : String(e);
    const listed = message.split("\n - ");
    if (listed.length > 1 && /invalid arguments:$/.test(listed[0])) throw problemsError(`${dir}: ${listed[0].replace(/:$/, "")}`, listed.slice(1));
    // The user's program threw: their error, on one line, not ours.
    throw new UsageError(`${dir}: the program failed: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`);
  }
  const { violations, exemptions } = evaluatePlanVerdicts(plan.resources);
  if (format === "json") {
    const report: ProgramPlanReport = { version: 1, program: { project: plan.project, stack: plan.stack, dir }, resources: plan.resources, controls: plan.controls, violations, exemptions };
    io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  } else if (format === "mermaid") io.stdout(planToMermaid(`hardening plan ${dir}`, plan.resources));
  else io.stdout(formatPlanText({ version: 1, clouds: [{ cloud: plan.project as CloudName, resources: plan.resources, controls: plan.controls, violations, exemptions }] }));
  return violations.some((v) => v.enforcementLevel === "mandatory") ? ExitCode.Findings : ExitCode.Clean;
}
