import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { parse as parseYaml } from "yaml";
import { findEndpointReferences, forDisplay } from "../../detect";
import { joinStringLiterals } from "../../detect/concat";
import { evaluate, renderTemplates } from "../../detect/pebble";

const IMDS = { endpoint: "169.254.169.254", endpointId: "aws-imds" } as const;

/** One finding expected: exactly this span (an exact substring occurring once), this endpoint, spelled so. */
const CASES: readonly { text: string; match: string; endpoint: string; endpointId: string; spelling: string }[] = [
  // Shell and Windows quoting.
  { text: "curl http://'169.254'.169.254/latest/", match: "169.254'.169.254", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://1\\69.254.169.254/latest/", match: "1\\69.254.169.254", ...IMDS, spelling: "shell quoting" },
  { text: "iwr http://169.2`54.169.254/latest/", match: "169.2`54.169.254", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://1^69.2^54.1^69.2^54/", match: "1^69.2^54.1^69.2^54", ...IMDS, spelling: "shell quoting" },
  // The same marks inside a bare number: no dot for the cheap pass to start from.
  { text: "iwr http://2852`039166/latest/", match: "2852`039166", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://28^52^03^91^66/", match: "28^52^03^91^66", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://0^25177524776/", match: "0^25177524776", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://169.254$x.169.254/latest/", match: "169.254$x.169.254", ...IMDS, spelling: "shell quoting" },
  { text: "x='169.254'; curl http://$x.169.254/", match: "$x.169.254", ...IMDS, spelling: "shell quoting" },
  { text: "curl http://169.254.169.[250-255]/", match: "169.254.169.[250-255]", ...IMDS, spelling: "glob" },
  { text: "curl http://{169,127}.254.169.254/", match: "{169,127}.254.169.254", ...IMDS, spelling: "glob" },
  { text: "curl http://169.254.169.{250..255}/", match: "169.254.169.{250..255}", ...IMDS, spelling: "glob" },
  // Pebble.
  { text: "uri: \"http://{{ '169.254' }}.169.254/latest/\"", match: "{{ '169.254' }}.169.254", ...IMDS, spelling: "Pebble" },
  { text: "{% set h = '169.254' %}\nuri: http://{{ h }}.169.254/", match: "{{ h }}.169.254", ...IMDS, spelling: "Pebble" },
  { text: "uri: \"http://{{ ['169', '254', '169', '254'] | join('.') }}/x\"", match: "{{ ['169', '254', '169', '254'] | join('.') }}", ...IMDS, spelling: "Pebble" },
  { text: "uri: \"{{ 'http://169.254' ~ '.169.254/' }}\"", match: "{{ 'http://169.254' ~ '.169.254/' }}", ...IMDS, spelling: "Pebble" },
  // Tags are whitespace-insensitive (Pebble's lexer skips spaces and line breaks inside them), however much there is;
  // and a `set` counts among other statements.
  { text: `uri: "http://{{${" ".repeat(80)}'169.254' }}.169.254/"`, match: `{{${" ".repeat(80)}'169.254' }}.169.254`, ...IMDS, spelling: "Pebble" },
  { text: "uri: http://{{ ( ('169' ~ '.254') ) }}.169.254/", match: "{{ ( ('169' ~ '.254') ) }}.169.254", ...IMDS, spelling: "Pebble" },
  { text: "uri: http://{{ (inputs.h | default('169.254')) }}.169.254/", match: "{{ (inputs.h | default('169.254')) }}.169.254", ...IMDS, spelling: "Pebble" },
  { text: "uri: http://{{ (inputs.h) | default('169.254') }}.169.254/", match: "{{ (inputs.h) | default('169.254') }}.169.254", ...IMDS, spelling: "Pebble" },
  { text: "{% for x in [1] %}{% endfor %}{%-\n  set h = '169.254' %}\nuri: http://{{ h }}.169.254/", match: "{{ h }}.169.254", ...IMDS, spelling: "Pebble" },
  // YAML's escaped line break.
  { text: "uri: \"http://169.254.\\\n  169.254/latest/\"", match: "169.254.\\\n  169.254", ...IMDS, spelling: "escaped line break" },
  // Rebinding, redirectors and provider names.
  { text: "url: http://make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms/", match: "make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms", ...IMDS, spelling: "1u.ms" },
  { text: "url: http://make-1-2-3-4-rebind-169-254-169-254-rr.1u.ms/", match: "make-1-2-3-4-rebind-169-254-169-254-rr.1u.ms", ...IMDS, spelling: "1u.ms" },
  { text: "Dynamic:http://nicob.net/redir-http-169.254.169.254:80-", match: "169.254.169.254", ...IMDS, spelling: "dotted" },
  { text: "url: http://instance-data.us-west-2.compute.internal/latest/", match: "instance-data.us-west-2.compute.internal", endpoint: "instance-data.us-west-2.compute.internal", endpointId: "aws-imds", spelling: "region" },
  { text: "url: https://metadata.platformequinix.com/metadata", match: "metadata.platformequinix.com", endpoint: "metadata.platformequinix.com", endpointId: "equinix-metal-metadata", spelling: "metadata host name" },
  { text: "curl http://rancher-metadata/latest/self", match: "rancher-metadata", endpoint: "rancher-metadata", endpointId: "rancher-metadata", spelling: "metadata host name" },
  { text: "curl http://[fe80::a9fe:a9fe]/openstack/latest/", match: "[fe80::a9fe:a9fe]", endpoint: "fe80::a9fe:a9fe", endpointId: "openstack-metadata", spelling: "IPv6" },
  { text: "curl \"$IDENTITY_ENDPOINT?resource=https://vault.azure.net\"", match: "IDENTITY_ENDPOINT", endpoint: "azure-app-service-identity", endpointId: "azure-app-service-identity", spelling: "environment variable" },
  // Escapes and parser leniency.
  { text: "x=169&period;254&period;169&period;254", match: "169&period;254&period;169&period;254", ...IMDS, spelling: "HTML character references" },
  { text: "url: http://0000000000000000000000000000000000000000000000251.0376.0251.0376/", match: "0000000000000000000000000000000000000000000000251.0376.0251.0376", ...IMDS, spelling: "octal" },
  { text: "url: http://x@0xa9fea9fe:@www.google.com/", match: "0xa9fea9fe", ...IMDS, spelling: "hex integer" },
];

describe("findEndpointReferences: payload families from public SSRF lists", () => {
  for (const c of CASES) {
    it(`finds ${c.endpoint} in ${JSON.stringify(c.text).slice(0, 80)}`, () => {
      const start = c.text.indexOf(c.match);
      assert.ok(start >= 0 && c.text.indexOf(c.match, start + 1) < 0, "test bug: match must occur exactly once");
      const refs = findEndpointReferences(c.text).filter((r) => r.severity === "error");
      assert.equal(refs.length, 1, JSON.stringify(refs));
      assert.deepEqual(
        { endpointId: refs[0].endpointId, endpoint: refs[0].endpoint, start: refs[0].start, end: refs[0].end, match: refs[0].match },
        { endpointId: c.endpointId, endpoint: c.endpoint, start, end: start + c.match.length, match: forDisplay(c.match) },
      );
      assert.ok(refs[0].spelling.includes(c.spelling), `spelling "${refs[0].spelling}" should mention "${c.spelling}"`);
    });
  }

  it("leaves templates, globs and quotes that build no endpoint alone", () => {
    for (const text of [
      "uri: \"{{ outputs.download.uri }}\"",
      "{% set host = 'example.com' %}curl http://{{ host }}/api",
      "uri: \"http://{{ '10.0' }}.0.1/\"",
      "curl http://{10,127}.0.0.1/ http://site.com/file[1-100].txt",
      "echo '1.2'.'3' ^<html^> `date`",
      "x='10.0'; curl http://$x.0.1/",
    ]) {
      assert.deepEqual(findEndpointReferences(text), [], text);
    }
  });
});

describe("bash makes the address the detector reads", () => {
  // Each word as a script would write it; bash (the real shell) says what the client receives.
  const WORDS = [
    "http://'169.254'.169.254/latest/",
    "http://1\\69.254.169.254/",
    "\"http://169.254\"\".169.254/\"",
    "http://169.254$x.169.254/",
    "http://169.254${EMPTY}.169.254/",
    "http://{169,127}.254.169.254/",
    "http://169.254.169.{250..255}/",
    "http://169.254.{169.254,1.1}/",
  ];
  for (const word of WORDS) {
    it(`bash expands ${word} to the endpoint, and the detector reports it`, () => {
      const out = execFileSync("bash", ["-c", `x=; printf '%s\\n' ${word}`], { encoding: "utf8" });
      assert.ok(out.split("\n").some((w) => w.includes("//169.254.169.254/")), `bash gave ${JSON.stringify(out)}`);
      assert.ok(findEndpointReferences(`curl ${word}`).some((r) => r.severity === "error" && r.endpoint === "169.254.169.254"));
    });
  }
  it("positive control: a word bash expands to other hosts gives no finding", () => {
    const word = "http://{10,127}.0.'0'.1/";
    const out = execFileSync("bash", ["-c", `printf '%s\\n' ${word}`], { encoding: "utf8" });
    assert.deepEqual(out.trim().split("\n"), ["http://10.0.0.1/", "http://127.0.0.1/"]);
    assert.deepEqual(findEndpointReferences(`curl ${word}`), []);
  });
});

describe("YAML escaped line breaks (checked with the yaml parser)", () => {
  it("finds an endpoint URL split anywhere by an escaped line break inside a double-quoted scalar", () => {
    const urls = ["http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/", "http://169.254.170.2/v2/credentials"];
    fc.assert(
      fc.property(fc.constantFrom(...urls), fc.nat(), fc.integer({ min: 1, max: 8 }), (url, cut, indent) => {
        const at = 7 + (cut % (url.length - 7));
        const text = `uri: "${url.slice(0, at)}\\\n${" ".repeat(indent)}${url.slice(at)}"\n`;
        // The real parser joins the lines: the property is about what YAML hands the task.
        assert.equal((parseYaml(text) as { uri: string }).uri, url);
        assert.ok(findEndpointReferences(text).some((r) => r.severity === "error"), JSON.stringify(text));
      }),
      { numRuns: 300 },
    );
  });
  it("positive control: a plain line break inside a double-quoted scalar folds to a space, and the detector does not join it", () => {
    const text = 'uri: "http://169.254.\n  169.254/"\n';
    assert.equal((parseYaml(text) as { uri: string }).uri, "http://169.254. 169.254/");
    assert.ok(findEndpointReferences(text).every((r) => r.endpoint !== "169.254.169.254"));
  });
});

describe("Pebble templates", () => {
  it("evaluates literals, ~, join, replace, lower and default, and nothing that needs run-time values", () => {
    const vars = new Map<string, string>([["h", "169.254"]]);
    assert.equal(evaluate("'169.254' ~ '.169.254'", vars), "169.254.169.254");
    assert.equal(evaluate("h ~ '.' ~ 169 ~ '.254'", vars), "169.254.169.254");
    assert.equal(evaluate("['a', 'b'] | join('.')", vars), "a.b");
    assert.equal(evaluate("'aXb' | replace({'X': '.'}) | upper", vars), "A.B");
    assert.equal(evaluate("inputs.x | default('d' ~ 'e')", vars), "de");
    assert.equal(evaluate("inputs.x", vars), undefined);
    assert.equal(evaluate("now() ~ 'x'", vars), undefined);
    assert.equal(evaluate("'a' ~", vars), undefined);
  });
  it("renders lines with offsets into the line, set tags removed", () => {
    const text = "a: 1\n{% set h = '169.254' %}b: http://{{ h }}.169.254/\n";
    const [line] = renderTemplates(text);
    assert.equal(line.rendered.text, "b: http://169.254.169.254/");
    assert.equal(text.slice(line.start, line.end), "{% set h = '169.254' %}b: http://{{ h }}.169.254/");
  });
  it("finds an endpoint split into Pebble literals joined by ~, wherever it is cut", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (cuts) => {
        const ip = "169.254.169.254";
        const at = [...new Set(cuts.map((c) => 1 + (c % (ip.length - 1))))].sort((a, b) => a - b);
        const pieces = at.map((c, i) => ip.slice(i === 0 ? 0 : at[i - 1], c)).concat(ip.slice(at[at.length - 1]));
        const text = `uri: "http://{{ ${pieces.map((p) => `'${p}'`).join(" ~ ")} }}/latest/"`;
        assert.ok(findEndpointReferences(text).some((r) => r.severity === "error"), text);
      }),
      { numRuns: 200 },
    );
  });
});

describe("the string-literal joiner", () => {
  it("joins across blanks and every operator, and leaves a run of blanks after a lone quote as it is", () => {
    assert.equal(joinStringLiterals("'169.254'  ~  '.169.254'")!.text, "'169.254.169.254'");
    assert.equal(joinStringLiterals("\\\"169.254\\\" + \\\".169.254\\\"")!.text, "\\\"169.254.169.254\\\"");
    assert.equal(joinStringLiterals(`'${" ".repeat(100_000)}x`), undefined);
    assert.equal(joinStringLiterals(`'${" \t".repeat(50_000)}+${" ".repeat(50_000)}'`)!.text, "");
  });
});
