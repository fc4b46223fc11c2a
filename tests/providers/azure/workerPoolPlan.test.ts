import * as assert from "node:assert/strict";
import { createHash, createPublicKey } from "node:crypto";
import { parse } from "yaml";
import { InvalidArgsError } from "../../../components/validation";
import { resolveHardening } from "../../../components/resolve";
import {
  LIFETIME_HEALTH_PORT,
  NO_LOGIN_KEY_SEED,
  automaticRepairsPolicyFor,
  healthExtensionFor,
  lifetimeCloudConfig,
  noLoginSshPublicKey,
  planAzureWorkerPool,
  vmssIdentityFor,
  vmssOsDiskFor,
  vmssSecurityProfileFor,
  workerCustomDataFor,
} from "../../../providers/azure/workerPoolPlan";

/** Splits the decoded MIME message into its parts' bodies, by content type. */
function mimeParts(customData: string): Record<string, string> {
  const text = Buffer.from(customData, "base64").toString("utf8");
  const boundary = /boundary="([^"]+)"/.exec(text)![1];
  const parts: Record<string, string> = {};
  for (const chunk of text.split(`--${boundary}`).slice(1, -1)) {
    const [head, ...body] = chunk.split("\n\n");
    parts[/Content-Type: ([^;]+)/.exec(head)![1]] = body.join("\n\n");
  }
  return parts;
}

