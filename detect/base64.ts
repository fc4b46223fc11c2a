/**
 * Base64 runs (cloud-init user data, `echo ... | base64 -d`, PowerShell `-EncodedCommand`, data: URLs) and their
 * decoded text. Finding runs is a skip-scan (look at the 16th character first, as Boyer-Moore does), which touches
 * far fewer characters than a regular expression for "16 or more base64 characters" on ordinary text.
 */

/** A base64 run and the text it decodes to. */
export interface Base64Run {
  readonly start: number;
  readonly end: number;
  readonly decoded: string;
}

/**
 * Shortest run looked at: 20 characters encode 15 bytes, `169.254.169.254` or `http://metadata/`. Anything
 * shorter could only hold a bare number or name, which counts only next to the context base64 would have hidden.
 */
export const MIN_RUN = 20;
/** Runs decoded per call are capped so that one hostile blob cannot make a scan quadratic through recursion. */
const MAX_RUN = 16 * 1024 * 1024;

// Indexed by any UTF-16 unit, so the skip-scan's test is one load (a bounds test first measured 5-10% slower).
const B64 = new Uint8Array(1 << 16);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") B64[c.charCodeAt(0)] = 1;
const isB64 = (c: number): boolean => B64[c] === 1;

/** Every base64 run of {@link MIN_RUN} or more characters (lines of a wrapped block joined) that decodes to text. */
export function base64Runs(text: string): Base64Run[] {
  const runs: Base64Run[] = [];
  const n = text.length;
  let i = 0;
  outer: while (i + MIN_RUN <= n) {
    for (let j = i + MIN_RUN - 1; j >= i; j--) {
      if (!isB64(text.charCodeAt(j))) {
        i = j + 1;
        continue outer;
      }
    }
    const start = i;
    let { end, body } = extend(text, i);
    // Wrapped blocks (MIME's 76 columns, YAML block scalars): a full line of whole quanta followed by another run.
    while (body.length % 4 === 0 && !text.endsWith("=", end) && body.length < MAX_RUN) {
      const m = /^\r?\n[ \t]*/.exec(text.slice(end, end + 64));
      if (!m) break;
      const next = end + m[0].length;
      if (next + 4 > n || !isB64(text.charCodeAt(next)) || !isB64(text.charCodeAt(next + 3))) break;
      const more = extend(text, next);
      end = more.end;
      body += more.body;
    }
    i = end + 1;
    const decoded = decodeText(body);
    if (decoded !== undefined) runs.push({ start, end, decoded });
  }
  return runs;
}

function extend(text: string, from: number): { end: number; body: string } {
  let k = from;
  while (k < text.length && isB64(text.charCodeAt(k))) k++;
  const body = text.slice(from, k);
  let end = k;
  while (end < text.length && end - k < 2 && text[end] === "=") end++;
  return { end, body };
}

/**
 * The text a run decodes to, or undefined when it is not text (a hash, a long identifier, a binary blob). A run
 * that starts mid-quantum (a path's leading `/` glued to it) is retried from each of the next three characters.
 */
function decodeText(body: string): string | undefined {
  for (let skip = 0; skip < 4 && body.length - skip >= MIN_RUN; skip++) {
    if (!plausibleText(body, skip)) {
      if (body.length < 24) break;
      continue;
    }
    const usable = body.length - skip - ((body.length - skip) % 4);
    const text = asText(Buffer.from(body.slice(skip, skip + usable), "base64"));
    if (text !== undefined) return text;
    if (body.length < 24) break;
  }
  return undefined;
}

/**
 * A cheap look before decoding: in base64 of ASCII text the first character of every quantum encodes the top six
 * bits of a byte below 0x80, so it is one of `A-Z a-f`. UTF-8 and UTF-16LE text keep most quanta that way too.
 * Identifiers and hashes fail this for about half their quanta, which spares decoding them.
 */
function plausibleText(body: string, skip: number): boolean {
  let quanta = 0;
  let bad = 0;
  for (let k = skip; k + 4 <= body.length && quanta < 32; k += 4, quanta++) {
    const c = body.charCodeAt(k);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 102))) bad++;
  }
  return bad * 4 <= quanta;
}

/** Scripts and user data are text: ASCII, UTF-8, or UTF-16LE (PowerShell's `-EncodedCommand`). */
function asText(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return undefined;
  let ascii = 0;
  let high = 0;
  let oddZeros = 0;
  for (let k = 0; k < bytes.length; k++) {
    const b = bytes[k];
    if ((b >= 0x20 && b < 0x7f) || b === 9 || b === 10 || b === 13) ascii++;
    else if (b >= 0x80) high++;
    if (b === 0 && k % 2 === 1) oddZeros++;
  }
  if (bytes.length >= 4 && oddZeros >= Math.floor(bytes.length / 2) * 0.9) return bytes.toString("utf16le");
  if (ascii + high < bytes.length * 0.95) return undefined;
  if (high === 0 || isUtf8(bytes)) return bytes.toString("utf8");
  return undefined;
}

/** True when the bytes are well-formed UTF-8 (random bytes almost never are). */
function isUtf8(bytes: Uint8Array): boolean {
  for (let k = 0; k < bytes.length; ) {
    const b = bytes[k];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (len === 0 || k + len > bytes.length) return false;
    for (let m = 1; m < len; m++) if ((bytes[k + m] & 0xc0) !== 0x80) return false;
    k += len;
  }
  return true;
}
