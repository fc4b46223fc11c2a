import * as assert from "node:assert/strict";
import fc from "fast-check";
import { checkHostNamespaces } from "../../../../policy/rules/metadataEndpoint/kubernetesHostNamespaces";
import {
  checkPodSecurityRestricted,
  kubernetesPodSecurityRestricted,
  POD_SECURITY_CHECKS,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
} from "../../../../policy/rules/sandbox/podSecurityRestricted";
import { locatePodSpec, POD_SPEC_LOCATIONS } from "../../../../policy/rules/kubernetes/podSpec";
import type { Finding } from "../../../../policy/rules/types";

const ctx = { config: {} };
const rule = kubernetesPodSecurityRestricted;
const POD = "kubernetes:core/v1:Pod";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

/** A container that passes every restricted check on its own. */
function good(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: "busybox",
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, ...extra },
  };
}
/** A pod spec that passes: pod-level runAsNonRoot and seccomp cover the containers. */
function goodSpec(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [good("app")],
    ...extra,
  };
}
const deployment = (spec: Record<string, unknown>) => ({ spec: { template: { spec } } });
const T = "spec.template.spec";
const C0 = `${T}.containers[0]`;

describe("sandbox-pod-security-restricted", () => {
  describe("table", () => {
    const passing: [string, string, Record<string, unknown>][] = [
      ["a Pod with pod-level runAsNonRoot and seccomp", POD, { spec: goodSpec() }],
      ["a Deployment whose containers set everything themselves", DEPLOYMENT, deployment({
        containers: [good("a", { runAsNonRoot: true, seccompProfile: { type: "Localhost", localhostProfile: "p.json" } })],
        initContainers: [good("init", { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } })],
      })],
      ["allowed volumes, NET_BIND_SERVICE, safe sysctls, allowed SELinux and AppArmor", DEPLOYMENT, deployment(goodSpec({
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 1000,
          seccompProfile: { type: "RuntimeDefault" },
          sysctls: [{ name: "net.ipv4.tcp_keepalive_time", value: "60" }],
          seLinuxOptions: { type: "container_t", level: "s0:c1,c2" },
          appArmorProfile: { type: "RuntimeDefault" },
        },
        containers: [good("a", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] }, procMount: "Default" })],
        volumes: [
          { name: "tmp" },
          { name: "cfg", configMap: { name: "c" } },
          { name: "img", image: { reference: "r" } },
          { name: "pvc", persistentVolumeClaim: { claimName: "x" } },
        ],
      }))],
      ["a Windows pod without the Linux-only fields", POD, {
        spec: { os: { name: "windows" }, securityContext: { runAsNonRoot: true }, containers: [{ name: "w" }] },
      }],
      ["a user-namespace pod without runAsNonRoot, running as uid 0 inside it", POD, {
        spec: {
          hostUsers: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" }, runAsUser: 0 },
          containers: [{ name: "u", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
        },
      }],
      ["an annotated AppArmor profile runtime/default", POD, {
        metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "runtime/default" } },
        spec: goodSpec(),
      }],
      ["a patch that changes only the image", "kubernetes:apps/v1:DeploymentPatch", deployment({
        containers: [{ name: "app", image: "busybox:2" }],
      })],
    ];
    for (const [what, type, props] of passing) {
      it(`passes ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), []));
    }

    const failing: [string, string, Record<string, unknown>, Finding[]][] = [
      ["a bare container", DEPLOYMENT, deployment({ containers: [{ name: "app" }] }), [
        {
          property: `${C0}.securityContext.capabilities.drop`,
          message: `${C0}.securityContext.capabilities.drop is not set; set it to ["ALL"]: a container keeps the runtime's default capabilities (NET_RAW, SETUID, ...) unless it drops them.`,
        },
        {
          property: `${C0}.securityContext.seccompProfile.type`,
          message: `${C0}.securityContext.seccompProfile.type is not set and the pod sets no valid profile; set ${T}.securityContext.seccompProfile.type (or this container's) to "RuntimeDefault" or "Localhost".`,
        },
        {
          property: `${C0}.securityContext.allowPrivilegeEscalation`,
          message: `${C0}.securityContext.allowPrivilegeEscalation is not set; set it to false: otherwise a setuid binary can gain privileges the container was not given.`,
        },
        {
          property: `${C0}.securityContext.runAsNonRoot`,
          message: `${C0}.securityContext.runAsNonRoot is not set and ${T}.securityContext.runAsNonRoot is not true; set runAsNonRoot to true on the pod or on this container.`,
        },
      ]],
      ["privileged, added capabilities, hostPath and a host port", DEPLOYMENT, deployment(goodSpec({
        containers: [{
          ...good("app", { privileged: true, capabilities: { drop: ["NET_RAW"], add: ["SYS_ADMIN", "NET_BIND_SERVICE"] } }),
          ports: [{ containerPort: 80 }, { containerPort: 8080, hostPort: 8080 }],
        }],
        volumes: [{ name: "ok", emptyDir: {} }, { name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
      })), [
        {
          property: `${C0}.securityContext.privileged`,
          message: `${C0}.securityContext.privileged is true; remove it or set it to false: a privileged container has every capability and the node's devices.`,
        },
        { property: `${C0}.securityContext.capabilities.drop`, message: `${C0}.securityContext.capabilities.drop is ["NET_RAW"]; add "ALL" to it.` },
        {
          property: `${C0}.securityContext.capabilities.add`,
          message: `${C0}.securityContext.capabilities.add adds ["SYS_ADMIN"]; remove them: only "NET_BIND_SERVICE" may be added.`,
        },
        {
          property: `${T}.volumes[1].hostPath`,
          message: `${T}.volumes[1] ("docker") is a hostPath volume; use one of ${RESTRICTED_VOLUME_TYPES.join(", ")}.`,
        },
        {
          property: `${C0}.ports[1].hostPort`,
          message: `${C0}.ports[1].hostPort is 8080; remove it: a host port opens the node's own address to the pod.`,
        },
      ]],
      ["pod-level settings that are explicitly wrong", POD, {
        spec: {
          securityContext: {
            runAsNonRoot: false,
            runAsUser: 0,
            seccompProfile: { type: "Unconfined" },
            sysctls: [{ name: "kernel.shm_rmid_forced", value: "1" }, { name: "net.ipv4.ip_forward", value: "1" }],
            seLinuxOptions: { type: "spc_t", user: "system_u" },
            appArmorProfile: { type: "Unconfined" },
            windowsOptions: { hostProcess: true },
          },
          containers: [good("app", { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } })],
        },
      }, [
        { property: "spec.securityContext.appArmorProfile.type", message: `spec.securityContext.appArmorProfile.type is "Unconfined"; set it to "RuntimeDefault" or "Localhost".` },
        { property: "spec.securityContext.seLinuxOptions.type", message: `spec.securityContext.seLinuxOptions.type is "spc_t"; remove it or use one of container_t, container_init_t, container_kvm_t, container_engine_t.` },
        { property: "spec.securityContext.seLinuxOptions.user", message: `spec.securityContext.seLinuxOptions.user is "system_u"; remove it: a custom SELinux user is forbidden.` },
        { property: "spec.securityContext.seccompProfile.type", message: `spec.securityContext.seccompProfile.type is "Unconfined"; set it to "RuntimeDefault" or "Localhost".` },
        {
          property: "spec.securityContext.sysctls[1].name",
          message: `spec.securityContext.sysctls[1].name is "net.ipv4.ip_forward"; remove it: only the namespaced safe sysctls (${SAFE_SYSCTLS.join(", ")}) are allowed.`,
        },
        { property: "spec.securityContext.windowsOptions.hostProcess", message: `spec.securityContext.windowsOptions.hostProcess is true; remove it or set it to false: a HostProcess container runs on the Windows node itself.` },
        { property: "spec.securityContext.runAsNonRoot", message: `spec.securityContext.runAsNonRoot is false; set it to true.` },
        { property: "spec.securityContext.runAsUser", message: `spec.securityContext.runAsUser is 0 (root); set a non-zero user id or remove it.` },
      ]],
      ["an init container and an ephemeral container are checked too; probes may not name a host", POD, {
        metadata: { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined", other: "x" } },
        spec: goodSpec({
          initContainers: [good("init", { allowPrivilegeEscalation: true, procMount: "Unmasked" })],
          containers: [{ ...good("app"), livenessProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } }, lifecycle: { preStop: { tcpSocket: { host: "10.0.0.1", port: 1 } } } }],
          ephemeralContainers: [{ name: "debug", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 0 } }],
        }),
      }, [
        { property: `metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"]`, message: `metadata.annotations["container.apparmor.security.beta.kubernetes.io/app"] is "unconfined"; set it to "runtime/default" or "localhost/<profile>", or remove it.` },
        { property: "spec.initContainers[0].securityContext.procMount", message: `spec.initContainers[0].securityContext.procMount is "Unmasked"; remove it or set it to "Default": an unmasked /proc exposes the node's kernel interfaces.` },
        { property: "spec.containers[0].livenessProbe.httpGet.host", message: `spec.containers[0].livenessProbe.httpGet.host is "169.254.169.254"; remove it: the kubelet, on the node's network, would connect to that host instead of the pod.` },
        { property: "spec.containers[0].lifecycle.preStop.tcpSocket.host", message: `spec.containers[0].lifecycle.preStop.tcpSocket.host is "10.0.0.1"; remove it: the kubelet, on the node's network, would connect to that host instead of the pod.` },
        { property: "spec.initContainers[0].securityContext.allowPrivilegeEscalation", message: `spec.initContainers[0].securityContext.allowPrivilegeEscalation is true; set it to false: otherwise a setuid binary can gain privileges the container was not given.` },
        { property: "spec.ephemeralContainers[0].securityContext.runAsUser", message: `spec.ephemeralContainers[0].securityContext.runAsUser is 0 (root); set a non-zero user id or remove it.` },
      ]],
      ["a patch that sets a wrong value (but not what it leaves out)", "kubernetes:apps/v1:DeploymentPatch", deployment({
        containers: [{ name: "app", securityContext: { allowPrivilegeEscalation: true } }],
      }), [
        { property: `${C0}.securityContext.allowPrivilegeEscalation`, message: `${C0}.securityContext.allowPrivilegeEscalation is true; set it to false: otherwise a setuid binary can gain privileges the container was not given.` },
      ]],
    ];
    for (const [what, type, props, expected] of failing) {
      it(`reports ${what}`, () => assert.deepStrictEqual(rule.checks[type](props, ctx), expected));
    }

    it("cites a PSA check file for every check", () => {
      for (const c of POD_SECURITY_CHECKS) assert.match(c.file, /^check_[A-Za-z_]+\.go$/, c.id);
    });
  });

  describe("remediation", () => {
    const fix = rule.remediations![DEPLOYMENT];
    it("fills in seccomp, allowPrivilegeEscalation and drop ALL, and is idempotent", () => {
      const props = { metadata: { name: "d" }, spec: { replicas: 2, template: { spec: {
        securityContext: { runAsNonRoot: true },
        containers: [{ name: "app", image: "i", securityContext: { capabilities: { drop: ["NET_RAW"], add: ["NET_BIND_SERVICE"] } } }],
      } } } };
      const fixed = fix(props, ctx)!;
      assert.deepStrictEqual(fixed, { metadata: { name: "d" }, spec: { replicas: 2, template: { spec: {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers: [{ name: "app", image: "i", securityContext: {
          capabilities: { drop: ["NET_RAW", "ALL"], add: ["NET_BIND_SERVICE"] },
          allowPrivilegeEscalation: false,
        } }],
      } } } });
      assert.deepStrictEqual(rule.checks[DEPLOYMENT](fixed, ctx), []);
      assert.equal(fix(fixed, ctx), undefined);
      // The input is not mutated.
      assert.deepStrictEqual(props.spec.template.spec.securityContext, { runAsNonRoot: true });
    });
    it("leaves explicit choices, privileged containers and Windows pods alone", () => {
      const explicit = deployment(goodSpec({ containers: [good("a", { allowPrivilegeEscalation: true })] }));
      assert.equal(fix(explicit, ctx), undefined);
      assert.equal(fix(deployment({ securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [{ name: "p", securityContext: { privileged: true } }] }), ctx), undefined);
      assert.equal(fix(deployment({ os: { name: "windows" }, containers: [{ name: "w" }] }), ctx), undefined);
    });
    it("does not set allowPrivilegeEscalation=false beside CAP_SYS_ADMIN (the API rejects the pair)", () => {
      const fixed = fix(deployment(goodSpec({ containers: [{ name: "a", securityContext: { capabilities: { add: ["SYS_ADMIN"] } } }] })), ctx)!;
      assert.deepStrictEqual((fixed.spec as { template: { spec: { containers: unknown[] } } }).template.spec.containers, [
        { name: "a", securityContext: { capabilities: { add: ["SYS_ADMIN"], drop: ["ALL"] } } },
      ]);
    });
    it("is bound to full kinds only, never to patches", () => {
      const types = Object.keys(rule.remediations!);
      assert.ok(types.includes("kubernetes:batch/v1:CronJob"));
      assert.ok(!types.some((t) => t.endsWith("Patch")));
      assert.equal(types.length, Object.values(POD_SPEC_LOCATIONS).filter((l) => !l.patch).length);
    });
  });

  describe("properties", () => {
    const fullTypes = Object.entries(POD_SPEC_LOCATIONS).filter(([, l]) => !l.patch).map(([t]) => t);
    const name = fc.constantFrom("a", "b", "c", "d", "e");
    const seccomp = fc.record({ type: fc.constantFrom("RuntimeDefault", "Localhost") });
    const container = fc.record(
      {
        name,
        ownNonRoot: fc.boolean(),
        ownSeccomp: fc.option(seccomp, { nil: undefined }),
        runAsUser: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        netBind: fc.boolean(),
        procDefault: fc.boolean(),
        port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
      },
    );
    const hardened = fc.record({
      type: fc.constantFrom(...fullTypes),
      podNonRoot: fc.boolean(),
      podSeccomp: fc.option(seccomp, { nil: undefined }),
      init: fc.array(container, { maxLength: 2 }),
      main: fc.array(container, { minLength: 1, maxLength: 3 }),
      volumes: fc.subarray([...RESTRICTED_VOLUME_TYPES]),
      sysctls: fc.subarray([...SAFE_SYSCTLS], { maxLength: 3 }),
      selinux: fc.constantFrom(undefined, "container_t", "container_engine_t", ""),
    });
    type Gen = typeof hardened extends fc.Arbitrary<infer G> ? G : never;
    type C = Gen["main"][number];

    function buildContainer(c: C, g: Gen): Record<string, unknown> {
      const sc: Record<string, unknown> = {
        allowPrivilegeEscalation: false,
        capabilities: c.netBind ? { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } : { drop: ["ALL"] },
      };
      // Each container must be covered: by its own setting, or by the pod's.
      if (c.ownNonRoot || !g.podNonRoot) sc.runAsNonRoot = true;
      if (c.ownSeccomp || !g.podSeccomp) sc.seccompProfile = c.ownSeccomp ?? { type: "RuntimeDefault" };
      if (c.runAsUser !== undefined) sc.runAsUser = c.runAsUser;
      if (c.procDefault) sc.procMount = "Default";
      return { name: c.name, image: "img", securityContext: sc, ...(c.port ? { ports: [{ containerPort: c.port }] } : {}) };
    }
    function buildSpec(g: Gen): Record<string, unknown> {
      const sc: Record<string, unknown> = {};
      if (g.podNonRoot) sc.runAsNonRoot = true;
      if (g.podSeccomp) sc.seccompProfile = g.podSeccomp;
      if (g.sysctls.length) sc.sysctls = g.sysctls.map((n) => ({ name: n, value: "1" }));
      if (g.selinux !== undefined) sc.seLinuxOptions = { type: g.selinux };
      return {
        securityContext: sc,
        ...(g.init.length ? { initContainers: g.init.map((c) => buildContainer(c, g)) } : {}),
        containers: g.main.map((c) => buildContainer(c, g)),
        volumes: g.volumes.map((v, i) => ({ name: `v${i}`, [v]: {} })),
      };
    }
    function wrap(type: string, spec: Record<string, unknown>): Record<string, unknown> {
      let props: Record<string, unknown> = spec;
      for (const key of [...POD_SPEC_LOCATIONS[type].specPath].reverse()) props = { [key]: props };
      return props;
    }
    const findingsOf = (type: string, props: Record<string, unknown>) => {
      const pod = locatePodSpec(type, props)!;
      return [...checkHostNamespaces(pod), ...checkPodSecurityRestricted(pod)];
    };

    it("a hardened pod spec of any kind has no finding, and remediation leaves it unchanged", () => {
      fc.assert(
        fc.property(hardened, (g) => {
          const props = wrap(g.type, buildSpec(g));
          assert.deepStrictEqual(findingsOf(g.type, props), []);
          assert.equal(rule.remediations![g.type](props, ctx), undefined);
        }),
        { numRuns: 200 },
      );
    });

    it("removing any one required setting yields exactly the matching finding", () => {
      fc.assert(
        fc.property(hardened, fc.nat(), (g, pick) => {
          const spec = buildSpec(g);
          const base = POD_SPEC_LOCATIONS[g.type].specPath.join(".");
          type Removal = { apply: (s: any) => void; expected: Finding[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
          const removals: Removal[] = [];
          const lists: [string, C[]][] = [["initContainers", g.init], ["containers", g.main]];
          for (const [list, cs] of lists) {
            cs.forEach((c, i) => {
              const p = `${base}.${list}[${i}].securityContext`;
              removals.push({
                apply: (s) => delete s[list][i].securityContext.allowPrivilegeEscalation,
                expected: [{ property: `${p}.allowPrivilegeEscalation`, message: `${p}.allowPrivilegeEscalation is not set; set it to false: otherwise a setuid binary can gain privileges the container was not given.` }],
              });
              removals.push({
                apply: (s) => delete s[list][i].securityContext.capabilities.drop,
                expected: [{ property: `${p}.capabilities.drop`, message: `${p}.capabilities.drop is not set; set it to ["ALL"]: a container keeps the runtime's default capabilities (NET_RAW, SETUID, ...) unless it drops them.` }],
              });
              if (c.ownNonRoot || !g.podNonRoot) {
                removals.push({
                  apply: (s) => delete s[list][i].securityContext.runAsNonRoot,
                  expected: g.podNonRoot ? [] : [nonRootMissing(base, `${base}.${list}[${i}]`)],
                });
              }
              if (c.ownSeccomp || !g.podSeccomp) {
                removals.push({
                  apply: (s) => delete s[list][i].securityContext.seccompProfile,
                  expected: g.podSeccomp ? [] : [seccompMissing(base, `${base}.${list}[${i}]`)],
                });
              }
            });
          }
          const uncovered = (own: (c: C) => boolean, pod: boolean) =>
            lists.flatMap(([list, cs]) => cs.flatMap((c, i) => (pod && !own(c) ? [`${base}.${list}[${i}]`] : [])));
          if (g.podNonRoot) {
            removals.push({
              apply: (s) => delete s.securityContext.runAsNonRoot,
              expected: uncovered((c) => c.ownNonRoot, true).map((c) => nonRootMissing(base, c)),
            });
          }
          if (g.podSeccomp) {
            const order = uncovered((c) => c.ownSeccomp !== undefined, true);
            removals.push({
              apply: (s) => delete s.securityContext.seccompProfile,
              expected: order.map((c) => seccompMissing(base, c)),
            });
          }
          const removal = removals[pick % removals.length];
          removal.apply(spec);
          // Findings come grouped by check; within a check, in container order. Sort both sides by property.
          const byProperty = (a: Finding, b: Finding) => a.property.localeCompare(b.property);
          assert.deepStrictEqual(
            findingsOf(g.type, wrap(g.type, spec)).sort(byProperty),
            [...removal.expected].sort(byProperty),
          );
        }),
        { numRuns: 300 },
      );
    });
  });
});

function nonRootMissing(base: string, container: string): Finding {
  const p = `${container}.securityContext.runAsNonRoot`;
  return { property: p, message: `${p} is not set and ${base}.securityContext.runAsNonRoot is not true; set runAsNonRoot to true on the pod or on this container.` };
}
function seccompMissing(base: string, container: string): Finding {
  const p = `${container}.securityContext.seccompProfile.type`;
  return { property: p, message: `${p} is not set and the pod sets no valid profile; set ${base}.securityContext.seccompProfile.type (or this container's) to "RuntimeDefault" or "Localhost".` };
}
