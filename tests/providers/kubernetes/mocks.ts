/** What the Kubernetes component tests under mocks share: the type tokens they look for, finders, and a refusal runner. */
import * as assert from "node:assert/strict";
import type { ResourceInput } from "../../../policy/rules/types";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";

export const T = {
  namespace: "kubernetes:core/v1:Namespace",
  netpol: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  cnp: "kubernetes:cilium.io/v2:CiliumNetworkPolicy",
  sa: "kubernetes:core/v1:ServiceAccount",
  runtimeClass: "kubernetes:node.k8s.io/v1:RuntimeClass",
  deployment: "kubernetes:apps/v1:Deployment",
  roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
} as const;

export type Obj = Record<string, unknown>;
export const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
export const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
};
/** The recorded resources as the policy pack's audit reads them. */
export const asInputs = (resources: RecordedResource[]): ResourceInput[] =>
  resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }));

/** Runs a program that is expected to throw while constructing; returns the error and what got registered. */
export async function refused(program: () => unknown): Promise<{ error: Error; resources: RecordedResource[] }> {
  const run = await runUnderMocks(() => {
    try {
      program();
    } catch (e) {
      return e as Error;
    }
    return undefined;
  });
  assert.ok(run.result instanceof Error, "expected construction to throw");
  return { error: run.result, resources: run.resources };
}

/** A KestraWorker's required arguments. */
export const WORKER_ARGS = {
  image: "kestra/kestra:v1.1.6",
  configurationSecretName: "kestra-configuration",
  backendEgress: [{ namespace: "kestra", ports: [5432] }],
};
