#!/usr/bin/env node
"use strict";
// Runs the compiled CLI when the package is built (npm ci runs the build), and the TypeScript sources through tsx
// in a development checkout that has not been built yet.
const path = require("node:path");
const fs = require("node:fs");
const compiled = path.join(__dirname, "..", "dist", "cli", "index.js");
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require("tsx/cjs");
  cli = require(path.join(__dirname, "..", "cli", "index.ts"));
}
cli.main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`hardening: internal error: ${e && e.message}\n`); process.exitCode = 2; },
);
