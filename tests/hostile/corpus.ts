/**
 * The adversarial corpus: generators for each class of hostile input the CLI must survive (long lines that make
 * a backtracking reader quadratic, huge finding counts, padding past limits, odd encodings, secrets in state).
 * Shared by the hostile-input tests (verdicts) and tests/bench/hostile.bench.ts (cost against plain text).
 */

/** A user-data line of `size` characters that starts like an iptables rule and holds a metadata reference every 19 characters. */
export function hostileFilterLine(size: number): string {
  const unit = "-d 169.254.169.254 ";
  return `iptables -A OUTPUT ${unit.repeat(Math.ceil(size / unit.length))}`.slice(0, size);
}

/** Plain text of `size` characters in lines of about 80, for the same-size baseline. */
export function plainText(size: number): string {
  const line = "echo starting the worker; sleep 1; curl -s https://example.com/health > /dev/null\n";
  return line.repeat(Math.ceil(size / line.length)).slice(0, size);
}
