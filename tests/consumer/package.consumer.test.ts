/**
 * The package as a consumer gets it: `npm pack`, installed into a fresh program with ONE cloud SDK (@pulumi/aws),
 * then every ```ts block of README.md and docs/*.md compiled under classic (`moduleResolution: node`) and
 * `nodenext` resolution, `npx hardening plan` run there, and the package imported without running the root
 * program. Installs come from npm's cache when it has them (--prefer-offline). Takes a minute or two.
 */
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";
const versionOf = (pkg: string) => (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

/** Every ```ts block of the README and docs/*.md, with the file and line it starts on. */
export function typescriptBlocks(): { name: string; source: string; imports: string[] }[] {
  const files = ["README.md", ...fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const blocks: { name: string; source: string; imports: string[] }[] = [];
  for (const file of files) {
    const text = fs.readFileSync(path.join(ROOT, file), "utf8");
    for (const m of text.matchAll(/^```(?:ts|typescript)[ \t]*\n([\s\S]*?)^```/gm)) {
      const line = text.slice(0, m.index).split("\n").length;
      const imports = [...m[1].matchAll(/from "([^"]+)"/g)].map((i) => i[1]);
      blocks.push({ name: `${file.replace(/[/.]/g, "_")}_${line}.ts`, source: m[1], imports });
    }
  }
  return blocks;
}

const tsc = (dir: string, config: string) =>
  spawnSync(process.execPath, [path.join(dir, "node_modules/typescript/bin/tsc"), "-p", config], { cwd: dir, encoding: "utf8" });

function tsconfig(resolution: "node" | "nodenext", files: string[]): string {
  const module = resolution === "node" ? "commonjs" : "nodenext";
  return JSON.stringify({
    compilerOptions: { target: "ES2022", module, moduleResolution: resolution, strict: true, noEmit: true, esModuleInterop: true, skipLibCheck: true, types: ["node"] },
    files,
  });
}

describe("a consumer of the packed package (npm pack, one cloud SDK)", function () {
  this.timeout(600_000);
  let dir: string;
  let tarball: string;
  const blocks = typescriptBlocks();

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hardening-consumer-"));
    const out = execFileSync(NPM, ["pack", "--silent", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    tarball = path.join(dir, out.trim().split("\n").pop()!);
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "0.0.0", private: true }));
    execFileSync(
      NPM,
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", tarball,
        `@pulumi/pulumi@${versionOf("@pulumi/pulumi")}`, `@pulumi/aws@${versionOf("@pulumi/aws")}`,
        `typescript@${versionOf("typescript")}`, `@types/node@${versionOf("@types/node")}`],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
    fs.mkdirSync(path.join(dir, "blocks"));
    for (const b of blocks) fs.writeFileSync(path.join(dir, "blocks", b.name), b.source);
  });

  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("ships what a consumer runs and no development scripts", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const f of ["package/bin/hardening.js", "package/dist/cli/index.js", "package/dist/providers/aws/index.d.ts", "package/dist/policy-pack/index.js", "package/dist/policy-pack/PulumiPolicy.yaml"]) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    assert.deepEqual(files.filter((f) => f.startsWith("package/dist/scripts/") || /^package\/dist\/index\./.test(f)), []);
    assert.ok(!files.some((f) => f.startsWith("package/tests/")));
  });

  it("imports every entry point without running the root program or needing another cloud's SDK", () => {
    const r = spawnSync(process.execPath, ["-e", 'require("pulumi-hardening"); require("pulumi-hardening/aws"); require("pulumi-hardening/policy"); console.log("ok")'], { cwd: dir, encoding: "utf8" });
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "ok\n");
    const gcp = spawnSync(process.execPath, ["-e", 'require("pulumi-hardening/gcp")'], { cwd: dir, encoding: "utf8" });
    assert.notEqual(gcp.status, 0, "control: the GCP entry point does need @pulumi/gcp");
  });

  it("runs npx hardening plan: AWS planned, the clouds whose SDK is missing skipped with one line each", () => {
    const r = spawnSync(NPM, ["exec", "--offline", "--", "hardening", "plan", "--format", "json"], { cwd: dir, encoding: "utf8" });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { clouds: { cloud: string }[] }).clouds.map((c) => c.cloud), ["aws"]);
    assert.deepEqual(r.stderr.trim().split("\n").sort(), [
      "hardening plan: skipped the azure environment is not available: @pulumi/azure-native is not installed (npm install @pulumi/azure-native)",
      "hardening plan: skipped the gcp environment is not available: @pulumi/gcp is not installed (npm install @pulumi/gcp)",
      "hardening plan: skipped the kubernetes environment is not available: @pulumi/kubernetes is not installed (npm install @pulumi/kubernetes)",
    ]);
    const named = spawnSync(NPM, ["exec", "--offline", "--", "hardening", "plan", "--cloud", "gcp"], { cwd: dir, encoding: "utf8" });
    assert.equal(named.status, 2, "a cloud asked for by name whose SDK is missing is an error");
  });

  it("plans the consumer's own program with npx hardening plan DIR (TypeScript loaded by the program's typescript)", () => {
    const prog = path.join(dir, "prog");
    fs.mkdirSync(prog);
    fs.writeFileSync(path.join(prog, "Pulumi.yaml"), "name: consumer-workers\nruntime: nodejs\n");
    fs.writeFileSync(
      path.join(prog, "index.ts"),
      [
        'import * as aws from "@pulumi/aws";',
        'import { AwsWorkerNetwork } from "pulumi-hardening/aws";',
        'const net = new AwsWorkerNetwork("workers", { hardening: { workloadSubnet: "private" } });',
        'new aws.ec2.Instance("legacy", { ami: "ami-1", instanceType: "t3.micro", metadataOptions: { httpTokens: "optional" } });',
        "export const vpc = net.networkId;",
        "",
      ].join("\n"),
    );
    const r = spawnSync(NPM, ["exec", "--offline", "--", "hardening", "plan", "prog", "--format", "json"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { program: { project: string }; resources: { type: string }[]; controls: unknown[]; violations: { urn: string }[] };
    assert.equal(report.program.project, "consumer-workers");
    assert.ok(report.resources.some((x) => x.type === "hardening:index:AwsWorkerNetwork"));
    assert.ok(report.controls.length > 0);
    assert.ok(report.violations.some((v) => v.urn.endsWith("::legacy")));
  });

  for (const resolution of ["node", "nodenext"] as const) {
    it(`compiles the AWS and cloud-neutral examples with only @pulumi/aws installed (moduleResolution ${resolution})`, () => {
      const awsOnly = blocks.filter((b) => b.imports.every((i) => ["pulumi-hardening", "pulumi-hardening/aws", "@pulumi/pulumi", "@pulumi/aws"].includes(i)));
      assert.ok(awsOnly.some((b) => b.name.startsWith("README")), "the README's example is among them");
      fs.writeFileSync(path.join(dir, `tsconfig.aws.${resolution}.json`), tsconfig(resolution, awsOnly.map((b) => `blocks/${b.name}`)));
      const r = tsc(dir, `tsconfig.aws.${resolution}.json`);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    });
  }

  it("compiles every TypeScript block of README.md and docs/*.md under classic and nodenext resolution", () => {
    execFileSync(
      NPM,
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save",
        `@pulumi/gcp@${versionOf("@pulumi/gcp")}`, `@pulumi/azure-native@${versionOf("@pulumi/azure-native")}`, `@pulumi/kubernetes@${versionOf("@pulumi/kubernetes")}`],
      { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
    );
    assert.ok(blocks.length >= 8, `found ${blocks.length} blocks`);
    for (const resolution of ["node", "nodenext"] as const) {
      fs.writeFileSync(path.join(dir, `tsconfig.${resolution}.json`), tsconfig(resolution, blocks.map((b) => `blocks/${b.name}`)));
      const r = tsc(dir, `tsconfig.${resolution}.json`);
      assert.equal(r.status, 0, `${resolution}:\n${r.stdout}${r.stderr}`);
    }
    // Positive control for the compiler itself: a block with the bug the issue reported fails.
    fs.writeFileSync(path.join(dir, "blocks", "control.ts"), 'import { HardeningSpec } from "pulumi-hardening";\nconst s: HardeningSpec = { egress: { mode: "allowList", allow: [{ domain: 1 }] } };\nexport { s };\n');
    fs.writeFileSync(path.join(dir, "tsconfig.control.json"), tsconfig("node", ["blocks/control.ts"]));
    assert.notEqual(tsc(dir, "tsconfig.control.json").status, 0);
  });
});
