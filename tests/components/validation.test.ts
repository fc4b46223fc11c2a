/**
 * The validation toolkit (components/validation): the issues collector and its one error, the shared checks, the
 * did-you-mean, and `show`, which never prints a secret.
 */
import * as assert from "node:assert/strict";
import {
  checkCidr,
  checkEnum,
  checkFields,
  checkMinMax,
  checkPort,
  checkWholeNumber,
  InvalidArgsError,
  isRecord,
  Issues,
  show,
  throwIfIssues,
  wholeNumberOr,
} from "../../components/validation";

function thrown(f: () => void): InvalidArgsError {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidArgsError) return e;
    throw e;
  }
  assert.fail("no InvalidArgsError");
}

describe("validation toolkit", () => {
  it("gathers five problems and throws them in one error, one per line, each naming the field, the value and the fix", () => {
    const args: Record<string, unknown> = { port: 70000, replicas: 0, mode: "allowlist", colour: "red", cidr: "10.0.0.1/8" };
    const issues = new Issues();
    checkPort(issues, "port", args.port);
    checkWholeNumber(issues, "replicas", args.replicas, 1, 100);
    checkEnum(issues, "mode", args.mode, ["denyAll", "allowList"]);
    checkFields(issues, "", args, ["port", "replicas", "mode", "cidr"]);
    checkCidr(issues, "cidr", args.cidr, "10.0.0.0/8");
    const e = thrown(() => issues.throwIfAny('Widget "w"'));
    const expected = [
      "port 70000 must be a whole number from 1 to 65535.",
      "replicas 0 must be a whole number from 1 to 100.",
      'mode "allowlist" is not one of "denyAll", "allowList"; did you mean "allowList"?',
      "colour is not a field; known fields: port, replicas, mode, cidr.",
      'cidr "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?',
    ];
    assert.deepEqual(e.issues, expected);
    assert.equal(e.message, `Widget "w": invalid arguments:\n${expected.map((l) => ` - ${l}`).join("\n")}`);
    assert.equal(e.message.split("\n").length, 6, "a summary line and one line per problem");
    assert.equal(e.subject, 'Widget "w"');
    const cause = new Error("planner");
    assert.equal(new InvalidArgsError(["a 1 must be 2."], { cause }).cause, cause);
    // The collector keeps each problem's parts apart too.
    assert.deepEqual(issues.entries[0], { field: "port", value: 70000, fix: "must be a whole number from 1 to 65535." });
    assert.deepEqual(issues.entries[3], { field: "colour", fix: "is not a field; known fields: port, replicas, mode, cidr." });
  });

  it("throws nothing when there is nothing wrong (positive control)", () => {
    const issues = new Issues();
    assert.equal(checkPort(issues, "port", 443), true);
    assert.equal(checkWholeNumber(issues, "n", 0, 0, 0), true);
    assert.equal(checkEnum(issues, "mode", "denyAll", ["denyAll", "allowList"]), true);
    checkFields(issues, "args", { port: 1, other: undefined }, ["port"]);
    assert.ok(checkCidr(issues, "cidr", " 10.0.0.0/8 ", "10.0.0.0/8"));
    checkMinMax(issues, { field: "min", given: 1, value: 1, lowest: 0 }, { field: "max", given: 3, value: 3, lowest: 1 }, 10);
    issues.throwIfAny();
    throwIfIssues([]);
    assert.deepEqual(issues.list, []);
  });

  it("writes the same lines into a plain string list", () => {
    const lines: string[] = [];
    assert.equal(wholeNumberOr(lines, "count", undefined, 2, 1, 10), 2);
    assert.equal(wholeNumberOr(lines, "count", 5, 2, 1, 10), 5);
    assert.equal(wholeNumberOr(lines, "count", 2.5, 2, 1, 10), 2);
    checkWholeNumber(lines, "hours", -1, 1, 24, { unit: "hours", hint: "a day at most" });
    checkWholeNumber(lines, "pods", 0, 1, Infinity);
    checkMinMax(lines, { field: "min", given: 5, value: 5, lowest: 0 }, { field: "max", given: 2, value: 2, lowest: 1 }, 10);
    checkCidr(lines, "net", 42, "10.0.0.0/8");
    checkCidr(lines, "net", "10.0.0.0", "10.0.0.0/8");
    checkFields(lines, "spec", { metadataEndpiont: "blocked" }, ["metadataEndpoint", "egress"]);
    checkFields(lines, "proxy", { colour: 1 }, ["image"], { noun: "argument" });
    checkEnum(lines, "cloud", "oci", ["aws", "gcp"], { quote: false });
    checkEnum(lines, "cloud", "AWS", ["aws", "gcp"], { quote: false });
    checkEnum(lines, "cloud", 7, ["aws", "gcp"]);
    assert.deepEqual(lines, [
      "count 2.5 must be a whole number from 1 to 10.",
      "hours -1 must be a whole number of hours from 1 to 24 (a day at most).",
      "pods 0 must be a whole number of at least 1.",
      "max 2 is below min 5; raise max or lower min.",
      'net 42 must be a network such as "10.0.0.0/8".',
      'net "10.0.0.0" has no /prefix length.',
      'spec.metadataEndpiont is not a field; did you mean "metadataEndpoint"?',
      "proxy.colour is not an argument; known arguments: image.",
      'cloud "oci" is not one of aws, gcp.',
      'cloud "AWS" is not one of aws, gcp; did you mean "aws"?',
      'cloud 7 is not one of "aws", "gcp".',
    ]);
  });

  it("tells plain objects from null, arrays and scalars", () => {
    assert.equal(isRecord({}), true);
    for (const v of [null, undefined, [], "x", 1]) assert.equal(isRecord(v), false, String(v));
  });

  it("shows values short and quoted, and never prints a secret", () => {
    assert.equal(show("x"), '"x"');
    assert.equal(show(undefined), "undefined");
    assert.equal(show(null, { absent: "not set" }), "not set");
    assert.equal(show({ a: [1, 2] }), '{"a":[1,2]}');
    const long = show("a".repeat(300));
    assert.equal(long.length, 80);
    assert.ok(long.endsWith('..."'), "a cut string keeps its closing quote");
    assert.equal(show("a".repeat(300), { maxLength: 200 }).length, 200);
    assert.equal(show("http://user:hunter2@proxy:3128"), '"http://user:[redacted]@proxy:3128"');
    assert.equal(show({ password: "hunter2", user: "kestra" }), '{"password":"[redacted]","user":"kestra"}');
    assert.equal(show([{ apiKey: "k-123" }, { clientSecret: "s" }, { token: "t" }]), '[{"apiKey":"[redacted]"},{"clientSecret":"[redacted]"},{"token":"[redacted]"}]');
    const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
    assert.equal(show({ bootScript: `#!/bin/sh\necho '${pem}' > /k` }), JSON.stringify({ bootScript: "#!/bin/sh\necho '[redacted]' > /k" }));
    assert.ok(!show({ nested: { privateKey: "abc" } }).includes("abc"));
    assert.equal(show("export AWS_SECRET_ACCESS_KEY=wJalr; DB_PASSWORD='p w' make"), JSON.stringify("export AWS_SECRET_ACCESS_KEY=[redacted]; DB_PASSWORD=[redacted] make"));
    // Positive control: ordinary values under ordinary names print whole.
    assert.equal(show({ bypass: "yes", tokenPath: "/var/run/t", HTTP_PROXY: "http://proxy:3128" }), '{"bypass":"yes","tokenPath":"/var/run/t","HTTP_PROXY":"http://proxy:3128"}');
    // Numbers under secret-looking names are not secrets: a token's lifetime still prints.
    assert.equal(show({ tokenExpirationSeconds: 3600 }), '{"tokenExpirationSeconds":3600}');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.equal(typeof show(cyclic), "string");
  });

  it("recognises an InvalidArgsError from a second copy of the package, and nothing else", () => {
    const file = require.resolve("../../components/validation/issues");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const first = require(file) as typeof import("../../components/validation/issues");
    delete require.cache[file];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const second = require(file) as typeof import("../../components/validation/issues");
    assert.notEqual(first.InvalidArgsError, second.InvalidArgsError, "two copies of the class");
    const fromCopy = new second.InvalidArgsError(["a 1 must be 2."], { subject: 'X "x"' });
    assert.ok(fromCopy instanceof InvalidArgsError);
    assert.ok(fromCopy instanceof Error);
    assert.ok(!(new Error("invalid arguments:\n - a 1 must be 2.") instanceof InvalidArgsError), "the text alone is not enough");
    assert.ok(!((null as unknown) instanceof InvalidArgsError));
    assert.ok(!(({ issues: [] } as unknown) instanceof InvalidArgsError));
  });
});
