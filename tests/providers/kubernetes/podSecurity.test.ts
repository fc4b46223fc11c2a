import * as assert from "node:assert/strict";
import fc from "fast-check";
import { InvalidArgsError } from "../../../components/validation";
import {
  hardenPodSpec,
  HardenPodSpecOptions,
  RESTRICTED_VOLUME_TYPES,
  SAFE_SYSCTLS,
  SCRATCH_VOLUME,
  TOKEN_PATH,
  TOKEN_VOLUME,
} from "../../../providers/kubernetes/podSecurity";
import { pssFindings } from "./pss";

type Spec = Record<string, unknown>;

function issuesOf(spec: unknown, options?: HardenPodSpecOptions): readonly string[] {
  try {
    hardenPodSpec(spec as Spec, options);
  } catch (e) {
    assert.ok(e instanceof InvalidArgsError, `expected InvalidArgsError, got ${String(e)}`);
    return e.issues;
  }
  assert.fail("expected the spec to be refused");
}

describe("hardenPodSpec", () => {
  it("fills in every restricted setting a minimal spec leaves open", () => {
    const out = hardenPodSpec({ containers: [{ name: "app", image: "busybox:1.36", args: ["sleep", "1"] }] }, { runAsUser: 1000 });
    assert.deepStrictEqual(out, {
      containers: [
        {
          name: "app",
          image: "busybox:1.36",
          args: ["sleep", "1"],
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
          },
          volumeMounts: [{ name: SCRATCH_VOLUME, mountPath: "/tmp" }],
          resources: {
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "256Mi" },
            limits: { cpu: "1", memory: "1Gi", "ephemeral-storage": "1Gi" },
          },
        },
      ],
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
      volumes: [{ name: SCRATCH_VOLUME, emptyDir: { sizeLimit: "1Gi" } }],
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    });
    assert.deepStrictEqual(pssFindings(out), []);
  });

  it("keeps what the caller chose where restricted allows it", () => {
    const out = hardenPodSpec(
      {
        containers: [
          {
            name: "web",
            image: "nginx",
            securityContext: { runAsUser: 101, capabilities: { add: ["NET_BIND_SERVICE"], drop: ["NET_RAW"] }, seccompProfile: { type: "Localhost", localhostProfile: "p.json" } },
            resources: { limits: { memory: "64Mi" } },
            volumeMounts: [{ name: "cache", mountPath: "/tmp" }],
          },
        ],
        securityContext: { fsGroup: 2000 },
        volumes: [{ name: "cache", emptyDir: {} }],
        enableServiceLinks: true,
      },
      { runtimeClassName: "gvisor", fsGroup: 3000 },
    );
    const c = (out.containers as Spec[])[0];
    assert.deepStrictEqual(c.securityContext, {
      runAsUser: 101,
      seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL", "NET_RAW"], add: ["NET_BIND_SERVICE"] },
    });
    // The caller's own /tmp mount is kept and no second one is added; own limits win key by key.
    assert.deepStrictEqual(c.volumeMounts, [{ name: "cache", mountPath: "/tmp" }]);
    assert.deepStrictEqual((c.resources as Spec).limits, { cpu: "1", memory: "64Mi", "ephemeral-storage": "1Gi" });
    assert.deepStrictEqual(out.securityContext, { fsGroup: 2000, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(out.runtimeClassName, "gvisor");
    assert.equal(out.enableServiceLinks, true);
    assert.deepStrictEqual(pssFindings(out), []);
  });

  it("gives an API token only through an explicit projected volume", () => {
    const out = hardenPodSpec({ containers: [{ name: "w" }] }, { runAsUser: 1000, serviceAccountToken: true, tokenExpirationSeconds: 1800 });
    assert.equal(out.automountServiceAccountToken, false);
    assert.deepStrictEqual((out.volumes as Spec[])[1], {
      name: TOKEN_VOLUME,
      projected: {
        sources: [
          { serviceAccountToken: { path: "token", expirationSeconds: 1800 } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
        ],
      },
    });
    assert.deepStrictEqual((out.containers as Spec[])[0].volumeMounts, [
      { name: SCRATCH_VOLUME, mountPath: "/tmp" },
      { name: TOKEN_VOLUME, mountPath: TOKEN_PATH, readOnly: true },
    ]);
    assert.deepStrictEqual(pssFindings(out), []);
  });

  const refusals: { what: string; spec: Spec; options?: HardenPodSpecOptions; issues: string[] }[] = [
    {
      what: "host namespaces, hostPath and privileged, all at once",
      spec: {
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        containers: [{ name: "a", securityContext: { privileged: true } }],
        volumes: [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }],
      },
      issues: [
        "spec.hostNetwork is true; the pod would share the node's network and bypass every NetworkPolicy, metadata block included (baseline forbids it). Remove it.",
        "spec.hostPID is true; the pod would share the node's namespace (baseline forbids it). Remove it.",
        "spec.hostIPC is true; the pod would share the node's namespace (baseline forbids it). Remove it.",
        "spec.volumes[0].hostPath is a hostPath volume; it exposes the node's filesystem. Use an emptyDir, configMap, secret or persistentVolumeClaim.",
        "spec.containers[0].securityContext.privileged is true; privileged containers control the node (baseline forbids them). Remove it.",
      ],
    },
    {
      what: "root, escalation, capabilities, host ports and Unconfined profiles",
      spec: {
        securityContext: { runAsUser: 0, seccompProfile: { type: "Unconfined" }, sysctls: [{ name: "kernel.msgmax", value: "1" }] },
        initContainers: [{ name: "init", securityContext: { allowPrivilegeEscalation: true, capabilities: { add: ["NET_ADMIN", "NET_BIND_SERVICE", "SYS_ADMIN"] } } }],
        containers: [
          {
            name: "a",
            ports: [{ containerPort: 80, hostPort: 8080 }],
            securityContext: { runAsNonRoot: false, readOnlyRootFilesystem: false, procMount: "Unmasked", appArmorProfile: { type: "Unconfined" } },
            livenessProbe: { httpGet: { host: "169.254.169.254", path: "/", port: 80 } },
          },
        ],
        volumes: [{ name: "n", nfs: { server: "x", path: "/" } }],
        automountServiceAccountToken: true,
      },
      issues: [
        "spec.automountServiceAccountToken is true; hardened pods never automount a token. Remove it; a pod that must call the API sets options.serviceAccountToken and gets an explicit projected token.",
        "spec.securityContext.runAsUser is 0 (root); restricted forbids it. Use a non-zero uid or remove the field.",
        'spec.securityContext.seccompProfile.type "Unconfined" is not allowed; restricted requires "RuntimeDefault" or "Localhost". Remove it to get RuntimeDefault.',
        `spec.securityContext.sysctls[0].name "kernel.msgmax" is not a safe sysctl (baseline allows ${SAFE_SYSCTLS.join(", ")}).`,
        `spec.volumes[0].nfs is a nfs volume; restricted allows only ${RESTRICTED_VOLUME_TYPES.join(", ")}. Use an emptyDir, configMap, secret or persistentVolumeClaim.`,
        "spec.containers[0].securityContext.readOnlyRootFilesystem is false; write to the scratch emptyDir at /tmp or a mounted volume instead, and remove the field.",
        'spec.containers[0].securityContext.procMount "Unmasked" unmasks /proc (baseline allows only "Default"). Remove it.',
        "spec.containers[0].securityContext.runAsNonRoot is false; restricted requires true. Build the image to run as a non-root user, or remove the field.",
        'spec.containers[0].securityContext.appArmorProfile.type "Unconfined" is not allowed (baseline); remove it to get the runtime default.',
        "spec.containers[0].ports[0].hostPort 8080 binds a port on the node (baseline forbids host ports). Remove it and use a Service.",
        'spec.containers[0].livenessProbe.httpGet.host "169.254.169.254" makes the kubelet connect from the node; remove it (the kubelet then uses the pod\'s IP).',
        "spec.initContainers[0].securityContext.allowPrivilegeEscalation is true; restricted requires false (setuid binaries could regain root). Remove it.",
        'spec.initContainers[0].securityContext.capabilities.add[0] "NET_ADMIN" is not allowed; restricted allows adding only NET_BIND_SERVICE.',
        'spec.initContainers[0].securityContext.capabilities.add[2] "SYS_ADMIN" is not allowed; restricted allows adding only NET_BIND_SERVICE.',
      ],
    },
    {
      what: "a sandbox mismatch and bad options, under a caller's path",
      spec: { runtimeClassName: "runc", containers: [] },
      options: { runtimeClassName: "gvisor", runAsUser: 0, path: "spec.template.spec" },
      issues: [
        "options.runAsUser 0 must be a whole number from 1 to 2147483647 (0 is root).",
        'spec.template.spec.runtimeClassName "runc" differs from the sandbox RuntimeClass "gvisor"; remove it.',
        "spec.template.spec.containers is empty; a pod needs at least one container.",
      ],
    },
  ];
  for (const c of refusals) {
    it(`refuses ${c.what}, listing every problem`, () => {
      assert.deepStrictEqual(issuesOf(c.spec, c.options), c.issues);
    });
  }

  // --- properties -------------------------------------------------------------------------------------------
  const BAD_VOLUMES = ["hostPath", "nfs", "gitRepo", "iscsi"];
  const volume = fc.record({
    name: fc.constantFrom("v1", "v2", "v3"),
    type: fc.constantFrom(...RESTRICTED_VOLUME_TYPES, ...BAD_VOLUMES),
  });
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const containerContext = fc.record(
    {
      privileged: maybe(fc.boolean()),
      allowPrivilegeEscalation: maybe(fc.boolean()),
      runAsUser: maybe(fc.constantFrom(0, 1000)),
      runAsNonRoot: maybe(fc.boolean()),
      readOnlyRootFilesystem: maybe(fc.boolean()),
      procMount: maybe(fc.constantFrom("Default", "Unmasked")),
      seccompProfile: maybe(fc.constantFrom({ type: "RuntimeDefault" }, { type: "Unconfined" }, { type: "Localhost", localhostProfile: "x" })),
      capabilities: maybe(
        fc.record({
          add: maybe(fc.subarray(["NET_BIND_SERVICE", "NET_ADMIN", "SYS_ADMIN"])),
          drop: maybe(fc.subarray(["ALL", "NET_RAW"])),
        }),
      ),
    },
    { requiredKeys: [] },
  );
  const container = fc.record(
    {
      name: fc.constantFrom("a", "b"),
      securityContext: maybe(containerContext),
      ports: maybe(fc.array(fc.record({ containerPort: fc.constant(80), hostPort: maybe(fc.constantFrom(0, 8080)) }), { maxLength: 2 })),
      livenessProbe: maybe(fc.record({ httpGet: fc.record({ port: fc.constant(80), host: maybe(fc.constantFrom("127.0.0.1", "169.254.169.254")) }) })),
      resources: maybe(fc.record({ limits: fc.record({ memory: fc.constantFrom("64Mi", "2Gi") }) })),
    },
    { requiredKeys: ["name"] },
  );
  const podSpec = fc.record(
    {
      hostNetwork: maybe(fc.boolean()),
      hostPID: maybe(fc.boolean()),
      hostIPC: maybe(fc.boolean()),
      automountServiceAccountToken: maybe(fc.boolean()),
      securityContext: maybe(
        fc.record(
          {
            runAsUser: maybe(fc.constantFrom(0, 1000)),
            runAsNonRoot: maybe(fc.boolean()),
            seccompProfile: maybe(fc.constantFrom({ type: "RuntimeDefault" }, { type: "Unconfined" })),
            sysctls: maybe(fc.array(fc.record({ name: fc.constantFrom("kernel.shm_rmid_forced", "kernel.msgmax"), value: fc.constant("1") }), { maxLength: 2 })),
          },
          { requiredKeys: [] },
        ),
      ),
      volumes: maybe(fc.array(volume, { maxLength: 3 }).map((vs) => vs.map((v) => ({ name: v.name, [v.type]: {} })))),
      containers: fc.array(container, { minLength: 1, maxLength: 3 }),
      initContainers: maybe(fc.array(container, { maxLength: 2 })),
    },
    { requiredKeys: ["containers"] },
  );

  /** An oracle written from the refusal rules, independent of the implementation: can the spec be made compliant? */
  function fixable(spec: Spec): boolean {
    const ctxOk = (c: Spec | undefined) =>
      c === undefined ||
      (c.runAsUser !== 0 &&
        c.runAsNonRoot !== false &&
        (c.seccompProfile as Spec | undefined)?.type !== "Unconfined");
    if (spec.hostNetwork === true || spec.hostPID === true || spec.hostIPC === true || spec.automountServiceAccountToken === true) return false;
    const podCtx = spec.securityContext as Spec | undefined;
    if (!ctxOk(podCtx)) return false;
    if (((podCtx?.sysctls as Spec[] | undefined) ?? []).some((s) => s.name !== "kernel.shm_rmid_forced")) return false;
    if (((spec.volumes as Spec[] | undefined) ?? []).some((v) => BAD_VOLUMES.some((b) => b in v))) return false;
    const containers = [...(spec.containers as Spec[]), ...((spec.initContainers as Spec[] | undefined) ?? [])];
    return containers.every((c) => {
      const sc = c.securityContext as Spec | undefined;
      const caps = (sc?.capabilities as Spec | undefined)?.add as string[] | undefined;
      return (
        ctxOk(sc) &&
        sc?.privileged !== true &&
        sc?.allowPrivilegeEscalation !== true &&
        sc?.readOnlyRootFilesystem !== false &&
        (sc?.procMount === undefined || sc.procMount === "Default") &&
        (caps ?? []).every((x) => x === "NET_BIND_SERVICE") &&
        ((c.ports as Spec[] | undefined) ?? []).every((p) => p.hostPort === undefined || p.hostPort === 0) &&
        ((c.livenessProbe as Spec | undefined)?.httpGet as Spec | undefined)?.host === undefined
      );
    });
  }

  it("returns a spec the pack's restricted rules pass, or refuses exactly the specs that cannot be made compliant", () => {
    fc.assert(
      fc.property(podSpec, fc.boolean(), (spec, token) => {
        const before = JSON.stringify(spec);
        let out: Spec | undefined;
        try {
          out = hardenPodSpec(spec, { runAsUser: 1000, serviceAccountToken: token });
        } catch (e) {
          if (!(e instanceof InvalidArgsError)) throw e;
          assert.ok(e.issues.length > 0);
        }
        assert.equal(JSON.stringify(spec), before, "the input must not be modified");
        assert.equal(out !== undefined, fixable(spec), `fixable=${fixable(spec)} for ${JSON.stringify(spec)}`);
        if (out !== undefined) {
          assert.deepStrictEqual(pssFindings(out), []);
          // Idempotent: hardening a hardened spec changes nothing.
          assert.deepStrictEqual(hardenPodSpec(out, { runAsUser: 1000, serviceAccountToken: token }), out);
        }
      }),
      { numRuns: 300 },
    );
  });
});
