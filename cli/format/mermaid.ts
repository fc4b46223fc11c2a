/**
 * A topology diagram of a plan in Mermaid: components as nested subgraphs, resources as nodes, and an edge
 * wherever one resource's inputs name another's id. Offline plans give every resource the id `<name>-id`, which
 * is what makes those references visible.
 */
import type { PlannedResource } from "../../program/plan";

/** The short type of a token: `aws:ec2/subnet:Subnet` -> `ec2.Subnet`, `hardening:index:AwsWorkerNetwork` -> `AwsWorkerNetwork`. */
export function shortType(type: string): string {
  const [, module = "", name = type] = type.split(":");
  const mod = module.split("/")[0];
  return mod === "index" || mod === "" ? name : `${mod}.${name}`;
}

function label(text: string): string {
  // Mermaid labels are quoted; quotes inside become #quot;.
  return `"${text.replace(/"/g, "#quot;")}"`;
}

function collectIds(value: unknown, into: Set<string>): void {
  if (typeof value === "string") into.add(value);
  else if (Array.isArray(value)) value.forEach((v) => collectIds(v, into));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => collectIds(v, into));
}

/** A Kubernetes object's own name, which other objects use to refer to it (namespace, serviceAccountName, labels). */
function kubernetesName(r: PlannedResource): string | undefined {
  if (!r.type.startsWith("kubernetes:")) return undefined;
  const name = (r.inputs.metadata as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * What a reference string points at: offline ids (`<name>-id`) and, for Kubernetes, object names. A Kubernetes
 * name two objects share is ambiguous and draws no edge.
 */
function referenceTargets(resources: readonly PlannedResource[]): Map<string, number> {
  const targets = new Map<string, number>(resources.map((r, i) => [`${r.name}-id`, i]));
  const byName = new Map<string, number | null>();
  resources.forEach((r, i) => {
    const name = kubernetesName(r);
    if (name !== undefined) byName.set(name, byName.has(name) ? null : i);
  });
  for (const [name, i] of byName) if (i !== null && !targets.has(name)) targets.set(name, i);
  return targets;
}

/** The body of one plan's diagram (no `flowchart` header): node ids start with `prefix`, lines with `indent`. */
function planBody(resources: readonly PlannedResource[], prefix: string, indent: number): string[] {
  const nodeId = (i: number) => `${prefix}r${i}`;
  const index = new Map(resources.map((r, i) => [r.urn, i]));
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of resources) {
    const parent = r.parent !== undefined && index.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const emit = (parent: string | undefined, depth: number) => {
    const pad = "  ".repeat(depth);
    for (const r of children.get(parent) ?? []) {
      const id = nodeId(index.get(r.urn)!);
      const kids = children.get(r.urn);
      if (kids && kids.length > 0) {
        lines.push(`${pad}subgraph ${id}[${label(`${r.name}<br/>${shortType(r.type)}`)}]`);
        emit(r.urn, depth + 1);
        lines.push(`${pad}end`);
      } else {
        lines.push(`${pad}${id}[${label(`${r.name}<br/>${shortType(r.type)}`)}]`);
      }
    }
  };
  emit(undefined, indent);
  const targets = referenceTargets(resources);
  const edges = new Set<string>();
  resources.forEach((r, i) => {
    const refs = new Set<string>();
    // A Kubernetes object's own name is not a reference to itself or to a namesake.
    const { metadata, ...rest } = r.inputs as { metadata?: Record<string, unknown> };
    collectIds(kubernetesName(r) !== undefined && metadata ? { ...rest, metadata: { ...metadata, name: undefined } } : r.inputs, refs);
    for (const ref of refs) {
      const target = targets.get(ref);
      if (target !== undefined && target !== i) edges.add(`${"  ".repeat(indent)}${nodeId(i)} --> ${nodeId(target)}`);
    }
  });
  return [...lines, ...[...edges].sort()];
}

/** Renders one cloud's resources as a Mermaid flowchart (`flowchart LR`). */
export function planToMermaid(title: string, resources: readonly PlannedResource[]): string {
  return [`flowchart LR`, `  %% ${title}`, ...planBody(resources, "", 1)].join("\n") + "\n";
}

/**
 * Renders several plans as one Mermaid document: a single `flowchart LR` with one subgraph per plan (Mermaid
 * refuses a second header in a document), node ids prefixed by the plan's name.
 */
export function plansToMermaid(title: string, plans: readonly { readonly name: string; readonly resources: readonly PlannedResource[] }[]): string {
  if (plans.length === 1) return planToMermaid(`${title} --cloud ${plans[0].name}`, plans[0].resources);
  const lines = [`flowchart LR`, `  %% ${title}`];
  for (const plan of plans) {
    const prefix = `${plan.name.replace(/[^A-Za-z0-9]/g, "_")}_`;
    lines.push(`  subgraph ${prefix}plan[${label(plan.name)}]`, ...planBody(plan.resources, prefix, 2), "  end");
  }
  return lines.join("\n") + "\n";
}
