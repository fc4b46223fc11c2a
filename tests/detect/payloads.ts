/**
 * A broad set of public SSRF payloads aimed at metadata and credential endpoints, for measuring the detector on
 * attack strings it was not written from, and a set of look-alikes (version strings, CIDR lists, dates, templates)
 * that must not give an error.
 *
 * Sources, by family (each payload names its family; excerpts are short quotations of MIT-licensed lists, the rest
 * are generated equivalents of what the cited tools and pages produce):
 * - `patt`: swisskyrepo/PayloadsAllTheThings, "Server Side Request Forgery" README.md and SSRF-Cloud-Instances.md
 *   (MIT): the cloud URLs, the encoded-IP list, the nicob.net redirector, the 1u.ms rebinding name.
 * - `ip.py`: cujanovic/SSRF-Testing ip.py (MIT; also vendored by PayloadsAllTheThings as Files/ip.py): its address
 *   forms (dotted and dotless hex, dotless decimal, dotted octal, octal with padding, decimal overflow, enclosed
 *   alphanumerics) times its 19 authority/suffix templates, regenerated here with a fixed seed.
 * - `rebinding`: the name formats documented by nip.io, sslip.io, 1u.ms (`make-<ip>-rebind-<ip>-rr`), rbndr.us
 *   (`<hex>.<hex>.rbndr.us`) and the nicob.net path redirector.
 * - `providers`: vendor docs for the metadata names and addresses: AWS EC2 UG (instance-data, per-region
 *   `instance-data.<region>.compute.internal`), GCP metadata server, Equinix Metal (metadata.platformequinix.com,
 *   legacy metadata.packet.net), Rancher 1.6 metadata service (rancher-metadata), OpenStack Nova (fe80::a9fe:a9fe),
 *   Hetzner Cloud (/hetzner/v1/metadata), Oracle Cloud, Alibaba, Tencent, ECS task metadata, Azure App Service
 *   managed identity (IDENTITY_ENDPOINT, MSI_ENDPOINT).
 * - `escapes`: JSON `\uXXXX`, HTML numeric and named character references, single, double and triple
 *   percent-encoding (PortSwigger Web Security Academy, "SSRF with blacklist-based input filter").
 * - `parser`: userinfo tricks with decimal, octal and hex hosts after `@` (Orange Tsai, "A New Era of SSRF", Black
 *   Hat 2017); what the WHATWG URL Standard strips or accepts (leading zeros, ASCII tab or newline, soft hyphens,
 *   backslashes, missing slashes).
 * - `shell`: quoting a part of an address in sh, bash, PowerShell and cmd; backslash escapes; curl URL globbing
 *   (`[a-b]`, `{a,b}`, curl man page "URL globbing"); bash brace expansion (bash manual 3.5.1); empty expansions
 *   (PayloadsAllTheThings "Bypass using bash variables").
 * - `pebble`: Kestra's template language (Pebble): `~` concatenation, literals interpolated into text,
 *   `{% set %}` variables used later in the flow, `join` and `replace` filters over literal parts.
 */

/** One attack string and where its form comes from. */
export interface Payload {
  readonly family: string;
  readonly text: string;
}

