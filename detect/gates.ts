/**
 * Switches that turn the detector's cheap gates off, for tests only. With `windows` off every character is a
 * candidate (every line is a window); with `readings` off every window is read every way (URL breaks joined, the
 * shell's readings, every regex of findPlain); with `pebble` off every file's templates are rendered and every
 * rendered line read. The differential tests run the detector both ways, which proves the gates only save time.
 *
 * @internal
 */
export const GATES: { windows: boolean; readings: boolean; pebble: boolean } = { windows: true, readings: true, pebble: true };
