import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { codeMetadataReference } from "../../../../policy/rules/metadataEndpoint/codeReference";
import { kubernetesHostNamespaces } from "../../../../policy/rules/metadataEndpoint/kubernetesHostNamespaces";
import { kubernetesNamespaceMetadataEgress } from "../../../../policy/rules/network/kubernetesMetadataEgress";
import { kubernetesNamespacePodSecurity } from "../../../../policy/rules/sandbox/namespacePodSecurity";
import { kubernetesPodSecurityRestricted } from "../../../../policy/rules/sandbox/podSecurityRestricted";
import { kubernetesServiceAccountToken, kubernetesServiceAccountTokenInherited } from "../../../../policy/rules/sandbox/serviceAccountToken";
import { guardUnknowns, PreviewUnknownError, tryKnown } from "../../../../policy/rules/kubernetes/unknown";
import { checkDeclared } from "../helpers";
import type { Finding, ResourceInput } from "../../../../policy/rules/types";

// The engine's placeholders for values not known during preview (policy/rules/values.ts), as the pack hands them
// to rules in raw props.
const UNKNOWN_BOOL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7";
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";
const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";
const ctx = { config: {} };
const unknown = (property: string): Finding => ({
  property,
  message: `${property} is not known during preview; it is checked again when the value is known.`,
  indeterminate: true,
});
const good = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } };
const podSc = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

