/**
 * The Azure worker pool as plain data: the VM scale set's identity, security profile, ephemeral OS disk, custom
 * data (host firewall + lifetime timer) and lifetime enforcement. Pure, so every security-relevant setting is
 * testable without Pulumi and printable by `hardening plan`.
 *
 * Property shapes are those of the pinned SDK, @pulumi/azure-native 3.x, whose `compute.VirtualMachineScaleSet`
 * uses Compute REST API 2024-11-01. Verified in its types (node_modules/@pulumi/azure-native/types/input.d.ts):
 * `SecurityProfileArgs.proxyAgentSettings` ("Minimum api-version: 2023-09-01") is a `ProxyAgentSettingsArgs`
 * `{ enabled, imds?: HostEndpointSettingsArgs, wireServer?: HostEndpointSettingsArgs, mode? }` where the top-level
 * `mode` is documented as deprecated ("please specify 'mode' under particular hostendpoint setting") and the
 * per-endpoint `mode` takes `Audit | Enforce | Disabled` ("In Enforce mode, the system will enforce the access
 * control and it is the recommended mode of operation"; per-endpoint settings need api-version 2024-03-01).
 */
import { createHash } from "node:crypto";
import { checkWholeNumber, InvalidArgsError, show } from "../../components/validation";
import { checkBootScript, checkImageFamily, hostBootUserData } from "../../components/hostBoot";
import { resolveHardeningInto } from "../../components/resolve";
import { HardeningSpec, HostIdentityMode, ResolvedHardening } from "../../components/spec";
import { checkAzureLocation, checkImdsServiceTagRequest, deniesImdsServiceTag } from "./networkPlan";

/** A marketplace image. */
export interface AzureImageReference {
  /** e.g. `Canonical`. */
  publisher: string;
  /** e.g. `ubuntu-24_04-lts`. */
  offer: string;
  /** e.g. `server` (Generation 2, required by Trusted Launch). */
  sku: string;
  /**
   * Image version.
   * @default "latest"
   */
  version?: string;
}

/** Ubuntu 24.04 LTS, Generation 2: Trusted Launch needs a Gen2 image. */
export const DEFAULT_WORKER_IMAGE: Required<AzureImageReference> = Object.freeze({
  publisher: "Canonical",
  offer: "ubuntu-24_04-lts",
  sku: "server",
  version: "latest",
});

/**
 * A size with a local temporary disk (the `d` in `D2ds_v5`): an ephemeral OS disk lives on the VM's cache or
 * temporary disk and must fit in it, so sizes without one ("D2s_v5") cannot host it.
 */
export const DEFAULT_WORKER_VM_SIZE = "Standard_D2ds_v5";

/**
 * The privileged local port the lifetime health endpoint listens on. Below 1024 so that no unprivileged process
 * (the workloads) can bind it and answer for the host once the endpoint is closed.
 */
export const LIFETIME_HEALTH_PORT = 999;

/** The text the no-login key's modulus is derived from; anyone can re-derive the key from it. */
export const NO_LOGIN_KEY_SEED = "pulumi-hardening: no SSH login on Azure worker hosts";

