import * as assert from "node:assert/strict";
import { hostFirewallRules, hostFirewallScript, hostFirewallUserData, InvalidArgsError, METADATA_NETWORKS } from "../../components";

describe("hostFirewallRules", () => {
  it("keeps Azure's WireServer agent channel for root only, and DNS for everyone", () => {
    const { ipv4 } = hostFirewallRules({ cloud: "azure" });
    assert.deepEqual(ipv4.filter((l) => l.includes("168.63.129.16/32") && l.includes("RETURN")), [
      '-A HARDENING-META-OUT -d 168.63.129.16/32 -p udp --dport 53 -m comment --comment "keep azure-dns" -j RETURN',
      '-A HARDENING-META-FWD -d 168.63.129.16/32 -p udp --dport 53 -m comment --comment "keep azure-dns" -j RETURN',
      '-A HARDENING-META-OUT -d 168.63.129.16/32 -p tcp --dport 53 -m comment --comment "keep azure-dns" -j RETURN',
      '-A HARDENING-META-FWD -d 168.63.129.16/32 -p tcp --dport 53 -m comment --comment "keep azure-dns" -j RETURN',
      '-A HARDENING-META-OUT -d 168.63.129.16/32 -p tcp -m multiport --dports 80,32526 -m owner --uid-owner 0 -m comment --comment "keep azure-guest-agent" -j RETURN',
    ].sort((a, b) => ipv4.indexOf(a) - ipv4.indexOf(b)));
  });

  it("denies every catalogued metadata network, TCP and UDP, in both chains", () => {
    for (const cloud of ["aws", "gcp", "azure", "generic"] as const) {
      const rules = hostFirewallRules({ cloud });
      for (const n of METADATA_NETWORKS) {
        const family = n.parsed.version === 4 ? rules.ipv4 : rules.ipv6;
        for (const chain of ["HARDENING-META-OUT", "HARDENING-META-FWD"]) {
          for (const proto of ["tcp", "udp"]) {
            assert.ok(family.some((l) => l.startsWith(`-A ${chain} -d ${n.cidr} -p ${proto} `)), `${cloud}: ${chain} ${proto} ${n.cidr}`);
          }
        }
      }
    }
  });

  it("puts every RETURN before the first refusal, and no owner match in the forward chain", () => {
    for (const cloud of ["aws", "gcp", "azure", "generic"] as const) {
      for (const lines of Object.values(hostFirewallRules({ cloud, allowedUid: 999 }))) {
        for (const chain of ["HARDENING-META-OUT", "HARDENING-META-FWD"]) {
          const own = lines.filter((l: string) => l.startsWith(`-A ${chain} `));
          const firstDeny = own.findIndex((l: string) => / -j (REJECT|DROP)/.test(l));
          assert.ok(own.slice(firstDeny).every((l: string) => !l.endsWith("-j RETURN")), `${cloud} ${chain}`);
          if (chain.endsWith("FWD")) assert.ok(own.every((l: string) => !l.includes("-m owner")));
        }
        assert.ok(lines.includes("-A HARDENING-META-OUT -m owner --uid-owner 999 -j RETURN"));
      }
    }
  });

  it("keeps only the chosen cloud's services", () => {
    const aws = hostFirewallRules({ cloud: "aws" }).ipv4.join("\n");
    assert.match(aws, /169\.254\.169\.253\/32 -p udp --dport 53/);
    assert.doesNotMatch(aws, /169\.254\.169\.254\/32 -p udp --dport 53/);
    const generic = hostFirewallRules({ cloud: "generic" }).ipv4.join("\n");
    assert.match(generic, /169\.254\.169\.254\/32 -p udp --dport 53/);
    assert.match(generic, /169\.254\.169\.253\/32 -p udp --dport 53/);
  });

  it("refuses bad arguments, every problem at once", () => {
    assert.throws(
      () => hostFirewallRules({ cloud: "oci" as never, allowedUid: -1, containers: ["podman" as never] }),
      (e: unknown) =>
        e instanceof InvalidArgsError &&
        e.issues.length === 3 &&
        e.issues[0] === 'cloud "oci" is not one of aws, gcp, azure, generic.' &&
        e.issues[1] === "allowedUid -1 must be a whole number from 0 to 4294967294." &&
        e.issues[2] === 'containers "podman" is not one of docker, ecs.',
    );
  });
});

describe("hostFirewallScript", () => {
  it("installs a boot unit ordered before the container runtimes, and a re-assert timer", () => {
    const script = hostFirewallScript({ cloud: "aws" });
    assert.match(script, /^#!\/bin\/sh\n/);
    assert.match(script, /Before=network-pre\.target docker\.service containerd\.service ecs\.service kubelet\.service/);
    assert.match(script, /systemctl enable hardening-host-firewall\.service hardening-host-firewall\.timer/);
    assert.match(script, /OnUnitActiveSec=1min/);
  });

  it("adds the ECS agent setting only for ECS hosts, and the DOCKER-USER hook for any Docker host", () => {
    assert.doesNotMatch(hostFirewallScript({ cloud: "aws" }), /ECS_AWSVPC_BLOCK_IMDS|DOCKER-USER/);
    assert.match(hostFirewallScript({ cloud: "aws", containers: ["docker"] }), /hook "\$tool" DOCKER-USER HARDENING-META-FWD/);
    const ecs = hostFirewallScript({ cloud: "aws", containers: ["ecs"] });
    assert.match(ecs, /echo 'ECS_AWSVPC_BLOCK_IMDS=true' >> \/etc\/ecs\/ecs\.config/);
    assert.match(ecs, /DOCKER-USER/);
  });

  it("wraps as a cloud-init boothook", () => {
    const data = hostFirewallUserData({ cloud: "azure" });
    assert.match(data, /^#cloud-boothook\nset -eu\n|^#cloud-boothook\n# pulumi-hardening/);
    assert.doesNotMatch(data, /#!\/bin\/sh/);
  });
});
