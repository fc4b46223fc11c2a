import * as assert from "node:assert/strict";
import { resolveConfig } from "../../../../policy/options";
import { internetRouteRule, openEgressRule, publicIpRule } from "../../../../policy/rules/network/cloudNetwork";
import type { ResourceInput } from "../../../../policy/rules/types";
import { checkDeclared, EGRESS_WHY, runCheck, UNKNOWN } from "../helpers";

const WHY = "a worker with a public address is reachable from the internet and can bypass the egress filter";

describe("workload-subnet-public-ip", () => {
  const passing: [string, Record<string, unknown>, string?][] = [
    ["aws:ec2/instance:Instance", { associatePublicIpAddress: false }],
    ["aws:ec2/launchTemplate:LaunchTemplate", { networkInterfaces: [{ associatePublicIpAddress: "false" }] }],
    ["aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true, tags: { Name: "public-a" } }, "public-a"],
    ["aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: false, tags: { "hardening:role": "workload" } }],
    ["gcp:compute/instance:Instance", { networkInterfaces: [{ network: "n", accessConfigs: [] }] }],
    ["azure-native:network:NetworkInterface", { ipConfigurations: [{ name: "ip", subnet: { id: "s" } }] }],
    ["azure-native:compute:VirtualMachineScaleSet", { virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ ipConfigurations: [{ name: "a" }] }] } } }],
  ];
  for (const [type, props, name] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(publicIpRule, type, props, {}, name), []));

  const failing: [string, Record<string, unknown>, string, string, string?][] = [
    ["aws:ec2/instance:Instance", { associatePublicIpAddress: true }, "associatePublicIpAddress", `associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: ${WHY}.`],
    ["aws:ec2/launchConfiguration:LaunchConfiguration", { associatePublicIpAddress: true }, "associatePublicIpAddress", `associatePublicIpAddress is true; set it to false and reach the host through SSM or a bastion: ${WHY}.`],
    ["aws:ec2/launchTemplate:LaunchTemplate", { networkInterfaces: [{}, { associatePublicIpAddress: "true" }] }, "networkInterfaces[1].associatePublicIpAddress", `networkInterfaces[1].associatePublicIpAddress is "true"; set it to "false": ${WHY}.`],
    ["aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true, tags: { "hardening:role": "workload" } }, "mapPublicIpOnLaunch", `mapPublicIpOnLaunch is true; set it to false on a worker subnet: ${WHY}.`],
    ["aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true }, "mapPublicIpOnLaunch", `mapPublicIpOnLaunch is true; set it to false on a worker subnet: ${WHY}.`, "kestra-workers-a"],
    ["gcp:compute/instanceTemplate:InstanceTemplate", { networkInterfaces: [{ accessConfigs: [{}] }] }, "networkInterfaces[0].accessConfigs", `networkInterfaces[0].accessConfigs has 1 entry; remove it and use Cloud NAT for egress: each access config gives the VM an external IP, and ${WHY}.`],
    ["azure-native:network:NetworkInterface", { ipConfigurations: [{ publicIPAddress: { id: "/x/pip" } }] }, "ipConfigurations[0].publicIPAddress", `ipConfigurations[0].publicIPAddress is set; remove it and use a NAT gateway for egress: ${WHY}.`],
    [
      "azure-native:compute:VirtualMachineScaleSet",
      { virtualMachineProfile: { networkProfile: { networkInterfaceConfigurations: [{ ipConfigurations: [{ publicIPAddressConfiguration: { name: "p" } }] }] } } },
      "virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].publicIPAddressConfiguration",
      `virtualMachineProfile.networkProfile.networkInterfaceConfigurations[0].ipConfigurations[0].publicIPAddressConfiguration is set; remove it and use a NAT gateway for egress: ${WHY}.`,
    ],
  ];
  for (const [type, props, property, message, name] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(publicIpRule, type, props, {}, name), [{ property, message }]));
  }
  it("recognises worker subnets by the configured globs only", () => {
    assert.deepEqual(runCheck(publicIpRule, "aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true }, { workerNames: ["runners-*"] }, "kestra-workers-a"), []);
    assert.equal(runCheck(publicIpRule, "aws:ec2/subnet:Subnet", { mapPublicIpOnLaunch: true }, { workerNames: ["runners-*"] }, "runners-1").length, 1);
  });
  it("is indeterminate on unknown values", () => {
    assert.deepEqual(runCheck(publicIpRule, "aws:ec2/instance:Instance", { associatePublicIpAddress: UNKNOWN }).map((f) => f.indeterminate), [true]);
  });
});

