import * as assert from "node:assert/strict";
import { ControlReport } from "../../../components/controls";
import { HardeningSpec } from "../../../components/spec";
import { planAksNodePool } from "../../../providers/azure/aksNodePoolPlan";
import { azureAksNodePoolControls, azureNetworkControls, azureWorkerPoolControls } from "../../../providers/azure/controls";
import { planAzureWorkerNetwork } from "../../../providers/azure/networkPlan";
import { planAzureWorkerPool } from "../../../providers/azure/workerPoolPlan";

const specs: [string, HardeningSpec][] = [
  ["default", {}],
  ["basic", { workloadSubnet: "private", egress: { mode: "allowList", tier: "basic", allow: [{ cidr: "203.0.113.0/24" }] } }],
  ["dns", { workloadSubnet: "private", egress: { mode: "allowList", tier: "dns", allow: [{ domain: "pypi.org" }] } }],
  ["firewall", { workloadSubnet: "private", egress: { mode: "allowList", tier: "firewall", allow: [{ domain: "pypi.org" }] } }],
  ["minimal identity", { hostIdentity: "minimal", sandbox: "none" }],
];

function report(spec: HardeningSpec): ControlReport[] {
  const net = planAzureWorkerNetwork({ location: "westeurope", hardening: spec });
  const pool = planAzureWorkerPool({ location: "westeurope", hasUserAssignedIdentity: spec.hostIdentity === "minimal", hardening: spec });
  const aks = planAksNodePool({ hardening: spec });
  return [...azureNetworkControls(net, "n"), ...azureWorkerPoolControls(pool, "p"), ...azureAksNodePoolControls(aks, "a")];
}

describe("Azure controls reports", () => {
  for (const [label, spec] of specs) {
    it(`${label}: unique ids, every entry azure with a source, and the NSG deny by IP listed as ineffective`, () => {
      const controls = report(spec);
      assert.equal(new Set(controls.map((c) => c.id)).size, controls.length);
      for (const c of controls) {
        assert.equal(c.cloud, "azure");
        assert.ok(c.source.length > 20, c.id);
        assert.ok(c.effective || c.resources.length === 0 || c.id === "azure-aks-kata-pod-sandboxing", `${c.id}: an ineffective control names no resource as carrying it`);
      }
      const ipDeny = controls.find((c) => c.id === "azure-nsg-metadata-ip-deny")!;
      assert.equal(ipDeny.effective, false);
      assert.deepEqual(ipDeny.resources, []);
      assert.match(ipDeny.source, /aren't subject to the configured network security groups/);
      const podImds = controls.find((c) => c.id === "azure-aks-pod-imds-restriction")!;
      assert.equal(podImds.effective, false);
      assert.match(podImds.appliedBy, /preview API versions/);
    });
  }

  it("the IMDS service-tag deny is reported applied, with its blast radius, only when hosts carry no identity", () => {
    const applied = report({}).find((c) => c.id === "azure-nsg-imds-service-tag-deny")!;
    assert.equal(applied.effective, true);
    assert.deepEqual(applied.resources, ["n-nsg"]);
    assert.match(applied.limits, /stops VM extensions, managed identity and Azure Monitor/);
    const withIdentity = report({ hostIdentity: "minimal" }).find((c) => c.id === "azure-nsg-imds-service-tag-deny")!;
    assert.equal(withIdentity.effective, false);
    assert.deepEqual(withIdentity.resources, []);
  });

  it("an IMDS tag deny turned off by the caller is reported as not applied", () => {
    const net = planAzureWorkerNetwork({ location: "westeurope", denyImdsServiceTag: false });
    const c = azureNetworkControls(net, "n").find((x) => x.id === "azure-nsg-imds-service-tag-deny")!;
    assert.equal(c.effective, false);
    assert.match(c.appliedBy, /turned off by the caller/);
  });

  it("names the egress controls of each tier", () => {
    const ids = (spec: HardeningSpec) => report(spec).filter((c) => c.family === "egress").map((c) => c.id);
    // Every tier links the DNS security policy by default.
    assert.deepEqual(ids(specs[0][1]), ["azure-nsg-deny-all-outbound", "azure-dns-security-policy-allow-list"]);
    assert.deepEqual(ids(specs[1][1]), ["azure-nsg-deny-all-outbound", "azure-nat-gateway-egress", "azure-dns-security-policy-allow-list"]);
    assert.deepEqual(ids(specs[2][1]), ["azure-nsg-deny-all-outbound", "azure-nat-gateway-egress", "azure-dns-security-policy-allow-list", "azure-nsg-domain-ports-open"]);
    assert.deepEqual(ids(specs[3][1]), ["azure-nsg-deny-all-outbound", "azure-dns-security-policy-allow-list", "azure-firewall-application-rules", "azure-udr-default-via-firewall", "azure-firewall-sni-spoofing"]);
    // Turned off, the report says DNS tunnelling through Azure DNS stays open.
    const off = azureNetworkControls(planAzureWorkerNetwork({ location: "westeurope", hardening: specs[0][1], dnsSecurityPolicy: false }), "w").filter((c) => c.family === "egress");
    assert.deepEqual(off.map((c) => `${c.id}:${c.effective}`), ["azure-nsg-deny-all-outbound:true", "azure-dns-tunnelling:false"]);
    const all = [...off, ...specs.flatMap(([, spec]) => report(spec))];
    for (const id of ["azure-dns-tunnelling", "azure-nsg-domain-ports-open", "azure-firewall-sni-spoofing"]) assert.ok(all.filter((c) => c.id === id).every((c) => !c.effective), id);
  });

  it("reports no sandbox on VM workers as ineffective, and the lifetime mechanism that applies", () => {
    const controls = report({});
    assert.equal(controls.find((c) => c.id === "azure-vmss-sandbox-runtime")!.effective, false);
    assert.match(controls.find((c) => c.id === "azure-host-lifetime")!.appliedBy, /powers the host off/);
    const withIdentity = report({ hostIdentity: "minimal" });
    assert.match(withIdentity.find((c) => c.id === "azure-host-lifetime")!.appliedBy, /automaticRepairsPolicy \(default action Replace\)/);
  });
});
