/**
 * Agreement with Kyverno's published Pod Security and best-practice policies, on Kyverno's own test resources.
 *
 * Each Kyverno policy whose concern one of our Kubernetes rules covers is paired with that rule's body for the same
 * concern (a Pod Security check of `sandbox-pod-security-restricted`, named by its PSA check id, or
 * `metadata-endpoint-kubernetes-host-namespaces`). Every resource its `.kyverno-test/kyverno-test.yaml` gives a
 * verdict for (tests/fixtures/kyverno/, copied verbatim from github.com/kyverno/policies at the commit in
 * tests/fixtures/kyverno/SOURCE.md) is translated to the Pulumi resource the Kubernetes provider would get (type
 * token from apiVersion and kind, the manifest's other fields as its inputs) and judged by our body. A Kyverno
 * `fail` must be our violation, `pass` or `skip` our silence, except where docs/policy-agreement/kubernetes.md lists
 * the resource with why we are deliberately stricter (DIFFERENCES below, the same list): the test fails on any other
 * disagreement, and on a listed difference that no longer differs.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { locatePodSpec } from "../../../policy/rules/kubernetes/podSpec";
import { kubernetesHostNamespaces } from "../../../policy/rules/metadataEndpoint/kubernetesHostNamespaces";
import { POD_SECURITY_CHECKS } from "../../../policy/rules/sandbox/podSecurityRestricted";
import type { Finding } from "../../../policy/rules/types";

const FIXTURES = join(__dirname, "../../fixtures/kyverno");
type Json = Record<string, unknown>;

/** Our findings on one translated resource for one concern. */
type OurCheck = (type: string, props: Json) => readonly Finding[];

/** The body of one Pod Security check of `sandbox-pod-security-restricted`, by PSA check id. */
function pss(id: string): OurCheck {
  const check = POD_SECURITY_CHECKS.find((c) => c.id === id);
  assert.ok(check, `no Pod Security check ${id}`);
  return (type, props) => {
    const pod = locatePodSpec(type, props);
    return pod === undefined ? [] : check.check(pod);
  };
}

const hostNamespaces: OurCheck = (type, props) => kubernetesHostNamespaces.checks[type]?.(props, { config: {} }) ?? [];

/**
 * Where one Kyverno policy has several rules, each judging part of the concern, the part of our findings each rule
 * corresponds to (by the property they name): Kyverno's tests list a resource under one rule only.
 */
const CAPABILITY_RULES: Readonly<Record<string, (f: Finding) => boolean>> = {
  "require-drop-all": (f) => f.property.endsWith(".capabilities.drop"),
  "adding-capabilities-strict": (f) => /\.capabilities\.add(\[\d+\])?$/.test(f.property),
};

/** Kyverno policy (its folder in kyverno/policies) -> our body for the same concern, and which rule holds it. */
const CONCERNS: Readonly<Record<string, { readonly rule: string; readonly ours: OurCheck; readonly byRule?: Readonly<Record<string, (f: Finding) => boolean>> }>> = {
  "pod-security/baseline/disallow-host-namespaces": { rule: "metadata-endpoint-kubernetes-host-namespaces", ours: hostNamespaces },
  "pod-security/baseline/disallow-privileged-containers": { rule: "sandbox-pod-security-restricted (privileged)", ours: pss("privileged") },
  "pod-security/baseline/disallow-capabilities": { rule: "sandbox-pod-security-restricted (capabilities_restricted)", ours: pss("capabilities_restricted") },
  "pod-security/restricted/disallow-capabilities-strict": { rule: "sandbox-pod-security-restricted (capabilities_restricted)", ours: pss("capabilities_restricted"), byRule: CAPABILITY_RULES },
  "best-practices/require-drop-all": { rule: "sandbox-pod-security-restricted (capabilities_restricted)", ours: pss("capabilities_restricted"), byRule: CAPABILITY_RULES },
  "pod-security/baseline/disallow-host-path": { rule: "sandbox-pod-security-restricted (restrictedVolumes)", ours: pss("restrictedVolumes") },
  "pod-security/restricted/restrict-volume-types": { rule: "sandbox-pod-security-restricted (restrictedVolumes)", ours: pss("restrictedVolumes") },
  "best-practices/disallow-cri-sock-mount": { rule: "sandbox-pod-security-restricted (restrictedVolumes)", ours: pss("restrictedVolumes") },
  "pod-security/baseline/disallow-host-ports": { rule: "sandbox-pod-security-restricted (hostPorts)", ours: pss("hostPorts") },
  "pod-security/baseline/disallow-host-ports-range": { rule: "sandbox-pod-security-restricted (hostPorts)", ours: pss("hostPorts") },
  "pod-security/baseline/disallow-host-process": { rule: "sandbox-pod-security-restricted (windowsHostProcess)", ours: pss("windowsHostProcess") },
  "pod-security/baseline/disallow-proc-mount": { rule: "sandbox-pod-security-restricted (procMount_restricted)", ours: pss("procMount_restricted") },
  "pod-security/baseline/disallow-selinux": { rule: "sandbox-pod-security-restricted (seLinuxOptions)", ours: pss("seLinuxOptions") },
  "pod-security/baseline/restrict-apparmor-profiles": { rule: "sandbox-pod-security-restricted (appArmorProfile)", ours: pss("appArmorProfile") },
  "pod-security/baseline/restrict-seccomp": { rule: "sandbox-pod-security-restricted (seccompProfile_restricted)", ours: pss("seccompProfile_restricted") },
  "pod-security/restricted/restrict-seccomp-strict": { rule: "sandbox-pod-security-restricted (seccompProfile_restricted)", ours: pss("seccompProfile_restricted") },
  "pod-security/baseline/restrict-sysctls": { rule: "sandbox-pod-security-restricted (sysctls)", ours: pss("sysctls") },
  "pod-security/restricted/disallow-privilege-escalation": { rule: "sandbox-pod-security-restricted (allowPrivilegeEscalation)", ours: pss("allowPrivilegeEscalation") },
  "pod-security/restricted/require-run-as-nonroot": { rule: "sandbox-pod-security-restricted (runAsNonRoot)", ours: pss("runAsNonRoot") },
  "pod-security/restricted/require-run-as-non-root-user": { rule: "sandbox-pod-security-restricted (runAsUser)", ours: pss("runAsUser") },
};

