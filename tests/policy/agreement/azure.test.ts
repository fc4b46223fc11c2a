/**
 * The pack against Checkov on Checkov's own Azure fixtures, for every Checkov check whose concern a pack rule
 * shares (AKS node public IPs, NIC public IPs): each case's verdict must be Checkov's, except the cases listed in
 * STRICTER (each with its reason, also in docs/policy-agreement/azure.md). The doc's agreement line is the one
 * computed here.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { agreementLine, compare, type CaseResult, type Overlap } from "./checkovFixtures";

export const AZURE_OVERLAPS: Readonly<Record<string, Overlap>> = {
  CKV_AZURE_143: {
    rule: "workload-subnet-public-ip",
    property: /^agentPoolProfiles\[\d+\]\.enableNodePublicIP$/,
    how: "azurerm's default_node_pool is the cluster's first inline agent pool (agentPoolProfiles[0]); the rule's node public IP findings",
  },
  CKV_AZURE_119: {
    rule: "workload-subnet-public-ip",
    property: /^ipConfigurations\[\d+\]\.publicIPAddress$/,
    how: "Checkov's graph check fails a NIC connected to a public IP; the NIC's ip_configuration.public_ip_address_id is its ipConfigurations[].publicIPAddress",
  },
};

/** Cases where the pack fails what Checkov passes, on purpose: `check resource` -> reason. */
export const AZURE_STRICTER: Readonly<Record<string, string>> = {};

describe("agreement with Checkov: Azure", function () {
  this.timeout(60_000);
  let results: CaseResult[];
  before(async () => {
    results = await compare("azure", AZURE_OVERLAPS);
  });

  it("agrees with every verdict of Checkov's fixtures, or the case is listed as deliberately stricter", () => {
    const disagreements = results.filter((r) => r.checkov !== r.pack).map((r) => `${r.check} ${r.resource}: checkov ${r.checkov}, pack ${r.pack}`);
    assert.deepEqual(disagreements.sort(), Object.keys(AZURE_STRICTER).map((k) => `${k}: checkov pass, pack fail`).sort());
  });

  it("documents the agreement in docs/policy-agreement/azure.md", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "..", "..", "docs", "policy-agreement", "azure.md"), "utf8");
    assert.ok(doc.includes(`Agreement: ${agreementLine(results)}`), `the doc must say "Agreement: ${agreementLine(results)}"`);
    for (const k of Object.keys(AZURE_STRICTER)) assert.ok(doc.includes(k.split(" ")[1]), `${k} is not in the doc`);
  });
});
