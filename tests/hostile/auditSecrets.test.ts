/**
 * The secret canary: for random plaintext secrets of a `--show-secrets` export that also appear unmarked where rules
 * quote values (a value a message truncates mid-secret, user data, a tag, a corrupt file), no 6-character piece of
 * any secret appears in any output format or on stderr; and a secret equal to the stack name or to a number never
 * corrupts the report.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { main } from "../../cli";
import { captureIO } from "../cli/helpers";
import { exportWithSecrets, leakedPieces, shownSecret } from "./corpus";

describe("hostile input: secrets never leak from hardening audit", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-audit-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const audit = async (file: string, format: string) => {
    const io = captureIO({ cwd: dir });
    const code = await main(["audit", file, "--format", format], io);
    return { code, out: io.out(), err: io.err() };
  };

  it("no 6-character piece of any secret in text, JSON or SARIF output, or on stderr (property)", async () => {
    const secret = fc.string({ unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"), minLength: 8, maxLength: 40 });
    await fc.assert(fc.asyncProperty(fc.uniqueArray(secret, { minLength: 1, maxLength: 4 }), async (secrets) => {
      fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(exportWithSecrets(secrets)));
      for (const format of ["text", "json", "sarif"]) {
        const r = await audit("state.json", format);
        assert.equal(r.code, 1, `${format}: the violations are still reported`);
        for (const s of secrets) assert.deepEqual(leakedPieces(r.out + r.err, s), [], `${format} leaks part of ${s}`);
      }
    }), { numRuns: 25 });
  });

  it("keeps the findings while masking (positive control): the metadata reference and the weak httpTokens are reported", async () => {
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(exportWithSecrets(["s3cretTokenValue42"])));
    const r = await audit("state.json", "json");
    const policies = (JSON.parse(r.out) as { violations: { policy: string }[] }).violations.map((v) => v.policy);
    assert.ok(policies.includes("code-metadata-reference"), policies.join());
    assert.ok(policies.some((p) => p.includes("imds")), policies.join());
  });

  it("prints nothing of a plaintext on stderr when a --show-secrets export is corrupt", async () => {
    const secret = "Zq7pLm4Rt8Vx2Kc9";
    const text = JSON.stringify(exportWithSecrets([secret]));
    // The parser's message quotes the text around where it stopped: here, the start of the plaintext.
    const at = text.indexOf(secret) + 12;
    const unquoted = text.replace('"plaintext":"', '"plaintext":');
    for (const broken of [unquoted, `${text.slice(0, at)}\u0001${text.slice(at)}`, text.slice(0, at)]) {
      fs.writeFileSync(path.join(dir, "broken.json"), broken);
      const r = await audit("broken.json", "text");
      assert.equal(r.code, 2);
      assert.match(r.err, /broken\.json: is not valid JSON/);
      assert.deepEqual(leakedPieces(r.out + r.err, secret), []);
    }
  });

  it("a secret equal to the stack name or to a number leaves the JSON report valid, its counts numbers", async () => {
    const doc = exportWithSecrets(["production"], "production") as { deployment: { resources: Record<string, unknown>[] } };
    doc.deployment.resources.push({
      urn: "urn:pulumi:production::kestra::kubernetes:core/v1:Secret::n", custom: true, type: "kubernetes:core/v1:Secret",
      inputs: { stringData: { a: shownSecret("2"), b: shownSecret("1000"), c: shownSecret("true"), d: shownSecret("version") } },
    });
    fs.writeFileSync(path.join(dir, "state.json"), JSON.stringify(doc));
    for (const format of ["json", "sarif"]) {
      const r = await audit("state.json", format);
      const report = JSON.parse(r.out) as { resourcesChecked?: number; version: unknown };
      if (format === "json") assert.equal(report.resourcesChecked, 4);
      assert.ok(report.version === 1 || report.version === "2.1.0");
    }
  });
});