/** Deterministic PRNG (mulberry32), so the generated set is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PATT: readonly string[] = [
  "http://169.254.169.254/latest/meta-data/",
  'export TOKEN=`curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" "http://169.254.169.254/latest/api/token"`',
  "http://[fd00:ec2::254]/latest/meta-data/",
  "http://instance-data",
  "http://169.254.169.254.nip.io/",
  "Dynamic:http://nicob.net/redir-http-169.254.169.254:80-",
  "http://425.510.425.510 Dotted decimal with overflow",
  "http://2852039166 Dotless decimal",
  "http://7147006462 Dotless decimal with overflow",
  "http://0xA9.0xFE.0xA9.0xFE Dotted hexadecimal",
  "http://0xA9FEA9FE Dotless hexadecimal",
  "http://0x41414141A9FEA9FE Dotless hexadecimal with overflow",
  "http://0251.0376.0251.0376 Dotted octal",
  "http://0251.00376.000251.0000376 Dotted octal with padding",
  "http://0251.254.169.254 Mixed encoding (dotted octal + dotted decimal)",
  "http://[::ffff:a9fe:a9fe] IPV6 Compressed",
  "http://[0:0:0:0:0:ffff:a9fe:a9fe] IPV6 Expanded",
  "http://[0:0:0:0:0:ffff:169.254.169.254] IPV6/IPV4",
  "http://169.254.169.254/latest/meta-data/iam/security-credentials/[ROLE NAME]",
  "http://169.254.169.254/latest/user-data",
  "* Jira SSRF leading to AWS info disclosure - `https://help.redacted.com/plugins/servlet/oauth/users/icon-uri?consumerUri=http://169.254.169.254/metadata/v1/maintenance`",
  "http://4d0cf09b9b2d761a7d87be99d17507bce8b86f3b.flaws.cloud/proxy/169.254.169.254/latest/meta-data/iam/security-credentials/flaws/",
  "curl http://169.254.170.2/v2/credentials/<UUID>",
  "http://169.254.169.254/computeMetadata/v1/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://metadata/computeMetadata/v1/",
  "http://metadata.google.internal/computeMetadata/v1beta1/instance/service-accounts/default/token",
  "gopher://metadata.google.internal:80/xGET%20/computeMetadata/v1/instance/attributes/ssh-keys%20HTTP%2f%31%2e%31%0AHost:%20metadata.google.internal%0AAccept:%20%2a%2f%2a%0aMetadata-Flavor:%20Google%0d%0a",
  "curl http://169.254.169.254/metadata/v1/id",
  "Documentation available at `https://metadata.packet.net/userdata`",
  "http://169.254.169.254/metadata/instance?api-version=2017-04-02",
  "http://169.254.169.254/openstack",
  "http://169.254.169.254/2009-04-04/meta-data/ ",
  "http://192.0.0.192/latest/meta-data/",
  "http://100.100.100.200/latest/meta-data/instance-id",
  "http://169.254.169.254/hetzner/v1/metadata/private-networks",
  "curl http://rancher-metadata/<version>/<path>",
  "make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms",
  "$ nslookup make-1.2.3.4-rebind-169.254-169.254-rr.1u.ms",
  "Interesting path to look for at `http://169.254.169.254` or `http://instance-data`",
];

/** The addresses ip.py is pointed at: the catalogue's IPv4 metadata endpoints. */
const TARGETS = ["169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16", "192.0.0.192", "169.254.0.23", "169.254.42.42"];

const ENCLOSED: Record<string, string[]> = {
  "0": ["⓪"], "1": ["①"], "2": ["②"], "3": ["③"], "4": ["④"], "5": ["⑤"], "6": ["⑥"], "7": ["⑦"], "8": ["⑧"], "9": ["⑨"],
  "10": ["⑩"], "11": ["⑪"], "12": ["⑫"], "13": ["⑬"], "14": ["⑭"], "15": ["⑮"], "16": ["⑯"], "17": ["⑰"], "18": ["⑱"],
  "19": ["⑲"], "20": ["⑳"], ".": ["。", "｡"],
};

/** ip.py's address forms of a dotted-decimal address. */
function ipForms(ip: string, pick: () => number): string[] {
  const p = ip.split(".").map(Number);
  const value = p.reduce((n, x) => n * 256 + x, 0);
  const hex = (n: number): string => n.toString(16);
  const oct = (n: number): string => `0${n.toString(8)}`;
  const choose = <T>(xs: readonly T[]): T => xs[Math.floor(pick() * xs.length)];
  const enclosed = p
    .map((x) => {
      const s = String(x);
      if (ENCLOSED[s]) return choose(ENCLOSED[s]);
      if (s.length === 3 && Number(s.slice(0, 2)) <= 20) return choose(ENCLOSED[s.slice(0, 2)]) + choose(ENCLOSED[s[2]]);
      return [...s].map((c) => choose(ENCLOSED[c])).join("");
    })
    .join(choose(ENCLOSED["."]));
  return [
    p.map((x) => `0x${hex(x)}`).join("."), // dotted hexadecimal
    `0x${p.map((x) => hex(x).padStart(2, "0")).join("")}`, // dotless hexadecimal
    String(value), // dotless decimal
    p.map(oct).join("."), // dotted octal
    `0${value.toString(8)}`, // dotless octal
    p.map((x) => String(x + 256)).join("."), // dotted decimal with overflow
    p.map((x, i) => `${"0".repeat(i + 1)}${oct(x)}`).join("."), // dotted octal with padding
    `${oct(p[0])}.0x${hex(p[1])}.${p[2]}.${p[3]}`, // mixed
    `0x${hex(p[0])}.${(p[1] << 16) + (p[2] << 8) + p[3]}`, // two-part
    enclosed, // enclosed alphanumerics
  ];
}

