/**
 * Offsets to 1-based line and column. Built only for files that have a finding, so the common case (a clean
 * file) never pays for it.
 */

/** A 1-based position. Columns count UTF-16 code units, as SARIF's default `columnKind` does. */
export interface Position {
  readonly line: number;
  readonly column: number;
}

/** Maps UTF-16 offsets of one text to lines and columns; CRLF, LF and a lone CR each end a line (as YAML says). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) this.starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  /** The position of `offset` (clamped to the text). */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }

  /** Number of lines. */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The text of 1-based `line` without its line break, cut to `max` characters (a line may be 100 MB long). */
  lineText(line: number, max = Infinity): string {
    if (line < 1 || line > this.starts.length) return "";
    const start = this.starts[line - 1];
    let end = line < this.starts.length ? this.starts[line] : this.text.length;
    while (end > start && (this.text.charCodeAt(end - 1) === 10 || this.text.charCodeAt(end - 1) === 13)) end--;
    return this.text.slice(start, Math.min(end, start + max));
  }
}
