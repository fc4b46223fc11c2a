/**
 * The adversarial corpus (tests/hostile/corpus.ts) against plain text of the same size, measured side by side in
 * one run, as ratios: what a hostile pull request or stack export costs the gate compared with an ordinary one.
 * Issue 21's goal is a small multiple; the old code took minutes (a 1 MB joiner input 130 s, a 19 KB user-data line
 * 218 s, a 40,000-violation text report 15x its JSON). Prints the ratios; asserts nothing.
 *
 *   node --import tsx tests/bench/hostile.bench.ts [--kb 1024] [--rounds 3]
 */
import { parseArgs } from "node:util";
import { codeMetadataReference } from "../../policy/rules/metadataEndpoint/codeReference";
import { auditTextLines, buildAuditReport, SecretMasker, SecretPieceMasker, type StackAudit } from "../../policy/audit";
import type { Violation } from "../../policy/rules/types";
import { jsonChunks } from "../../cli/format/jsonStream";
import { ScanContext, scanText } from "../../scan";
import { defaultDetector } from "../../scan/detector";
import { adversarialDetectorInputs, hostileFilterLine, plainText, referencedText } from "../hostile/corpus";

function best(rounds: number, run: () => unknown): number {
  let ms = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    run();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return ms;
}

function row(name: string, ms: number, baseMs: number, otherMs?: number): void {
  const other = otherMs === undefined ? "" : `   ${(ms / otherMs).toFixed(2).padStart(7)}x`;
  console.log(`  ${name.padEnd(46)} ${ms.toFixed(1).padStart(9)} ms   ${(ms / baseMs).toFixed(2).padStart(7)}x${other}`);
}

function main(): void {
  const { values } = parseArgs({ options: { kb: { type: "string", default: "1024" }, rounds: { type: "string", default: "3" } } });
  const size = Number(values.kb) * 1024;
  const rounds = Number(values.rounds);

  console.log(`scan (detector and scanner, in-process), ${values.kb} KB each; ratios to plain text and to text with a reference on every line, same size:`);
  const ctx = new ScanContext(defaultDetector);
  const plain = plainText(size);
  const referenced = referencedText(size);
  const base = best(rounds, () => scanText(plain, "plain.sh", ctx));
  const dense = best(rounds, () => scanText(referenced, "plain.sh", ctx));
  row("plain text (baseline)", base, base, dense);
  row("a reference on every line (baseline)", dense, base, dense);
  for (const [name, text] of Object.entries(adversarialDetectorInputs(size))) row(name, best(rounds, () => scanText(text, "hostile.sh", ctx)), base, dense);

  console.log("\ncode rule (audit and preview), one user-data value against plain text of the same size:");
  const check = codeMetadataReference.checks["aws:ec2/instance:Instance"];
  for (const n of [19_000, 200_000]) {
    const b = best(rounds, () => check({ userData: plainText(n) }, { config: {} }));
    row(`plain ${n} characters (baseline)`, b, b);
    row(`iptables-shaped line of ${n} characters`, best(rounds, () => check({ userData: hostileFilterLine(n) }, { config: {} })), b);
  }

  console.log("\naudit reports of 40,000 violations: text against JSON of the same report; masking 5,000 secrets against a copy:");
  const violations: Violation[] = Array.from({ length: 40_000 }, (_, i) => ({
    policy: i % 2 ? "aws-imds-v2-required" : "code-metadata-reference", urn: `urn:pulumi:prod::k::aws:ec2/instance:Instance::w${i}`,
    type: "aws:ec2/instance:Instance", name: `w${i}`, property: "userData", enforcementLevel: "mandatory",
    message: `userData refers to 169.254.169.254 (dotted-decimal IPv4: "169.254.169.254") on worker w${i}; remove the reference.`,
  }) as unknown as Violation);
  const audits: StackAudit[] = [{ source: "big.json", stack: "prod", resourcesChecked: 40_000, violations, exemptions: [] }];
  const report = buildAuditReport(audits);
  const drain = (chunks: Iterable<string>) => {
    let n = 0;
    for (const c of chunks) n += c.length;
    return n;
  };
  const json = best(rounds, () => drain(jsonChunks(report, 2)));
  row("JSON (baseline)", json, json);
  row("text", best(rounds, () => drain(auditTextLines(report, audits))), json);
  const secrets = Array.from({ length: 5_000 }, (_, i) => `s3cr3t-${i.toString(36)}-${"k".repeat(i % 20)}`);
  const none = best(rounds, () => new SecretMasker([]).maskDeep(structuredClone(report)));
  row("copying the report, no secrets (baseline)", none, none);
  row("masking whole secrets (as rules see), 5,000", best(rounds, () => new SecretMasker(secrets).maskDeep(structuredClone(report))), none);
  row("masking secret pieces (as written), 5,000", best(rounds, () => new SecretPieceMasker(secrets).maskDeep(structuredClone(report))), none);
}

main();