/** ip.py's 19 authority and suffix templates around a host. */
function ipPyTemplates(host: string, port: string, site: string, text: string, spec: string): string[] {
  return [
    `http://${host}:${port}/`,
    `http://${host}:${port}?@${site}//`,
    `http://${host}:${port}#@${site}/`,
    `http://${site}@${host}:${port}/`,
    `http://${text}@${host}:${port}/`,
    `http://${spec}@${host}:${port}/`,
    `http://${text}@${host}:${port}@${site}/`,
    `http://${spec}@${host}:@${site}/`,
    `http://${text}@${host}:${port}+@${site}/`,
    `http://${spec}@${host}:+@${site}/`,
    `http://${text}@${site}@${host}:${port}/`,
    `http://${spec}@${site}@${host}:${port}/`,
    `http://${host}:${port}+&@${site}#+@${site}/`,
    `http://${site}+&@${host}:${port}#+@${site}/`,
    `http://${site}+&@${site}#+@${host}:${port}/`,
    `http://${host}:${port}:80/`,
    `http://${host}:${port}\\t${site}/`,
    `http://${host}:${port}%09${site}/`,
    `http://${host}:${port}%2509${site}/`,
  ];
}

function randomText(pick: () => number, chars: string): string {
  const n = 12 + Math.floor(pick() * 5);
  let s = "";
  for (let i = 0; i < n; i++) s += chars[Math.floor(pick() * chars.length)];
  return s;
}

function ipPy(): Payload[] {
  const pick = rng(20240601);
  const out: Payload[] = [];
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  for (const ip of TARGETS) {
    for (const form of ipForms(ip, pick)) {
      const text = randomText(pick, letters);
      const spec = randomText(pick, `${letters}!$%^&*()<>;:,.|\\~\``);
      for (const t of ipPyTemplates(form, "80", "www.google.com", text, spec)) out.push({ family: "ip.py", text: t });
    }
  }
  return out;
}

function dashed(ip: string): string {
  return ip.replace(/\./g, "-");
}
function hex8(ip: string): string {
  return ip.split(".").map((x) => Number(x).toString(16).padStart(2, "0")).join("");
}

function rebinding(): Payload[] {
  const out: string[] = [];
  for (const ip of ["169.254.169.254", "169.254.170.2", "100.100.100.200", "168.63.129.16"]) {
    out.push(
      `http://${ip}.nip.io/latest/`, `http://app.${ip}.nip.io/`, `http://app-${dashed(ip)}.nip.io/`, `http://${dashed(ip)}.nip.io/`,
      `http://magic-${hex8(ip)}.nip.io/`, `http://${hex8(ip)}.nip.io/`, `http://customer1.app.${ip}.nip.io/`,
      `http://${ip}.sslip.io/`, `http://${dashed(ip)}.sslip.io/`, `http://www.${dashed(ip)}.sslip.io/`,
      `http://${ip}.xip.io/`, `http://${ip}.nip.direct/`, `http://${dashed(ip)}.traefik.me/`,
      `http://make-1.2.3.4-rebind-${ip}-rr.1u.ms/`,
      `http://make-1-2-3-4-rebind-${dashed(ip)}-rr.1u.ms/`,
      `http://make-${ip}-rr.1u.ms/`,
      `http://make-1.2.3.4-rebind-${ip.replace(/\.(?=[^.]*\.[^.]*$)/, "-")}-rr.1u.ms/`,
      `http://7f000001.${hex8(ip)}.rbndr.us/`, `http://${hex8(ip)}.c0a80001.rbndr.us/`,
      `http://nicob.net/redir-http-${ip}:80-`, `curl -L https://nicob.net/redir-http-${ip}:80-/latest/meta-data/`,
      `https://307.r3dir.me/--to/?url=http://${ip}/latest/meta-data/`,
    );
  }
  out.push("http://fd00-ec2--254.sslip.io/latest/", "http://fd00-ec2-0-0-0-0-0-254.sslip.io/", "http://app-fd00-ec2--254.sslip.io/");
  return out.map((text) => ({ family: "rebinding", text }));
}

