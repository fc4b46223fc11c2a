import * as assert from "node:assert/strict";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import { policiesFor, rawProps, resourcePolicy, stackPolicy } from "../../policy/binding";
import { awsImdsRule } from "../../policy/rules/metadataEndpoint/awsImds";
import { azureIdentityRule } from "../../policy/rules/hostIdentity/azureCompute";
import { resourceRules, stackRules } from "../../policy/rules";
import { internetRouteRule } from "../../policy/rules/network/cloudNetwork";
import { UNKNOWN } from "./rules/helpers";

type Report = { message: string; urn?: string; enforcementLevel?: string };

function fakeArgs(type: string, name: string, props: Record<string, unknown>, config: Record<string, unknown> = {}): ResourceValidationArgs {
  return {
    type,
    name,
    urn: `urn:pulumi:dev::p::${type}::${name}`,
    props: unknownCheckingProxy(props),
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    stackTags: new Map(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw new Error(reason);
    },
  } as unknown as ResourceValidationArgs;
}

async function validate(policy: ResourceValidationPolicy, args: ResourceValidationArgs): Promise<Report[]> {
  const out: Report[] = [];
  const fn = policy.validateResource as (a: ResourceValidationArgs, r: (m: unknown) => void) => void | Promise<void>;
  await fn(args, (m) => out.push(typeof m === "string" ? { message: m } : (m as Report)));
  return out;
}

