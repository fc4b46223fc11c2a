/**
 * The canary: a probe that runs where the untrusted code runs and reports every control that does not hold.
 * checks.ts (what it tries, from the catalogue), expectations.ts (what the controls report promises), probe.ts (the
 * Python script), plan.ts (all three, validated), flow.ts (a ready-made Kestra flow).
 */
export * from "./checks";
export * from "./expectations";
export * from "./probe";
export * from "./plan";
export * from "./flow";
