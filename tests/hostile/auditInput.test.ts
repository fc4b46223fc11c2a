/**
 * Hostile and odd state for `hardening audit`: a corrupt file among good ones, byte-order marks and UTF-16 (what
 * PowerShell redirection writes), state keys in the letter cases Pulumi's Go decoder accepts, folder names that
 * used to be skipped silently, and a report of tens of thousands of violations.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../cli";
import { captureIO } from "../cli/helpers";

const weakTemplate = (stack: string, name: string) => ({
  urn: `urn:pulumi:${stack}::kestra::aws:ec2/launchTemplate:LaunchTemplate::${name}`, custom: true, type: "aws:ec2/launchTemplate:LaunchTemplate",
  inputs: { metadataOptions: { httpEndpoint: "enabled", httpTokens: "optional" }, userData: "#!/bin/sh\ncurl http://169.254.169.254/latest/\n" },
});
const stateOf = (stack: string, resources: unknown[]) => ({ version: 3, deployment: { manifest: {}, resources } });

describe("hostile input: hardening audit reads what Pulumi reads and skips nothing silently", function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-audit-in-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  };
  const audit = async (...argv: string[]) => {
    const io = captureIO({ cwd: dir });
    const code = await main(["audit", ...argv], io);
    return { code, out: io.out(), err: io.err() };
  };
  const stacksIn = (out: string) => (JSON.parse(out) as { stacks: { stack: string }[] }).stacks.map((s) => s.stack).sort();

  it("names a corrupt file in a folder, still audits the others, and exits 2", async () => {
    write("states/a.json", JSON.stringify(stateOf("a", [weakTemplate("a", "w")])));
    write("states/b.json", '{"version":3,"deployment":{"resources":[{"urn":');
    write("states/c.json", JSON.stringify(stateOf("c", [weakTemplate("c", "w")])));
    const r = await audit("states", "--format", "json");
    assert.equal(r.code, 2);
    assert.match(r.err, /states\/b\.json: is not valid JSON/);
    assert.deepEqual(stacksIn(r.out), ["a", "c"]);
    if (process.getuid?.() !== 0) {
      // An unreadable file is named the same way (root reads anything, so this part needs another user).
      fs.chmodSync(path.join(dir, "states/b.json"), 0);
      const denied = await audit("states", "--format", "json");
      assert.equal(denied.code, 2);
      assert.match(denied.err, /b\.json: EACCES|b\.json/);
      assert.deepEqual(stacksIn(denied.out), ["a", "c"]);
    }
  });

  it("reads exports with a UTF-8 byte-order mark and in UTF-16 either way round, as the plain file", async () => {
    const text = JSON.stringify(stateOf("p", [weakTemplate("p", "w")]), null, 2);
    const be = Buffer.from(`\ufeff${text}`, "utf16le").swap16();
    write("plain.json", text);
    write("bom8.json", `\ufeff${text}`);
    write("le.json", Buffer.from(`\ufeff${text}`, "utf16le"));
    write("be.json", be);
    const plain = await audit("plain.json", "--format", "json");
    assert.equal(plain.code, 1);
    for (const f of ["bom8.json", "le.json", "be.json"]) {
      const r = await audit(f, "--format", "json");
      assert.equal(r.err, "", f);
      assert.equal(r.code, 1, f);
      assert.deepEqual(JSON.parse(r.out).violations, JSON.parse(plain.out).violations, f);
    }
  });

  it("honours state keys in any letter case Pulumi's decoder accepts (Kelvin sign and long s too)", async () => {
    const weak = weakTemplate("k", "w");
    const variants = [
      { Version: 3, Deployment: { Resources: [{ URN: weak.urn, Type: weak.type, Inputs: weak.inputs }] } },
      { VERSION: 3, DEPLOYMENT: { RESOURCES: [{ Urn: weak.urn, TYPE: weak.type, INPUTS: weak.inputs }] } },
      { version: 3, deployment: { re\u017fources: [{ urn: weak.urn, type: weak.type, inputs: weak.inputs }] } },
      { version: 3, Checkpoint: { Latest: { Resources: [{ urn: weak.urn, type: weak.type, Outputs: weak.inputs }] } } },
      { version: 3, chec\u212apoint: { latest: { resources: [{ urn: weak.urn, type: weak.type, inputs: weak.inputs }] } } },
    ];
    for (const [i, v] of variants.entries()) {
      write(`v${i}.json`, JSON.stringify(v));
      const r = await audit(`v${i}.json`, "--format", "json");
      assert.equal(r.code, 1, `${JSON.stringify(v).slice(0, 60)}: ${r.err}`);
      const policies = (JSON.parse(r.out) as { violations: { policy: string }[] }).violations.map((x) => x.policy);
      assert.ok(policies.includes("code-metadata-reference"), `variant ${i}: ${policies.join()}`);
    }
    // Go's decoder keeps the last of two keys naming one field: the empty list wins, as in `pulumi`.
    write("dup.json", JSON.stringify({ version: 3, deployment: { Resources: [weak], resources: [] } }));
    assert.equal((await audit("dup.json", "--format", "json")).code, 0);
  });

  it("audits folders named backups, history or locks, skipping them only in a self-managed backend, with a count", async () => {
    write("repo/backups/s.json", JSON.stringify(stateOf("b", [weakTemplate("b", "w")])));
    write("repo/history/s.json", JSON.stringify(stateOf("h", [weakTemplate("h", "w")])));
    write("repo/node_modules/x/s.json", JSON.stringify(stateOf("n", [weakTemplate("n", "w")])));
    const repo = await audit("repo", "--format", "json");
    assert.equal(repo.code, 1);
    assert.deepEqual(stacksIn(repo.out), ["b", "h", "n"]);
    write("backend/.pulumi/stacks/kestra/dev.json", JSON.stringify({ version: 3, checkpoint: { stack: "dev", latest: { resources: [] } } }));
    write("backend/.pulumi/history/kestra/dev/dev-1.checkpoint.json", JSON.stringify(stateOf("old", [weakTemplate("old", "w")])));
    write("backend/.pulumi/backups/kestra/dev/dev.1.json", JSON.stringify(stateOf("old", [weakTemplate("old", "w")])));
    const backend = await audit("backend", "--format", "json");
    assert.equal(backend.code, 0);
    assert.deepEqual(stacksIn(backend.out), ["dev"]);
    assert.match(backend.err, /skipped 2 file\(s\) in the history, backups and locks folders of the self-managed backend/);
  });

  it("writes a text report of 40,000 violations (the text report was quadratic in them)", async () => {
    const resources = Array.from({ length: 20_000 }, (_, i) => weakTemplate("big", `w${i}`));
    write("big.json", JSON.stringify(stateOf("big", resources)));
    const r = await audit("big.json");
    assert.equal(r.code, 1);
    assert.match(r.out, /1 stack, 20000 resources checked: \d+ mandatory/);
  });
});