function sshString(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/**
 * An `ssh-rsa` public key that nobody can log in with: its 2048-bit modulus is SHA-512 output of
 * {@link NO_LOGIN_KEY_SEED} (counter mode), with the top and bottom bits set. No one generated it from primes, so no
 * one holds a private key for it (that would take factoring a random 2048-bit number). Azure refuses a Linux VM
 * with neither a password nor a key; this satisfies the API while leaving SSH closed, which is what workers need.
 * Deterministic, so it never shows up as a diff.
 */
export function noLoginSshPublicKey(): string {
  const blocks: Buffer[] = [];
  for (let i = 0; i < 4; i++) blocks.push(createHash("sha512").update(`${NO_LOGIN_KEY_SEED}#${i}`).digest());
  const modulus = Buffer.concat(blocks);
  modulus[0] |= 0x80;
  modulus[modulus.length - 1] |= 0x01;
  const blob = Buffer.concat([
    sshString(Buffer.from("ssh-rsa")),
    sshString(Buffer.from([0x01, 0x00, 0x01])),
    // mpint: a leading zero byte keeps the number positive (its top bit is set).
    sshString(Buffer.concat([Buffer.from([0]), modulus])),
  ]);
  return `ssh-rsa ${blob.toString("base64")} pulumi-hardening-no-login`;
}

/** The plain part of the worker pool's arguments. */
export interface AzureWorkerPoolPlanArgs {
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** @default "Standard_D2ds_v5" */
  readonly vmSize?: string;
  /** @default 2 */
  readonly instanceCount?: number;
  /** @default [] (regional) */
  readonly zones?: readonly string[];
  /** @default "hardening" */
  readonly adminUsername?: string;
  /** @default Ubuntu 24.04 LTS Gen2 */
  readonly image?: AzureImageReference;
  /**
   * The hosts' own program, run once at the end of the first boot after the host firewall is in force (installs
   * and starts the worker, e.g. the Kestra worker: see docs/azure.md). Must start with an interpreter line such as
   * `#!/bin/sh`: cloud-init executes it directly.
   * @default undefined
   */
  readonly bootScript?: string;
  /** Whether the caller gave a user-assigned identity (required for `hostIdentity: "minimal"`, refused otherwise). */
  readonly hasUserAssignedIdentity: boolean;
  /** @default {} */
  readonly hardening?: HardeningSpec;
  /**
   * Whether the subnet's NSG denies `AzurePlatformIMDS` (the network's `denyImdsServiceTag`); decides whether VM
   * extensions can run.
   * @default true when the spec allows it, as the network does
   */
  readonly imdsServiceTagDenied?: boolean;
}

/** How a worker host's lifetime is enforced. */
export interface LifetimePlan {
  /** Hours after first boot at which the host takes itself out of service. */
  readonly maxLifetimeHours: number;
  /**
   * True when the scale set replaces the host automatically: the Application Health extension probes a local
   * endpoint that the lifetime timer closes, and automatic repairs replace the unhealthy instance. False when the
   * network denies `AzurePlatformIMDS`, which also stops VM extensions: then the host powers itself off and a
   * scheduled reimage (see docs/azure.md) brings capacity back.
   */
  readonly automaticReplacement: boolean;
}

/** The worker pool to create. */
export interface AzureWorkerPoolPlan {
  readonly hardening: ResolvedHardening;
  readonly location: string;
  readonly vmSize: string;
  readonly instanceCount: number;
  readonly zones: string[];
  readonly adminUsername: string;
  readonly image: Required<AzureImageReference>;
  readonly lifetime: LifetimePlan;
  /** True when VM extensions cannot run (the subnet's NSG denies AzurePlatformIMDS), so none are configured. */
  readonly extensionsBlocked: boolean;
  /** Base64 custom data: a cloud-init MIME message with the host firewall boothook and the lifetime units. */
  readonly customData: string;
}

const VM_SIZE = /^Standard_[A-Za-z0-9_]+$/;
const ADMIN = /^[a-z_][a-z0-9_-]{0,31}$/;
// Names Azure refuses for the admin account (osProfile.adminUsername "Disallowed values"), and root.
const RESERVED_ADMINS = ["administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "root", "guest", "sys", "support"];

/**
 * The VM security profile: Trusted Launch (secure boot and vTPM), encryption at host, and the Metadata Security
 * Protocol (Guest Proxy Agent) enforcing on both host endpoints, IMDS and WireServer.
 */
export function vmssSecurityProfileFor(): {
  securityType: "TrustedLaunch";
  uefiSettings: { secureBootEnabled: true; vTpmEnabled: true };
  encryptionAtHost: true;
  proxyAgentSettings: { enabled: true; imds: { mode: "Enforce" }; wireServer: { mode: "Enforce" } };
} {
  return {
    securityType: "TrustedLaunch",
    uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
    // Encrypts the temporary and cache disks too, where the ephemeral OS disk lives ("This will enable the
    // encryption for all the disks including Resource/Temp disk at host itself", SecurityProfile docs).
    encryptionAtHost: true,
    proxyAgentSettings: { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } },
  };
}

/**
 * The scale set's identity: explicitly `None` for `hostIdentity: "none"` (this also removes an identity someone
 * attached out of band at the next update), or exactly the caller's user-assigned identity for `"minimal"`.
 */
export function vmssIdentityFor(spec: ResolvedHardening, userAssignedIdentityId?: string): { type: "None" } | { type: "UserAssigned"; userAssignedIdentities: string[] } {
  if (spec.hostIdentity === HostIdentityMode.None) return { type: "None" };
  if (!userAssignedIdentityId) throw new Error("vmssIdentityFor: hostIdentity \"minimal\" needs the caller's user-assigned identity id");
  return { type: "UserAssigned", userAssignedIdentities: [userAssignedIdentityId] };
}

/**
 * The ephemeral OS disk: it lives on the VM's local temporary disk and is discarded on reimage, deallocation and
 * deletion, so no state survives a replacement. `caching: ReadOnly` is the only caching ephemeral disks accept.
 */
export function vmssOsDiskFor(): {
  createOption: "FromImage";
  caching: "ReadOnly";
  deleteOption: "Delete";
  diffDiskSettings: { option: "Local"; placement: "ResourceDisk" };
} {
  return { createOption: "FromImage", caching: "ReadOnly", deleteOption: "Delete", diffDiskSettings: { option: "Local", placement: "ResourceDisk" } };
}

/**
 * The automatic repairs policy that replaces an instance once its lifetime endpoint closes: "If the endpoint responds
 * ... the instance is marked Healthy. In all the other cases (including if the endpoint is unreachable), the instance
 * is marked Unhealthy", and the default repair action, Replace, "deletes the unhealthy instance and creates a new
 * instance" from the latest model (VMSS automatic instance repairs). `repairAction` is left out: setting it is
 * documented as a preview behind a subscription flag, and Replace is the default.
 */
export function automaticRepairsPolicyFor(lifetime: LifetimePlan): { enabled: true; gracePeriod: string } | undefined {
  // The grace period (10 to 90 minutes) covers boot: a new host is not judged before cloud-init opened the endpoint.
  return lifetime.automaticReplacement ? { enabled: true, gracePeriod: "PT30M" } : undefined;
}

/** The Application Health extension probing the lifetime endpoint (TCP connect to the local port). */
export function healthExtensionFor(lifetime: LifetimePlan): {
  name: string;
  publisher: string;
  type: string;
  typeHandlerVersion: string;
  autoUpgradeMinorVersion: boolean;
  settings: { protocol: "tcp"; port: number };
}[] {
  if (!lifetime.automaticReplacement) return [];
  return [{
    name: "lifetime-health",
    publisher: "Microsoft.ManagedServices",
    type: "ApplicationHealthLinux",
    typeHandlerVersion: "2.0",
    autoUpgradeMinorVersion: true,
    settings: { protocol: "tcp", port: LIFETIME_HEALTH_PORT },
  }];
}

/**
 * The cloud-config that ends a host's service after `maxLifetimeHours`. At first boot (write_files and runcmd run
 * once per instance) it fixes an absolute deadline in a systemd timer with `Persistent=true`, so a reboot neither
 * resets nor skips it. At the deadline the service closes the health endpoint (when automatic replacement is on,
 * automatic repairs then replace the instance), waits an hour for that, and powers the host off: a worker never
 * keeps running past its lifetime, even if nothing replaces it.
 */
export function lifetimeCloudConfig(lifetime: LifetimePlan): string {
  const probe = lifetime.automaticReplacement;
  const socketFiles = probe
    ? `  - path: /etc/systemd/system/hardening-alive.socket
    permissions: "0644"
    content: |
      [Unit]
      Description=pulumi-hardening: lifetime health endpoint (Application Health extension); closed at end of life
      [Socket]
      ListenStream=127.0.0.1:${LIFETIME_HEALTH_PORT}
      Accept=yes
      [Install]
      WantedBy=sockets.target
  - path: /etc/systemd/system/hardening-alive@.service
    permissions: "0644"
    content: |
      [Unit]
      Description=pulumi-hardening: lifetime health answer
      [Service]
      ExecStart=/bin/true
      StandardInput=socket
`
    : "";
  return `#cloud-config
write_files:
  - path: /etc/systemd/system/hardening-lifetime.timer
    permissions: "0644"
    content: |
      [Unit]
      Description=pulumi-hardening: end of this worker host's ${lifetime.maxLifetimeHours}h lifetime
      [Timer]
      OnCalendar=@DEADLINE@
      Persistent=true
      [Install]
      WantedBy=timers.target
  - path: /etc/systemd/system/hardening-lifetime.service
    permissions: "0644"
    content: |
      [Unit]
      Description=pulumi-hardening: take this worker host out of service
      [Service]
      Type=oneshot
      TimeoutStartSec=infinity
${probe ? "      ExecStart=-/bin/systemctl stop hardening-alive.socket\n      ExecStart=/bin/sleep 3600\n" : ""}      ExecStart=/bin/systemctl poweroff
${socketFiles}runcmd:
  - |
    deadline="$(date -u -d '+${lifetime.maxLifetimeHours} hours' '+%Y-%m-%d %H:%M:%S UTC')"
    sed -i "s/@DEADLINE@/$deadline/" /etc/systemd/system/hardening-lifetime.timer
    # Enabled as systemctl enable would, so that an image booted without systemd as init (a build chroot, a
    # container test) keeps the same units; started only where systemd runs.
    mkdir -p /etc/systemd/system/timers.target.wants${probe ? " /etc/systemd/system/sockets.target.wants" : ""}
    ln -sf /etc/systemd/system/hardening-lifetime.timer /etc/systemd/system/timers.target.wants/hardening-lifetime.timer
${probe ? "    ln -sf /etc/systemd/system/hardening-alive.socket /etc/systemd/system/sockets.target.wants/hardening-alive.socket\n" : ""}    if [ -d /run/systemd/system ]; then
      systemctl daemon-reload
      systemctl start hardening-lifetime.timer${probe ? " hardening-alive.socket" : ""}
    fi
`;
}

/**
 * The custom data, base64-encoded as `osProfile.customData` requires: the boot path of components/hostBoot.ts (a
 * cloud-init MIME message whose boothook installs and applies the host firewall, gates the container runtime on
 * it and writes dockerd's user-namespace settings), the lifetime cloud-config, and the caller's boot script. The
 * host firewall keeps 168.63.129.16 open to root only on 80 and 32526 (the guest agent) and to everyone on 53
 * (Azure DNS); every other uid and every container is refused the metadata endpoints, which no NSG rule can do
 * ("aren't subject to the configured network security groups").
 */
export function workerCustomDataFor(lifetime: LifetimePlan, bootScript?: string): string {
  const message = hostBootUserData({
    firewall: { cloud: "azure", containers: ["docker"] },
    hardenDocker: true,
    cloudConfigs: [lifetimeCloudConfig(lifetime)],
    ...(bootScript !== undefined && bootScript.trim() !== "" ? { bootScript } : {}),
  });
  return Buffer.from(message, "utf8").toString("base64");
}

/** Custom data may hold at most 65535 bytes once decoded (osProfile.customData). */
const MAX_CUSTOM_DATA_BYTES = 65535;

/**
 * Plans the worker pool. Validates the spec and the arguments together and throws one InvalidArgsError listing
 * every problem; creates nothing.
 */
export function planAzureWorkerPool(args: AzureWorkerPoolPlanArgs): AzureWorkerPoolPlan {
  const issues: string[] = [];
  const hardening = resolveHardeningInto(args.hardening, issues);
  checkAzureLocation(issues, args.location);
  const vmSize = args.vmSize ?? DEFAULT_WORKER_VM_SIZE;
  if (typeof vmSize !== "string" || !VM_SIZE.test(vmSize)) {
    issues.push(`vmSize ${show(vmSize)} is not an Azure VM size such as "${DEFAULT_WORKER_VM_SIZE}".`);
  }
  const instanceCount = args.instanceCount ?? 2;
  checkWholeNumber(issues, "instanceCount", instanceCount, 0, 1000);
  const zones = [...(args.zones ?? [])];
  zones.forEach((z, i) => {
    if (!["1", "2", "3"].includes(z)) issues.push(`zones[${i}] ${show(z)} must be "1", "2" or "3".`);
  });
  if (new Set(zones).size !== zones.length) issues.push(`zones ${show(zones)} lists a zone twice.`);
  const adminUsername = args.adminUsername ?? "hardening";
  if (typeof adminUsername !== "string" || !ADMIN.test(adminUsername) || RESERVED_ADMINS.includes(adminUsername)) {
    issues.push(`adminUsername ${show(adminUsername)} must be a lower-case Linux user name that Azure accepts (not ${RESERVED_ADMINS.slice(0, 4).join(", ")}, ...), e.g. "hardening".`);
  }
  const image = { ...DEFAULT_WORKER_IMAGE, ...(args.image ?? {}) };
  for (const key of ["publisher", "offer", "sku", "version"] as const) {
    if (typeof image[key] !== "string" || image[key].trim() === "") issues.push(`image.${key} ${show(image[key])} must be a non-empty string.`);
  }
  for (const key of ["publisher", "offer", "sku"] as const) checkImageFamily(`image.${key}`, image[key], issues);
  checkBootScript("bootScript", args.bootScript, issues);
  // Checked even when the rest of the spec is invalid, so one run reports this too.
  const rawIdentity = args.hardening?.hostIdentity ?? HostIdentityMode.None;
  const identityMode = hardening?.hostIdentity ?? (Object.values(HostIdentityMode).includes(rawIdentity) ? rawIdentity : undefined);
  {
    if (identityMode === HostIdentityMode.Minimal && !args.hasUserAssignedIdentity) {
      issues.push(`userAssignedIdentityId is missing but hardening.hostIdentity is "minimal"; pass the id of your narrowly scoped user-assigned identity, or set hostIdentity to "none".`);
    }
    if (identityMode === HostIdentityMode.None && args.hasUserAssignedIdentity) {
      issues.push(`userAssignedIdentityId is set but hardening.hostIdentity is "none", which gives hosts no identity; remove it, or set hostIdentity to "minimal".`);
    }
  }
  if (hardening) {
    const imdsIssue = checkImdsServiceTagRequest(hardening, args.imdsServiceTagDenied, "imdsServiceTagDenied");
    if (imdsIssue) issues.push(imdsIssue);
  }
  if (issues.length > 0 || !hardening) throw new InvalidArgsError(issues);

  const extensionsBlocked = deniesImdsServiceTag(hardening, args.imdsServiceTagDenied);
  const lifetime: LifetimePlan = { maxLifetimeHours: hardening.ephemeral.maxLifetimeHours, automaticReplacement: !extensionsBlocked };
  const customData = workerCustomDataFor(lifetime, args.bootScript);
  if (Buffer.from(customData, "base64").length > MAX_CUSTOM_DATA_BYTES) {
    throw new InvalidArgsError([`the rendered custom data exceeds Azure's ${MAX_CUSTOM_DATA_BYTES} bytes; report this as a bug.`]);
  }
  return {
    hardening,
    location: args.location,
    vmSize,
    instanceCount,
    zones,
    adminUsername,
    image,
    lifetime,
    extensionsBlocked,
    customData,
  };
}
