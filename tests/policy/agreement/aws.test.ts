/**
 * Agreement with Checkov on its own AWS test fixtures, where the concern overlaps one of our rules. Each fixture
 * file in tests/fixtures/checkov/aws names the Checkov check, the fixture and expectation files at a Checkov
 * commit, our rules whose findings are the verdict (optionally only on some properties), and every fixture resource
 * translated into Pulumi resource inputs (`stack`: the translated resource first, then any context it needs, such
 * as the instance profile that makes a role a worker's role). The whole pack runs over each stack, as `hardening
 * audit` would. Our verdict must equal Checkov's, or the case names where we are stricter (`stricter`) or why
 * Checkov's verdict does not hold for the real API (`disagrees`), and docs/policy-agreement/aws.md explains each
 * such case and states the agreement this test computes.
 */
import * as assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { auditResources } from "../../../policy/evaluate";
import type { ResourceInput } from "../../../policy/rules/types";

const ROOT = path.join(__dirname, "..", "..", "..");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "checkov", "aws");
const DOC = path.join(ROOT, "docs", "policy-agreement", "aws.md");

type Verdict = "PASSED" | "FAILED";
interface FixtureResource {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  /** Property name -> logical names (in the same stack) of the resources it was computed from. */
  readonly propertyDependencies?: Record<string, string[]>;
}
interface Case {
  readonly resource: string;
  readonly checkov: Verdict;
  readonly stack: readonly FixtureResource[];
  /** The fixture file, where it is not the check's `source`. */
  readonly source?: string;
  /** Key of the docs section saying why we fail what Checkov passes. */
  readonly stricter?: string;
  /** Key of the docs section saying why Checkov's failure does not hold for the real API. */
  readonly disagrees?: string;
}
interface CheckFixture {
  readonly check: string;
  readonly repository: string;
  readonly commit: string;
  readonly source: string;
  readonly expected: string;
  readonly rules: readonly string[];
  readonly properties?: string;
  readonly cases: readonly Case[];
  readonly outside: readonly { resource: string; checkov: Verdict; why: string }[];
}

const fixtures: CheckFixture[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as CheckFixture);
const doc = readFileSync(DOC, "utf8");

const urnOf = (r: FixtureResource) => `urn:pulumi:checkov::aws::${r.type}::${r.name}`;
/** Pulumi resource inputs; a dependency on a resource not in the stack fails, unless `partial` (the context alone). */
function toInputs(stack: readonly FixtureResource[], partial = false): ResourceInput[] {
  const byName = new Map(stack.map((r) => [r.name, urnOf(r)]));
  return stack.map((r) => ({
    type: r.type,
    name: r.name,
    urn: urnOf(r),
    props: r.props,
    propertyDependencies: Object.fromEntries(
      Object.entries(r.propertyDependencies ?? {}).map(([k, names]) => [k, names.flatMap((n) => byName.get(n) ?? (partial ? [] : assert.fail(`${r.name}: no ${n} in the stack`)))]),
    ),
  }));
}

/** Our verdict on a stack: FAILED when a blocking finding of the check's rules (on its properties) is raised. */
function ours(f: CheckFixture, stack: readonly FixtureResource[], partial = false): { verdict: Verdict; findings: string[] } {
  const props = f.properties ? new RegExp(f.properties) : undefined;
  const hits = auditResources(toInputs(stack, partial)).filter(
    (v) => f.rules.includes(v.policy) && v.enforcementLevel === "mandatory" && (!props || props.test(v.property)),
  );
  return { verdict: hits.length > 0 ? "FAILED" : "PASSED", findings: hits.map((v) => `${v.policy} ${v.property}: ${v.message}`) };
}

/** The docs section `## <key>` (up to the next heading), where stricter and disagreeing cases are listed. */
function section(key: string): string {
  const start = doc.indexOf(`\n### ${key}\n`);
  assert.ok(start >= 0, `docs/policy-agreement/aws.md has no "### ${key}" section`);
  const end = doc.indexOf("\n#", start + 5);
  return doc.slice(start, end < 0 ? undefined : end);
}

describe("agreement with Checkov (AWS)", () => {
  for (const f of fixtures) {
    describe(`${f.check} (${f.repository}@${f.commit.slice(0, 12)}:${f.source})`, () => {
      it("cites the fixture and names registered rules", () => {
        assert.match(f.commit, /^[0-9a-f]{40}$/);
        assert.ok(f.source.startsWith("tests/") && f.expected.startsWith("tests/"));
        assert.ok(f.cases.length > 0);
        assert.ok(doc.includes(f.check), `docs/policy-agreement/aws.md does not mention ${f.check}`);
      });
      for (const c of f.cases) {
        it(`${c.resource}: Checkov ${c.checkov}`, () => {
          const got = ours(f, c.stack);
          // The context alone (a role's instance profile, ...) must pass, or it, not the fixture, would decide.
          assert.deepEqual(ours(f, c.stack.slice(1), true).findings, [], "the context resources alone must pass");
          if (c.stricter !== undefined) {
            assert.equal(c.checkov, "PASSED", "a stricter case is one Checkov passes");
            assert.equal(got.verdict, "FAILED", "we claim to be stricter here, so we must fail it");
            assert.ok(section(c.stricter).includes(`${f.check} \`${c.resource}\``), `the "${c.stricter}" section must list ${f.check} \`${c.resource}\``);
          } else if (c.disagrees !== undefined) {
            assert.equal(c.checkov, "FAILED");
            assert.equal(got.verdict, "PASSED");
            assert.ok(section(c.disagrees).includes(`${f.check} \`${c.resource}\``), `the "${c.disagrees}" section must list ${f.check} \`${c.resource}\``);
          } else {
            assert.equal(got.verdict, c.checkov, got.findings.join("\n"));
          }
        });
      }
      for (const o of f.outside) {
        it(`${o.resource} is outside the overlap, with a reason`, () => assert.ok(o.why.length > 20));
      }
    });
  }

  it("the docs state the agreement the cases above establish", () => {
    const cases = fixtures.flatMap((f) => f.cases);
    const total = cases.length;
    const stricter = cases.filter((c) => c.stricter !== undefined).length;
    const disagree = cases.filter((c) => c.disagrees !== undefined).length;
    const agree = total - stricter - disagree;
    const pct = (n: number) => ((100 * n) / total).toFixed(1);
    const line =
      `Agreement: ${agree} of ${total} overlapping fixture resources (${pct(agree)}%); with the ${stricter} documented ` +
      `stricter verdicts, ${agree + stricter} of ${total} (${pct(agree + stricter)}%); ${disagree} where Checkov's ` +
      "verdict does not hold for the real API.";
    assert.ok(doc.includes(line), `docs/policy-agreement/aws.md must state the computed agreement:\n${line}`);
  });
});
