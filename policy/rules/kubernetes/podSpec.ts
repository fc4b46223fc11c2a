/**
 * Where each Kubernetes workload kind keeps its pod template, so that one check body serves every kind. Property
 * paths in findings are full paths from the resource's props (`spec.template.spec.hostNetwork`), the same paths a
 * user edits.
 */
import type { CheckContext, Finding, ResourceCheck } from "../types";
import { findingsOrUnknown, guardUnknowns } from "./unknown";
import { isRecord } from "../../../components/validation";

/** Where a workload kind keeps its pod spec and the pod's metadata (the AppArmor annotations live there). */
export interface PodSpecLocation {
  /** Keys from the props to the pod spec, e.g. `["spec", "template", "spec"]`. */
  readonly specPath: readonly string[];
  /** Keys from the props to the pod's metadata, e.g. `["spec", "template", "metadata"]`. */
  readonly metadataPath: readonly string[];
  /**
   * True for the `*Patch` kinds (server-side apply patches). A patch carries only the fields it changes, so a field
   * it leaves out says nothing about the live object: checks report only values a patch sets, never absent ones.
   */
  readonly patch: boolean;
}

const POD: PodSpecLocation = { specPath: ["spec"], metadataPath: ["metadata"], patch: false };
const TEMPLATE: PodSpecLocation = {
  specPath: ["spec", "template", "spec"],
  metadataPath: ["spec", "template", "metadata"],
  patch: false,
};
const CRON: PodSpecLocation = {
  specPath: ["spec", "jobTemplate", "spec", "template", "spec"],
  metadataPath: ["spec", "jobTemplate", "spec", "template", "metadata"],
  patch: false,
};

// The served kinds first, then the beta API versions @pulumi/kubernetes 4.x still ships (clusters older than 1.16 /
// 1.25 serve them; the pod template sits at the same path).
const BASE: Readonly<Record<string, PodSpecLocation>> = {
  "kubernetes:core/v1:Pod": POD,
  "kubernetes:core/v1:ReplicationController": TEMPLATE,
  "kubernetes:apps/v1:Deployment": TEMPLATE,
  "kubernetes:apps/v1:StatefulSet": TEMPLATE,
  "kubernetes:apps/v1:DaemonSet": TEMPLATE,
  "kubernetes:apps/v1:ReplicaSet": TEMPLATE,
  "kubernetes:batch/v1:Job": TEMPLATE,
  "kubernetes:batch/v1:CronJob": CRON,
  "kubernetes:apps/v1beta1:Deployment": TEMPLATE,
  "kubernetes:apps/v1beta1:StatefulSet": TEMPLATE,
  "kubernetes:apps/v1beta2:Deployment": TEMPLATE,
  "kubernetes:apps/v1beta2:StatefulSet": TEMPLATE,
  "kubernetes:apps/v1beta2:DaemonSet": TEMPLATE,
  "kubernetes:apps/v1beta2:ReplicaSet": TEMPLATE,
  "kubernetes:extensions/v1beta1:Deployment": TEMPLATE,
  "kubernetes:extensions/v1beta1:DaemonSet": TEMPLATE,
  "kubernetes:extensions/v1beta1:ReplicaSet": TEMPLATE,
  "kubernetes:batch/v1beta1:CronJob": CRON,
  "kubernetes:batch/v2alpha1:CronJob": CRON,
};

/**
 * Every pod-bearing Kubernetes type token @pulumi/kubernetes 4.x defines, with its pod-spec location: the workload
 * kinds and their `*Patch` variants (a patch can switch `hostNetwork` on for a Deployment nobody in the stack owns).
 */
export const POD_SPEC_LOCATIONS: Readonly<Record<string, PodSpecLocation>> = Object.freeze(
  Object.fromEntries(
    Object.entries(BASE).flatMap(([token, location]) => [
      [token, location],
      [`${token}Patch`, { ...location, patch: true }],
    ]),
  ),
);

/** The type tokens of {@link POD_SPEC_LOCATIONS}, full kinds first. */
export const POD_SPEC_TYPES: readonly string[] = Object.freeze(Object.keys(POD_SPEC_LOCATIONS));

