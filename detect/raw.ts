/** A finding in decoded text, before its span is mapped back to the original string. */
export interface RawFinding {
  readonly start: number;
  readonly end: number;
  readonly severity: "error" | "warning";
  readonly endpointId: string | undefined;
  readonly endpoint: string;
  readonly spelling: string;
}
