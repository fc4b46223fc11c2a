/**
 * The worker of {@link BudgetedScanner} (budget.ts): loads the detector by module path, builds the scan context from
 * the config, and scans each file it is sent, answering on its port and raising the shared flag (1: answered;
 * 2: ready, once at start).
 */
import { parentPort, workerData, MessagePort } from "node:worker_threads";
import type { ScanConfig } from "./config";
import type { DetectorModule } from "./budget";
import { EndpointDetector, ScanContext, scanText } from "./scanner";

const data = workerData as { port: MessagePort; shared: SharedArrayBuffer; detector: DetectorModule; config: ScanConfig; maxFlowChars: number };
const flag = new Int32Array(data.shared);
const signal = (value: number) => {
  Atomics.store(flag, 0, value);
  Atomics.notify(flag, 0);
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
  parentPort!.on("message", (m: { text: string; file: string; referencesOnly: boolean }) => {
    try {
      data.port.postMessage({ ok: true, result: scanText(m.text, m.file, context, m.referencesOnly) });
    } catch (e) {
      data.port.postMessage({ ok: false, message: (e as Error).message });
    }
    signal(1);
  });
  signal(2);
} else {
  // Could not load the detector: the scan goes on in-process.
  signal(3);
}
