/**
 * Pods where the stack asks for the sandbox run under its RuntimeClass (gVisor, Kata): Pod Security Admission never
 * looks at `runtimeClassName`, so without this a pod in a sandboxed namespace runs untrusted code on the node's
 * kernel, one kernel bug away from the host and its credentials.
 *
 * How a stack asks, for a namespace:
 * - its Namespace (in the stack) carries the annotation `hardening.pulumi.io/sandbox-runtime-class: <name>`, which
 *   KubernetesWorkerNamespace writes with `hardening.sandbox: runtime` (components/kubernetesSandbox.ts); the
 *   annotation `hardening.pulumi.io/sandbox-trusted-service-accounts` on the same Namespace lists the ServiceAccounts
 *   of trusted controller-managed workloads that run without it (the admission policy's `unsandboxed` trusted
 *   workloads: the Kestra worker, which only launches task pods). The annotation is the namespace owner's, never the
 *   pod's, so a workload cannot exempt itself;
 * - or the rule's options name the class and the namespaces (`runtimeClassName`, `namespaces`), for an org-wide pack
 *   judging stacks that deploy into namespaces another stack created.
 *
 * A pod of a trusted ServiceAccount passes only as a Deployment or StatefulSet (what the admission policy trusts:
 * pods its controllers create), never as a bare Pod, Job or CronJob. `*Patch` kinds are judged only on a
 * `runtimeClassName` they set. Values unknown during preview give an `indeterminate` finding.
 */
import { stringOption } from "../../config";
import { SANDBOX_RUNTIME_CLASS_ANNOTATION, SANDBOX_TRUSTED_ANNOTATION } from "../../../components/kubernetesSandbox";
import type { CheckContext, ResourceInput, StackFinding, StackRule } from "../types";
import { asRecord, dig, locatePodSpec, namespaceOf, POD_SPEC_LOCATIONS, POD_SPEC_TYPES } from "../kubernetes/podSpec";
import { guardUnknowns, tryKnown } from "../kubernetes/unknown";
import { show } from "../values";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const CONTROLLER_KINDS = /:(Deployment|StatefulSet)$/;

/** Why a namespace must run pods under a RuntimeClass. */
interface Ask {
  readonly runtimeClass: string;
  /** Where the ask comes from, for the message. */
  readonly source: string;
  readonly trusted: readonly string[];
}

function asks(resources: readonly ResourceInput[], ctx: CheckContext, findings: StackFinding[]): Map<string, Ask> {
  const byNamespace = new Map<string, Ask>();
  const optionClass = ctx.config.runtimeClassName;
  if (typeof optionClass === "string" && optionClass !== "") {
    for (const namespace of stringOption(ctx.config, "namespaces")) {
      byNamespace.set(namespace, { runtimeClass: optionClass, source: "the rule's namespaces option", trusted: [] });
    }
  }
  for (const r of resources) {
    if (r.type !== NAMESPACE) continue;
    const read = tryKnown(() => {
      const metadata = asRecord(dig(guardUnknowns(r.props), ["metadata"])) ?? {};
      const annotations = asRecord(metadata.annotations) ?? {};
      return { name: metadata.name, runtimeClass: annotations[SANDBOX_RUNTIME_CLASS_ANNOTATION], trusted: annotations[SANDBOX_TRUSTED_ANNOTATION] };
    });
    if (!read.known) {
      findings.push({
        urn: r.urn,
        type: r.type,
        property: read.path,
        message: `${read.path} is not known during preview, so whether this namespace asks for the sandbox RuntimeClass is checked when the stack is updated.`,
        indeterminate: true,
      });
      continue;
    }
    const { name, runtimeClass, trusted } = read.value;
    if (typeof name !== "string" || typeof runtimeClass !== "string" || runtimeClass === "") continue;
    // The rule's option, where it names the namespace, is the organisation's word and is kept.
    if (byNamespace.has(name)) continue;
    byNamespace.set(name, {
      runtimeClass,
      source: `its Namespace's annotation ${SANDBOX_RUNTIME_CLASS_ANNOTATION}`,
      trusted: typeof trusted === "string" ? trusted.split(",").map((s) => s.trim()).filter((s) => s !== "") : [],
    });
  }
  return byNamespace;
}

/** True when the resource names its namespace (metadata.namespace, a non-empty string). */
function hasNamespace(props: Readonly<Record<string, unknown>>): boolean {
  const meta = props.metadata;
  const ns = typeof meta === "object" && meta !== null ? (meta as Record<string, unknown>).namespace : undefined;
  return typeof ns === "string" && ns !== "";
}

