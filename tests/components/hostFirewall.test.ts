/**
 * The host firewall's rules as data. What they do to packets is proven in hostFirewall.netns.test.ts and, booted
 * through each pool's real boot path, in tests/host/boot.netns.test.ts; these check the properties every cloud's
 * rule set must have, so that a new catalogue entry or cloud cannot slip past them.
 */
import * as assert from "node:assert/strict";
import { hostFirewallRules, InvalidArgsError, METADATA_NETWORKS, PROTECTED_SERVICES } from "../../components";

const CLOUDS = ["aws", "gcp", "azure", "generic"] as const;
const CHAINS = { out: "HARDENING-META-OUT", fwd: "HARDENING-META-FWD", inp: "HARDENING-META-IN" };

describe("hostFirewallRules", () => {
  it("refuses every catalogued metadata network by current and by original destination (NAT cannot route around it)", () => {
    for (const cloud of CLOUDS) {
      const rules = hostFirewallRules({ cloud });
      for (const n of METADATA_NETWORKS) {
        const lines = n.parsed.version === 4 ? rules.ipv4 : rules.ipv6;
        for (const proto of ["tcp", "udp"]) {
          for (const chain of [CHAINS.out, CHAINS.fwd]) {
            assert.ok(lines.some((l) => l.startsWith(`-A ${chain} -d ${n.cidr} -p ${proto} `) && / -j (REJECT|DROP)/.test(l)), `${cloud} ${chain} -d ${proto} ${n.cidr}`);
            assert.ok(lines.some((l) => l.startsWith(`-A ${chain} -p ${proto} -m conntrack --ctdir ORIGINAL --ctorigdst ${n.cidr} `)), `${cloud} ${chain} ctorigdst ${proto} ${n.cidr}`);
          }
          assert.ok(lines.some((l) => l.startsWith(`-A ${CHAINS.inp} -p ${proto} -m conntrack --ctdir ORIGINAL --ctstate DNAT --ctorigdst ${n.cidr} `)), `${cloud} INPUT DNAT ${proto} ${n.cidr}`);
        }
      }
    }
  });

  it("puts every exception before the first refusal, and no owner match where the kernel refuses one", () => {
    for (const cloud of CLOUDS) {
      const rules = hostFirewallRules({ cloud, allowedUid: 999, agentExceptions: ["aws-ecs-task-credentials"] });
      for (const lines of [rules.ipv4, rules.ipv6]) {
        for (const chain of Object.values(CHAINS)) {
          const own = lines.filter((l) => l.startsWith(`-A ${chain} `));
          const firstDeny = own.findIndex((l) => / -j (REJECT|DROP)/.test(l));
          assert.ok(firstDeny >= 0, `${cloud} ${chain} refuses something`);
          assert.ok(own.slice(firstDeny).every((l) => !l.endsWith("-j RETURN")), `${cloud} ${chain}`);
          if (chain !== CHAINS.out) assert.ok(own.every((l) => !l.includes("-m owner")), `${cloud} ${chain}: owner match`);
        }
      }
      assert.equal(rules.allowedUidRule, '-A HARDENING-META-OUT -m owner --uid-owner 999 -m comment --comment "allowed uid" -j RETURN');
    }
  });

  it("keeps a service open only when both its current and its original destination are the service", () => {
    for (const cloud of CLOUDS) {
      const rules = hostFirewallRules({ cloud });
      for (const line of [...rules.ipv4, ...rules.ipv6].filter((l) => l.includes('"keep '))) {
        const m = / -d (\S+)\/\d+ -p (\w+) --dport (\d+) -m conntrack --ctorigdst (\S+)\/\d+ --ctorigdstport (\d+) /.exec(line);
        assert.ok(m, line);
        assert.equal(m[1], m[4], line);
        assert.equal(m[3], m[5], line);
      }
    }
  });

  it("keeps only the chosen cloud's services, and root-only services away from containers", () => {
    for (const cloud of CLOUDS) {
      const lines = [...hostFirewallRules({ cloud }).ipv4, ...hostFirewallRules({ cloud }).ipv6];
      const kept = new Set(lines.map((l) => /"keep (\S+)"/.exec(l)?.[1]).filter(Boolean));
      const wanted = PROTECTED_SERVICES.filter((s) => (cloud === "generic" ? ["aws", "gcp", "azure", "oci"].includes(s.cloud) : s.cloud === cloud)).map((s) => s.id);
      assert.deepEqual([...kept].sort(), [...new Set(wanted)].sort(), cloud);
      for (const s of PROTECTED_SERVICES.filter((p) => p.allowedFor === "root" && kept.has(p.id))) {
        const own = lines.filter((l) => l.includes(`"keep ${s.id}"`));
        assert.ok(own.every((l) => l.startsWith(`-A ${CHAINS.out} `) && l.includes("-m owner --uid-owner 0")), s.id);
      }
    }
  });

  it("lets containers reach an agent only through a named exception", () => {
    const plain = hostFirewallRules({ cloud: "aws" }).ipv4.join("\n");
    assert.doesNotMatch(plain, /agent exception/);
    const ecs = hostFirewallRules({ cloud: "aws", agentExceptions: ["aws-ecs-task-credentials"] }).ipv4.filter((l) => l.includes("agent exception"));
    assert.deepEqual(ecs, [
      '-A HARDENING-META-FWD -p tcp -m conntrack --ctorigdst 169.254.170.2/32 --ctorigdstport 80 -m comment --comment "agent exception aws-ecs-task-credentials" -j RETURN',
      '-A HARDENING-META-IN -p tcp -m conntrack --ctorigdst 169.254.170.2/32 --ctorigdstport 80 -m comment --comment "agent exception aws-ecs-task-credentials" -j RETURN',
    ]);
  });

  it("refuses bad arguments, every problem at once", () => {
    assert.throws(
      () => hostFirewallRules({ cloud: "oci" as never, allowedUid: -1, containers: ["podman" as never], agentExceptions: ["kube2iam" as never] }),
      (e: unknown) =>
        e instanceof InvalidArgsError &&
        e.issues.length === 4 &&
        e.issues[0] === 'cloud "oci" is not one of aws, gcp, azure, generic.' &&
        e.issues[1] === "allowedUid -1 must be a whole number from 0 to 4294967294." &&
        e.issues[2] === 'containers "podman" is not one of docker, ecs.' &&
        e.issues[3] === 'agentExceptions "kube2iam" is not one of aws-ecs-task-credentials.',
    );
  });
});
