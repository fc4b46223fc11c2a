/**
 * The endpoint detector the scanner uses by default: components/detect's findEndpointReferences, loaded on first
 * use so the scanner library stays importable (and testable with an injected detector) on its own.
 */
import type { Detect } from "./scanner";

let loaded: Detect | undefined;

/** The default detector; throws a one-line error when components/detect is not available. */
export const defaultDetect: Detect = (text) => {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require("../../components/detect") as { findEndpointReferences?: Detect };
    if (typeof mod.findEndpointReferences !== "function") throw new Error("components/detect has no findEndpointReferences");
    loaded = (t) => mod.findEndpointReferences!(t);
  }
  return loaded(text);
};
