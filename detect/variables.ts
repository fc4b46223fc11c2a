/**
 * Environment variables that hold a metadata or credential endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
 * `ECS_CONTAINER_METADATA_URI_V4`, `GCE_METADATA_HOST`, ...): the cloud injects them, its SDKs read them, and a
 * script that names one (`curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
 * `os.environ["GCE_METADATA_HOST"]`) reaches the endpoint without ever writing its address.
 */
import { CATALOGUED_VARIABLES, classifyVariable } from "./catalogue";
import { RawFinding } from "./raw";

// Whole names only, in upper case as the clouds set them: `X_AWS_CONTAINER_...` or `..._URI_OLD` is another variable.
const NAMES = new RegExp(`(?<![A-Za-z0-9_])(?:${CATALOGUED_VARIABLES.join("|")})(?![A-Za-z0-9_])`, "g");

/** Every catalogued variable named in `text` (already decoded). */
export function findVariables(text: string): RawFinding[] {
  const found: RawFinding[] = [];
  NAMES.lastIndex = 0;
  for (let m = NAMES.exec(text); m; m = NAMES.exec(text)) {
    const verdict = classifyVariable(m[0]);
    if (!verdict) continue;
    found.push({ start: m.index, end: m.index + m[0].length, ...verdict, spelling: "environment variable that holds the endpoint" });
  }
  return found;
}
