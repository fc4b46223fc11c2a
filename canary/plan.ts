/**
 * The canary planned: the checks (from the catalogue), their verdicts (from the controls report) and the probe
 * rendered, after every argument was checked. Pure; the Kestra flow (flow.ts) and the Kubernetes CronJob
 * (providers/kubernetes/canaryPlan.ts) both start here.
 */
import { hostCidr, isIpAddress } from "../components/cidr";
import { ControlReport } from "../components/controls";
import { checkPort, InvalidArgsError, isWholeNumber, MAX_PORT, show } from "../components/validation";
import { carveOutFor } from "../components/metadataNetworks";
import { CanaryCheckOptions, canaryChecks } from "./checks";
import { CanaryAcceptance, canaryExpectations, ExpectedCheck } from "./expectations";
import { canaryProbeScript, CanaryProbeOptions } from "./probe";

/** What the canary needs to know about the environment it runs in. */
export interface CanaryPlanArgs extends CanaryProbeOptions {
  /**
   * The environment's controls report (a component's `controls` output, or `pulumi stack output controls --json`):
   * what it promises decides whether a reached check is an error or a warning.
   */
  readonly controls: readonly ControlReport[];
  /**
   * Checks that may be reached here, each with the reason; they are reported as `accepted` and never fail a run.
   * @default []
   */
  readonly accept?: readonly CanaryAcceptance[];
  /**
   * Targets besides the catalogue: the name and address outside the allow-list, positive controls, the API server,
   * the token file, the directory of the write check.
   * @default {}
   */
  readonly checks?: CanaryCheckOptions;
}

/** The canary, planned. */
export interface CanaryPlan {
  /** Every check with its verdict if reached. */
  readonly checks: readonly ExpectedCheck[];
  /** The probe: Python 3 source, standard library only. */
  readonly script: string;
}

const NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

function checkOptions(issues: string[], o: CanaryCheckOptions): void {
  if (o.outsideName !== undefined && (typeof o.outsideName !== "string" || !NAME.test(o.outsideName))) {
    issues.push(`checks.outsideName ${show(o.outsideName)} must be a DNS name such as "example.com".`);
  }
  if (o.outsideAddress !== undefined) {
    if (typeof o.outsideAddress !== "string" || !isIpAddress(o.outsideAddress)) issues.push(`checks.outsideAddress ${show(o.outsideAddress)} must be an IP address such as "1.1.1.1".`);
    else if (carveOutFor(hostCidr(o.outsideAddress)).inside.length > 0) {
      issues.push(`checks.outsideAddress ${show(o.outsideAddress)} is a metadata network, which the catalogue checks already; give an ordinary address outside the allow-list.`);
    }
  }
  if (o.outsidePort !== undefined) checkPort(issues, "checks.outsidePort", o.outsidePort);
  (o.positiveControls ?? []).forEach((p, i) => {
    const path = `checks.positiveControls[${i}]`;
    if ((p.name === undefined) === (p.address === undefined)) issues.push(`${path} must give exactly one of name and address.`);
    if (p.name !== undefined && (typeof p.name !== "string" || !NAME.test(p.name))) issues.push(`${path}.name ${show(p.name)} must be a DNS name.`);
    if (p.address !== undefined && (typeof p.address !== "string" || !isIpAddress(p.address))) issues.push(`${path}.address ${show(p.address)} must be an IP address.`);
    if (p.address !== undefined && p.port === undefined) issues.push(`${path} gives an address without a port; give the port that must accept a connection.`);
    if (p.port !== undefined) checkPort(issues, `${path}.port`, p.port);
  });
  const api = o.kubernetesApi;
  if (api !== undefined && (typeof api.host !== "string" || !(NAME.test(api.host) || isIpAddress(api.host)) || !isWholeNumber(api.port, 1, MAX_PORT))) {
    issues.push(`checks.kubernetesApi ${show(api)} must be { host: <name or address>, port: <1-65535> }.`);
  }
  for (const key of ["tokenPath", "writeDirectory"] as const) {
    const v = o[key];
    if (v !== undefined && (typeof v !== "string" || !v.startsWith("/"))) issues.push(`checks.${key} ${show(v)} must be an absolute path.`);
  }
}

/**
 * Checks, verdicts and probe for one environment.
 *
 * @throws InvalidArgsError listing every problem: a malformed target, an acceptance of a check that does not exist
 * or without a reason, a timeout out of range.
 */
export function planCanary(args: CanaryPlanArgs): CanaryPlan {
  const issues: string[] = [];
  if (!Array.isArray(args.controls)) issues.push(`controls ${show(args.controls)} must be the controls report: a list of { id, family, effective, ... }.`);
  const options = args.checks ?? {};
  checkOptions(issues, options);
  const timeout = args.timeoutSeconds;
  if (timeout !== undefined && !(typeof timeout === "number" && timeout > 0 && timeout <= 60)) {
    issues.push(`timeoutSeconds ${show(timeout)} must be a number of seconds above 0, at most 60.`);
  }
  if (args.environment !== undefined && typeof args.environment !== "string") issues.push(`environment ${show(args.environment)} must be a string.`);
  if (issues.length > 0) throw new InvalidArgsError(issues);
  const checks = canaryChecks(options);
  const ids = new Set(checks.map((c) => c.id));
  (args.accept ?? []).forEach((a, i) => {
    if (!ids.has(a.check)) issues.push(`accept[${i}].check ${show(a.check)} is not a check of this canary; ids look like "dns-outside" or "metadata:169.254.170.2:80".`);
    if (typeof a.reason !== "string" || !/[A-Za-z]{2,}/.test(a.reason)) issues.push(`accept[${i}].reason ${show(a.reason)} must say why reaching ${show(a.check)} is acceptable here.`);
  });
  if (issues.length > 0) throw new InvalidArgsError(issues);
  const expected = canaryExpectations(checks, args.controls, args.accept ?? []);
  return { checks: expected, script: canaryProbeScript(expected, { timeoutSeconds: timeout, environment: args.environment }) };
}