function checkRuntimeClass(resources: readonly ResourceInput[], ctx: CheckContext): StackFinding[] {
  const findings: StackFinding[] = [];
  const wanted = asks(resources, ctx, findings);
  if (wanted.size === 0) return findings;
  for (const r of resources) {
    const location = POD_SPEC_LOCATIONS[r.type];
    if (!location) continue;
    const read = tryKnown(() => {
      const props = guardUnknowns(r.props);
      const pod = locatePodSpec(r.type, props);
      const spec = pod?.spec ?? {};
      return { namespace: namespaceOf(props), runtimeClass: spec.runtimeClassName, serviceAccount: spec.serviceAccountName, path: pod?.path ?? "spec" };
    });
    if (!read.known) {
      findings.push({
        urn: r.urn,
        type: r.type,
        property: read.path,
        message: `${read.path} is not known during preview, so whether this pod runs under the sandbox RuntimeClass is checked when the stack is updated.`,
        indeterminate: true,
      });
      continue;
    }
    const { namespace, runtimeClass, serviceAccount, path } = read.value;
    if (!hasNamespace(r.props) && !wanted.has(namespace) && ![...wanted.values()].some((w) => w.runtimeClass === runtimeClass)) {
      // Where a pod without metadata.namespace lands is the provider's default namespace, which the stack does not
      // show: it may be one that asks for the sandbox. Said at advisory level, not passed in silence.
      findings.push({
        urn: r.urn,
        type: r.type,
        property: "metadata.namespace",
        message: `metadata.namespace is not set, so the Kubernetes provider's default namespace decides where this workload runs, and ${[...wanted.keys()].map((n) => JSON.stringify(n)).join(", ")} ask for the sandbox RuntimeClass: set metadata.namespace, or ${path}.runtimeClassName to the sandbox class.`,
        indeterminate: true,
      });
      continue;
    }
    const ask = wanted.get(namespace);
    if (!ask || runtimeClass === ask.runtimeClass) continue;
    if (location.patch && (runtimeClass === undefined || runtimeClass === null)) continue;
    if (typeof serviceAccount === "string" && ask.trusted.includes(serviceAccount) && CONTROLLER_KINDS.test(r.type)) continue;
    const property = `${path}.runtimeClassName`;
    const seen = runtimeClass === undefined || runtimeClass === null ? "not set" : show(runtimeClass);
    findings.push({
      urn: r.urn,
      type: r.type,
      property,
      message: `${property} is ${seen}; set it to ${JSON.stringify(ask.runtimeClass)}: namespace "${namespace}" asks for the sandbox RuntimeClass (${ask.source}), and a pod outside the sandbox runs untrusted code on the node's own kernel.`,
    });
  }
  return findings;
}

/**
 * `sandbox-kubernetes-runtime-class`: in a passing stack, every pod and pod template in a namespace that asks for
 * the sandbox RuntimeClass sets it, trusted controller-managed workloads the namespace lists excepted.
 */
export const kubernetesRuntimeClass: StackRule = {
  id: "sandbox-kubernetes-runtime-class",
  description:
    "Pods and workloads in a namespace that asks for the sandbox RuntimeClass (its Namespace's annotation, or the rule's options) set that runtimeClassName.",
  enforcementLevel: "mandatory",
  family: "sandbox",
  docs: `Pods and every workload kind in a namespace whose Namespace carries \`${SANDBOX_RUNTIME_CLASS_ANNOTATION}\` (KubernetesWorkerNamespace with \`sandbox: runtime\`), or that the options list: \`runtimeClassName\` is that class; Deployments and StatefulSets of a ServiceAccount listed in \`${SANDBOX_TRUSTED_ANNOTATION}\` excepted. A workload with no \`metadata.namespace\` gets an advisory finding while any namespace asks: the provider's default namespace, which the stack does not show, decides where it runs.`,
  options: {
    runtimeClassName: {
      type: "string",
      default: "",
      description: "The sandbox RuntimeClass pods in `namespaces` must set (e.g. \"gvisor\"); empty: only Namespace annotations ask.",
    },
    namespaces: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Namespaces whose pods must set `runtimeClassName`, whether or not the stack creates the Namespace.",
    },
  },
  types: [NAMESPACE, ...POD_SPEC_TYPES],
  check: checkRuntimeClass,
};
