/**
 * The worker of {@link BudgetedScanner} (budget.ts): loads the detector by module path, builds the scan context from
 * the config, and scans each batch of files it is sent, recording in the shared words which file it is on and
 * since when, then answering the whole batch on its port and setting the state to done (ready, once at start;
 * failed when the detector cannot be loaded).
 */
import { parentPort, workerData, MessagePort } from "node:worker_threads";
import type { ScanConfig } from "./config";
import type { DetectorModule } from "./budget";
import { EndpointDetector, ScanContext, scanText } from "./scanner";

const data = workerData as {
  port: MessagePort; shared: SharedArrayBuffer; base: bigint; detector: DetectorModule; config: ScanConfig; maxFlowChars: number;
};
// The shared words and states, as budget.ts numbers them.
const STATE = 0;
const CURRENT = 1;
const STARTED = 2;
const DONE = 1;
const READY = 2;
const FAILED = 3;
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
      Atomics.store(flag, STARTED, Number((process.hrtime.bigint() - data.base) / 1_000_000n));
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