function providers(): Payload[] {
  const hosts = [
    "instance-data", "instance-data.ec2.internal", "instance-data.us-west-2.compute.internal",
    "instance-data.eu-central-1.compute.internal", "instance-data.ap-southeast-2.compute.internal",
    "metadata.google.internal", "metadata.goog", "metadata.packet.net", "metadata.platformequinix.com",
    "rancher-metadata", "metadata.tencentyun.com", "192.0.0.192", "100.100.100.200", "169.254.170.2",
    "169.254.170.23", "[fe80::a9fe:a9fe]", "[fd00:ec2::254]", "169.254.0.23", "169.254.42.42",
  ];
  const out: string[] = [];
  for (const h of hosts) {
    out.push(`curl -s http://${h}/latest/meta-data/`, `uri: "http://${h}/v1/"`, `requests.get("http://${h}/metadata")`, `wget -qO- https://${h}/userdata`);
  }
  out.push(
    "curl http://169.254.169.254/opc/v2/instance/ -H 'Authorization: Bearer Oracle'",
    "curl http://169.254.169.254/hetzner/v1/metadata",
    "curl http://169.254.169.254/openstack/latest/meta_data.json",
    "curl http://[fe80::a9fe:a9fe%25eth0]/openstack/latest/meta_data.json",
    "curl http://169.254.169.254/metadata/v1.json",
    "curl -s $ECS_CONTAINER_METADATA_URI_V4/task",
    "curl -s \"${ECS_CONTAINER_METADATA_URI}/stats\"",
    "curl http://169.254.170.2/v4/metadata",
    "curl \"$IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version=2019-08-01\" -H \"X-IDENTITY-HEADER: $IDENTITY_HEADER\"",
    "curl \"$MSI_ENDPOINT?resource=https://management.azure.com/&api-version=2017-09-01\" -H \"Secret: $MSI_SECRET\"",
    "token = requests.get(os.environ['IDENTITY_ENDPOINT'], params=params)",
    "curl http://100.100.100.200/latest/meta-data/ram/security-credentials/",
    "curl http://metadata.tencentyun.com/latest/meta-data/cam/security-credentials/",
    "curl http://169.254.0.23/latest/meta-data/",
  );
  return out.map((text) => ({ family: "providers", text }));
}

function escapes(): Payload[] {
  const out: string[] = [];
  const ip = "169.254.169.254";
  const json = [...ip].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
  const jsonUpper = [...ip].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()}`).join("");
  const html = [...ip].map((c) => `&#${c.charCodeAt(0)};`).join("");
  const htmlHex = [...ip].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join("");
  const htmlPadded = [...ip].map((c) => `&#000${c.charCodeAt(0)};`).join("");
  const named = ip.replace(/\./g, "&period;");
  const pct = [...ip].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
  const pct2 = [...ip].map((c) => `%25${c.charCodeAt(0).toString(16)}`).join("");
  const pct3 = [...ip].map((c) => `%2525${c.charCodeAt(0).toString(16)}`).join("");
  const pctDots2 = ip.replace(/\./g, "%252e");
  const mixed = `%25${"1".charCodeAt(0).toString(16)}69.254.169.254`;
  for (const e of [json, jsonUpper, html, htmlHex, htmlPadded, named, pct, pct2, pct3, pctDots2, mixed]) {
    out.push(`{"url": "http://${e}/latest/meta-data/"}`, `<a href="http://${e}/latest/">x</a>`, `url=http://${e}/latest/user-data`);
  }
  out.push(
    `{"url":"http:\\/\\/\\u0031\\u0036\\u0039\\u002e\\u0032\\u0035\\u0034\\u002e169.254\\/latest"}`,
    `{"host":"\\u006d\\u0065\\u0074\\u0061\\u0064\\u0061\\u0074\\u0061.google.internal"}`,
    `<img src="http&colon;&sol;&sol;169&period;254&period;169&period;254&sol;latest">`,
    `url=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2F`,
    `url=http%253A%252F%252F169%252E254%252E169%252E254%252Flatest`,
    `url=http://%6d%65%74%61%64%61%74%61.google.internal/computeMetadata/v1/`,
    `url=http://metadata%252egoogle%252einternal/computeMetadata/v1/`,
    `url=http://%5B%3A%3Affff%3Aa9fe%3Aa9fe%5D/`,
  );
  return out.map((text) => ({ family: "escapes", text }));
}

