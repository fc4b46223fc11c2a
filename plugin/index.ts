// What the SDK's schema analyzer reads (it maps package.json `main`, a build output, to no source file and then
// falls back to this index.ts). The provider process itself loads the compiled ../dist/providers/plugin.js.
export * from "../providers/plugin";
