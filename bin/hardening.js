#!/usr/bin/env node
"use strict";
// In a development checkout (the TypeScript sources are present) run them through tsx, so the command is never
// a stale build; in an installed package (only dist/ is shipped) run the compiled CLI.
const path = require("node:path");
const fs = require("node:fs");
const source = path.join(__dirname, "..", "cli", "index.ts");
let cli;
if (fs.existsSync(source)) {
  require("tsx/cjs");
  cli = require(source);
} else {
  cli = require(path.join(__dirname, "..", "dist", "cli", "index.js"));
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`hardening: internal error: ${e && e.message}\n`); process.exitCode = 2; },
);
