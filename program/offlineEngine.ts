/**
 * Runs a Pulumi program in-process under `pulumi.runtime.setMocks` and records every resource registration:
 * type, logical name, URN, parent URN and inputs exactly as the engine would receive them. Component tests,
 * the conformance suite and `hardening plan` all use it, so what a test asserts is what the plan prints.
 */
import * as pulumi from "@pulumi/pulumi";
// Internal SDK modules: the mock monitor (subclassed to see each registration's parent) and the RPC queue drain.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: new (mocks: pulumi.runtime.Mocks) => object };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as {
  setMockOptions(monitor: object, project?: string, stack?: string, preview?: boolean): void;
  waitForRPCs(): Promise<void>;
};

/** One resource as registered with the (mock) engine. */
export interface RecordedResource {
  /** Type token, e.g. `aws:ec2/launchTemplate:LaunchTemplate`. */
  readonly type: string;
  /** Logical name. */
  readonly name: string;
  /** The URN the engine assigned. */
  readonly urn: string;
  /** The parent's URN; undefined for children of the stack. */
  readonly parent: string | undefined;
  /** True for provider-managed resources, false for components. */
  readonly custom: boolean;
  /** Inputs as the engine received them (secrets unwrapped, unknowns absent). */
  readonly inputs: Record<string, unknown>;
}

/** What {@link runUnderMocks} needs besides the program. */
export interface MockRunOptions {
  /** @default "hardening" */
  readonly project?: string;
  /** @default "plan" */
  readonly stack?: string;
  /**
   * Run as a preview (unknown outputs stay unknown).
   * @default false
   */
  readonly preview?: boolean;
  /** Answers for provider function calls, by token. A call without an answer fails the run, naming the token. */
  readonly calls?: Readonly<Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>>;
  /** Extra state a created resource reports back (ids the program reads). Inputs are echoed back in any case. */
  readonly state?: (type: string, name: string, inputs: Record<string, unknown>) => Record<string, unknown>;
}

/** The program's return value and every registration, in registration order. */
export interface MockRun<T> {
  readonly result: T;
  readonly resources: RecordedResource[];
  /** What each component registered as its outputs (`registerOutputs`), by URN: hardening components' `controls`. */
  readonly componentOutputs: ReadonlyMap<string, Record<string, unknown>>;
}

function newUrn(stack: string, project: string, parent: string | undefined, type: string, name: string): string {
  let qualified = type;
  if (parent) {
    const parentType = parent.split("::")[2].split("$").pop();
    qualified = `${parentType}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs `program` under mocks and returns what it registered. Runs are serialised: the Pulumi runtime holds one
 * global monitor, so two overlapping runs would mix their registrations.
 */
export function runUnderMocks<T>(program: () => T | Promise<T>, options: MockRunOptions = {}): Promise<MockRun<T>> {
  const run = running.then(() => runOnce(program, options));
  running = run.catch(() => undefined);
  return run;
}

async function runOnce<T>(program: () => T | Promise<T>, options: MockRunOptions): Promise<MockRun<T>> {
  const project = options.project ?? "hardening";
  const stack = options.stack ?? "plan";
  const resources: RecordedResource[] = [];
  const missingCalls: string[] = [];
  const componentOutputs = new Map<string, Record<string, unknown>>();
  const mocks: pulumi.runtime.Mocks = {
    newResource(args) {
      const state = { ...args.inputs, ...(options.state?.(args.type, args.name, args.inputs) ?? {}) };
      return { id: args.custom === false ? undefined : `${args.name}-id`, state };
    },
    call(args) {
      const answer = options.calls?.[args.token];
      if (!answer) {
        // The SDK reduces an error thrown here to "Error"; remember the token so the run can name it.
        missingCalls.push(args.token);
        throw new Error(`no offline answer for provider function ${args.token}`);
      }
      return answer(args.inputs);
    },
  };
  class RecordingMonitor extends (MockMonitor as new (m: pulumi.runtime.Mocks) => {
    registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): Promise<void>;
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res: unknown) => void): void;
  }) {
    registerResourceOutputs(req: OutputsRequest, cb: (err: unknown, res: unknown) => void): void {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): Record<string, unknown> };
      componentOutputs.set(req.getUrn(), rpc.deserializeProperties(req.getOutputs()));
      super.registerResourceOutputs(req, cb);
    }

    async registerResource(req: RegisterRequest, cb: (err: unknown, res: unknown) => void): Promise<void> {
      const parent = req.getParent() || undefined;
      const urn = newUrn(stack, project, parent, req.getType(), req.getName());
      return super.registerResource(req, (err, res) => {
        if (!err) {
          // eslint-disable-next-line @typescript-eslint/no-require-imports
          const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): Record<string, unknown> };
          resources.push({
            type: req.getType(),
            name: req.getName(),
            urn,
            parent,
            custom: req.getCustom(),
            inputs: rpc.deserializeProperties(req.getObject()),
          });
        }
        cb(err, res);
      });
    }
  }
  await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false);
  settings.setMockOptions(new RecordingMonitor(mocks), project, stack, options.preview ?? false);
  const missing = () => new Error(`no offline answer for provider function ${[...new Set(missingCalls)].join(", ")}`);
  let result: T;
  try {
    result = await program();
    await settings.waitForRPCs();
  } catch (e) {
    throw missingCalls.length > 0 ? missing() : e;
  }
  if (missingCalls.length > 0) throw missing();
  return { result, resources, componentOutputs };
}

interface OutputsRequest {
  getUrn(): string;
  getOutputs(): unknown;
}

interface RegisterRequest {
  getParent(): string;
  getType(): string;
  getName(): string;
  getCustom(): boolean;
  getObject(): unknown;
}
