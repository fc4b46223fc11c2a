/**
 * A time budget per file: the file's scan runs in a worker thread while the scan waits for it at most the budget,
 * so an input that makes some reader slow (a regular expression that backtracks, a parser that recurses) stops
 * costing time at the budget and becomes a `not-scanned` error finding (exit 1), never a pass and never a hang.
 * JavaScript cannot interrupt its own thread; a worker can be terminated mid-loop, so the scan runs there.
 *
 * The worker loads the detector by module path (a function cannot cross threads), so the budget applies to a scan
 * whose detector is named that way (the CLI's); a detector passed only as a function is run in-process, unbudgeted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import {
  CURRENT, DetectorModule, DONE, elapsedMs, FAILED, READY, SHARED_WORDS, STARTED, STATE, WorkerInit, WorkerJob, WorkerReply,
  WorkerStart, WORKING,
} from "./budgetProtocol";
import type { ScanConfig } from "./config";
import type { TextScanResult } from "./types";

export type { DetectorModule } from "./budgetProtocol";

/** One file's reading to scan in the worker, with its budget. */
export interface BudgetedJob extends WorkerJob {
  readonly budgetMs: number;
}

/**
 * What became of a job: its result; `"overrun"` when its scan outran its budget; undefined when no worker could be
 * started for it (the caller scans it in-process, unbudgeted).
 */
export type BudgetedOutcome = TextScanResult | "overrun" | undefined;

/**
 * The budget for a file of `bytes` bytes: a base plus time in proportion to its size, far above what any
 * well-behaved input needs (the detector reads several MB a second on one shared core).
 * @default 30 s plus 4 s per MiB
 */
export function defaultFileBudgetMs(bytes: number): number {
  return 30_000 + Math.ceil((bytes / (1 << 20)) * 4_000);
}

const WORKER_SOURCE = path.join(__dirname, "budgetWorker.ts");
const WORKER_BUILT = path.join(__dirname, "budgetWorker.js");

/** A worker thread loading (or loaded), the port it answers on, and the shared words it writes. */
interface Started {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly flag: Int32Array;
  readonly detector: DetectorModule;
}

/** Starts a worker for `detector`; it loads its code at once, and waits for its set-up message. */
function spawnWorker(detector: DetectorModule): Started {
  const shared = new SharedArrayBuffer(SHARED_WORDS * Int32Array.BYTES_PER_ELEMENT);
  const flag = new Int32Array(shared);
  const { port1, port2 } = new MessageChannel();
  const workerData: WorkerStart = { port: port2, shared, detector };
  // From the TypeScript sources (a development checkout, the tests) the worker registers tsx as bin/hardening.js
  // does. A worker that cannot load says so through the flag instead of leaving the scan waiting.
  const load = fs.existsSync(WORKER_BUILT)
    ? `require(${JSON.stringify(WORKER_BUILT)});`
    : `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(WORKER_SOURCE)});`;
  const source = `const { workerData } = require("node:worker_threads");
try { ${load} } catch { const f = new Int32Array(workerData.shared); Atomics.store(f, ${STATE}, ${FAILED}); Atomics.notify(f, ${STATE}); }`;
  const worker = new Worker(source, { eval: true, workerData, transferList: [port2] });
  // A worker that dies mid-file never finishes its batch: that file's budget runs out and it is reported not scanned.
  worker.on("error", () => undefined);
  worker.unref();
  return { worker, port: port1, flag, detector };
}

/** The worker prestartScanWorker started, until a scan takes it. */
let prestarted: Started | undefined;

/**
 * Starts the first scan worker for `detector` now, so that it loads its code while the caller loads its own and
 * reads the config (the CLI calls this before it loads the scanner): the next budgeted scan with the same detector
 * takes it instead of starting one and waiting for it to load. A worker no scan takes is stopped by the next call,
 * and does not keep the process alive.
 */
export function prestartScanWorker(detector: DetectorModule): void {
  if (prestarted) {
    void prestarted.worker.terminate();
    prestarted.port.close();
  }
  prestarted = spawnWorker(detector);
}

/** @internal Tests: true while a prestarted worker waits for a scan to take it. */
export function prestartedWorkerWaiting(): boolean {
  return prestarted !== undefined;
}

/** The prestarted worker when it is for `detector` (taken: no other scan gets it), else undefined. */
function takePrestarted(detector: DetectorModule): Started | undefined {
  const p = prestarted;
  if (!p || p.detector.module !== detector.module || p.detector.name !== detector.name) return undefined;
  prestarted = undefined;
  return p;
}

/** One worker thread, the shared words through which it says what it is doing, and the batch it has. */
class WorkerSlot {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private flag: Int32Array | undefined;
  /** Set when the worker cannot start: its batches are then scanned in-process (still scanned, only unbudgeted). */
  private unavailable = false;
  /** The batch submitted and not yet collected. */
  private jobs: readonly BudgetedJob[] = [];

  constructor(private readonly data: WorkerInit & { readonly detector: DetectorModule }) {}

  /** Starts the worker (or takes the prestarted one), sets it up and waits until it is ready; false when it cannot. */
  private start(): boolean {
    if (this.worker) return true;
    if (this.unavailable) return false;
    const { worker, port, flag } = takePrestarted(this.data.detector) ?? spawnWorker(this.data.detector);
    const init: WorkerInit = { base: this.data.base, config: this.data.config, maxFlowChars: this.data.maxFlowChars };
    worker.postMessage(init);
    // The worker says it is ready through the flag; loading it is not part of any file's budget.
    if (Atomics.wait(flag, STATE, WORKING, 120_000) === "timed-out" || Atomics.load(flag, STATE) !== READY) {
      void worker.terminate();
      port.close();
      this.unavailable = true;
      return false;
    }
    this.worker = worker;
    this.port = port;
    this.flag = flag;
    return true;
  }

