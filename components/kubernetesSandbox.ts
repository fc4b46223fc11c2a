/**
 * How a Kubernetes namespace asks for the sandbox RuntimeClass, shared by the component that writes it
 * (providers/kubernetes/workerNamespacePlan.ts, `hardening.sandbox: runtime`) and the pack rule that reads it
 * (policy/rules/sandbox/runtimeClass.ts). Annotations, not labels: a RuntimeClass name may be up to 253 characters
 * and a list needs commas, while a label value is at most 63 characters of `[A-Za-z0-9_.-]`.
 */

/** Namespace annotation naming the RuntimeClass every pod in the namespace must set. */
export const SANDBOX_RUNTIME_CLASS_ANNOTATION = "hardening.pulumi.io/sandbox-runtime-class";

/**
 * Namespace annotation listing, comma-separated, the ServiceAccounts of trusted controller-managed workloads
 * (Deployment, StatefulSet) that run without the RuntimeClass: the admission policy's `unsandboxed` trusted
 * workloads, such as the Kestra worker that only launches task pods.
 */
export const SANDBOX_TRUSTED_ANNOTATION = "hardening.pulumi.io/sandbox-trusted-service-accounts";

/**
 * Namespace annotation holding why the namespace has no admission policy for run-time pods
 * (`admission: { create: false, reason }`, e.g. Kestra's process runner, which creates no pods). The pack's
 * `sandbox-kubernetes-worker-admission` rule then no longer treats the worker-namespace label as a sign of run-time
 * pods; a Role in the stack that grants pod creation there still does.
 */
export const NO_RUN_TIME_PODS_ANNOTATION = "hardening.pulumi.io/no-run-time-pods";
