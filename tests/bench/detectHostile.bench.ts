/**
 * The endpoint detector on hostile text: for each input built to hit one of its loops (a run of blanks after a
 * quote kept in one window by soft hyphens or `%20`, many Pebble openings before one closing, globs, escapes, tabs
 * between digits), its time against the same size of real Kestra flows, measured in the same run. Goal (issue 21):
 * every ratio a small constant, the same at 1 MB as at 256 kB (linear, not quadratic). Prints; asserts nothing.
 *
 *   node --import tsx tests/bench/detectHostile.bench.ts [--kb 1024] [--rounds 2]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { findEndpointReferences } from "../../detect";
import { KESTRA_FLOWS_DIR } from "../corpus";

function fill(unit: string, bytes: number, prefix = ""): string {
  return prefix + unit.repeat(Math.ceil(bytes / unit.length));
}

function normal(bytes: number): string {
  let text = "";
  for (const f of fs.readdirSync(KESTRA_FLOWS_DIR).filter((n) => /\.ya?ml$/.test(n)).sort()) {
    text += fs.readFileSync(path.join(KESTRA_FLOWS_DIR, f), "utf8");
    if (text.length >= bytes) break;
  }
  while (text.length < bytes) text += text;
  return text.slice(0, bytes);
}

/** The hostile inputs, by name; each about `bytes` UTF-16 units. */
function inputs(bytes: number): Record<string, string> {
  return {
    "blanks after a quote, soft hyphens": fill(" \u00ad", bytes, "x = '"),
    "blanks after a quote, %20": fill("%20", bytes, "x = '"),
    "quote, blanks, quote (many glues)": fill("'    '", bytes),
    "blanks after a quote per window": fill(`'${" ".repeat(2000)}\u00ad\n`, bytes),
    "Pebble openings, one far closing": `${fill("{{ '1", bytes)}}}`,
    "Pebble print tags on one line": fill("{{ '169.254' }}.", bytes),
    "Pebble set tags": fill("{% set a = '169' ~ '.254' %}{{ a }}\n", bytes),
    "shell globs and escapes": fill("{1,2}[1-9]\\1^2`3$x'", bytes),
    "digits and tabs": fill("1\t", bytes),
    "escaped line breaks": fill("169.\\\n", bytes),
    "dotted numbers": fill("169.254.", bytes),
    "named references": fill("169&period;", bytes),
    "glue operators": fill("'1' ~ '2' + ", bytes),
  };
}

function time(text: string, rounds: number): number {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    findEndpointReferences(text);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

function main(): void {
  const { values } = parseArgs({ options: { kb: { type: "string", default: "1024" }, rounds: { type: "string", default: "2" } } });
  const rounds = Number(values.rounds);
  for (const kb of [Number(values.kb) / 4, Number(values.kb)]) {
    const bytes = kb * 1024;
    const base = time(normal(bytes), rounds);
    console.log(`\n${kb} kB: real flows ${base.toFixed(1)} ms (baseline)`);
    for (const [name, text] of Object.entries(inputs(bytes))) {
      const ms = time(text, rounds);
      console.log(`  ${name.padEnd(40)} ${ms.toFixed(1).padStart(9)} ms  ${(ms / base).toFixed(1).padStart(7)}x real flows`);
    }
  }
}

main();
