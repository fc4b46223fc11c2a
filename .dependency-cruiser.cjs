/**
 * The import rule of the source tree (docs/design/ARCHITECTURE.md, "Import rule"), checked by `npm run lint`:
 *
 *   components  <-  detect  <-  scan, policy
 *   components  <-  detect  <-  canary  <-  providers
 *   components  <-  providers
 *   everything  <-  program, cli
 *
 * components/ (the cloud-neutral contract) imports none of the others; detect/ imports only components/; scan/
 * imports components/ and detect/; policy/ imports components/ and detect/; canary/ (the production probe, which
 * uses the detector to exempt its own lines) imports components/ and detect/; providers/ imports components/ and
 * canary/;
 * program/ and cli/ may import all. No module cycles, type-only imports included.
 */
const SOURCE = "^(components|detect|canary|scan|policy|providers|program|cli)/";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment:
        "A module cycle makes load order decide what is undefined at import time; break it by moving the shared part down.",
      severity: "error",
      from: { path: SOURCE },
      to: { circular: true },
    },
    {
      name: "components-imports-no-layer",
      comment: "components/ is the cloud-neutral contract: every other layer builds on it, so it imports none of them.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(detect|canary|scan|policy|providers|program|cli)/" },
    },
    {
      name: "detect-imports-components-only",
      severity: "error",
      from: { path: "^detect/" },
      to: { path: "^(canary|scan|policy|providers|program|cli)/" },
    },
    {
      name: "canary-imports-components-and-detect",
      severity: "error",
      from: { path: "^canary/" },
      to: { path: "^(scan|policy|providers|program|cli)/" },
    },
    {
      name: "scan-imports-components-and-detect",
      severity: "error",
      from: { path: "^scan/" },
      to: { path: "^(policy|providers|program|cli)/" },
    },
    {
      name: "policy-imports-components-and-detect",
      severity: "error",
      from: { path: "^policy/" },
      to: { path: "^(scan|providers|program|cli)/" },
    },
    {
      name: "providers-import-components-and-canary",
      severity: "error",
      from: { path: "^providers/" },
      to: { path: "^(detect|scan|policy|program|cli)/" },
    },
    {
      name: "cloud-sdks-only-in-providers-and-program",
      comment:
        "components/, detect/, scan/, policy/ and cli/ run on any stack with no cloud SDK installed (they are optional peers).",
      severity: "error",
      from: { path: "^(components|detect|canary|scan|policy|cli)/" },
      to: { path: "node_modules/@pulumi/(aws|gcp|azure-native|kubernetes)/" },
    },
    {
      name: "policy-sdk-only-in-the-pack",
      comment: "Constructing a PolicyPack starts a server; only the pack's binding and entry touch @pulumi/policy.",
      severity: "error",
      from: {
        path: "^(components|detect|canary|scan|policy|providers|program|cli)/",
        pathNot: "^policy/(binding|index)\\.ts$",
      },
      to: { path: "node_modules/@pulumi/policy/" },
    },
    {
      name: "program-imports-no-cli",
      comment: "The root program is run by the CLI (hardening plan) and by Pulumi; it never reaches back into the CLI.",
      severity: "error",
      from: { path: "^program/" },
      to: { path: "^cli/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|docs)/" },
    // Type-only imports count: a layer that needs another's types depends on it as much as on its values.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
