"use strict";
/* global __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS: the host requires this file before any TypeScript loader */
// What the component host loads (package.json `main`): `run-plugin` requires this directory and serves every
// ComponentResource class exported here. As bin/hardening.js does, a checkout runs the TypeScript sources through
// tsx, so the served components are never a stale build; without the sources, the compiled ones.
const path = require("node:path");
const fs = require("node:fs");

const source = path.join(__dirname, "..", "providers", "plugin.ts");
if (fs.existsSync(source)) {
  require("tsx/cjs");
  module.exports = require(source);
} else {
  module.exports = require(path.join(__dirname, "..", "dist", "providers", "plugin.js"));
}
