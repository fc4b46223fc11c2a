/**
 * The validation toolkit every planner, component, the root program and the CLI share: the issues collector and
 * the typed error it throws, the checks (objects, whole numbers, ports, min/max pairs, networks, enums, unknown
 * fields with did-you-mean) and the one way a value is printed in a message.
 */
export { Issues, InvalidArgsError, issueLine, throwIfIssues } from "./issues";
export type { Issue, IssueSink, InvalidArgsErrorOptions } from "./issues";
export { REDACTED, show } from "./show";
export type { ShowOptions } from "./show";
export { MAX_PORT, checkCidr, checkMinMax, checkPort, checkWholeNumber, isRecord, isWholeNumber, report, reportField, wholeNumberFix, wholeNumberOr } from "./checks";
export type { RangeEnd, WholeNumberOptions } from "./checks";
export { checkEnum, checkFields, closestMatch, editDistance, suggestion } from "./suggest";
export type { EnumOptions, FieldsOptions } from "./suggest";
