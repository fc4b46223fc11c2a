/**
 * A topology diagram of a plan in Mermaid: components as nested subgraphs, resources as nodes, and an edge
 * wherever one resource's inputs name another's id. Offline plans give every resource the id `<name>-id`, which
 * is what makes those references visible.
 */
import type { PlannedResource } from "../../program/plan";

/** Mermaid-safe node id for a URN. */
function nodeId(index: number): string {
  return `r${index}`;
}

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

/** Renders one cloud's resources as a Mermaid flowchart (`flowchart LR`). */
export function planToMermaid(title: string, resources: readonly PlannedResource[]): string {
  const index = new Map(resources.map((r, i) => [r.urn, i]));
  const children = new Map<string | undefined, PlannedResource[]>();
  for (const r of resources) {
    const parent = r.parent !== undefined && index.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines = [`flowchart LR`, `  %% ${title}`];
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
  emit(undefined, 1);
  const byId = new Map(resources.map((r, i) => [`${r.name}-id`, i]));
  const edges = new Set<string>();
  resources.forEach((r, i) => {
    const refs = new Set<string>();
    collectIds(r.inputs, refs);
    for (const ref of refs) {
      const target = byId.get(ref);
      if (target !== undefined && target !== i) edges.add(`  ${nodeId(i)} --> ${nodeId(target)}`);
    }
  });
  return [...lines, ...[...edges].sort()].join("\n") + "\n";
}