  /** Hands `jobs` to the worker (started if need be), which begins at once; false when no worker could start. */
  private post(jobs: readonly BudgetedJob[]): boolean {
    if (!this.start()) return false;
    Atomics.store(this.flag!, CURRENT, -1);
    Atomics.store(this.flag!, STATE, WORKING);
    this.worker!.postMessage(jobs.map((j): WorkerJob => ({ text: j.text, file: j.file, referencesOnly: j.referencesOnly })));
    return true;
  }

  /** Hands a batch to the worker; collect() waits for it. False when no worker could start. */
  submit(jobs: readonly BudgetedJob[]): boolean {
    if (!this.post(jobs)) return false;
    this.jobs = jobs;
    return true;
  }

  /** Waits for the batch submitted: one outcome per job, in order. Throws the worker's error for a file. */
  collect(): BudgetedOutcome[] {
    const jobs = this.jobs;
    this.jobs = [];
    const outcomes: BudgetedOutcome[] = new Array<BudgetedOutcome>(jobs.length).fill(undefined);
    // Indices (into jobs) of the batch the worker has now.
    let batch = jobs.map((_, i) => i);
    for (;;) {
      const answer = this.await(batch.map((i) => jobs[i]));
      if (Array.isArray(answer)) {
        batch.forEach((i, k) => (outcomes[i] = answer[k]));
        return outcomes;
      }
      outcomes[batch[answer]] = "overrun";
      batch = batch.filter((_, k) => k !== answer);
      // What is left is scanned by a new worker; without one, the caller scans it in-process (left undefined).
      if (batch.length === 0 || !this.post(batch.map((i) => jobs[i]))) return outcomes;
    }
  }

  /** Waits for the worker's batch: its results, or the index of the job that outran its budget (worker stopped). */
  private await(jobs: readonly BudgetedJob[]): TextScanResult[] | number {
    const flag = this.flag!;
    while (Atomics.load(flag, STATE) !== DONE) {
      const at = Atomics.load(flag, CURRENT);
      const k = Math.max(at, 0);
      // Before the worker starts the batch's first job, that job's whole budget is left.
      const left = jobs[k].budgetMs - (at < 0 ? 0 : elapsedMs(this.data.base) - Atomics.load(flag, STARTED));
      if (left <= 0) {
        this.stop();
        return k;
      }
      Atomics.wait(flag, STATE, WORKING, left);
    }
    let message = receiveMessageOnPort(this.port!);
    // The reply is queued before the flag is set; wait a moment in case it is still on its way.
    for (let i = 0; message === undefined && i < 100; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      message = receiveMessageOnPort(this.port!);
    }
    if (message === undefined) throw new Error(`${jobs[0].file}: the scan worker did not answer`);
    return (message.message as WorkerReply[]).map((reply) => {
      if (!reply.ok) throw new Error(reply.message);
      return reply.result;
    });
  }

  stop(): void {
    if (this.worker) void this.worker.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
    this.flag = undefined;
  }
}

/**
 * How many workers a budgeted scan uses by default: one. Measured on two cores with 40 and 80 MB of flows, two
 * workers were slower than one (each warms its own JIT up, and they compete with the thread reading the files); on
 * more cores more may pay, which has not been measured here.
 */
export const DEFAULT_SCAN_WORKERS = 1;

/**
 * Runs scanText in worker threads, a batch of files at a time (one message each way per batch, not per file), with
 * a budget per file: each worker records which file it is on and since when, and the scan, waiting for a batch,
 * wakes when that file's budget runs out. A file that outruns its budget stops its worker; the other files of its
 * batch are scanned again by a new one. Batches go to the workers in turn, and are collected in the order they were
 * submitted, so findings keep the walk's order; while the workers scan, the caller reads the next batches.
 */
export class BudgetedScanner {
  private readonly slots: WorkerSlot[] = [];
  /** The slots with a batch, oldest first. */
  private readonly queue: WorkerSlot[] = [];

  /**
   * @param workers how many worker threads at most (each started when first needed)
   */
  constructor(detector: DetectorModule, config: ScanConfig, maxFlowChars: number, workers = DEFAULT_SCAN_WORKERS) {
    const data = { base: process.hrtime.bigint(), detector, config, maxFlowChars };
    for (let i = 0; i < Math.max(1, workers); i++) this.slots.push(new WorkerSlot(data));
  }

  /** True when every worker has a batch: collect() the oldest before submitting another. */
  full(): boolean {
    return this.queue.length >= this.slots.length;
  }

  /**
   * Hands `jobs` to an idle worker, which starts on them at once; collect() waits for them. False when no worker
   * could be started (the caller scans them in-process).
   */
  submit(jobs: readonly BudgetedJob[]): boolean {
    const slot = this.slots.find((s) => !this.queue.includes(s));
    if (!slot) throw new Error("BudgetedScanner.submit: every worker is busy; collect the oldest batch first");
    if (!slot.submit(jobs)) return false;
    this.queue.push(slot);
    return true;
  }

  /** True while some batch has not been collected. */
  pending(): boolean {
    return this.queue.length > 0;
  }

  /** Waits for the oldest batch submitted: one outcome per job, in order. Throws the worker's error for a file. */
  collect(): BudgetedOutcome[] {
    const slot = this.queue.shift();
    if (!slot) throw new Error("BudgetedScanner.collect: nothing submitted");
    return slot.collect();
  }

  /** Stops every worker (when the scan is done, or abandoned). */
  stop(): void {
    for (const s of this.slots) s.stop();
    this.queue.length = 0;
  }
}