function parser(): Payload[] {
  const out: string[] = [];
  for (const host of ["2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "025177524776", "0xa9.0xfe.0xa9.0xfe", "169.254.43518", "0xA9FEA9FE"]) {
    out.push(
      `http://google.com@${host}/latest/`, `http://google.com:80@${host}/`, `http://user:pass@${host}:80/`,
      `http://a@b@${host}/`, `http://google.com\\@${host}/`, `http://google.com%40@${host}/`,
      `http://${host}#@google.com/`, `http://${host}?@google.com/`, `http://google.com&@${host}#@google.com/`,
      `http://1.1.1.1 &@${host}# @3.3.3.3/`,
    );
  }
  out.push(
    "http://0000000000000000000000000000000000000000000000000000000251.0376.0251.0376/",
    "http://000000000000000000000000000000000000000000000169.254.169.254/",
    "http://0x0000000000000000000000000000000000000000000000000a9fea9fe/",
    "http://00000000000000000000000000000000000000000000000000000000025177524776/",
    "http://169.254.\t169.254/", "http://169.254.169.\n254/latest", "http://16\t9.254.169.254/", "http://1\r\n69.254.169.254/",
    "http://169.2\u00ad54.169.254/", "http://1\u00ad6\u00ad9.254.169.254/", "http://meta\u00addata.google.internal/",
    "http://169.254.169.254\u200b/", "http://ｍｅｔａｄａｔａ.google.internal/", "http://169。254。169。254/",
    "http:\\\\169.254.169.254\\latest", "http:/169.254.169.254/latest", "http:169.254.169.254/latest",
    "HTTP://169.254.169.254/", "http://[::ffff:169.254.169.254]:80/", "http://[::ffff:a9fe:a9fe%25eth0]/",
    "http://169.254.169.254.:80/", "http://metadata.google.internal./", "http://0xa9fea9fe./",
  );
  return out.map((text) => ({ family: "parser", text }));
}

function shell(): Payload[] {
  const out = [
    "curl http://'169.254'.169.254/latest/meta-data/",
    "curl http://169.254.'169.254'/latest/",
    "curl \"http://169.254\".169.254/latest/",
    "curl http://\"169\".\"254\".\"169\".\"254\"/",
    "curl http://'1'69.254.169.254/",
    "curl 'http://'169.254.169.254'/latest'",
    "curl http://169\\.254\\.169\\.254/latest/",
    "curl http://1\\69.254.169.254/latest/",
    "curl http://16\\9.2\\54.1\\69.2\\54/",
    "curl http://\\1\\6\\9.254.169.254/",
    "iwr http://169.2`54.169.254/latest/meta-data/",
    "Invoke-WebRequest -Uri \"http://1`69.254.1`69.254/latest\"",
    "iwr ('http://169.254' + '.169.254/latest')",
    "curl http://1^69.2^54.1^69.2^54/latest/",
    "curl h^t^t^p://169.254.169.^254/",
    "cmd /c curl http://169.^254.169.254/",
    "curl http://169.254.169.[250-255]/latest/",
    "curl \"http://169.254.{169,170}.254/latest/\"",
    "curl http://{169,127}.254.169.254/",
    "curl http://169.254.169.{250..255}/",
    "curl http://169.254.{169.254,1.1}/latest/",
    "curl 'http://169.254.169.[250-254:2]/'",
    "curl http://169.254.[168-170].254/",
    "curl http://{metadata,example}.google.internal/computeMetadata/v1/",
    "curl http://169.254$x.169.254/latest/",
    "curl \"http://169.254${EMPTY}.169.254/latest/\"",
    "curl http://169.254.169.254$IFS/latest/",
    "x='169.254'; curl http://$x.169.254/",
    "curl http://metadata.google'.'internal/computeMetadata/v1/",
    "curl http://meta''data.google.internal/computeMetadata/v1/",
    "curl http://\"metadata\"/computeMetadata/v1/",
    "wget -qO- \"http://169.254\"\".169.254/\"",
    "python -c \"import urllib.request as u; print(u.urlopen('http://169.254' '.169.254/latest').read())\"",
  ];
  return out.map((text) => ({ family: "shell", text }));
}

function pebble(): Payload[] {
  const out = [
    "uri: \"http://{{ '169.254' }}.169.254/latest/meta-data/\"",
    "uri: http://{{ '169.254' }}.{{ '169.254' }}/latest/",
    "uri: \"http://{{ '169.254' ~ '.169.254' }}/latest/\"",
    "uri: \"{{ 'http://169.' ~ '254.' ~ '169.' ~ '254' }}/latest\"",
    "uri: \"http://{{ \"169\" ~ \".\" ~ 254 ~ \".169.254\" }}/latest\"",
    "uri: \"http://{{ ['169', '254', '169', '254'] | join('.') }}/latest/\"",
    "uri: \"http://{{ ['metadata', 'google', 'internal'] | join('.') }}/computeMetadata/v1/\"",
    "uri: \"http://{{ '169X254X169X254' | replace({'X': '.'}) }}/latest\"",
    "uri: \"http://{{ 'METADATA.GOOGLE.INTERNAL' | lower }}/computeMetadata/v1/\"",
    "uri: \"http://{{ 'metadata.google' ~ '.internal' }}/computeMetadata/v1/\"",
    "uri: \"http://{{ 'instance' ~ '-data' }}/latest/meta-data/\"",
    "uri: \"http://{{ '0xa9fe' ~ 'a9fe' }}/latest/\"",
    "uri: \"http://{{ '100.100' }}.100.200/latest/meta-data/\"",
    "uri: \"http://{{ '168.63' }}.{{ '129.16' }}/machine?comp=goalstate\"",
    "uri: \"http://{{ vars.host | default('169.254.169' ~ '.254') }}/latest/\"",
  ];
  const flows = [
    "id: f\nnamespace: n\ntasks:\n  - id: a\n    type: io.kestra.plugin.core.log.Log\n    message: \"{% set h = '169.254' %}{{ h }}\"\n  - id: b\n    type: io.kestra.plugin.core.http.Request\n    uri: \"http://{{ h }}.169.254/latest/meta-data/\"\n",
    "id: f\nnamespace: n\ntasks:\n  - id: b\n    type: io.kestra.plugin.core.http.Request\n    uri: \"{% set a = '169.254' %}{% set b = a ~ '.169.254' %}http://{{ b }}/latest/\"\n",
    "id: f\nnamespace: n\ntasks:\n  - id: b\n    type: io.kestra.plugin.scripts.shell.Commands\n    commands:\n      - \"{% set host = ['metadata', 'google', 'internal'] | join('.') %}curl http://{{ host }}/computeMetadata/v1/\"\n",
    "id: f\nnamespace: n\ntasks:\n  - id: b\n    type: io.kestra.plugin.core.http.Request\n    uri: \"{%- set p1 = '169.254' -%}{%- set p2 = '169.254' -%}http://{{ p1 }}.{{ p2 }}/latest/\"\n",
    "{% set ip = '169' ~ '.254' ~ '.169' ~ '.254' %}\ncurl http://{{ ip }}/latest/meta-data/\n",
    "{% set x = '0xa9fea9fe' %}\nwget -qO- http://{{ x }}/latest/\n",
  ];
  return [...out, ...flows].map((text) => ({ family: "pebble", text }));
}

/** Continuation inside a YAML double-quoted scalar: `\` at the end of a line joins it to the next, indentation dropped. */
function yamlBreaks(): Payload[] {
  return [
    'uri: "http://169.254.\\\n  169.254/latest/meta-data/"',
    'uri: "http://169.\\\n      254.169.254/latest/"',
    'commands:\n  - "curl http://169.254.169.\\\n    254/latest/meta-data/"',
    'uri: "http://metadata.goo\\\n  gle.internal/computeMetadata/v1/"',
    'uri: "http://0xa9fe\\\n  a9fe/latest/"',
  ].map((text) => ({ family: "yaml", text }));
}

/** Every payload, in family order. */
export const PAYLOADS: readonly Payload[] = [
  ...PATT.map((text) => ({ family: "patt", text })),
  ...ipPy(),
  ...rebinding(),
  ...providers(),
  ...escapes(),
  ...parser(),
  ...shell(),
  ...pebble(),
  ...yamlBreaks(),
];

/** Text that looks like an address, a template or a shell trick but reaches no endpoint: no error allowed. */
export const LOOKALIKES: readonly string[] = (() => {
  const pick = rng(7);
  const n = (max: number): number => Math.floor(pick() * max);
  const out: string[] = [
    "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 are private; 100.64.0.0/10 is shared address space",
    "allowed_cidrs: [\"10.0.0.0/8\", \"192.168.0.0/16\", \"172.16.0.0/12\"]",
    "nameserver 169.254.169.253", "server 169.254.169.123 iburst", "dig @169.254.169.253 example.com",
    "image: python:3.11.4-slim", "node-version: 20.11.1", "version: 1.69.254", "release: 169.254.1-rc.1",
    "date: 2024-01-25", "when: 25.12.2024 12:30:45", "ts: 2025-03-02T10:15:30.169254Z", "cron: '0 9 * * 1-5'",
    "uri: \"{{ outputs.download.uri }}\"", "message: \"{{ inputs.name | default('world') }}\"",
    "{% set greeting = 'hello' %}{{ greeting ~ ' ' ~ inputs.user }}", "uri: \"http://{{ '10.0' }}.0.1/\"",
    "{% set host = 'example.com' %}curl http://{{ host }}/api", "{{ ['a', 'b', 'c'] | join('.') }}",
    "{{ '1.2' ~ '.3' }}", "{{ 'x' | replace({'x': 'y'}) }}", "echo {1..10}", "curl http://example.com/{a,b}/index.html",
    "curl http://site.com/file[1-100].txt", "seq 169 254", "[0-9]+\\.[0-9]+", "printf '%s.%s' 169 254",
    "echo ^<html^>", "Write-Host \"`n`tDone\"", "sed 's/\\./-/g'", "mask: 255.255.255.0", "gateway: 192.168.1.1",
    "dns: 8.8.8.8, 1.1.1.1", "uri: http://10.0.0.1.nip.io/", "uri: http://app.127.0.0.1.sslip.io/",
    "uri: http://make-1.2.3.4-rebind-127.0.0.1-rr.1u.ms/", "uri: http://7f000001.c0a80001.rbndr.us/",
    "redirect: https://nicob.net/redir-http-93.184.216.34:80-", "oid: 1.3.6.1.4.1.169.254",
    "instance-data-bucket: s3://my-instance-data/", "metadata:\n  name: app\n", "metadataService: disabled",
    "rancher-metadata-sync is a job name", "the metadata.google.internal.example.com mirror",
    "sha256: 9f86d081884c7d659a2feaea0c55ad015a3bf4b1a9fea9fe", "checksum: a9fea9fe",
    "count: 2852039166 rows", "price: 169.254", "java.version=17.0.9", "org.apache.commons:commons-lang3:3.14.0",
    "'1.2' + '.3'", "\"v\" + \"1.2.3\"", "IDENTITY_ENDPOINT_OVERRIDE_FOR_TESTS=1", "my_identity_endpoint_name",
    "description: \"see \\\n  the docs\"", "\\u0031.\\u0032", "&#49;&#46;&#50;", "%31%2e%32", "a\\.b\\.c",
    "SELECT '169' || '.1'", "x = `echo 1`.2", "echo '2024'.'01'.'25'",
  ];
  for (let i = 0; i < 300; i++) {
    const kind = i % 6;
    if (kind === 0) out.push(`version: ${n(20)}.${n(300)}.${n(300)}`);
    else if (kind === 1) out.push(`cidr: ${[10, 172, 192, 100][n(4)]}.${n(256)}.${n(256)}.0/${16 + n(17)}`);
    else if (kind === 2) out.push(`date: ${1990 + n(40)}.${String(1 + n(12)).padStart(2, "0")}.${String(1 + n(28)).padStart(2, "0")}`);
    else if (kind === 3) out.push(`ip: ${1 + n(126)}.${n(256)}.${n(256)}.${n(256)}`);
    else if (kind === 4) out.push(`uri: "http://{{ '${1 + n(126)}.${n(256)}' }}.${n(256)}.${n(256)}/"`);
    else out.push(`curl http://${1 + n(126)}.${n(256)}.${n(256)}.[1-${1 + n(200)}]/`);
  }
  return out;
})();
