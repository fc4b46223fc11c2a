#!/usr/bin/env node
"use strict";
// In a development checkout (the TypeScript sources are present) run them through tsx, so the command is never
// a stale build; in an installed package (only dist/ is shipped) run the compiled CLI.
const path = require("node:path");
const fs = require("node:fs");
const { spawnSync } = require("node:child_process");

// A subcommand with node flags of its own (bin/node-flags.js) runs in a process started with them, once.
const nodeFlags = require("./node-flags.js");
const flags = Object.hasOwn(nodeFlags, process.argv[2] ?? "") ? nodeFlags[process.argv[2]] : undefined;
if (flags && !flags.every((f) => process.execArgv.includes(f))) {
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, __filename, ...process.argv.slice(2)], { stdio: "inherit" });
  if (r.error) {
    process.stderr.write(`hardening: cannot start ${process.execPath}: ${r.error.message}\n`);
    process.exit(2);
  }
  // A child killed by a signal exits as a shell reports it: 128 + the signal's number.
  process.exit(r.status ?? 128 + (require("node:os").constants.signals[r.signal] ?? 0));
}
const source = path.join(__dirname, "..", "cli", "index.ts");
let cli;
if (fs.existsSync(source)) {
  require("tsx/cjs");
  cli = require(source);
} else {
  cli = require(path.join(__dirname, "..", "dist", "cli", "index.js"));
}
cli.main(process.argv.slice(2)).then(
  // A failed write of the report (cli/io.ts) has already set 2; the run's own status does not hide it.
  (code) => { if (process.exitCode !== 2) process.exitCode = code; },
  (e) => { process.stderr.write(`hardening: internal error: ${e && e.message}\n`); process.exitCode = 2; },
);
