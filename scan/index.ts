/**
 * The flow scanner behind `hardening scan`: walks files, runs the endpoint detector over raw text, checks Kestra
 * plugin types against a plugin-control config, applies explicit exceptions, and renders text, JSON or SARIF.
 * Imports no cloud SDK.
 */
export * from "./rules";
export * from "./types";
export * from "./config";
export * from "./aliases";
export * from "./pluginControl";
export * from "./runnerEscapes";
export * from "./flow";
export * from "./suppress";
export * from "./walk";
export * from "./decode";
export * from "./lines";
export * from "./scanner";
export * from "./detector";