describe("egress-open-to-internet", () => {
  const passing: [string, Record<string, unknown>][] = [
    ["aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }],
    ["aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/16"] }] }],
    ["aws:ec2/securityGroupRule:SecurityGroupRule", { type: "ingress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" }],
    ["gcp:compute/firewall:Firewall", { direction: "EGRESS", allows: [{ protocol: "tcp", ports: ["443"] }], destinationRanges: ["0.0.0.0/0"] }],
    ["gcp:compute/firewall:Firewall", { direction: "EGRESS", denies: [{ protocol: "all" }], destinationRanges: ["0.0.0.0/0"] }],
    ["gcp:compute/firewall:Firewall", { direction: "INGRESS", allows: [{ protocol: "all" }], sourceRanges: ["0.0.0.0/0"] }],
    ["azure-native:network:NetworkSecurityGroup", { securityRules: [{ direction: "Outbound", access: "Deny", protocol: "*", destinationAddressPrefix: "*", destinationPortRange: "*" }] }],
    ["azure-native:network:SecurityRule", { direction: "Outbound", access: "Allow", protocol: "Tcp", destinationAddressPrefix: "Internet", destinationPortRange: "443" }],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(openEgressRule, type, props), []));

  const failing: [string, Record<string, unknown>, string, string][] = [
    ["aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }, "egress[0].cidrBlocks", `egress[0].cidrBlocks allows "0.0.0.0/0" on every port (protocol "-1"); ${EGRESS_WHY}.`],
    ["aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "tcp", fromPort: 0, toPort: 65535, ipv6CidrBlocks: ["::/0"] }] }, "egress[0].ipv6CidrBlocks", `egress[0].ipv6CidrBlocks allows "::/0" on every port (protocol "tcp"); ${EGRESS_WHY}.`],
    ["aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", protocol: "all", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }, "cidrBlocks", `cidrBlocks allows "0.0.0.0/0" on every port (protocol "all"); ${EGRESS_WHY}.`],
    ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { ipProtocol: "-1", cidrIpv6: "::/0" }, "cidrIpv6", `cidrIpv6 allows "::/0" on every port (ipProtocol "-1"); ${EGRESS_WHY}.`],
    ["gcp:compute/firewall:Firewall", { direction: "EGRESS", allows: [{ protocol: "all" }] }, "allows[0]", `allows[0] lets "all" traffic out to 0.0.0.0/0 (no destinationRanges) on every port; ${EGRESS_WHY}.`],
    ["gcp:compute/firewall:Firewall", { direction: "EGRESS", allows: [{ protocol: "tcp" }], destinationRanges: ["::/0"] }, "allows[0]", `allows[0] lets "tcp" traffic out to "::/0" on every port; ${EGRESS_WHY}.`],
    ["azure-native:network:NetworkSecurityGroup", { securityRules: [{ direction: "Outbound", access: "Allow", protocol: "*", destinationAddressPrefix: "Internet", destinationPortRange: "*" }] }, "securityRules[0].destinationAddressPrefix", `securityRules[0].destinationAddressPrefix "Internet" is allowed outbound for every protocol and port; ${EGRESS_WHY}.`],
    ["azure-native:network:SecurityRule", { direction: "Outbound", access: "Allow", protocol: "*", destinationAddressPrefixes: ["10.0.0.0/8", "0.0.0.0/0"], destinationPortRanges: ["*"] }, "destinationAddressPrefix", `destinationAddressPrefix "0.0.0.0/0" is allowed outbound for every protocol and port; ${EGRESS_WHY}.`],
  ];
  for (const [type, props, property, message] of failing) {
    it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(openEgressRule, type, props), [{ property, message }]));
  }
  it("with scope workers, checks only worker-marked resources", () => {
    const open = { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] };
    assert.deepEqual(runCheck(openEgressRule, "aws:ec2/securityGroup:SecurityGroup", open, { scope: "workers" }, "web-lb"), []);
    assert.equal(runCheck(openEgressRule, "aws:ec2/securityGroup:SecurityGroup", open, { scope: "workers" }, "kestra-worker-sg").length, 1);
    assert.equal(runCheck(openEgressRule, "aws:ec2/securityGroup:SecurityGroup", { ...open, tags: { "hardening:role": "workload" } }, { scope: "workers" }, "sg").length, 1);
  });
});

