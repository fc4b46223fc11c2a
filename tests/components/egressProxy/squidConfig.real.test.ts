import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { allowAllSquidConfigFor } from "../../../components/egressProxy/squidConfig";
import {
  cidrContains,
  mustParseCidr,
  egressProxyCloudInit,
  HardeningSpec,
  HOST_FIREWALL_PATH,
  InvalidArgsError,
  METADATA_NETWORKS,
  planSquidConfig,
  PROXY_VM_PATHS,
  wildcardRegex,
} from "../../../components";
import { findSquid } from "./squidHarness";

const SPEC: HardeningSpec = {
  workloadSubnet: "private",
  egress: {
    mode: "allowList",
    allow: [
      { domain: "pypi.org" },
      { domain: "*.pythonhosted.org" },
      { domain: "github.com", ports: [22, 443] },
      { cidr: "10.20.0.0/16", ports: [5432] },
      { cidr: "0.0.0.0/0", protocol: "udp", ports: [123] },
    ],
  },
};

function issuesOf(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof InvalidArgsError) return e.issues;
    throw e;
  }
  assert.fail("expected an InvalidArgsError");
}

/** The http_access lines, in order. */
function access(config: string): string[] {
  return config.split("\n").filter((l) => l.startsWith("http_access "));
}

describe("egress proxy: squid configuration", () => {
  it("allows each domain group on its ports after refusing refused addresses, then denies everything else", () => {
    const plan = planSquidConfig(SPEC);
    assert.deepEqual(access(plan.config), [
      "http_access deny manager mark_deny mark_manager",
      "http_access deny !clients mark_deny mark_client_not_allowed",
      "http_access deny !tunnel !http_scheme mark_deny mark_scheme_not_allowed",
      "http_access deny domains_1 forbidden_dst mark_deny mark_forbidden_address",
      "http_access deny domains_1 !resolved mark_deny mark_unresolved",
      "http_access allow domains_1 domain_ports_1 mark_allow",
      "http_access deny wildcards_1 forbidden_dst mark_deny mark_forbidden_address",
      "http_access deny wildcards_1 !resolved mark_deny mark_unresolved",
      "http_access allow wildcards_1 domain_ports_1 mark_allow",
      "http_access deny domains_2 forbidden_dst mark_deny mark_forbidden_address",
      "http_access deny domains_2 !resolved mark_deny mark_unresolved",
      "http_access allow domains_2 domain_ports_2 mark_allow",
      "http_access deny ip_literal forbidden_literal_dst mark_deny mark_forbidden_address",
      "http_access allow ip_literal networks_1 network_ports_1 mark_allow",
      "http_access deny domains_1 mark_deny mark_port_not_listed",
      "http_access deny wildcards_1 mark_deny mark_port_not_listed",
      "http_access deny domains_2 mark_deny mark_port_not_listed",
      "http_access deny ip_literal networks_1 mark_deny mark_port_not_listed",
      "http_access deny all mark_deny mark_not_listed",
    ]);
    const lines = plan.config.split("\n");
    for (const l of [
      "acl domains_1 dstdomain -n pypi.org",
      "acl wildcards_1 dstdom_regex -n -i \\.pythonhosted\\.org\\.?$",
      "acl domain_ports_1 port 443",
      "acl domains_2 dstdomain -n github.com",
      "acl domain_ports_2 port 22 443",
      "acl networks_1 dst 10.20.0.0/16",
      "acl network_ports_1 port 5432",
      "acl clients src 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10 fc00::/7",
    ]) assert.ok(lines.includes(l), l);
    assert.deepEqual(plan.upstreamPorts, [22, 443, 5432]);
    assert.deepEqual(plan.skipped.map((s) => s.rule.cidr), ["0.0.0.0/0"]);
  });

  it("refuses every internal range to names whatever is listed, and reopens a listed network to IP literals only", () => {
    const plan = planSquidConfig(SPEC);
    const names = plan.config.split("\n").filter((l) => l.startsWith("acl forbidden_dst dst ")).map((l) => l.split(" ")[3]);
    assert.deepEqual(names, [...plan.forbiddenForNames]);
    for (const r of ["10.0.0.0/8", "127.0.0.0/8", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10"]) assert.ok(names.includes(r), r);
    const dst = plan.config.split("\n").filter((l) => l.startsWith("acl forbidden_literal_dst dst ")).map((l) => l.split(" ")[3]);
    assert.deepEqual(dst, [...plan.forbidden]);
    for (const m of METADATA_NETWORKS) assert.ok(dst.some((d) => cidrContains(mustParseCidr(d), m.parsed)), m.cidr);
    assert.ok(!dst.includes("10.0.0.0/8"));
    assert.ok(dst.includes("10.0.0.0/12") && dst.includes("10.128.0.0/9"), "10/8 minus 10.20/16");
    for (const r of ["127.0.0.0/8", "192.168.0.0/16", "::1/128", "fc00::/7", "fe80::/10"]) assert.ok(dst.includes(r), r);
  });

  it("hides the proxy, caches nothing and never looks a literal address up in reverse", () => {
    const lines = planSquidConfig(SPEC).config.split("\n");
    for (const l of ["via off", "forwarded_for delete", "httpd_suppress_version_string on", "cache deny all", "cache_mem 0 MB", "reply_header_access X-Cache deny all"]) {
      assert.ok(lines.includes(l), l);
    }
    for (const l of lines.filter((x) => / dstdom(ain|_regex) /.test(x))) assert.match(l, / -n /, l);
  });

  it("for any allow-list: every allow follows the address and resolution refusals of its ACL, every rule appears once", () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
    const domain = fc.tuple(fc.boolean(), fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("com", "org", "io")).map(
      ([wild, labels, tld]) => `${wild ? "*." : ""}${labels.join(".")}.${tld}`,
    );
    const ports = fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 });
    const rule = fc.oneof(
      fc.record({ domain, ports }),
      fc.record({ cidr: fc.constantFrom("10.1.0.0/16", "192.0.2.0/24", "2001:db8:5::/48", "0.0.0.0/0", "8.8.8.0/24"), ports }),
    );
    fc.assert(
      fc.property(fc.uniqueArray(rule, { minLength: 1, maxLength: 12, selector: (r) => ("domain" in r ? r.domain : r.cidr) }), (allow) => {
        const plan = planSquidConfig({ workloadSubnet: "private", egress: { mode: "allowList", allow } });
        const lines = access(plan.config);
        lines.forEach((line, i) => {
          const m = /^http_access allow (\S+) /.exec(line);
          if (!m || m[1] === "ip_literal") return;
          const before = lines.slice(0, i);
          assert.ok(before.includes(`http_access deny ${m[1]} forbidden_dst mark_deny mark_forbidden_address`), line);
          assert.ok(before.includes(`http_access deny ${m[1]} !resolved mark_deny mark_unresolved`), line);
        });
        const ipAllow = lines.findIndex((l) => l.startsWith("http_access allow ip_literal"));
        if (ipAllow >= 0) assert.ok(lines.indexOf("http_access deny ip_literal forbidden_literal_dst mark_deny mark_forbidden_address") < ipAllow);
        assert.equal(lines.at(-1), "http_access deny all mark_deny mark_not_listed");
        const acls = plan.config.split("\n").filter((l) => / dstdomain -n | dstdom_regex -n -i /.test(l)).flatMap((l) => l.split(" ").slice(l.includes("dstdom_regex") ? 5 : 4));
        const domains = allow.flatMap((r) => ("domain" in r ? [r.domain.startsWith("*.") ? wildcardRegex(r.domain) : r.domain] : []));
        assert.deepEqual([...acls].sort(), [...domains].sort());
        for (const m of METADATA_NETWORKS) assert.ok(plan.forbidden.some((f) => cidrContains(mustParseCidr(f), m.parsed)), m.cidr);
      }),
      { numRuns: 150 },
    );
  });

  it("renders a proxy that refuses everything for egress mode denyAll", () => {
    const config = planSquidConfig({}).config;
    assert.deepEqual(access(config).filter((l) => l.includes(" allow ")), []);
    assert.equal(access(config).at(-1), "http_access deny all mark_deny mark_not_listed");
  });

  it("turns a wildcard into a regex for names under the domain only", () => {
    const re = new RegExp(wildcardRegex("*.pythonhosted.org"), "i");
    assert.ok(re.test("files.pythonhosted.org") && re.test("A.B.PythonHosted.org") && re.test("files.pythonhosted.org."));
    assert.ok(!re.test("pythonhosted.org") && !re.test("evilpythonhosted.org") && !re.test("pythonhosted.org.evil.com"));
  });

  it("lists every problem of the spec and the options in one error", () => {
    assert.deepEqual(
      issuesOf(() =>
        planSquidConfig({ egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } }, {
          port: 70000,
          listenAddress: "localhost",
          clients: ["10.0.0.1/8"],
          accessLog: "/var/log/squid/a.log\nhttp_access allow all",
          runDirectory: "relative",
          visibleHostname: "Proxy Host",
          dnsNameservers: ["dns.google"],
          colour: "blue",
        } as never),
      ),
      [
        'hardening.egress.allow[0].domain "pypi.org" is unreachable from an isolated subnet; set hardening.workloadSubnet to "private" or remove the rule.',
        "colour is not an option; known options: port, listenAddress, ownAddresses, clients, accessLog, cacheLog, runDirectory, pidFile, hostsFile, dnsNameservers, visibleHostname.",
        "port 70000 must be a whole number from 1 to 65535.",
        'listenAddress "localhost" must be one IPv4 or IPv6 address such as "0.0.0.0" or "127.0.0.1".',
        'clients[0] "10.0.0.1/8" has host bits set; did you mean 10.0.0.0/8?',
        'accessLog "/var/log/squid/a.log\\nhttp_access allow all" must be an absolute path of letters, digits, ".", "_", "-" and "/" (no "..").',
        'runDirectory "relative" must be an absolute path of letters, digits, ".", "_", "-" and "/" (no "..").',
        'dnsNameservers[0] "dns.google" must be an IP address.',
        'visibleHostname "Proxy Host" must be one lower-case DNS label such as "egress-proxy".',
      ],
    );
  });

  describe("accepted by the real squid (`squid -k parse`)", function () {
    this.timeout(20_000);
    const found = findSquid();
    const specs: [string, HardeningSpec | undefined][] = [
      ["the example allow-list", SPEC],
      ["denyAll", undefined],
      ["IPv6 networks and many ports", { workloadSubnet: "private", egress: { mode: "allowList", allow: [{ cidr: "2001:db8:1::/48", ports: [80, 443, 8443] }, { cidr: "::/0" }, { domain: "*.a.example.com" }, { domain: "a.example.com" }] } }],
    ];
    for (const [name, spec] of specs) {
      it(name, function () {
        if ("missing" in found) {
          if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(found.missing);
          this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-parse-"));
        try {
          const file = path.join(dir, "squid.conf");
          fs.writeFileSync(file, planSquidConfig(spec, { runDirectory: dir, cacheLog: path.join(dir, "cache.log"), accessLog: path.join(dir, "access.log") }).config);
          const r = spawnSync(found.squid, ["-k", "parse", "-f", file], { encoding: "utf8", timeout: 15_000 });
          const problems = `${r.stdout}${r.stderr}`.split("\n").filter((l) => /ERROR|FATAL|WARNING/.test(l) && !l.includes("HTTP requires the use of Via"));
          assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
          assert.deepEqual(problems, []);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      });
    }
    it("the cloud-init configuration", function () {
      if ("missing" in found) {
        if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error(found.missing);
        this.skip();
      }
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-parse-"));
      try {
        const file = path.join(dir, "squid.conf");
        const doc = parse(egressProxyCloudInit(SPEC, { cloud: "aws" }).cloudConfig);
        fs.writeFileSync(file, doc.write_files.find((f: { path: string }) => f.path === PROXY_VM_PATHS.config).content);
        const r = spawnSync(found.squid, ["-k", "parse", "-f", file], { encoding: "utf8", timeout: 15_000 });
        assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
    it("the allow-all baseline differs only in its access rules", () => {
      const base = allowAllSquidConfigFor({});
      assert.deepEqual(access(base), ["http_access allow all"]);
      assert.ok(planSquidConfig(SPEC).config.includes(base.split("\nhttp_access allow all")[0]));
    });
  });
});

describe("egress proxy: cloud-init for a proxy VM", () => {
  it("installs squid, writes the rendered configuration, and starts squid after checking it; the host firewall boots first", () => {
    const out = egressProxyCloudInit(SPEC, { cloud: "aws", clients: ["10.0.1.0/24"] });
    // The boot itself is proven in tests/host/boot.netns.test.ts; here, the order of the parts.
    const types = [...out.userData.matchAll(/^Content-Type: (text\/[\w-]+)/gm)].map((m) => m[1]);
    assert.deepEqual(types, ["text/cloud-boothook", "text/cloud-config"]);
    assert.ok(out.userData.includes(out.cloudConfig));
    const doc = parse(out.cloudConfig);
    assert.deepEqual(doc.packages, ["squid", "iptables"]);
    const files = new Map<string, { content: string; permissions: string; defer: boolean }>(doc.write_files.map((f: { path: string }) => [f.path, f]));
    assert.equal(files.get(PROXY_VM_PATHS.config)?.content, out.squid.config);
    assert.ok(out.squid.config.includes("acl clients src 10.0.1.0/24\n"));
    assert.ok(out.squid.config.includes(`access_log stdio:${PROXY_VM_PATHS.accessLog} hardening_egress has_request\n`));
    assert.ok(out.squid.config.includes("pid_filename /run/squid.pid"));
    assert.equal(files.has(HOST_FIREWALL_PATH), false, "installed by the boothook, not by write_files");
    assert.deepEqual(doc.runcmd, [
      ["install", "-d", "-o", "proxy", "-g", "proxy", "-m", "0750", "/var/log/squid", "/var/spool/squid"],
      ["squid", "-k", "parse", "-f", PROXY_VM_PATHS.config],
      ["systemctl", "enable", "squid"],
      ["systemctl", "restart", "squid"],
    ]);
  });

  it("is valid cloud-config for the distribution's cloud-init (`cloud-init schema`)", function () {
    this.timeout(30_000);
    const which = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" });
    if (which.status !== 0) {
      if (process.env.HARDENING_REQUIRE_SQUID === "1") throw new Error("cloud-init is not installed (apt-get install cloud-init)");
      this.skip();
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "egress-cloud-init-"));
    try {
      const file = path.join(dir, "user-data");
      fs.writeFileSync(file, egressProxyCloudInit(SPEC, { cloud: "azure", clients: ["10.0.16.0/20"] }).cloudConfig);
      const r = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8", timeout: 25_000 });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /^Valid cloud-config/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists the problems of the spec, the options and the cloud together", () => {
    assert.deepEqual(
      issuesOf(() => egressProxyCloudInit({ egress: { mode: "allowList", allow: [] } }, { cloud: "ibm" as never, port: 0 })),
      [
        'hardening.egress.allow is empty but hardening.egress.mode is "allowList"; add rules or set mode to "denyAll".',
        "port 0 must be a whole number from 1 to 65535.",
        'cloud "ibm" is not one of aws, gcp, azure, generic.',
      ],
    );
  });
});
