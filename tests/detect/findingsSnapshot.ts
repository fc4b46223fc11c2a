/**
 * The detector's findings on a fixed, broad set of inputs, as one short digest per input, saved in
 * tests/detect/fixtures/findings.digests.json. The differential test (differential.test.ts) compares the detector
 * of the checkout with the saved digests, so a change that is meant to make it faster (a cheaper prefilter, a pass
 * gated to fewer windows) is proved to change no finding, offsets, spelling and severity included.
 *
 * The inputs: every public payload and look-alike (payloads.ts), every real Kestra flow of the corpus, every
 * payload placed inside a real flow (as a task's shell command, so the windows see a real file around it), and two
 * deterministic mutations of every payload (a character dropped, a character doubled), which give near misses that
 * exercise the gates from both sides.
 *
 * After an intended change of what the detector finds, regenerate: `node --import tsx tests/detect/findingsSnapshot.ts --write`
 * and say in the commit which findings changed and why.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { findEndpointReferences } from "../../detect";
import { KESTRA_FLOWS_DIR } from "../corpus";
import { LOOKALIKES, PAYLOADS, rng } from "./payloads";

/** Where the digests are saved. */
export const DIGESTS_FILE = path.join(__dirname, "fixtures", "findings.digests.json");

/** One input: a name that says where it comes from, and its text. */
export interface SnapshotInput {
  readonly name: string;
  readonly text: string;
}

/** Every input, in a fixed order. */
export function snapshotInputs(): SnapshotInput[] {
  const flows = fs.readdirSync(KESTRA_FLOWS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort()
    .map((f) => ({ file: f, text: fs.readFileSync(path.join(KESTRA_FLOWS_DIR, f), "utf8") }));
  const inputs: SnapshotInput[] = [];
  PAYLOADS.forEach((p, i) => inputs.push({ name: `payload ${i} (${p.family})`, text: p.text }));
  LOOKALIKES.forEach((t, i) => inputs.push({ name: `look-alike ${i}`, text: t }));
  for (const f of flows) inputs.push({ name: `flow ${f.file}`, text: f.text });
  PAYLOADS.forEach((p, i) => {
    const flow = flows[i % flows.length];
    const task = `\n  - id: probe_${i}\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - ${p.text.replace(/\n/g, "\n        ")}\n`;
    // In the middle of the flow (after a line break), so text stands on both sides of the payload.
    const cut = flow.text.indexOf("\n", flow.text.length >> 1);
    const at = cut < 0 ? flow.text.length : cut;
    inputs.push({ name: `payload ${i} in flow ${flow.file}`, text: flow.text.slice(0, at) + task + flow.text.slice(at) });
  });
  const pick = rng(22);
  PAYLOADS.forEach((p, i) => {
    const a = Math.floor(pick() * p.text.length);
    const b = Math.floor(pick() * p.text.length);
    inputs.push({ name: `payload ${i} less character ${a}`, text: p.text.slice(0, a) + p.text.slice(a + 1) });
    inputs.push({ name: `payload ${i} with character ${b} doubled`, text: p.text.slice(0, b + 1) + p.text.slice(b) });
  });
  return inputs;
}

/** The digest of the detector's findings on `text`: every field of every finding, in order. */
export function findingsDigest(text: string): string {
  return createHash("sha256").update(JSON.stringify(findEndpointReferences(text))).digest("hex").slice(0, 12);
}

if (require.main === module && process.argv.includes("--write")) {
  const inputs = snapshotInputs();
  const digests = inputs.map((i) => findingsDigest(i.text));
  fs.mkdirSync(path.dirname(DIGESTS_FILE), { recursive: true });
  fs.writeFileSync(DIGESTS_FILE, `${JSON.stringify({ inputs: inputs.length, digests }, null, 0)}\n`);
  process.stdout.write(`wrote ${inputs.length} digests to ${DIGESTS_FILE}\n`);
}
