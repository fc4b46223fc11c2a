/**
 * The canary: a probe that runs where the untrusted code runs and reports every control that does not hold.
 * checks.ts (what it tries, from the catalogue), expectations.ts (what the controls report promises), probe.ts (the
 * Python script), plan.ts (all three, validated), flow.ts (a ready-made Kestra flow).
 */
export { CREDENTIAL_REQUESTS, KUBERNETES_TOKEN_PATH, canaryChecks, ipv4Spellings, wildcardNames } from "./checks";
export type { CanaryApiServer, CanaryCheck, CanaryCheckKind, CanaryCheckOptions, CanaryHttpRequest, CanaryPositiveControl } from "./checks";
export { canaryExpectations } from "./expectations";
export type { CanaryAcceptance, CanarySeverity, ExpectedCheck } from "./expectations";
export { CANARY_EXIT, CANARY_REPORT_VERSION, PROBE_IGNORE_REASON, canaryProbeScript } from "./probe";
export type { CanaryProbeOptions } from "./probe";
export { planCanary } from "./plan";
export type { CanaryPlan, CanaryPlanArgs } from "./plan";
export { KESTRA_PYTHON_SCRIPT, KESTRA_SCHEDULE, kestraCanaryFlow } from "./flow";
export type { KestraCanaryFlowArgs } from "./flow";
