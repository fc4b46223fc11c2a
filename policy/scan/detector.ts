/** The endpoint detector the scanner uses by default: components/detect's findEndpointReferences. */
import { findEndpointReferences } from "../../components/detect";
import type { Detect } from "./scanner";

/** The default detector: every spelling components/detect knows, base64 runs included. */
export const defaultDetect: Detect = (text) => findEndpointReferences(text);
