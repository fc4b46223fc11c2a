import * as assert from "node:assert/strict";
import { EGRESS_LOG_FORMAT_BODY, egressDenials, parseEgressLogLine } from "../../../components";

const DENY =
  "hardening-egress v=1 time=1795716731.264 verdict=deny reason=forbidden-address client=10.0.3.7 method=GET host=meta.example.com port=80 status=403 result=TCP_DENIED server=-";
const ALLOW =
  "hardening-egress v=1 time=1795716727.147 verdict=allow reason=- client=10.0.3.7 method=CONNECT host=pypi.org port=443 status=200 result=TCP_TUNNEL server=151.101.0.223";

describe("egress proxy: access log", () => {
  it("parses a refusal and an allowed request", () => {
    assert.deepEqual(parseEgressLogLine(DENY), {
      time: 1795716731.264,
      verdict: "deny",
      reason: "forbidden-address",
      client: "10.0.3.7",
      method: "GET",
      host: "meta.example.com",
      port: 80,
      status: 403,
      result: "TCP_DENIED",
      server: "-",
    });
    assert.equal(parseEgressLogLine(ALLOW)?.server, "151.101.0.223");
    assert.equal(parseEgressLogLine(ALLOW)?.reason, "-");
  });

  it("names every field the Squid format writes, in the parser's order", () => {
    const keys = EGRESS_LOG_FORMAT_BODY.split(" ").slice(1).map((w) => w.split("=")[0]);
    assert.deepEqual(keys, ["v", "time", "verdict", "reason", "client", "method", "host", "port", "status", "result", "server"]);
  });

  const rejected: [string, string][] = [
    ["another tag", DENY.replace("hardening-egress", "squid")],
    ["a missing field", DENY.replace(" server=-", "")],
    ["an extra word", `${DENY} extra`],
    ["fields out of order", DENY.replace("client=10.0.3.7 method=GET", "method=GET client=10.0.3.7")],
    ["another version", DENY.replace("v=1", "v=2")],
    ["an unknown reason", DENY.replace("forbidden-address", "because")],
    ["an unknown verdict", DENY.replace("verdict=deny", "verdict=maybe")],
    ["a bad time", DENY.replace("1795716731.264", "yesterday")],
    ["Squid's own message", "2026/11/26 18:06:03| Accepting HTTP Socket connections at conn3"],
    ["an empty line", ""],
  ];
  for (const [what, line] of rejected) it(`returns undefined for ${what}`, () => assert.equal(parseEgressLogLine(line), undefined));

  it("picks the refusals out of a mixed stream", () => {
    const denials = egressDenials([ALLOW, "2026/11/26| squid says hello", DENY, DENY.replace("reason=forbidden-address", "reason=not-listed"), ""].join("\n"));
    assert.deepEqual(denials.map((d) => d.reason), ["forbidden-address", "not-listed"]);
  });
});