describe("values unknown during preview (raw props with the engine's placeholders)", () => {
  it("guardUnknowns throws with the full path, and reads known values as they are", () => {
    const g = guardUnknowns({ spec: { containers: [{ name: "a", securityContext: UNKNOWN_OBJECT }], n: 1 } });
    assert.equal(g.spec.n, 1);
    assert.ok(Array.isArray(g.spec.containers));
    assert.equal(g.spec.containers[0].name, "a");
    assert.deepStrictEqual(tryKnown(() => g.spec.containers[0].securityContext), { known: false, path: "spec.containers[0].securityContext" });
    assert.throws(() => guardUnknowns(UNKNOWN_STRING), PreviewUnknownError);
  });

  it("host namespaces: an unknown hostNetwork is indeterminate, a known hostPID still judged", () => {
    const findings = kubernetesHostNamespaces.checks["kubernetes:core/v1:Pod"]({ spec: { hostNetwork: UNKNOWN_BOOL, hostPID: true } }, ctx);
    assert.deepStrictEqual(findings.map((f) => [f.property, f.indeterminate ?? false]), [["spec.hostNetwork", true], ["spec.hostPID", false]]);
  });

  it("PSS: an unknown container security context is named once; nothing is reported as missing", () => {
    const props = { spec: { securityContext: podSc, containers: [{ name: "a", securityContext: UNKNOWN_OBJECT }] } };
    assert.deepStrictEqual(kubernetesPodSecurityRestricted.checks["kubernetes:core/v1:Pod"](props, ctx), [unknown("spec.containers[0].securityContext")]);
  });

  it("PSS: an unknown pod template is one indeterminate finding; known checks keep judging beside an unknown field", () => {
    const rule = kubernetesPodSecurityRestricted.checks["kubernetes:apps/v1:Deployment"];
    assert.deepStrictEqual(rule({ spec: { template: UNKNOWN_OBJECT } }, ctx), [unknown("spec.template")]);
    const props = { spec: { template: { spec: { securityContext: podSc, volumes: UNKNOWN_ARRAY, containers: [{ name: "a", securityContext: { ...good, privileged: true } }] } } } };
    assert.deepStrictEqual(rule(props, ctx), [
      {
        property: "spec.template.spec.containers[0].securityContext.privileged",
        message: "spec.template.spec.containers[0].securityContext.privileged is true; remove it or set it to false: a privileged container has every capability and the node's devices.",
      },
      unknown("spec.template.spec.volumes"),
    ]);
  });

  it("remediation waits while anything is unknown (it would copy the placeholders)", () => {
    const props = { spec: { template: { spec: { containers: [{ name: "a", image: UNKNOWN_STRING }] } } } };
    assert.equal(kubernetesPodSecurityRestricted.remediations!["kubernetes:apps/v1:Deployment"](props, ctx), undefined);
    assert.equal(kubernetesServiceAccountToken.remediations!["kubernetes:apps/v1:Deployment"](props, ctx), undefined);
    assert.equal(kubernetesServiceAccountToken.remediations!["kubernetes:core/v1:ServiceAccount"]({ metadata: { name: UNKNOWN_STRING } }, ctx), undefined);
  });

  it("service account and namespace rules: unknown values are indeterminate", () => {
    assert.deepStrictEqual(kubernetesServiceAccountToken.checks["kubernetes:core/v1:ServiceAccount"]({ automountServiceAccountToken: UNKNOWN_BOOL }, ctx), [unknown("automountServiceAccountToken")]);
    assert.deepStrictEqual(kubernetesServiceAccountToken.checks["kubernetes:batch/v1:Job"]({ spec: { template: { spec: { automountServiceAccountToken: UNKNOWN_BOOL } } } }, ctx), [unknown("spec.template.spec.automountServiceAccountToken")]);
    assert.deepStrictEqual(kubernetesNamespacePodSecurity.checks["kubernetes:core/v1:Namespace"]({ metadata: { labels: UNKNOWN_OBJECT } }, ctx), [unknown("metadata.labels")]);
  });

  it("code: an unknown script is indeterminate and the known values beside it are still scanned", () => {
    assert.deepStrictEqual(codeMetadataReference.checks["aws:ec2/launchTemplate:LaunchTemplate"]({ userData: UNKNOWN_STRING }, ctx), [unknown("userData")]);
    const findings = codeMetadataReference.checks["kubernetes:core/v1:ConfigMap"]({ data: { a: UNKNOWN_STRING, b: "curl http://169.254.169.254/" } }, ctx);
    assert.deepStrictEqual(findings.map((f) => [f.property, f.indeterminate ?? false]), [[`data["a"]`, true], [`data["b"]`, false]]);
    const pod = codeMetadataReference.checks["kubernetes:core/v1:Pod"]({ spec: { containers: [{ name: "a", args: ["ok", UNKNOWN_STRING] }] } }, ctx);
    assert.deepStrictEqual(pod, [unknown("spec.containers[0].args[1]")]);
  });

  describe("stack rules", () => {
    const res = (type: string, name: string, props: Record<string, unknown>): ResourceInput => ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props });
    const deploy = (name: string, metadata: Record<string, unknown>, pod: Record<string, unknown> = {}) =>
      res("kubernetes:apps/v1:Deployment", name, { metadata, spec: { template: { spec: pod } } });
    const denyAll = res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "deny", { metadata: { namespace: "jobs" }, spec: { podSelector: {}, policyTypes: ["Egress"] } });

    it("metadata egress: a workload whose namespace is unknown is set aside with an indeterminate finding", () => {
      const u = deploy("u", { namespace: UNKNOWN_STRING });
      assert.deepStrictEqual(checkDeclared(kubernetesNamespaceMetadataEgress, [u, deploy("w", { namespace: "jobs" }), denyAll], ctx), [
        {
          urn: u.urn,
          type: u.type,
          property: "metadata.namespace",
          message: "metadata.namespace is not known during preview, so whether its namespace isolates it from the metadata networks is checked when the stack is updated.",
          indeterminate: true,
        },
      ]);
    });
    it("metadata egress: an unknown policy leaves its namespace unjudged (it may be the isolating one)", () => {
      const p = res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "p", { metadata: { namespace: "jobs" }, spec: { podSelector: {}, egress: UNKNOWN_ARRAY } });
      const found = checkDeclared(kubernetesNamespaceMetadataEgress, [deploy("w", { namespace: "jobs" }), p], ctx);
      assert.deepStrictEqual(found.map((f) => [f.urn, f.property, f.indeterminate]), [[p.urn, "spec.egress", true]]);
    });
    it("metadata egress: the SDK's own proxy (UnknownValueError) is handled the same way", () => {
      const u = { ...deploy("u", {}), props: unknownCheckingProxy({ metadata: { namespace: UNKNOWN_STRING }, spec: {} }) };
      const found = checkDeclared(kubernetesNamespaceMetadataEgress, [u, deploy("w", { namespace: "jobs" }), denyAll], ctx);
      assert.deepStrictEqual(found.map((f) => [f.urn, f.property, f.indeterminate]), [[u.urn, "metadata.namespace", true]]);
    });
    it("inherited token: a pod whose account name is unknown is indeterminate", () => {
      const d = deploy("a", {}, { serviceAccountName: UNKNOWN_STRING });
      assert.deepStrictEqual(checkDeclared(kubernetesServiceAccountTokenInherited, [d], ctx), [
        {
          urn: d.urn,
          type: d.type,
          property: "spec.template.spec.serviceAccountName",
          message: "spec.template.spec.serviceAccountName is not known during preview, so whether this pod gets a service-account token is checked when the stack is updated.",
          indeterminate: true,
        },
      ]);
    });
  });
});
