import * as assert from "node:assert/strict";
import { readIpv4 } from "../../detect/ipv4";
import { parseIpv6Groups } from "../../detect/ipv6Parse";
import { judgeIpv6 } from "../../detect/ipv6";
import { decode } from "../../detect/normalise";
import { hostPosition } from "../../detect/hostContext";

const IMDS = 0xa9fea9fe;

describe("readIpv4", () => {
  const cases: [string, { value: number; kind: string }[] | undefined][] = [
    ["169.254.169.254", [{ value: IMDS, kind: "strict" }]],
    ["0xa9fea9fe", [{ value: IMDS, kind: "strict" }]],
    ["0x", [{ value: 0, kind: "strict" }]], // WHATWG: "0x" alone is zero
    ["0251.0376.0251.0376", [{ value: IMDS, kind: "strict" }]],
    ["169.254.43518", [{ value: IMDS, kind: "strict" }]],
    ["169.16689662", [{ value: IMDS, kind: "strict" }]],
    ["169.254.169.254.", [{ value: IMDS, kind: "strict" }]],
    // "0169" is not octal: WHATWG and inet_aton refuse it; lenient parsers read it as decimal.
    ["0169.0254.0169.0254", [{ value: IMDS, kind: "decimal-leading-zeros" }]],
    // Octal to WHATWG (0254 = 172), decimal to lenient parsers: both readings are kept.
    ["169.254.169.0254", [{ value: 0xa9fea9ac, kind: "strict" }, { value: IMDS, kind: "decimal-leading-zeros" }]],
    ["425.510.425.510", [{ value: IMDS, kind: "wrapped" }]],
    ["7147006462", [{ value: IMDS, kind: "wrapped" }]],
    ["169.254.169.256.", [{ value: 0xa9fea900, kind: "wrapped" }]],
    ["1.2.3.4.5", undefined],
    ["1..2", undefined],
    ["0x1g", undefined],
    ["1".repeat(41), undefined],
  ];
  for (const [text, readings] of cases) {
    it(`reads ${text}`, () => {
      const token = readIpv4(text);
      assert.deepEqual(token?.readings.map((r) => ({ ...r })), readings);
    });
  }
  it("refuses 08 in every strict reading and keeps only the decimal one", () => {
    assert.deepEqual(readIpv4("08.0.0.1")?.readings, [{ value: 0x08000001, kind: "decimal-leading-zeros" }]);
  });
});

describe("parseIpv6Groups and judgeIpv6", () => {
  it("parses compressed, expanded, dotted-tail and mixed-case forms alike", () => {
    const want = [0, 0, 0, 0, 0, 0xffff, 0xa9fe, 0xa9fe];
    for (const t of ["::ffff:a9fe:a9fe", "0:0:0:0:0:FFFF:A9FE:A9FE", "::ffff:169.254.169.254", "0000:0000:0000:0000:0000:ffff:169.254.169.254"]) {
      assert.deepEqual(parseIpv6Groups(t), want, t);
    }
  });
  it("refuses malformed literals", () => {
    for (const t of ["1:2:3", ":::", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3", "::ffff:1.2.3.256", "g::1"]) {
      assert.equal(parseIpv6Groups(t), undefined, t);
    }
  });
  it("finds the IPv4 address in every RFC 6052 position of the local-use NAT64 prefix", () => {
    // 169.254.169.254 embedded after a /48, /56, /64 and /96 prefix inside 64:ff9b:1::/48 (u octet, bits 64-71, zero).
    for (const t of ["64:ff9b:1:a9fe:a9:fea9::", "64:ff9b:1:a9:fe:a9fe::", "64:ff9b:1::a9:fea9:fe00:0", "64:ff9b:1::a9fe:a9fe"]) {
      assert.equal(judgeIpv6(parseIpv6Groups(t)!)?.endpoint, "169.254.169.254", t);
    }
  });
  it("leaves protected and ordinary addresses alone", () => {
    for (const t of ["fd00:ec2::253", "fd00:ec2::123", "::ffff:169.254.169.123", "2001:db8::1", "::1"]) {
      assert.equal(judgeIpv6(parseIpv6Groups(t)!), undefined, t);
    }
  });
});

describe("decode", () => {
  it("maps every decoded character back to the span it came from", () => {
    const text = "a%2531\\u0032１\u200b.";
    const d = decode(text);
    assert.equal(d.text, "a121.");
    assert.deepEqual(
      [...d.text].map((_, i) => text.slice(d.starts![i], d.ends![i])),
      ["a", "%2531", "\\u0032", "１", "."],
    );
  });
  it("returns the text itself when nothing needs decoding", () => {
    assert.deepEqual(decode("plain 169.254.169.254 text"), { text: "plain 169.254.169.254 text", starts: undefined, ends: undefined });
  });
  it("drops tabs and newlines inside a URL only", () => {
    assert.equal(decode("x: http://169.254.\n169.254/\ny: 1", true).text, "x: http://169.254.169.254/\ny: 1");
    assert.equal(decode("x: http://169.254.\n169.254/\ny: 1").text, "x: http://169.254.\n169.254/\ny: 1");
    assert.equal(decode("a\tb\nc", true).text, "a\tb\nc");
  });
});

describe("hostPosition", () => {
  const at = (line: string, token: string, strict = false): string | undefined => {
    const start = line.indexOf(token);
    return hostPosition(line, start, start + token.length, strict);
  };
  it("recognises URL hosts, @, Host headers and client arguments", () => {
    assert.equal(at("http://2852039166/", "2852039166"), "url");
    assert.equal(at("http:2852039166", "2852039166"), "url");
    assert.equal(at("x@2852039166", "2852039166"), "at");
    assert.equal(at("Host: 2852039166", "2852039166"), "host-key");
    assert.equal(at("curl -s 2852039166", "2852039166"), "command");
    assert.equal(at("nc -v metadata 80", "metadata", true), "command");
  });
  it("refuses ordinary values and prose", () => {
    assert.equal(at("count: 2852039166", "2852039166"), undefined);
    assert.equal(at("curl x && echo 2852039166", "2852039166"), undefined);
    assert.equal(at("id=2852039166", "2852039166"), undefined);
    assert.equal(at("metadata:", "metadata", true), undefined);
    assert.equal(at("ssh in and read the metadata", "metadata", true), undefined);
    assert.equal(at("curl fetches metadata", "metadata", true), undefined);
  });
});