function differences(policy: string, why: string, resources: readonly string[]): Record<string, string> {
  return Object.fromEntries(resources.map((r) => [`${policy} ${r}`, why]));
}
const BASELINE_CAPABILITIES =
  "We apply the restricted profile (`capabilities_restricted`): every container drops ALL and adds nothing but NET_BIND_SERVICE. Kyverno's baseline policy admits the baseline capability set (CHOWN, SETGID, ...) and containers that drop nothing; a workload process with those capabilities is what the restricted profile exists to prevent.";
const HOST_PORT_RANGE =
  "We forbid every hostPort (PSS baseline `hostPorts`): a host port binds the node's own address. Kyverno's variant admits a configured range (5000-6000).";
const SECCOMP_UNSET =
  "We apply restricted `seccompProfile_restricted`: a pod must set RuntimeDefault or Localhost (pod-level or on every container). Kyverno's baseline policy admits an absent profile, which runs Unconfined on most runtimes.";
const ANY_HOST_PATH =
  "We forbid every hostPath volume (restricted `restrictedVolumes`), not only the container runtime's socket: any host path can expose node credentials (kubelet's kubeconfig, cloud credentials on disk).";

/**
 * Where we deliberately disagree, by `<policy folder> <Kind>/<name>`, each with why: in every case Kyverno's policy
 * admits what our restricted profile refuses. The same keys, with the same reasons, are in
 * docs/policy-agreement/kubernetes.md.
 */
export const DIFFERENCES: Readonly<Record<string, string>> = {
  ...differences("pod-security/baseline/disallow-capabilities", BASELINE_CAPABILITIES, ["CronJob/goodcronjob01", "CronJob/goodcronjob02", "CronJob/goodcronjob03", "CronJob/goodcronjob04", "CronJob/goodcronjob05", "CronJob/goodcronjob06", "Deployment/gooddeployment01", "Deployment/gooddeployment02", "Deployment/gooddeployment03", "Deployment/gooddeployment04", "Deployment/gooddeployment05", "Deployment/gooddeployment06", "Pod/goodpod01", "Pod/goodpod02", "Pod/goodpod03", "Pod/goodpod04", "Pod/goodpod05", "Pod/goodpod06"]),
  ...differences("pod-security/baseline/disallow-host-ports-range", HOST_PORT_RANGE, ["CronJob/goodcronjob02", "CronJob/goodcronjob03", "CronJob/goodcronjob05", "CronJob/goodcronjob06", "CronJob/goodcronjob08", "CronJob/goodcronjob09", "CronJob/goodcronjob10", "Deployment/gooddeployment02", "Deployment/gooddeployment03", "Deployment/gooddeployment05", "Deployment/gooddeployment06", "Deployment/gooddeployment08", "Deployment/gooddeployment09", "Deployment/gooddeployment10", "Pod/goodpod02", "Pod/goodpod03", "Pod/goodpod05", "Pod/goodpod06", "Pod/goodpod08", "Pod/goodpod09", "Pod/goodpod10"]),
  ...differences("pod-security/baseline/restrict-seccomp", SECCOMP_UNSET, ["CronJob/goodcronjob01", "CronJob/goodcronjob06", "CronJob/goodcronjob08", "CronJob/goodcronjob09", "CronJob/goodcronjob10", "CronJob/goodcronjob11", "Deployment/gooddeployment01", "Deployment/gooddeployment06", "Deployment/gooddeployment08", "Deployment/gooddeployment09", "Deployment/gooddeployment10", "Deployment/gooddeployment11", "Pod/goodpod01", "Pod/goodpod06", "Pod/goodpod08", "Pod/goodpod09", "Pod/goodpod10", "Pod/goodpod11"]),
  ...differences("best-practices/disallow-cri-sock-mount", ANY_HOST_PATH, ["Pod/goodpod01"]),
};

