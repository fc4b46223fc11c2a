/** The endpoint detector the scanner uses by default: detect's findEndpointReferences. */
import { findEndpointReferences } from "../detect";
import type { Detect } from "./scanner";

/** The default detector: every spelling detect knows, base64 runs included. */
export const defaultDetect: Detect = (text) => findEndpointReferences(text);
