/**
 * Bytes to text the way editors, shells and the detector see it: UTF-8 (invalid sequences become U+FFFD, so nothing
 * throws), UTF-16 when a byte-order mark says so (PowerShell scripts are often saved that way). Nothing is skipped
 * for its bytes: a file with a NUL byte in its first 8 KiB looks binary, as git and grep decide, yet sh still runs
 * a script that has one, so it is read too (as UTF-16 when its NUL bytes fall where UTF-16 text puts them). And a
 * byte-order mark proves nothing (`FF FE` before plain UTF-8 hides the text from a UTF-16 reading), so a file with
 * one is also read as UTF-8, and the scanner checks both readings.
 */

/** How many leading bytes are inspected for a NUL byte. */
export const BINARY_SNIFF_BYTES = 8000;

/** A decoded file. */
export interface DecodedFile {
  /** True when a NUL byte sits in the first {@link BINARY_SNIFF_BYTES} bytes (the file is read all the same). */
  readonly binary: boolean;
  /** The reading the file most likely means: what line and column numbers refer to. */
  readonly text: string;
  /** A second reading the file also supports (the UTF-8 bytes after a UTF-16 mark), scanned for references too. */
  readonly alternate?: string;
}

/** Decodes `bytes` (only the first `length`); never throws. */
export function decodeFile(bytes: Buffer, length = bytes.length): DecodedFile {
  const b = bytes.subarray(0, length);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { binary: false, text: b.toString("utf16le", 2), alternate: b.toString("utf8", 2) };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { binary: false, text: utf16be(b.subarray(2)), alternate: b.toString("utf8", 2) };
  const sniff = b.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) {
    // UTF-16 without a mark puts the NUL of every ASCII character on one side: odd offsets little-endian.
    let even = 0;
    let odd = 0;
    for (let i = 0; i < sniff.length; i++) {
      if (sniff[i] !== 0) continue;
      if (i % 2 === 0) even++;
      else odd++;
    }
    const half = sniff.length / 2;
    if (odd >= half * 0.6 && even < half * 0.1) return { binary: true, text: b.toString("utf16le"), alternate: b.toString("utf8") };
    if (even >= half * 0.6 && odd < half * 0.1) return { binary: true, text: utf16be(b), alternate: b.toString("utf8") };
    return { binary: true, text: b.toString("utf8") };
  }
  // A UTF-8 byte-order mark is not part of the text editors show; columns must not count it.
  const start = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  return { binary: false, text: b.toString("utf8", start) };
}

function utf16be(b: Buffer): string {
  const swapped = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  swapped.swap16();
  return swapped.toString("utf16le");
}
