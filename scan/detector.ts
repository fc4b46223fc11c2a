/** The endpoint detector the scanner uses by default: detect's findEndpointReferences. */
import { findEndpointReferences } from "../detect";
import type { EndpointDetector } from "../detect/types";

/** The default detector: every spelling detect knows, base64 runs included. */
export const defaultDetector: EndpointDetector = (text) => findEndpointReferences(text);