/** The Pulumi type token the Kubernetes provider gives a manifest's apiVersion and kind. */
function typeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

interface Verdict {
  readonly key: string;
  readonly kyverno: "fail" | "pass";
  readonly ours: "fail" | "pass";
}

function verdictsOf(policy: string): Verdict[] {
  const dir = join(FIXTURES, policy);
  const test = parseAllDocuments(readFileSync(join(dir, "kyverno-test.yaml"), "utf8"))[0].toJS() as { results: { kind: string; resources: string[]; result: string; rule: string }[] };
  const manifests = parseAllDocuments(readFileSync(join(dir, "resource.yaml"), "utf8"))
    .map((d) => d.toJS() as Json | null)
    .filter((m): m is Json => m !== null && typeof m === "object" && typeof m.kind === "string");
  const concern = CONCERNS[policy];
  // Kyverno's verdict per resource (per resource and rule, where the concern is split by rule): fail when any of the
  // listed rules fails it; `skip` (no rule applies) admits it.
  const kyverno = new Map<string, { verdict: "fail" | "pass"; kind: string; name: string; rule?: string }>();
  for (const r of test.results) {
    const rule = concern.byRule ? r.rule : undefined;
    assert.ok(rule === undefined || concern.byRule?.[rule], `${policy}: Kyverno rule ${r.rule} has no part of our findings assigned`);
    for (const listed of r.resources) {
      const name = listed.split("/").pop() as string;
      const key = `${r.kind}/${name}${rule ? ` (${rule})` : ""}`;
      const seen = kyverno.get(key);
      kyverno.set(key, { verdict: r.result === "fail" || seen?.verdict === "fail" ? "fail" : "pass", kind: r.kind, name, rule });
    }
  }
  return [...kyverno].map(([key, { verdict, kind, name, rule }]) => {
    const manifest = manifests.find((m) => m.kind === kind && (m.metadata as Json | undefined)?.name === name);
    assert.ok(manifest, `${policy}: ${key} has a verdict but no manifest in resource.yaml`);
    const { apiVersion, kind: _kind, ...props } = manifest;
    void _kind;
    const findings = concern.ours(typeToken(String(apiVersion), kind), props).filter((f) => rule === undefined || concern.byRule?.[rule](f));
    return { key: `${policy} ${key}`, kyverno: verdict, ours: findings.length > 0 ? "fail" : "pass" };
  });
}

describe("agreement with Kyverno's pod-security and best-practice policies on their own test resources", () => {
  for (const policy of Object.keys(CONCERNS)) {
    it(`${policy} <-> ${CONCERNS[policy].rule}`, () => {
      const verdicts = verdictsOf(policy);
      assert.ok(verdicts.length > 0, `${policy} has no verdicts`);
      const unexplained = verdicts.filter((v) => v.kyverno !== v.ours && DIFFERENCES[v.key] === undefined).map((v) => `${v.key}: Kyverno ${v.kyverno}, ours ${v.ours}`);
      assert.deepEqual(unexplained, [], "disagreements not listed in DIFFERENCES (docs/policy-agreement/kubernetes.md)");
      const stale = verdicts.filter((v) => v.kyverno === v.ours && DIFFERENCES[v.key] !== undefined).map((v) => v.key);
      assert.deepEqual(stale, [], "listed differences that agree now: remove them from DIFFERENCES and the doc");
    });
  }

  it("lists the same differences in docs/policy-agreement/kubernetes.md, and reports the agreement", () => {
    const doc = readFileSync(join(__dirname, "../../../docs/policy-agreement/kubernetes.md"), "utf8");
    for (const [key, why] of Object.entries(DIFFERENCES)) assert.ok(doc.includes(`\`${key}\``) && doc.includes(why), `the doc lists ${key} with its reason`);
    const all = Object.keys(CONCERNS).flatMap(verdictsOf);
    const agree = all.filter((v) => v.kyverno === v.ours).length;
    const percent = ((100 * agree) / all.length).toFixed(1);
    assert.ok(doc.includes(`${agree} of ${all.length} verdicts (${percent}%)`), `the doc states the agreement: ${agree} of ${all.length} verdicts (${percent}%)`);
  });
});
