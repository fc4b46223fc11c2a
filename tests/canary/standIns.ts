/**
 * Stand-ins for the canary's network-namespace test: a metadata namespace that answers on every catalogued address
 * and port (with a fake credential behind the credential paths), a resolver that names the metadata hosts, and, in
 * "filter" mode, refuses a name outside the allow-list the way a DNS firewall does.
 */

/** A credential the stand-in hands out; the probe's output must never contain it. */
export const FAKE_SECRET = "canary-test-secret-5f2c9d";

/** The stand-in server (node), given the ports to serve, the resolver's records and the file holding the DNS mode. */
export const SERVER = `
const http = require("http"), net = require("net"), dgram = require("dgram"), fs = require("fs");
const [ports, records, modeFile] = [JSON.parse(process.argv[2]), JSON.parse(process.argv[3]), process.argv[4]];
let pending = 0; const up = () => { if (--pending === 0) console.log("ready"); };
for (const port of ports) {
  pending++;
  const server = port === 80 || port === 8080
    ? http.createServer((q, r) => r.end(JSON.stringify({ AccessKeyId: "ASIACANARY", SecretAccessKey: ${JSON.stringify(FAKE_SECRET)} })))
    : net.createServer((s) => { s.on("error", () => {}); s.end("hello"); });
  server.listen({ host: "::", port, ipv6Only: false }, up);
}
// A minimal DNS responder: A records from the table, AAAA empty, names not in it NXDOMAIN; in "filter" mode the
// names marked "outside" are NXDOMAIN too (a DNS firewall's answer).
pending++;
const dns = dgram.createSocket("udp4");
dns.on("message", (m, rinfo) => {
  let i = 12; const labels = [];
  while (m[i] !== 0) { labels.push(m.subarray(i + 1, i + 1 + m[i]).toString()); i += m[i] + 1; }
  const qtype = m.readUInt16BE(i + 1), qend = i + 5;
  const name = labels.join(".").toLowerCase();
  const mode = fs.readFileSync(modeFile, "utf8").trim();
  const rec = records[name];
  const known = rec !== undefined && !(mode === "filter" && rec.outside);
  const answers = known && qtype === 1 ? [rec.a] : [];
  const head = Buffer.alloc(12);
  m.copy(head, 0, 0, 2);
  head.writeUInt16BE(known ? 0x8180 : 0x8183, 2);
  head.writeUInt16BE(1, 4); head.writeUInt16BE(answers.length, 6);
  const parts = [head, m.subarray(12, qend)];
  for (const a of answers) {
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); rr.writeUInt16BE(1, 2); rr.writeUInt16BE(1, 4); rr.writeUInt32BE(5, 6); rr.writeUInt16BE(4, 10);
    a.split(".").forEach((o, k) => rr.writeUInt8(Number(o), 12 + k));
    parts.push(rr);
  }
  dns.send(Buffer.concat(parts), rinfo.port, rinfo.address);
});
dns.bind(53, "169.254.169.253", up);
`;