describe("workload-subnet-internet-route (stack)", () => {
  const urn = (t: string, n: string) => `urn:pulumi:dev::p::${t}::${n}`;
  const res = (type: string, name: string, props: Record<string, unknown>, deps?: Record<string, string[]>): ResourceInput => ({
    type,
    name,
    urn: urn(type, name),
    props,
    propertyDependencies: deps,
  });
  const SUBNET = "aws:ec2/subnet:Subnet";
  const RT = "aws:ec2/routeTable:RouteTable";
  const ROUTE = "aws:ec2/route:Route";
  const ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation";
  const IGW = "aws:ec2/internetGateway:InternetGateway";
  const check = (rs: ResourceInput[], config = {}) => checkDeclared(internetRouteRule, rs, { config: resolveConfig(internetRouteRule.id, config) });
  const worker = res(SUBNET, "workload-a", { id: "subnet-1", tags: { "hardening:role": "workload" } });
  const publicSubnet = res(SUBNET, "public-a", { id: "subnet-2" });
  const igw = res(IGW, "igw", { id: "igw-123" });
  const msg = (prop: string, dest: string, gw: string, table: string, subnet: string) =>
    `${prop} sends ${dest} to ${gw} in route table "${table}", which worker subnet "${subnet}" uses; route the worker ` +
    "subnet's default route to a NAT gateway or the egress firewall, or give it none: an internet-gateway route makes " +
    "the subnet public and bypasses the egress allow-list.";

  it("passes: a public subnet with an IGW route, a worker subnet routed to NAT, no associations", () => {
    const rtPublic = res(RT, "public-rt", { id: "rtb-1", routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: "igw-123" }] });
    const rtWorker = res(RT, "worker-rt", { id: "rtb-2", routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" }] });
    assert.deepEqual(check([worker, publicSubnet, igw, rtPublic, rtWorker,
      res(ASSOC, "a1", { subnetId: "subnet-2", routeTableId: "rtb-1" }),
      res(ASSOC, "a2", { subnetId: "subnet-1", routeTableId: "rtb-2" })]), []);
    assert.deepEqual(check([worker, rtPublic]), []);
    assert.deepEqual(check([worker, igw, rtWorker, res(ROUTE, "r", { routeTableId: "rtb-2", destinationCidrBlock: "10.1.0.0/16", gatewayId: "igw-123" }),
      res(ASSOC, "a2", { subnetId: "subnet-1", routeTableId: "rtb-2" })]), []);
  });

  it("fails an inline IGW route on a worker subnet's table (ids known, as in an export)", () => {
    const rt = res(RT, "rt", { id: "rtb-1", routes: [{ cidrBlock: "10.0.0.0/8", transitGatewayId: "tgw" }, { ipv6CidrBlock: "::/0", gatewayId: "igw-123" }] });
    assert.deepEqual(check([worker, rt, igw, res(ASSOC, "a", { subnetId: "subnet-1", routeTableId: "rtb-1" })]), [
      { urn: rt.urn, type: RT, property: "routes[1].gatewayId", message: msg("routes[1].gatewayId", "::/0", 'internet gateway "igw-123"', "rt", "workload-a") },
    ]);
  });

  it("fails a standalone Route whose ids are unknown, following property dependencies (preview)", () => {
    const rt = res(RT, "rt", { id: UNKNOWN });
    const sub = res(SUBNET, "kestra-workers-1", { id: UNKNOWN });
    const igwU = res(IGW, "igw", { id: UNKNOWN });
    const route = res(ROUTE, "default", { routeTableId: UNKNOWN, destinationCidrBlock: "0.0.0.0/0", gatewayId: UNKNOWN }, { routeTableId: [rt.urn], gatewayId: [igwU.urn] });
    const assoc = res(ASSOC, "a", { subnetId: UNKNOWN, routeTableId: UNKNOWN }, { subnetId: [sub.urn], routeTableId: [rt.urn] });
    assert.deepEqual(check([sub, rt, igwU, route, assoc]), [
      { urn: route.urn, type: ROUTE, property: "gatewayId", message: msg("gatewayId", "0.0.0.0/0", "an internet gateway", "rt", "kestra-workers-1") },
    ]);
  });

  it("fails an igw- id even without the gateway resource in the stack", () => {
    const rt = res(RT, "rt", { id: "rtb-9" });
    const route = res(ROUTE, "r", { routeTableId: "rtb-9", destinationCidrBlock: "0.0.0.0/0", gatewayId: "igw-ext" });
    const out = check([worker, rt, route, res(ASSOC, "a", { subnetId: "subnet-1", routeTableId: "rtb-9" })]);
    assert.deepEqual(out.map((f) => [f.urn, f.property]), [[route.urn, "gatewayId"]]);
  });

  it("reports an unknown gateway on a worker subnet's default route as indeterminate", () => {
    const rt = res(RT, "rt", { id: "rtb-9" });
    const route = res(ROUTE, "r", { routeTableId: "rtb-9", destinationCidrBlock: "0.0.0.0/0", gatewayId: UNKNOWN });
    const out = check([worker, rt, route, res(ASSOC, "a", { subnetId: "subnet-1", routeTableId: "rtb-9" })]);
    assert.deepEqual(out.map((f) => [f.urn, f.property, f.indeterminate]), [[route.urn, "gatewayId", true]]);
  });
});
