import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { EGRESS_PATH_CLAIMS, EgressPath } from "../../components/egressPaths";
import type { CloudName } from "../../program/environment";
import { collectEgressMatrix, EGRESS_MD, type MatrixColumn, renderEgressMatrix } from "../../scripts/egressMatrix";

/**
 * Paths the vendors say stay open in a tier, whatever the package's report claims: the matrix must show each one
 * open, which it does only when the tier's report carries a control saying so with `effective: false`.
 */
const VENDOR_OPEN: readonly { cloud: CloudName; tiers: readonly string[]; path: EgressPath; why: string }[] = [
  { cloud: "aws", tiers: ["firewall"], path: EgressPath.SniSpoofing, why: "Network Firewall domain lists are SNI-based; acceptSniSpoofing runs it without TLS inspection" },
  { cloud: "aws", tiers: ["dns"], path: EgressPath.DirectIp, why: "the security group opens the domain rules' ports to 0.0.0.0/0; DNS Firewall filters names only" },
  { cloud: "aws", tiers: ["dns", "firewall", "firewallFenced"], path: EgressPath.ProxyRebinding, why: "VPC-local traffic never passes the Network Firewall, and the port is open to every address" },
  { cloud: "aws", tiers: ["proxy"], path: EgressPath.CdnFronting, why: "Squid checks the CONNECT authority, not the tunnel's contents" },
  // Not denyAll: there Private Google Access is off by default (CLOSED_BY below).
  { cloud: "gcp", tiers: ["basic", "dns", "firewall", "proxy"], path: EgressPath.CloudApiOtherAccount, why: "Google APIs authorise by credential; no VPC-SC perimeter" },
  { cloud: "gcp", tiers: ["dns"], path: EgressPath.DirectIp, why: "the firewall opens the domain rules' ports to 0.0.0.0/0" },
  { cloud: "azure", tiers: ["firewall", "firewallFenced", "proxy"], path: EgressPath.SniSpoofing, why: "Azure Firewall Standard matches the client's SNI without TLS inspection" },
  { cloud: "kubernetes", tiers: ["denyAll", "basic", "dns", "firewall", "firewallFenced", "proxy"], path: EgressPath.DnsTunnelling, why: "the cluster resolver forwards any name upstream" },
  { cloud: "kubernetes", tiers: ["dns", "firewall", "firewallFenced"], path: EgressPath.CdnFronting, why: "toFQDNs allows the addresses, never checks SNI or Host" },
];

/**
 * Paths a vendor's own fix closes, and the control that must be what closes them: TLS inspection on AWS Network
 * Firewall (and only with it), Private Google Access off or a VPC Service Controls perimeter on GCP.
 */
const CLOSED_BY: readonly { cloud: CloudName; tier: string; path: EgressPath; control: string }[] = [
  { cloud: "aws", tier: "firewallFenced", path: EgressPath.SniSpoofing, control: "aws-network-firewall-tls-inspection" },
  { cloud: "aws", tier: "firewallFenced", path: EgressPath.CdnFronting, control: "aws-network-firewall-tls-inspection" },
  { cloud: "gcp", tier: "denyAll", path: EgressPath.CloudApiOtherAccount, control: "gcp-private-google-access-off" },
  { cloud: "gcp", tier: "firewallFenced", path: EgressPath.CloudApiOtherAccount, control: "gcp-vpc-service-controls" },
];

describe("docs/egress.md, the exfiltration matrix", function () {
  this.timeout(120_000);
  let matrix: Map<CloudName, MatrixColumn[]>;

  before(async function () {
    matrix = await collectEgressMatrix();
  });

  it("is exactly what scripts/egressMatrix.ts generates from the controls reports", function () {
    const committed = fs.readFileSync(EGRESS_MD, "utf8");
    assert.ok(committed === renderEgressMatrix(matrix), "docs/egress.md is out of date with the controls reports; run: node --import tsx scripts/egressMatrix.ts --write");
  });

  it("never has a report call effective a control that says a path stays open", function () {
    for (const [cloud, columns] of matrix) {
      for (const column of columns) {
        for (const c of column.controls) {
          if ((EGRESS_PATH_CLAIMS[c.id]?.leavesOpen ?? []).length > 0) assert.equal(c.effective, false, `${cloud} ${column.configuration.label}: ${c.id} leaves a path open yet is reported effective`);
        }
      }
    }
  });

  it("shows open every path the vendors say a tier leaves open, and names the control that says so", function () {
    for (const fact of VENDOR_OPEN) {
      for (const tier of fact.tiers) {
        const column = (matrix.get(fact.cloud) ?? []).find((c) => c.configuration.label === tier);
        assert.ok(column, `${fact.cloud} has no ${tier} column`);
        const verdict = column.verdicts.find((v) => v.path === fact.path)!;
        assert.ok(verdict.open, `${fact.cloud} ${tier}: ${fact.path} is shown closed by ${verdict.by.join(", ")}, but ${fact.why}`);
        const saying = column.controls.filter((c) => verdict.by.includes(c.id));
        assert.ok(saying.length > 0 && saying.every((c) => !c.effective), `${fact.cloud} ${tier}: no not-effective control in the report says ${fact.path} is open (${fact.why})`);
      }
    }
  });

  it("shows closed the paths a vendor's fix closes, by that fix's control, and only in the tier that applies it", function () {
    for (const fact of CLOSED_BY) {
      const columns = matrix.get(fact.cloud) ?? [];
      const verdict = columns.find((c) => c.configuration.label === fact.tier)!.verdicts.find((v) => v.path === fact.path)!;
      assert.deepEqual([verdict.open, verdict.by], [false, [fact.control]], `${fact.cloud} ${fact.tier} ${fact.path}`);
      for (const other of columns.filter((c) => c.configuration.label !== fact.tier)) {
        assert.ok(!other.controls.some((c) => c.id === fact.control), `${fact.cloud} ${other.configuration.label} carries ${fact.control} without its setting`);
      }
    }
  });

  it("closes a path only with an effective control of that tier's report, and shows the proxy tier's rebinding closed by the resolved-address check", function () {
    for (const [cloud, columns] of matrix) {
      for (const column of columns) {
        for (const v of column.verdicts.filter((x) => !x.open)) {
          const closers = column.controls.filter((c) => v.by.includes(c.id));
          assert.ok(closers.length > 0 && closers.every((c) => c.effective && EGRESS_PATH_CLAIMS[c.id]?.closes?.includes(v.path)), `${cloud} ${column.configuration.label} ${v.path}`);
        }
      }
    }
    const awsProxy = matrix.get("aws")!.find((c) => c.configuration.label === "proxy")!;
    assert.ok(awsProxy.verdicts.find((v) => v.path === EgressPath.ProxyRebinding)!.by.includes("aws-egress-proxy-resolved-address"));
  });
});
