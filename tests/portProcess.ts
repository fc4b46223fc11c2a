/**
 * Starts a child process that announces a gRPC port on its first line of stdout, as Pulumi plugins do (policy
 * packs through run-policy-pack, component packages through run-plugin), and hands back the port with a way to
 * stop it. The policy-pack and component-package tests both start their processes through this.
 */
import { ChildProcess, spawn } from "node:child_process";

/** A started process that printed its port. */
export interface PortProcess {
  readonly port: number;
  readonly child: ChildProcess;
  /** Milliseconds from spawn until the port was printed. */
  readonly startupMs: number;
  /** Everything the process wrote to stderr so far. */
  stderr(): string;
  /** Kills the process (if it still runs); resolves when it has exited. Safe to call twice. */
  kill(): Promise<void>;
}

/**
 * Runs `node <script> <args>` in `cwd` and resolves with the port it prints; rejects (and kills it) when it exits
 * first, prints something else, or prints nothing within `timeoutMs`. `what` names it in those errors.
 */
export function startPortProcess(what: string, script: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<PortProcess> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [script, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  return new Promise<PortProcess>((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`${what} printed no port within ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (code ${code}, signal ${signal}) before printing a port; stderr:\n${stderr}`));
    });
    child.stdout!.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      const line = stdout.split("\n")[0].trim();
      if (!stdout.includes("\n") || line === "") return;
      clearTimeout(timer);
      const port = Number(line);
      if (!Number.isInteger(port) || port <= 0) {
        void kill();
        reject(new Error(`${what} printed ${JSON.stringify(line)} instead of a port; stderr:\n${stderr}`));
        return;
      }
      resolve({ port, child, startupMs: Number(process.hrtime.bigint() - started) / 1e6, stderr: () => stderr, kill });
    });
  });
}
