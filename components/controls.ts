/**
 * The controls report: one entry per control a component applied (or deliberately did not rely on), with what it
 * protects against and whether it is effective on that cloud. `hardening plan` prints it; docs/efficacy.md is
 * generated from it. An ineffective control appears with `effective: false` so the report can say plainly why a
 * tempting rule (a security-group deny of 169.254.169.254) is not protection.
 */

/** The common control families, named after the `HardeningSpec` field each one serves. */
export const ControlFamily = {
  MetadataEndpoint: "metadataEndpoint",
  WorkloadSubnet: "workloadSubnet",
  Egress: "egress",
  Sandbox: "sandbox",
  HostIdentity: "hostIdentity",
  Ephemeral: "ephemeral",
} as const;
/** The common control families. */
export type ControlFamily = (typeof ControlFamily)[keyof typeof ControlFamily];

/** One control in a component's report. */
export interface ControlReport {
  /** Stable kebab-case id, unique per cloud, e.g. `aws-imds-sealed-after-boot`, `k8s-networkpolicy-metadata-deny`. */
  id: string;
  /** The spec field this control serves. */
  family: ControlFamily;
  /** The cloud it applies to: `aws`, `gcp`, `azure` or `kubernetes`. */
  cloud: string;
  /** How it is applied: the native resource and setting, e.g. `aws.ec2.LaunchTemplate metadataOptions.httpEndpoint = "disabled"`. */
  appliedBy: string;
  /** What it protects against. */
  protects: string;
  /** Whether the cloud actually enforces it against that threat. */
  effective: boolean;
  /** What it does not stop (host-network processes, direct-IP connections, ...); empty when nothing is known. */
  limits: string;
  /** Logical names of the resources that carry it; empty for a control recorded only to say it is not relied on. */
  resources: string[];
  /** The vendor document (and its words) that says it works, or that it does not. */
  source: string;
  /**
   * What must hold for `effective` to be true, each saying who makes it true: the package (and how), or the
   * caller (and what happens when it does not hold). Absent when the cloud alone enforces the control.
   * @default undefined
   */
  preconditions?: string[];
  /**
   * What checks this control on any stack: the policy rules that read its setting, or why none does. Filled in from
   * the control catalogue (components/controlCatalogue.ts) by `withEnforcement`: in every hardening component's
   * own `controls` output, in `hardening plan` and in docs/efficacy.md.
   * @default undefined
   */
  enforcedBy?: ControlEnforcement;
}

/** The policy rules that check a control on any stack, or the reason none does. */
export interface ControlEnforcement {
  /** Ids of the rules (policy/registry.ts) that fail a stack where the control's setting is weakened; empty when none does. */
  rules: string[];
  /**
   * Why no rule checks the control (not effective, a boot-time setting the pack cannot read, a gap); set exactly
   * when `rules` is empty.
   * @default undefined
   */
  none?: string;
}

/** What every hardened component exposes besides its native children. */
export interface HardenedComponentOutputs {
  /** One entry per control applied, in a stable order, each naming what guards it (`enforcedBy`). */
  readonly controls: ControlReport[];
}