/** A pod spec found in a resource's props, with the paths findings name. */
export interface LocatedPodSpec {
  /** The pod spec (`{}` when the props carry none, as a patch may). */
  readonly spec: Readonly<Record<string, unknown>>;
  /** Dotted path of the pod spec, e.g. `spec.template.spec`. */
  readonly path: string;
  /** The pod's metadata (`{}` when absent). */
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Dotted path of the pod's metadata, e.g. `spec.template.metadata`. */
  readonly metadataPath: string;
  /** True for `*Patch` kinds: absent fields are not findings. */
  readonly patch: boolean;
}

/** A plain object or undefined: values of any other shape are treated as absent. */
export function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return isRecord(value) ? value : undefined;
}

/** An array or `[]`. */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Follows `keys` from `root`; undefined as soon as a step is not an object. Reads only the keys on the way. */
export function dig(root: unknown, keys: readonly string[]): unknown {
  let here: unknown = root;
  for (const key of keys) {
    const record = asRecord(here);
    if (!record) return undefined;
    here = record[key];
  }
  return here;
}

/** The pod spec of a resource of a pod-bearing type; undefined for any other type. */
export function locatePodSpec(type: string, props: Readonly<Record<string, unknown>>): LocatedPodSpec | undefined {
  const location = POD_SPEC_LOCATIONS[type];
  if (!location) return undefined;
  return {
    spec: asRecord(dig(props, location.specPath)) ?? {},
    path: location.specPath.join("."),
    metadata: asRecord(dig(props, location.metadataPath)) ?? {},
    metadataPath: location.metadataPath.join("."),
    patch: location.patch,
  };
}

/** The container lists of a pod spec, in the order Pod Security Admission visits them (visitor.go). */
export const CONTAINER_LISTS = ["initContainers", "containers", "ephemeralContainers"] as const;

/** One container of a pod spec. */
export interface ContainerRef {
  /** The container object (`{}` when the list item is not an object). */
  readonly container: Readonly<Record<string, unknown>>;
  /** Dotted path, e.g. `spec.template.spec.containers[0]`. */
  readonly path: string;
  /** The container's name, or `#<index>` when it has none. */
  readonly name: string;
  /** Its security context (`{}` when absent). */
  readonly securityContext: Readonly<Record<string, unknown>>;
  /** Whether the container has a security context at all. */
  readonly hasSecurityContext: boolean;
}

/** Every container, init container and ephemeral container of a pod spec. */
export function containersOf(pod: LocatedPodSpec): ContainerRef[] {
  const refs: ContainerRef[] = [];
  for (const list of CONTAINER_LISTS) {
    asArray(pod.spec[list]).forEach((item, index) => {
      const container = asRecord(item) ?? {};
      const securityContext = asRecord(container.securityContext);
      const name = container.name;
      refs.push({
        container,
        path: `${pod.path}.${list}[${index}]`,
        name: typeof name === "string" ? name : `#${index}`,
        securityContext: securityContext ?? {},
        hasSecurityContext: securityContext !== undefined,
      });
    });
  }
  return refs;
}

/** The namespace a namespaced resource lands in: `metadata.namespace`, or `default` when omitted. */
export function namespaceOf(props: Readonly<Record<string, unknown>>): string {
  const namespace = dig(props, ["metadata", "namespace"]);
  return typeof namespace === "string" && namespace !== "" ? namespace : "default";
}

/** A check of one pod spec, wherever the resource keeps it. */
export type PodCheck = (pod: LocatedPodSpec, ctx: CheckContext) => Finding[];

/**
 * Binds one pod-spec check body to every pod-bearing type token: the same body serves a Pod, a Deployment's
 * template and a CronJob's job template, each finding naming the full path. The body reads props through
 * `guardUnknowns`: a value unknown during preview that the body needs yields one advisory (`indeterminate`)
 * finding naming it, never a violation; bodies may catch closer (per check) to keep judging the rest.
 */
export function bindPodCheck(body: PodCheck): Record<string, ResourceCheck> {
  return Object.fromEntries(
    POD_SPEC_TYPES.map((type): [string, ResourceCheck] => [
      type,
      (props, ctx) =>
        findingsOrUnknown(() => {
          const pod = locatePodSpec(type, guardUnknowns(props));
          return pod ? body(pod, ctx) : [];
        }),
    ]),
  );
}