describe("policy/binding", () => {
  const imds = resourcePolicy(awsImdsRule);

  it("builds one policy per rule with unique names, none named all, schemas without enforcementLevel", () => {
    const policies = policiesFor(resourceRules, stackRules);
    assert.equal(policies.length, resourceRules.length + stackRules.length);
    assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    for (const p of policies) {
      assert.notEqual(p.name, "all");
      assert.equal(p.configSchema?.properties.enforcementLevel, undefined);
    }
    assert.throws(() => policiesFor([awsImdsRule, awsImdsRule], []), /two policies are named "metadata-endpoint-aws-imds"/);
  });

  it("reports each finding with its exact message at the policy's level, and ignores other types", async () => {
    const out = await validate(imds, fakeArgs("aws:ec2/instance:Instance", "w", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } }));
    assert.equal(out.length, 1);
    assert.match(out[0].message, /^metadataOptions\.httpTokens is "optional"; set it to "required"/);
    assert.equal(out[0].enforcementLevel, undefined);
    assert.deepEqual(await validate(imds, fakeArgs("aws:s3/bucket:Bucket", "b", { metadataOptions: {} })), []);
  });

  it("never throws on values the SDK's unknownCheckingProxy would throw on, and reports them as advisory", async () => {
    const props = { metadataOptions: { httpTokens: UNKNOWN, httpPutResponseHopLimit: 1 } };
    // What a rule reading through the SDK proxy would hit:
    assert.throws(() => (unknownCheckingProxy(props) as { metadataOptions: { httpTokens: unknown } }).metadataOptions.httpTokens, UnknownValueError);
    const out = await validate(imds, fakeArgs("aws:ec2/launchTemplate:LaunchTemplate", "lt", props));
    assert.deepEqual(out, [
      { message: "metadataOptions.httpTokens is not known during preview; it is checked again when the value is known.", urn: undefined, enforcementLevel: "advisory" },
    ]);
    for (const rule of resourceRules) {
      const p = resourcePolicy(rule);
      for (const type of Object.keys(rule.checks)) {
        const reports = await validate(p, fakeArgs(type, "x", { metadataOptions: UNKNOWN, spec: UNKNOWN, networkInterfaces: UNKNOWN, identity: UNKNOWN, serviceAccount: UNKNOWN, egress: UNKNOWN, nodeConfig: UNKNOWN, containerDefinitions: UNKNOWN, metadata: UNKNOWN, data: UNKNOWN }));
        // Nothing threw; whatever an unknown value caused is advisory (absent fields may still be real findings).
        for (const r of reports) if (/not known during preview/.test(r.message)) assert.equal(r.enforcementLevel, "advisory", `${rule.id} on ${type}`);
      }
    }
  });

  it("applies config: defaults when the CLI sent none, exemptions by name and by tag", async () => {
    const p = resourcePolicy(azureIdentityRule);
    const vm = { identity: { type: "SystemAssigned" } };
    assert.equal((await validate(p, fakeArgs("azure-native:compute:VirtualMachine", "agent", vm))).length, 1);
    assert.equal((await validate(p, fakeArgs("azure-native:compute/v20240701:VirtualMachine", "agent", vm))).length, 1, "versioned token");
    // An exemption never silences: the finding goes out as an advisory note naming where the exemption came from.
    const finding = 'identity.type is "SystemAssigned"; remove identity or set its type to "None", or exempt this host in the policy config with a reason: any code on the VM can ask IMDS for the managed identity\'s token, and NSG rules do not filter IMDS by default.';
    assert.deepEqual(await validate(p, fakeArgs("azure-native:compute:VirtualMachine", "agent", vm, { exemptNames: ["agent"] })), [
      { message: `Exempted (not enforced) because its name matches "agent" in the policy config's exemptNames: ${finding}`, urn: undefined, enforcementLevel: "advisory" },
    ]);
    assert.deepEqual(await validate(p, fakeArgs("azure-native:compute:VirtualMachine", "agent", { ...vm, tags: { "hardening:exempt": "host-identity-azure-vm: pulls from ACR" } })), [
      { message: `Exempted (not enforced) because its tag hardening:exempt="host-identity-azure-vm: pulls from ACR", reason: "pulls from ACR": ${finding}`, urn: undefined, enforcementLevel: "advisory" },
    ]);
    const [noReason] = await validate(p, fakeArgs("azure-native:compute:VirtualMachine", "agent", { ...vm, tags: { "hardening:exempt": "host-identity-azure-vm" } }));
    assert.match(noReason.message, /The hardening:exempt tag "host-identity-azure-vm" exempts nothing: it must give a reason/);
  });

  it("remediates through the SDK proxies, idempotently", async () => {
    const args = fakeArgs("aws:ec2/instance:Instance", "w", { ami: "ami-1", metadataOptions: { httpTokens: "optional" } });
    const fixed = (await imds.remediateResource!(args)) as Record<string, unknown>;
    assert.deepEqual(fixed, { ami: "ami-1", metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } });
    assert.equal(await imds.remediateResource!(fakeArgs("aws:ec2/instance:Instance", "w", fixed)), undefined);
    assert.equal(await imds.remediateResource!(fakeArgs("aws:ec2/instance:Instance", "w", { metadataOptions: UNKNOWN })), undefined);
  });

  it("remediates nothing outside the rule's scope (it only advises there) nor on an exempt resource", async () => {
    const scoped = { scopeTags: ["hardening:role=workload"] };
    const weak = { metadataOptions: { httpTokens: "optional" } };
    assert.equal(await imds.remediateResource!(fakeArgs("aws:ec2/instance:Instance", "bastion", weak, scoped)), undefined);
    assert.equal(await imds.remediateResource!(fakeArgs("aws:ec2/instance:Instance", "w", weak, { exemptNames: ["w"] })), undefined);
    const tagged = { ...weak, tags: { "hardening:role": "workload" } };
    assert.deepEqual(await imds.remediateResource!(fakeArgs("aws:ec2/instance:Instance", "w", tagged, scoped)), {
      ...tagged, metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    });
  });

  it("unwraps the SDK proxies to the raw props", () => {
    const raw = { a: { b: UNKNOWN } };
    assert.equal(rawProps(unknownCheckingProxy(raw)), raw);
    assert.equal(rawProps(raw), raw);
  });

  it("runs stack rules over the SDK's resources, following property dependencies", async () => {
    const policy: StackValidationPolicy = stackPolicy(internetRouteRule);
    const mk = (type: string, name: string, props: Record<string, unknown>): PolicyResource =>
      ({ type, name, urn: `urn:pulumi:dev::p::${type}::${name}`, props: unknownCheckingProxy(props), opts: {}, dependencies: [], propertyDependencies: {} }) as unknown as PolicyResource;
    const subnet = mk("aws:ec2/subnet:Subnet", "workers", { id: UNKNOWN });
    const rt = mk("aws:ec2/routeTable:RouteTable", "rt", { id: UNKNOWN });
    const igw = mk("aws:ec2/internetGateway:InternetGateway", "igw", { id: UNKNOWN });
    const route = mk("aws:ec2/route:Route", "r", { routeTableId: UNKNOWN, gatewayId: UNKNOWN, destinationCidrBlock: "0.0.0.0/0" });
    route.propertyDependencies = { routeTableId: [rt], gatewayId: [igw] };
    const assoc = mk("aws:ec2/routeTableAssociation:RouteTableAssociation", "a", { subnetId: UNKNOWN, routeTableId: UNKNOWN });
    assoc.propertyDependencies = { subnetId: [subnet], routeTableId: [rt] };
    const out: Report[] = [];
    const args = { resources: [subnet, rt, igw, route, assoc], getConfig: () => ({}), stackTags: new Map(), notApplicable: () => undefined } as unknown as StackValidationArgs;
    await (policy.validateStack as (a: StackValidationArgs, r: (m: unknown) => void) => void)(args, (m) => out.push(m as Report));
    assert.deepEqual(out.map((o) => [o.urn, o.enforcementLevel]), [[route.urn, undefined]]);
    assert.match(out[0].message, /^gatewayId sends 0\.0\.0\.0\/0 to an internet gateway in route table "rt", which worker subnet "workers" uses/);
  });
});
