/**
 * What the scan (budget.ts) and its worker (budgetWorker.ts) share: the worker's start-up data, and the shared
 * words through which the worker says what it is doing. The worker writes a file's start time before its index, so
 * a reader that sees an index sees a start no earlier than that file's.
 */
import type { MessagePort } from "node:worker_threads";
import type { ScanConfig } from "./config";
import type { TextScanResult } from "./types";

/** Where a worker finds the detector: a module and the name of its export. */
export interface DetectorModule {
  /** Absolute path of the module (as `require.resolve` gives it). */
  readonly module: string;
  /** The export that is the detector function. */
  readonly name: string;
}

/** What a worker is started with: enough to load its code, which it does before it knows the scan. */
export interface WorkerStart {
  readonly port: MessagePort;
  /** The shared words, as Int32Array indices: STATE, CURRENT, STARTED. */
  readonly shared: SharedArrayBuffer;
  readonly detector: DetectorModule;
}

/** The first message a worker gets: the scan it serves. It answers READY (or FAILED), then takes batches. */
export interface WorkerInit {
  /** The clock base: process.hrtime, one monotonic clock for every thread of the process. */
  readonly base: bigint;
  readonly config: ScanConfig;
  readonly maxFlowChars: number;
}

/** One file's reading in a batch the worker is sent (a batch is an array of these). */
export interface WorkerJob {
  readonly text: string;
  /** The path shown in findings. */
  readonly file: string;
  /** A second reading of a file: references only (see scanText). */
  readonly referencesOnly: boolean;
}

/** What the worker answers for one job (the answer to a batch is an array of these, in order). */
export type WorkerReply = { readonly ok: true; readonly result: TextScanResult } | { readonly ok: false; readonly message: string };

/** The worker's state (one of the values below). */
export const STATE = 0;
/** The index in its batch of the file the worker is on; -1 before the batch's first. */
export const CURRENT = 1;
/** When the worker started that file: milliseconds since the clock base. */
export const STARTED = 2;
/** How many shared words there are. */
export const SHARED_WORDS = 3;

/** STATE values: scanning (or loading, before READY), batch answered, loaded and set up, could not load or set up. */
export const WORKING = 0;
export const DONE = 1;
export const READY = 2;
export const FAILED = 3;

/** Milliseconds since `base` on process.hrtime's clock. */
export function elapsedMs(base: bigint): number {
  return Number((process.hrtime.bigint() - base) / 1_000_000n);
}
