/**
 * Exceptions, explicit and visible: an inline `hardening:ignore <rule-id> reason: <why>` comment on a finding's
 * line or the line before, or a config entry (file glob, rule id, reason). A comment without a known rule id or
 * without a reason suppresses nothing and is itself reported.
 */
import picomatch from "picomatch";
import type { ConfigException } from "./config";
import { SCAN_RULE_IDS } from "./rules";

/** The marker every inline exception starts with. */
export const IGNORE_MARKER = "hardening:ignore";

/** An inline exception as written. */
export interface InlineIgnore {
  /** 1-based line of the comment. */
  readonly line: number;
  /** UTF-16 offset of the marker in the file. */
  readonly offset: number;
  /** Rule ids it names (possibly none). */
  readonly ruleIds: readonly string[];
  /** The reason, trimmed; empty when missing. */
  readonly reason: string;
  /** The comment text from the marker to the end of the line. */
  readonly text: string;
  /** Why it is invalid, or undefined when it suppresses. */
  readonly problem: string | undefined;
}

const REASON = /\breason[ \t]*:/;
const CLOSER = /\s*(\*\/|-->)\s*$/;

/** Every inline exception in `text` (with their 1-based lines); cheap when the marker is absent. */
export function findInlineIgnores(text: string, lineOf: (offset: number) => number): InlineIgnore[] {
  const out: InlineIgnore[] = [];
  let at = text.indexOf(IGNORE_MARKER);
  while (at !== -1) {
    let eol = at;
    while (eol < text.length && text.charCodeAt(eol) !== 10 && text.charCodeAt(eol) !== 13) eol++;
    const comment = text.slice(at, Math.min(eol, at + 1000));
    const rest = comment.slice(IGNORE_MARKER.length);
    const r = REASON.exec(rest);
    // Trailing comment closers of other languages (`*/`, `-->`) are not part of the ids or the reason.
    const idPart = (r ? rest.slice(0, r.index) : rest).replace(CLOSER, "");
    const ruleIds = idPart.split(/[\s,]+/).filter((s) => s.length > 0);
    const reason = r ? rest.slice(r.index + r[0].length).replace(CLOSER, "").trim() : "";
    const unknown = ruleIds.filter((id) => !SCAN_RULE_IDS.includes(id));
    const problem =
      ruleIds.length === 0 ? "names no rule id"
        : unknown.length > 0 ? `names unknown rule id ${unknown.map((u) => `"${u}"`).join(", ")}`
          : reason === "" ? "gives no reason" : undefined;
    out.push({ line: lineOf(at), offset: at, ruleIds, reason, text: comment.trim(), problem });
    at = text.indexOf(IGNORE_MARKER, eol);
  }
  return out;
}

/** The valid inline exception covering a finding of `ruleId` on `line`, if any. */
export function inlineIgnoreFor(ignores: readonly InlineIgnore[], ruleId: string, line: number): InlineIgnore | undefined {
  return ignores.find((i) => i.problem === undefined && (i.line === line || i.line === line - 1) && i.ruleIds.includes(ruleId));
}

/** Config exceptions, compiled. */
export class ConfigExceptions {
  private readonly entries: readonly { readonly entry: ConfigException; readonly match: picomatch.Matcher }[];

  constructor(exceptions: readonly ConfigException[]) {
    this.entries = exceptions.map((entry) => ({ entry, match: picomatch(entry.file, { dot: true }) }));
  }

  /** The exception covering a finding of `ruleId` in `file` (its display path), if any. */
  find(file: string, ruleId: string): ConfigException | undefined {
    return this.entries.find((e) => e.entry.ruleId === ruleId && e.match(file))?.entry;
  }
}
