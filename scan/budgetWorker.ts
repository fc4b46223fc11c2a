/**
 * The worker of {@link BudgetedScanner} (budget.ts): loads the detector by module path, builds the scan context from
 * the config, and scans each batch of files it is sent, recording in the shared words which file it is on and
 * since when, then answering the whole batch on its port and setting the state to done (ready, once at start;
 * failed when the detector cannot be loaded).
 */
import { parentPort, workerData } from "node:worker_threads";
import { CURRENT, DONE, elapsedMs, FAILED, READY, STARTED, STATE, WorkerInit } from "./budgetProtocol";
import { EndpointDetector, ScanContext, scanText } from "./scanner";

const data = workerData as WorkerInit;
const flag = new Int32Array(data.shared);
const signal = (value: number) => {
  Atomics.store(flag, STATE, value);
  Atomics.notify(flag, STATE);
};

let ctx: ScanContext | undefined;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const detect = (require(data.detector.module) as Record<string, EndpointDetector>)[data.detector.name];
  if (typeof detect !== "function") throw new Error(`${data.detector.module} has no function ${data.detector.name}`);
  ctx = new ScanContext(detect, data.config, data.maxFlowChars);
} catch {
  ctx = undefined;
}

if (ctx) {
  const context = ctx;
  parentPort!.on("message", (batch: { text: string; file: string; referencesOnly: boolean }[]) => {
    const replies = batch.map((m, k) => {
      // The start first: the scan reading CURRENT then STARTED never sees an earlier start than this file's.
      Atomics.store(flag, STARTED, elapsedMs(data.base));
      Atomics.store(flag, CURRENT, k);
      try {
        return { ok: true, result: scanText(m.text, m.file, context, m.referencesOnly) };
      } catch (e) {
        return { ok: false, message: (e as Error).message };
      }
    });
    data.port.postMessage(replies);
    signal(DONE);
  });
  signal(READY);
} else {
  // Could not load the detector: the scan goes on in-process.
  signal(FAILED);
}
