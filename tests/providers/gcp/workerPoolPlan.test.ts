import * as assert from "node:assert/strict";
import { InvalidArgsError, hostBootStartupScript, hostFirewallRules } from "../../../components";
import { checkServiceAccountEmail } from "../../../providers/gcp/identity";
import { instanceTemplateArgsFor } from "../../../providers/gcp/mappings";
import { MAX_RUN_HOURS, planGcpWorkerPool } from "../../../providers/gcp/workerPoolPlan";

const BASE = { region: "europe-west1", networkTag: "w-worker" };
const SA = "kestra-worker@my-project.iam.gserviceaccount.com";

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidArgsError) return e.issues;
    throw e;
  }
  assert.fail("expected an InvalidArgsError");
}

describe("planGcpWorkerPool", () => {
  it("defaults: no service account, the host firewall as startup-script, 24 h lifetime", () => {
    const p = planGcpWorkerPool("w", BASE);
    assert.equal(p.serviceAccount, undefined);
    assert.deepEqual(p.metadata, {
      "disable-legacy-endpoints": "TRUE",
      "block-project-ssh-keys": "TRUE",
      "enable-oslogin": "TRUE",
      "startup-script": hostBootStartupScript({ firewall: { cloud: "gcp", containers: ["docker"] }, hardenDocker: true }),
    });
    assert.equal(p.maxRunSeconds, 24 * 3600);
    assert.deepEqual([p.minReplicas, p.maxReplicas, p.machineType, p.image, p.diskSizeGb], [1, 3, "e2-standard-4", "debian-cloud/debian-12", 50]);
  });

  it("the host firewall keeps the metadata server's DNS (port 53) open and refuses its HTTP port", () => {
    // What the packets meet is proven in tests/host/boot.netns.test.ts; here, that the plan asks for the GCP rules.
    const rules = hostFirewallRules({ cloud: "gcp", containers: ["docker"] });
    const lines = rules.ipv4.filter((l) => l.startsWith("-A HARDENING-META-OUT"));
    const dns = lines.findIndex((l) => l.includes("-d 169.254.169.254/32 -p udp --dport 53") && l.endsWith("-j RETURN"));
    const refuse = lines.findIndex((l) => l.includes("-d 169.254.0.0/16 -p tcp") && l.includes("-j REJECT"));
    assert.ok(dns >= 0 && refuse > dns, lines.join("\n"));
    assert.ok(planGcpWorkerPool("w", BASE).metadata["startup-script"].includes(lines[dns]));
  });

  it("tokenRequired installs no host firewall (the Metadata-Flavor header is the only guard)", () => {
    const p = planGcpWorkerPool("w", { ...BASE, hardening: { metadataEndpoint: "tokenRequired" } });
    assert.equal(p.metadata["startup-script"], undefined);
    assert.equal(p.metadata["disable-legacy-endpoints"], "TRUE");
  });

  it("minimal: the caller's dedicated account with the cloud-platform scope only", () => {
    const p = planGcpWorkerPool("w", { ...BASE, serviceAccountEmail: SA, hardening: { hostIdentity: "minimal" } });
    assert.deepEqual(p.serviceAccount, { email: SA, scopes: ["https://www.googleapis.com/auth/cloud-platform"] });
  });

  it("caps the lifetime at GCE's 120-day limit (shorter is stricter)", () => {
    const p = planGcpWorkerPool("w", { ...BASE, hardening: { ephemeral: { maxLifetimeHours: 8760 } } });
    assert.equal(p.lifetimeHours, MAX_RUN_HOURS);
    assert.equal(p.maxRunSeconds, 120 * 24 * 3600);
  });

  it("lists every problem at once", () => {
    assert.deepEqual(
      issuesOf(() =>
        planGcpWorkerPool("w", {
          region: "eu",
          networkTag: "Bad Tag",
          diskSizeGb: 5,
          minReplicas: 4,
          maxReplicas: 2,
          serviceAccountEmail: "123456789-compute@developer.gserviceaccount.com",
          hardening: { hostIdentity: "minimal" },
        }),
      ),
      [
        `region "eu" is not a GCP region; expected a name such as "europe-west1".`,
        `networkTag "Bad Tag" must be a GCE network tag (lower-case letters, digits, hyphens; pass GcpWorkerNetwork.workerTag).`,
        `diskSizeGb 5 must be a whole number from 10 to 65536.`,
        `maxReplicas 2 is below minReplicas 4; raise maxReplicas or lower minReplicas.`,
        `serviceAccountEmail "123456789-compute@developer.gserviceaccount.com" is the Compute Engine default service account, which is granted Editor on the project; create a dedicated account with only the roles the workers need.`,
      ],
    );
  });

  it("refuses a service account with hostIdentity none, and requires one with minimal", () => {
    assert.deepEqual(issuesOf(() => planGcpWorkerPool("w", { ...BASE, serviceAccountEmail: SA })), [
      `serviceAccountEmail "${SA}" is given but hardening.hostIdentity is "none" (no service account on the workers); remove it, or set hostIdentity to "minimal".`,
    ]);
    assert.match(issuesOf(() => planGcpWorkerPool("w", { ...BASE, hardening: { hostIdentity: "minimal" } }))[0], /^serviceAccountEmail is required with hardening.hostIdentity "minimal"/);
  });
});

describe("checkServiceAccountEmail", () => {
  const cases: [string, RegExp | undefined][] = [
    [SA, undefined],
    ["123-compute@developer.gserviceaccount.com", /Compute Engine default service account/],
    ["my-project@appspot.gserviceaccount.com", /App Engine default service account/],
    ["service-123@container-engine-robot.iam.gserviceaccount.com", /not a user-managed service account/],
    ["someone@example.com", /not a user-managed service account/],
  ];
  for (const [email, expected] of cases) {
    it(`${expected ? "refuses" : "accepts"} ${email}`, () => {
      const issues = checkServiceAccountEmail("serviceAccountEmail", email);
      if (expected) assert.match(issues.join(), expected);
      else assert.deepEqual(issues, []);
    });
  }
});

describe("instanceTemplateArgsFor", () => {
  it("maps the plan exactly: no access config, Shielded VM, metadata, DELETE at max run duration", () => {
    const p = planGcpWorkerPool("w", BASE);
    assert.deepEqual(instanceTemplateArgsFor(p, "subnet-id"), {
      description: "Hardened worker of w",
      machineType: "e2-standard-4",
      region: "europe-west1",
      tags: ["w-worker"],
      disks: [{ boot: true, autoDelete: true, sourceImage: "debian-cloud/debian-12", diskSizeGb: 50, diskType: "pd-balanced" }],
      networkInterfaces: [{ subnetwork: "subnet-id", stackType: "IPV4_ONLY" }],
      shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
      metadata: p.metadata,
      canIpForward: false,
      scheduling: {
        provisioningModel: "STANDARD",
        automaticRestart: true,
        onHostMaintenance: "MIGRATE",
        maxRunDuration: { seconds: 86400 },
        instanceTerminationAction: "DELETE",
      },
    });
  });
});
