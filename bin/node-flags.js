"use strict";
/**
 * Node flags a `hardening` subcommand runs with. `audit` streams a state file resource by resource and keeps the
 * resources stack rules relate: under that load V8 grows its young generation to 16 MB semi-spaces, a fixed 30 MB
 * or so on top of the audit's own data. 4 MB semi-spaces cut the audit's peak memory by a fifth (a third on exports
 * of small resources) at no cost in time (measured by tests/bench/audit.bench.ts). V8 reads the flag only when a
 * process starts, so bin/hardening.js starts the audit anew with it.
 */
module.exports = {
  audit: ["--max-semi-space-size=4"],
};
