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

/** Pulumi's wire signature of a secret value, as `pulumi stack export --show-secrets` writes it. */
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A secret as a `--show-secrets` export holds it: the JSON encoding of the value as plaintext. */
export const shownSecret = (value: string) => ({ [SIG]: SECRET_SIG, plaintext: JSON.stringify(value) });

/**
 * A stack export where each secret is held as a secret (a Kubernetes Secret's data) and also appears unmarked where
 * rules quote values: inside a long httpTokens value that a message truncates mid-secret, next to a metadata
 * reference in user data, and in a tag. Every resource yields a violation, so every format has messages to leak into.
 */
export function exportWithSecrets(secrets: readonly string[], stack = "prod"): unknown {
  const urn = (type: string, name: string) => `urn:pulumi:${stack}::kestra::${type}::${name}`;
  const resources: unknown[] = [{ urn: urn("pulumi:pulumi:Stack", `kestra-${stack}`), custom: false, type: "pulumi:pulumi:Stack" }];
  secrets.forEach((secret, i) => {
    resources.push({
      urn: urn("kubernetes:core/v1:Secret", `creds-${i}`), custom: true, type: "kubernetes:core/v1:Secret",
      inputs: { stringData: { token: shownSecret(secret) } },
    });
    resources.push({
      urn: urn("aws:ec2/launchTemplate:LaunchTemplate", `lt-${i}`), custom: true, type: "aws:ec2/launchTemplate:LaunchTemplate",
      inputs: {
        // show() cuts a value at 197 characters: the secret straddles the cut.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: `${"o".repeat(197 - Math.floor(secret.length / 2))}${secret}` },
        userData: `#!/bin/sh\ncurl -H "X-Token: ${secret}" http://169.254.169.254/latest/meta-data/${secret}\n`,
        tags: { Owner: secret },
      },
    });
  });
  return { version: 3, deployment: { manifest: { time: "2026-11-01T00:00:00Z", magic: "", version: "v3.200.0" }, resources } };
}

/** Every substring of `secret` of `n` characters that appears in `text`. */
export function leakedPieces(text: string, secret: string, n = 6): string[] {
  const leaks: string[] = [];
  for (let i = 0; i + n <= secret.length; i++) if (text.includes(secret.slice(i, i + n))) leaks.push(secret.slice(i, i + n));
  return leaks;
}

/**
 * Inputs shaped to make a backtracking reader of the detector slow: a run after a quote kept in one window by soft
 * hyphens or `%20`, many quotes each followed by such a run, and a line of one reference after another. Each is
 * `size` characters long.
 */
export function adversarialDetectorInputs(size: number): Record<string, string> {
  const fill = (unit: string, head = "", tail = "") => `${head}${unit.repeat(Math.ceil(size / unit.length))}`.slice(0, size - tail.length) + tail;
  return {
    "quote, then spaces and soft hyphens": fill(" \u00ad", 'x = "169.254" + "'),
    "quote, then spaces and %20": fill(" %20", 'x = "169.254" "'),
    "quotes each before a padded run": fill('" \u00ad \u00ad %20 ', "169.254.169.254 "),
    "one long line of references": fill("169.254.169.254 "),
    "iptables-shaped line of references": hostileFilterLine(size),
  };
}

/** Ordinary text of `size` characters with a metadata reference on every line: the baseline for reference-dense input. */
export function referencedText(size: number): string {
  const line = "curl -s http://169.254.169.254/latest/meta-data/ > /tmp/m\n";
  return line.repeat(Math.ceil(size / line.length)).slice(0, size);
}
