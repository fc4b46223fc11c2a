import * as assert from "node:assert/strict";
import { kubernetesNamespacePodSecurity as rule } from "../../../../policy/rules/sandbox/namespacePodSecurity";
import type { Finding } from "../../../../policy/rules/types";

const ctx = { config: {} };
const NS = "kubernetes:core/v1:Namespace";
const E = `metadata.labels["pod-security.kubernetes.io/enforce"]`;
const V = `metadata.labels["pod-security.kubernetes.io/enforce-version"]`;
const labels = (l: Record<string, unknown>) => ({ metadata: { name: "jobs", labels: l } });
const versionMessage = (v: string) =>
  `${V} is ${JSON.stringify(v)}; remove it or set it to "latest" (or v1.34 or later): older policy versions enforce a weaker restricted profile, e.g. probe and lifecycle hosts are allowed below v1.34.`;

describe("sandbox-namespace-pod-security", () => {
  const passing: [string, string, Record<string, unknown>][] = [
    ["enforce restricted", NS, labels({ "pod-security.kubernetes.io/enforce": "restricted" })],
    ["enforce restricted at latest, warn and audit baseline", NS, labels({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "latest",
      "pod-security.kubernetes.io/warn": "baseline",
      "pod-security.kubernetes.io/audit": "privileged",
    })],
    ["enforce restricted pinned at v1.34 and at v2.0", NS, labels({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.34" })],
    ["a NamespacePatch that leaves the labels alone", `${NS}Patch`, { metadata: { name: "jobs", annotations: { a: "b" } } }],
  ];
  for (const [what, type, props] of passing) it(`passes ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), []));
  it("accepts a future major version", () => {
    assert.deepStrictEqual(rule.checks[NS](labels({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v2.0" }), ctx), []);
  });

  const failing: [string, string, Record<string, unknown>, Finding[]][] = [
    ["no labels", NS, { metadata: { name: "jobs" } }, [
      { property: E, message: `${E} is not set; set it to "restricted" so that Pod Security Admission rejects pods that break the restricted profile, including pods created at run time.` },
    ]],
    ["enforce baseline (warn restricted does not make up for it)", NS, labels({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
    }), [{ property: E, message: `${E} is "baseline"; set it to "restricted".` }]],
    ["restricted pinned to an old policy version", NS, labels({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "v1.25",
    }), [{ property: V, message: versionMessage("v1.25") }]],
    ["a malformed version", NS, labels({
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/enforce-version": "1.30",
    }), [{ property: V, message: versionMessage("1.30") }]],
    ["a NamespacePatch lowering enforce", `${NS}Patch`, labels({ "pod-security.kubernetes.io/enforce": "privileged" }), [
      { property: E, message: `${E} is "privileged"; set it to "restricted".` },
    ]],
  ];
  for (const [what, type, props, expected] of failing) {
    it(`reports ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), expected));
  }
});
