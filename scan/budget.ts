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
import type { ScanConfig } from "./config";
import type { TextScanResult } from "./types";

/** Where a worker finds the detector: a module and the name of its export. */
export interface DetectorModule {
  /** Absolute path of the module (as `require.resolve` gives it). */
  readonly module: string;
  /** The export that is the detector function. */
  readonly name: string;
}

/** What the worker answers for one file. */
type Reply = { readonly ok: true; readonly result: TextScanResult } | { readonly ok: false; readonly message: string };

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

/** Runs scanText for one file at a time in a worker, waiting at most a budget; restarts the worker after an overrun. */
export class BudgetedScanner {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private flag: Int32Array | undefined;
  /** Set when the worker cannot start: files are then scanned in-process (still scanned, only unbudgeted). */
  unavailable = false;

  constructor(private readonly detector: DetectorModule, private readonly config: ScanConfig, private readonly maxFlowChars: number) {}

  private start(): boolean {
    if (this.worker) return true;
    if (this.unavailable) return false;
    const shared = new SharedArrayBuffer(4);
    const flag = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    const workerData = { port: port2, shared, detector: this.detector, config: this.config, maxFlowChars: this.maxFlowChars };
    // From the TypeScript sources (a development checkout, the tests) the worker registers tsx as bin/hardening.js
    // does. A worker that cannot load says so through the flag (3) instead of leaving the scan waiting.
    const load = fs.existsSync(WORKER_BUILT)
      ? `require(${JSON.stringify(WORKER_BUILT)});`
      : `require(${JSON.stringify(require.resolve("tsx/cjs"))}); require(${JSON.stringify(WORKER_SOURCE)});`;
    const source = `const { workerData } = require("node:worker_threads");
try { ${load} } catch { const f = new Int32Array(workerData.shared); Atomics.store(f, 0, 3); Atomics.notify(f, 0); }`;
    const worker = new Worker(source, { eval: true, workerData, transferList: [port2] });
    // A worker that dies mid-file leaves the flag unset: the file's budget runs out and it is reported not scanned.
    worker.on("error", () => undefined);
    worker.unref();
    // The worker says it is ready by setting the flag; loading it is not part of any file's budget.
    if (Atomics.wait(flag, 0, 0, 120_000) === "timed-out" || Atomics.load(flag, 0) !== 2) {
      void worker.terminate();
      port1.close();
      this.unavailable = true;
      return false;
    }
    this.worker = worker;
    this.port = port1;
    this.flag = flag;
    return true;
  }

  /**
   * Scans `text` within `budgetMs`: the result, `"overrun"` when the budget ran out (the worker is then stopped),
   * or undefined when no worker could be started (the caller scans in-process). Throws the worker's error.
   */
  scan(text: string, file: string, referencesOnly: boolean, budgetMs: number): TextScanResult | "overrun" | undefined {
    if (!this.start()) return undefined;
    const flag = this.flag!;
    Atomics.store(flag, 0, 0);
    this.worker!.postMessage({ text, file, referencesOnly });
    if (Atomics.wait(flag, 0, 0, budgetMs) === "timed-out" && Atomics.load(flag, 0) === 0) {
      this.stop();
      return "overrun";
    }
    let message = receiveMessageOnPort(this.port!);
    // The reply is queued before the flag is set; wait a moment in case it is still on its way.
    for (let i = 0; message === undefined && i < 100; i++) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
      message = receiveMessageOnPort(this.port!);
    }
    if (message === undefined) throw new Error(`${file}: the scan worker did not answer`);
    const reply = message.message as Reply;
    if (!reply.ok) throw new Error(reply.message);
    return reply.result;
  }

  /** Stops the worker (after an overrun, or when the scan is done). */
  stop(): void {
    if (this.worker) void this.worker.terminate();
    this.port?.close();
    this.worker = undefined;
    this.port = undefined;
    this.flag = undefined;
  }
}
