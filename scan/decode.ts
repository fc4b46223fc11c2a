/**
 * Bytes to text the way editors and the detector see it: UTF-8 (invalid sequences become U+FFFD, so nothing
 * throws), UTF-16 when a byte-order mark says so (PowerShell scripts are often saved that way), and a NUL byte in
 * the first 8 KiB marks a binary file, as git and grep decide.
 */

/** How many leading bytes are inspected for a NUL byte. */
export const BINARY_SNIFF_BYTES = 8000;

/** A decoded file: its text, or the verdict that it is binary. */
export type DecodedFile = { readonly binary: true } | { readonly binary: false; readonly text: string };

/** Decodes `bytes` (only the first `length`); never throws. */
export function decodeFile(bytes: Buffer, length = bytes.length): DecodedFile {
  const b = bytes.subarray(0, length);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return { binary: false, text: b.toString("utf16le", 2) };
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return { binary: false, text: utf16be(b.subarray(2)) };
  if (b.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { binary: true };
  // A UTF-8 byte-order mark is not part of the text editors show; columns must not count it.
  const start = b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  return { binary: false, text: b.toString("utf8", start) };
}

function utf16be(b: Buffer): string {
  const swapped = Buffer.from(b.subarray(0, b.length - (b.length % 2)));
  swapped.swap16();
  return swapped.toString("utf16le");
}
