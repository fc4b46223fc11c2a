// What the SDK's schema analyzer reads: it maps package.json `main` (main.cjs) to no TypeScript source and falls
// back to this index.ts. The provider process itself loads main.cjs, which loads the same ../providers/plugin.ts.
export * from "../providers/plugin";
