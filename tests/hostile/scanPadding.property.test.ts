/**
 * Padding, encodings and splits never turn a finding into a pass: a file that holds a metadata reference (or a
 * flow with a denied plugin) is padded with random text before and after, written in UTF-8 (with a stray UTF-16
 * or UTF-8 byte-order mark, or a NUL byte early), UTF-16 either way round with or without a mark, with any line
 * endings, optionally beside other files and past the size limits; the scan must still block (exit 1).
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import fc from "fast-check";
import { hasBlockingFindings, parseScanConfig, scanPaths } from "../../scan";
import { defaultDetector } from "../../scan/detector";
import { tempTree } from "../scan/helpers";

const DENY_SHELL = parseScanConfig('plugins:\n  deny: ["io.kestra.plugin.scripts.shell.*"]\n', "deny.yml");
const REFERENCE = "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/";
const FLOW = "id: f\nnamespace: company.team\ntasks:\n  - id: run\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands: [\"true\"]\n";

type Encoding = "utf8" | "utf8+fffe" | "utf8+bom" | "utf8+nul" | "utf16le" | "utf16le+bom" | "utf16be+bom";

function encode(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case "utf8": return Buffer.from(text, "utf8");
    case "utf8+fffe": return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf8")]);
    case "utf8+bom": return Buffer.from(`\ufeff${text}`, "utf8");
    case "utf8+nul": return Buffer.concat([Buffer.from("#!/bin/sh\n\0\n"), Buffer.from(text, "utf8")]);
    case "utf16le": return Buffer.from(text, "utf16le");
    case "utf16le+bom": return Buffer.from(`\ufeff${text}`, "utf16le");
    case "utf16be+bom": return Buffer.from(`\ufeff${text}`, "utf16le").swap16();
  }
}

// Padding never joins the reference's line: it is separated by a line break of the file's own kind.
const padding = fc.string({ unit: fc.constantFrom("a", " ", "#", "\t", "\0", "é", "\u00ad", "%20", "x=1;", "\ufffd", "🙂"), maxLength: 300 });
const encoding = fc.constantFrom<Encoding>("utf8", "utf8+fffe", "utf8+bom", "utf8+nul", "utf16le", "utf16le+bom", "utf16be+bom");
const newline = fc.constantFrom("\n", "\r\n");
const name = fc.constantFrom("run.sh", "flow.yml", "notes.txt", "blob.bin", "script.ps1");

describe("hostile input: padding, encodings and splits never turn a finding into a pass", function () {
  this.timeout(300_000);
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("a metadata reference blocks whatever surrounds it, however it is encoded, whatever the size limit", () => {
    fc.assert(fc.property(padding, padding, encoding, newline, name, fc.nat(3), fc.boolean(), (before, after, enc, nl, file, others, tight) => {
      const text = `${before}${nl}${REFERENCE}${nl}${after}${nl}`.replace(/\n/g, nl === "\r\n" ? "\r\n" : "\n");
      const files: Record<string, Buffer> = { [`d/${file}`]: encode(text, enc) };
      for (let i = 0; i < others; i++) files[`d/other${i}.txt`] = Buffer.from(`${before}\n`);
      dir = tempTree(files);
      const report = scanPaths(["d"], { cwd: dir, detect: defaultDetector, ...(tight ? { maxFileBytes: 64 } : {}) });
      fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      return hasBlockingFindings(report);
    }), { numRuns: 300 });
  });

  it("a denied plugin blocks however far the flow is padded past the flow-size limit", () => {
    fc.assert(fc.property(padding, fc.integer({ min: 0, max: 5000 }), fc.constantFrom<Encoding>("utf8", "utf8+bom", "utf16le+bom"), (pad, extra, enc) => {
      const text = `${FLOW}# ${pad.replace(/[\r\n]/g, " ")}\n${"#\n".repeat(extra)}`;
      dir = tempTree({ "flows/f.yml": encode(text, enc) });
      const report = scanPaths(["flows"], { cwd: dir, detect: defaultDetector, config: DENY_SHELL, maxFlowChars: 200 });
      fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
      return hasBlockingFindings(report);
    }), { numRuns: 100 });
  });

  it("a clean file stays clean however it is encoded (positive control)", () => {
    for (const enc of ["utf8", "utf8+bom", "utf16le", "utf16le+bom", "utf16be+bom", "utf8+nul"] as const) {
      dir = tempTree({ "d/run.sh": encode("curl -s https://example.com/\n", enc) });
      const report = scanPaths(["d"], { cwd: dir, detect: defaultDetector });
      assert.equal(hasBlockingFindings(report), false, enc);
      fs.rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    }
  });
});