describe("Azure worker pool mappings", () => {
  it("security profile: Trusted Launch, encryption at host, MSP enforcing on IMDS and WireServer (per-endpoint mode, not the deprecated top-level one)", () => {
    assert.deepEqual(vmssSecurityProfileFor(), {
      securityType: "TrustedLaunch",
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      encryptionAtHost: true,
      proxyAgentSettings: { enabled: true, imds: { mode: "Enforce" }, wireServer: { mode: "Enforce" } },
    });
    assert.equal("mode" in vmssSecurityProfileFor().proxyAgentSettings, false);
  });

  it("identity: explicitly None by default; exactly the caller's identity for minimal", () => {
    assert.deepEqual(vmssIdentityFor(resolveHardening({})), { type: "None" });
    assert.deepEqual(vmssIdentityFor(resolveHardening({ hostIdentity: "minimal" }), "/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kestra"), {
      type: "UserAssigned",
      userAssignedIdentities: ["/subscriptions/s/resourceGroups/r/providers/Microsoft.ManagedIdentity/userAssignedIdentities/kestra"],
    });
    assert.throws(() => vmssIdentityFor(resolveHardening({ hostIdentity: "minimal" })), /needs the caller's user-assigned identity/);
  });

  it("OS disk: ephemeral on the resource disk, ReadOnly caching, deleted with the VM", () => {
    assert.deepEqual(vmssOsDiskFor(), { createOption: "FromImage", caching: "ReadOnly", deleteOption: "Delete", diffDiskSettings: { option: "Local", placement: "ResourceDisk" } });
  });

  it("lifetime with automatic replacement: health extension on the privileged port, repairs replace", () => {
    const lifetime = { maxLifetimeHours: 6, automaticReplacement: true };
    assert.deepEqual(automaticRepairsPolicyFor(lifetime), { enabled: true, gracePeriod: "PT30M" });
    assert.deepEqual(healthExtensionFor(lifetime), [{
      name: "lifetime-health", publisher: "Microsoft.ManagedServices", type: "ApplicationHealthLinux", typeHandlerVersion: "2.0",
      autoUpgradeMinorVersion: true, settings: { protocol: "tcp", port: LIFETIME_HEALTH_PORT },
    }]);
    assert.ok(LIFETIME_HEALTH_PORT < 1024, "only root may bind the health port");
    const config = lifetimeCloudConfig(lifetime);
    assert.match(config, /^#cloud-config\n/);
    assert.match(config, /date -u -d '\+6 hours'/);
    assert.match(config, /OnCalendar=@DEADLINE@\n {6}Persistent=true/);
    assert.match(config, /ListenStream=127\.0\.0\.1:999/);
    assert.match(config, /ExecStart=\/bin\/sleep 3600\n {6}ExecStart=\/bin\/systemctl poweroff/);
    assert.match(config, /ln -sf \/etc\/systemd\/system\/hardening-alive\.socket \/etc\/systemd\/system\/sockets\.target\.wants\//);
    assert.match(config, /systemctl start hardening-lifetime\.timer hardening-alive\.socket/);
    const parsed = parse(config) as { write_files: { path: string }[]; runcmd: string[] };
    assert.deepEqual(parsed.write_files.map((f) => f.path), [
      "/etc/systemd/system/hardening-lifetime.timer",
      "/etc/systemd/system/hardening-lifetime.service",
      "/etc/systemd/system/hardening-alive.socket",
      "/etc/systemd/system/hardening-alive@.service",
    ]);
    assert.equal(parsed.runcmd.length, 1);
  });

  it("lifetime without extensions: no health extension, no repairs, the host powers off at once", () => {
    const lifetime = { maxLifetimeHours: 24, automaticReplacement: false };
    assert.equal(automaticRepairsPolicyFor(lifetime), undefined);
    assert.deepEqual(healthExtensionFor(lifetime), []);
    const config = lifetimeCloudConfig(lifetime);
    assert.doesNotMatch(config, /hardening-alive|sleep/);
    assert.match(config, /ExecStart=\/bin\/systemctl poweroff/);
    assert.deepEqual((parse(config) as { write_files: { path: string }[] }).write_files.map((f) => f.path), [
      "/etc/systemd/system/hardening-lifetime.timer",
      "/etc/systemd/system/hardening-lifetime.service",
    ]);
  });

  it("custom data: a MIME message with the boot path's boothook, the lifetime cloud-config and the boot script", () => {
    // What the boot does is proven in tests/host/boot.netns.test.ts (Debian's cloud-init, the Azure rules).
    const lifetime = { maxLifetimeHours: 24, automaticReplacement: true };
    const parts = mimeParts(workerCustomDataFor(lifetime, "#!/bin/sh\necho hi\n"));
    assert.deepEqual(Object.keys(parts), ["text/cloud-boothook", "text/cloud-config", "text/x-shellscript"]);
    assert.match(parts["text/cloud-boothook"], /^#cloud-boothook\n#!\/bin\/sh\n/);
    assert.equal(parts["text/cloud-config"].trim(), lifetimeCloudConfig(lifetime).trim());
    assert.throws(() => planAzureWorkerPool({ location: "westeurope", hasUserAssignedIdentity: false, bootScript: "echo hi" }), /bootScript must start with an interpreter line/);
  });
});

describe("noLoginSshPublicKey", () => {
  it("is a valid 2048-bit ssh-rsa key whose modulus is the published hash of the seed (so no one generated a private key)", () => {
    const [kind, blob, comment] = noLoginSshPublicKey().split(" ");
    assert.deepEqual([kind, comment], ["ssh-rsa", "pulumi-hardening-no-login"]);
    const bytes = Buffer.from(blob, "base64");
    const fields: Buffer[] = [];
    for (let at = 0; at < bytes.length;) {
      const len = bytes.readUInt32BE(at);
      fields.push(bytes.subarray(at + 4, at + 4 + len));
      at += 4 + len;
    }
    assert.equal(fields.length, 3);
    assert.equal(fields[0].toString(), "ssh-rsa");
    assert.equal(fields[1].toString("hex"), "010001");
    const expected = Buffer.concat([0, 1, 2, 3].map((i) => createHash("sha512").update(`${NO_LOGIN_KEY_SEED}#${i}`).digest()));
    expected[0] |= 0x80;
    expected[expected.length - 1] |= 1;
    assert.deepEqual(fields[2], Buffer.concat([Buffer.from([0]), expected]));
    const key = createPublicKey({ key: { kty: "RSA", n: expected.toString("base64url"), e: "AQAB" }, format: "jwk" });
    assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(noLoginSshPublicKey(), noLoginSshPublicKey());
  });
});

describe("planAzureWorkerPool", () => {
  const base = { location: "westeurope", hasUserAssignedIdentity: false };

  it("defaults: D2ds_v5, two hosts, regional, Ubuntu 24.04 Gen2; extensions blocked with the default spec (IMDS tag denied)", () => {
    const plan = planAzureWorkerPool(base);
    assert.equal(plan.vmSize, "Standard_D2ds_v5");
    assert.equal(plan.instanceCount, 2);
    assert.deepEqual(plan.zones, []);
    assert.deepEqual(plan.image, { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" });
    assert.equal(plan.extensionsBlocked, true);
    assert.deepEqual(plan.lifetime, { maxLifetimeHours: 24, automaticReplacement: false });
    assert.ok(Buffer.from(plan.customData, "base64").length <= 65535);
  });

  it("with an identity the network keeps IMDS, so extensions run and repairs replace expired hosts", () => {
    const plan = planAzureWorkerPool({ ...base, hasUserAssignedIdentity: true, hardening: { hostIdentity: "minimal", ephemeral: { maxLifetimeHours: 8 } } });
    assert.equal(plan.extensionsBlocked, false);
    assert.deepEqual(plan.lifetime, { maxLifetimeHours: 8, automaticReplacement: true });
  });

  it("when the network leaves the IMDS tag open (imdsServiceTagDenied: false), extensions run and repairs replace", () => {
    const plan = planAzureWorkerPool({ ...base, imdsServiceTagDenied: false });
    assert.equal(plan.extensionsBlocked, false);
    assert.equal(plan.lifetime.automaticReplacement, true);
    assert.throws(() => planAzureWorkerPool({ ...base, imdsServiceTagDenied: true, hardening: { metadataEndpoint: "tokenRequired" } }), /imdsServiceTagDenied is true, but the deny would cut off the host's own metadata access/);
  });

  it("lists every problem at once", () => {
    let err: unknown;
    try {
      planAzureWorkerPool({ location: "westeurope", vmSize: "D2s", instanceCount: -1, zones: ["4", "1", "1"], adminUsername: "admin", hasUserAssignedIdentity: false, hardening: { hostIdentity: "minimal" } });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof InvalidArgsError);
    assert.deepEqual(err.issues, [
      'vmSize "D2s" is not an Azure VM size such as "Standard_D2ds_v5".',
      "instanceCount -1 must be a whole number from 0 to 1000.",
      'zones[0] "4" must be "1", "2" or "3".',
      'zones ["4","1","1"] lists a zone twice.',
      'adminUsername "admin" must be a lower-case Linux user name that Azure accepts (not administrator, admin, user, user1, ...), e.g. "hardening".',
      'userAssignedIdentityId is missing but hardening.hostIdentity is "minimal"; pass the id of your narrowly scoped user-assigned identity, or set hostIdentity to "none".',
    ]);
  });

  it("refuses an identity when the spec says hosts carry none", () => {
    assert.throws(() => planAzureWorkerPool({ ...base, hasUserAssignedIdentity: true }), /userAssignedIdentityId is set but hardening.hostIdentity is "none"/);
  });
});
