/**
 * The code rule's packet-filter reader (isFilterRule) against the regular expressions it replaced, run side by side
 * on generated lines: the word-by-word reader must accept exactly the lines they accepted (on short lines, where the
 * old expressions are still fast), so making it linear changed no verdict.
 */
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { isFilterRule } from "../../../../policy/rules/metadataEndpoint/codeReference";

/** The expressions as they were before the reader replaced them: the oracle. */
const OLD_FILTER_RULE = [
  /^\s*(?:sudo\s+)?(?:\/\S*\/)?(?:ip6?tables(?:-legacy|-nft)?\s+(?:-w\s+)?(?:-t\s+filter\s+)?)?(?:-A|-I|--append|--insert)\s+\S+(?:\s+\d+)?\s.*(?:-d|--destination|--ctorigdst)\s+\S+.*\s(?:-j|--jump)\s+(?:DROP|REJECT|RETURN)\b/,
  /^\s*(?:sudo\s+)?(?:\/\S*\/)?nft\s+(?:add|insert)\s+rule\s.*\bip6?\s+daddr\s+\S+.*\b(?:drop|reject)\b/,
];
function oldIsFilterRule(line: string): boolean {
  const bare = line.replace(/--comment\s+"[^"]*"/g, "");
  if (/[;&|`#]|\$\(/.test(bare)) return false;
  return OLD_FILTER_RULE.some((re) => re.test(bare));
}

const WORDS = [
  "sudo", "iptables", "ip6tables", "iptables-nft", "ip6tables-legacy", "/usr/sbin/iptables", "/iptables", "//iptables", "/x/-A",
  "-w", "-t", "filter", "nat", "-A", "-I", "--append", "--insert", "OUTPUT", "FORWARD", "1", "12", "-d", "--destination",
  "x-d", "-dd", "169.254.169.254", "fd00:ec2::254", "-p", "tcp", "-j", "--jump", "-jj", "DROP", "REJECT", "RETURN",
  "ACCEPT", "DNAT", "DROPPED", "DROP-now", "DROP_x", "REJECT,", "--comment", '"x"', '"a', "nft", "/usr/sbin/nft", "add",
  "insert", "rule", "inet", "ip", "ip6", "xip", ".ip", "-ip6", "daddr", "saddr", "drop", "reject", "dropped", "-drop",
  "1.2.3.4-drop", "counter", "!",
];
const SPACE = fc.constantFrom(" ", "  ", "\t", " \t ");
const line = fc.tuple(fc.constantFrom("", " ", "\t"), fc.array(fc.tuple(fc.constantFrom(...WORDS), SPACE), { maxLength: 14 }))
  .map(([lead, parts]) => lead + parts.map(([w, s]) => w + s).join("").trimEnd());

describe("isFilterRule (the code rule's packet-filter reader)", () => {
  it("accepts exactly the lines the old expressions accepted, on generated command lines", () => {
    fc.assert(fc.property(line, (l) => isFilterRule(l) === oldIsFilterRule(l)), { numRuns: 20000 });
  });
  it("agrees on generated lines of any characters, except it never trusts a carriage return or U+2028/9 inside a line", () => {
    const chars = fc.string({ unit: fc.constantFrom(..."-dj AIw/ptDROPREJCTUNnftaddripruleopxc1.;#\u00a0\r\u2028"), maxLength: 40 });
    fc.assert(fc.property(chars, (l) => {
      const now = isFilterRule(l);
      if (/[\r\u2028\u2029]/.test(l.replace(/\r$/, ""))) return !now || oldIsFilterRule(l);
      return now === oldIsFilterRule(l);
    }), { numRuns: 20000 });
  });
  it("keeps the host firewall's own lines as filters (positive control) and reports traffic sent to the endpoint", () => {
    assert.equal(isFilterRule("iptables -w -t filter -I OUTPUT 1 -d 169.254.169.254/32 -m owner ! --uid-owner 0 -j REJECT --reject-with icmp-port-unreachable"), true);
    assert.equal(isFilterRule("nft add rule inet filter output ip daddr 169.254.169.254 counter drop"), true);
    assert.equal(isFilterRule("iptables -t nat -A OUTPUT -d 10.0.0.1 -j DNAT --to-destination 169.254.169.254"), false);
    assert.equal(isFilterRule("iptables -A OUTPUT -d 169.254.169.254 -j DROP; curl http://169.254.169.254/"), false);
  });
});
