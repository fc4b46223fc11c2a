import * as assert from "node:assert/strict";
import { PluginPolicy } from "../../scan/pluginControl";

describe("scan: plugin control", () => {
  const policy = new PluginPolicy({
    allow: ["io.kestra.plugin.core.*", "io.kestra.plugin.scripts.*"],
    deny: ["io.kestra.plugin.scripts.shell.*", "io.kestra.plugin.core.flow.Subflow"],
    namespaces: [
      { namespace: "platform.*", deny: [] },
      { namespace: "sandbox", allow: ["io.kestra.plugin.core.log.*"] },
    ],
  });
  const cases: [string, string | undefined, boolean, string][] = [
    ["io.kestra.plugin.core.log.Log", "company.team", true, ""],
    ["io.kestra.plugin.scripts.python.Script", "company.team", true, ""],
    ["io.kestra.plugin.scripts.shell.Commands", "company.team", false,
      "io.kestra.plugin.scripts.shell.Commands matches deny pattern \"io.kestra.plugin.scripts.shell.*\""],
    // `*` crosses dots: a deny on a package covers its sub-packages.
    ["io.kestra.plugin.scripts.shell.sub.Thing", "company.team", false,
      "io.kestra.plugin.scripts.shell.sub.Thing matches deny pattern \"io.kestra.plugin.scripts.shell.*\""],
    ["io.kestra.core.tasks.scripts.Bash", "company.team", false,
      "io.kestra.core.tasks.scripts.Bash (legacy name of io.kestra.plugin.scripts.shell.Commands) matches deny pattern \"io.kestra.plugin.scripts.shell.*\""],
    ["io.kestra.core.tasks.flows.Subflow", "company.team", false,
      "io.kestra.core.tasks.flows.Subflow (legacy name of io.kestra.plugin.core.flow.Subflow) matches deny pattern \"io.kestra.plugin.core.flow.Subflow\""],
    // A legacy name is allowed by what it is.
    ["io.kestra.core.tasks.log.Log", "company.team", true, ""],
    ["io.kestra.plugin.jdbc.postgresql.Query", "company.team", false,
      "io.kestra.plugin.jdbc.postgresql.Query matches no allow pattern"],
    ["io.kestra.plugin.scripts.shell.Commands", "platform.ops", true, ""],
    ["io.kestra.plugin.scripts.python.Script", "sandbox", false,
      "io.kestra.plugin.scripts.python.Script matches no allow pattern (namespace override \"sandbox\")"],
    // The override's deny is inherited when it gives none.
    ["io.kestra.plugin.scripts.shell.Commands", "sandbox", false,
      "io.kestra.plugin.scripts.shell.Commands matches deny pattern \"io.kestra.plugin.scripts.shell.*\" (namespace override \"sandbox\")"],
    ["io.kestra.plugin.scripts.shell.Commands", undefined, false,
      "io.kestra.plugin.scripts.shell.Commands matches deny pattern \"io.kestra.plugin.scripts.shell.*\""],
  ];
  for (const [type, ns, allowed, reason] of cases) {
    it(`${type} in ${ns ?? "(no namespace)"} is ${allowed ? "allowed" : "denied"}`, () => {
      assert.deepEqual(policy.check(type, ns), { allowed, reason });
    });
  }

  it("allows everything not denied when no allow list is given", () => {
    const p = new PluginPolicy({ deny: ["io.kestra.plugin.scripts.*"] });
    assert.equal(p.check("io.kestra.plugin.jdbc.postgresql.Query", "x").allowed, true);
    assert.equal(p.check("io.kestra.plugin.scripts.node.Script", "x").allowed, false);
  });
});

describe("scan: plugin control's parse prefilter", () => {
  const deny = new PluginPolicy({ deny: ["io.kestra.plugin.scripts.shell.*", "io.kestra.plugin.core.flow.Subflow"] });
  const cases: [string, PluginPolicy, string, boolean][] = [
    ["an unrelated flow is not parsed", deny, "tasks:\n  - type: io.kestra.plugin.core.log.Log\n", false],
    ["the literal prefix of a deny glob", deny, "type: io.kestra.plugin.scripts.shell.Commands", true],
    ["a legacy name of a denied type (exact)", deny, "type: io.kestra.core.tasks.scripts.Bash", true],
    ["a legacy package of a denied type", deny, "type: io.kestra.core.tasks.flows.Subflow", true],
    ["any backslash (a YAML escape can spell a type)", deny, "type: \"io.kestra.plugin.scripts.s\\x68ell.Commands\"", true],
    ["an allow list parses everything", new PluginPolicy({ allow: ["io.kestra.plugin.core.*"] }), "type: x.y.Z", true],
    ["an allow list in an override parses everything", new PluginPolicy({ deny: ["io.kestra.plugin.scripts.*"], namespaces: [{ namespace: "a", allow: ["x.*"] }] }), "type: x.y.Z", true],
    ["a glob with no literal prefix parses everything", new PluginPolicy({ deny: ["*.Commands"] }), "type: x.y.Z", true],
    ["a negated glob parses everything", new PluginPolicy({ deny: ["!io.kestra.plugin.core.*"] }), "type: io.kestra.plugin.core.log.Log", true],
    ["an override's deny list counts too", new PluginPolicy({ namespaces: [{ namespace: "a", deny: ["io.kestra.plugin.jdbc.*"] }] }), "type: io.kestra.plugin.jdbc.postgresql.Query", true],
  ];
  for (const [what, policy, text, parse] of cases) {
    it(`${what}: ${parse ? "parsed" : "skipped"}`, () => assert.equal(policy.mayRefuse(text), parse));
  }
});
