/**
 * The one way a value the user gave is printed in a message: short, quoted when a string, and never a secret.
 */

/** How {@link show} renders a value. */
export interface ShowOptions {
  /**
   * The text for a value that is not there (undefined, and null too when this is set).
   * @default "undefined" for undefined and "null" for null
   */
  readonly absent?: string;
  /**
   * The longest text printed; a longer value is cut and ends in "...".
   * @default 80
   */
  readonly maxLength?: number;
}

/** What stands in for a secret in a message. */
export const REDACTED = "[redacted]";

/** Object keys whose string values are secrets whatever they look like. */
const SECRET_KEY = /passw(or)?d|passphrase|secret|token$|credential|private.?key|api.?key|^authorization$/i;
/** A shell or env-file assignment of a secret-named variable (`AWS_SECRET_ACCESS_KEY=...`, `DB_PASSWORD='...'`). */
const SECRET_ASSIGNMENT = /\b([A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_KEY)[A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|]+)/gi;
/** A PEM private key block, anywhere in a string. */
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g;
/**
 * The password in a URL's userinfo (`http://user:password@proxy`), up to the last "@" of the URL: a password written
 * with a raw "/" or "@" (base64, or not percent-encoded) is the URL a parser rejects, so it is the one shown in an
 * error. A path holding "@" after a port is redacted too: more than needed, never less.
 */
const URL_PASSWORD = /(\/\/[^\s/:@]*):[^\s]*@/g;

function redactText(text: string): string {
  return text.replace(PRIVATE_KEY, REDACTED).replace(URL_PASSWORD, `$1:${REDACTED}@`).replace(SECRET_ASSIGNMENT, `$1=${REDACTED}`);
}

function redact(value: unknown, seen: Set<unknown>): unknown {
  if (typeof value === "string") return redactText(value);
  if (typeof value !== "object" || value === null || seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, seen));
  const out: Record<string, unknown> = {};
  // Whatever its type (a list of keys, a nested object, a numeric PIN): only a boolean switch or an absent value
  // under a secret-named key is no secret.
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean" ? REDACTED : redact(v, seen);
  return out;
}

/**
 * Renders a value for an error message or a finding: strings quoted (JSON), everything else as JSON, long values
 * cut to `maxLength` (a cut string keeps its closing quote). Secrets never reach the text: a PEM private key, the
 * password of a URL (`http://user:[redacted]@host`), the value of a secret-named variable assignment
 * (`DB_PASSWORD=[redacted]`) and the string value of any key named like a secret (password, token, credential,
 * private key, API key) print as `[redacted]`, as does any non-boolean value under such a key.
 */
export function show(value: unknown, options: ShowOptions = {}): string {
  const max = options.maxLength ?? 80;
  if (options.absent !== undefined && (value === undefined || value === null)) return options.absent;
  let text: string;
  if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(redact(value, new Set())) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  if (text.length <= max) return text;
  // A cut string keeps its closing quote, so the reader sees where the value ends.
  return typeof value === "string" ? `${text.slice(0, max - 4)}..."` : `${text.slice(0, max - 3)}...`;
}
