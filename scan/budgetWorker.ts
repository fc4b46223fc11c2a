/**
 * The worker of {@link BudgetedScanner} (budget.ts): loads the detector by module path and the scanner as soon as it
 * starts (possibly before the scan is set up: see prestartScanWorker), then takes the scan's set-up (the clock base,
 * the config) as its first message and answers ready, or failed when the detector cannot be loaded or the scan
 * context cannot be built. It then scans each batch of files it is sent, recording in the shared words which file it
 * is on and since when, answering the whole batch on its port and setting the state to done.
 */
import { parentPort, workerData } from "node:worker_threads";
import { CURRENT, DONE, elapsedMs, FAILED, READY, STARTED, STATE, WorkerInit, WorkerJob, WorkerReply, WorkerStart } from "./budgetProtocol";
import { EndpointDetector, ScanContext, scanText } from "./scanner";

const data = workerData as WorkerStart;
const flag = new Int32Array(data.shared);
const signal = (value: number) => {
  Atomics.store(flag, STATE, value);
  Atomics.notify(flag, STATE);
};

let detect: EndpointDetector | undefined;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = (require(data.detector.module) as Record<string, EndpointDetector>)[data.detector.name];
  if (typeof loaded !== "function") throw new Error(`${data.detector.module} has no function ${data.detector.name}`);
  detect = loaded;
} catch {
  detect = undefined;
}

let base = 0n;
let context: ScanContext | undefined;
parentPort!.on("message", (message: WorkerInit | WorkerJob[]) => {
  if (!Array.isArray(message)) {
    // The set-up. Could not load the detector or build the context: the scan goes on in-process.
    try {
      context = detect ? new ScanContext(detect, message.config, message.maxFlowChars) : undefined;
    } catch {
      context = undefined;
    }
    base = message.base;
    signal(context ? READY : FAILED);
    return;
  }
  const ctx = context!;
  const replies = message.map((m, k): WorkerReply => {
    // The start first: the scan reading CURRENT then STARTED never sees an earlier start than this file's.
    Atomics.store(flag, STARTED, elapsedMs(base));
    Atomics.store(flag, CURRENT, k);
    try {
      return { ok: true, result: scanText(m.text, m.file, ctx, m.referencesOnly) };
    } catch (e) {
      return { ok: false, message: (e as Error).message };
    }
  });
  data.port.postMessage(replies);
  signal(DONE);
});
