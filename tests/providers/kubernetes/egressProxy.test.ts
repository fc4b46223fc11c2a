import * as assert from "node:assert/strict";
import { forbiddenCidrs, InvalidArgsError, planSquidConfig } from "../../../components";
import { auditResources } from "../../../policy/rules";
import { RecordedResource, runUnderMocks } from "../../../program/offlineEngine";
import { KubernetesEgressProxy } from "../../../providers/kubernetes/egressProxy";
import { egressProxyControlsFor, javaProxyOptionsFor, planEgressProxy, proxyEnvFor } from "../../../providers/kubernetes/egressProxyPlan";
import { SCRATCH_VOLUME } from "../../../providers/kubernetes/podSecurity";
import { KubernetesWorkerNamespace } from "../../../providers/kubernetes/workerNamespace";
import { pssFindings } from "./pss";
import { withEnforcement } from "../../../components/controlCatalogue";

const IMAGE = `ubuntu/squid@sha256:${"a".repeat(64)}`;
const HARDENING = {
  workloadSubnet: "private" as const,
  egress: { mode: "allowList" as const, allow: [{ domain: "pypi.org" }, { domain: "*.pythonhosted.org" }, { cidr: "10.20.0.0/16", ports: [5432] }] },
};
const ARGS = { hardening: HARDENING, image: IMAGE, workerNamespaces: ["workers"] };
const LABELS = { "app.kubernetes.io/name": "egress-proxy", "app.kubernetes.io/instance": "egress", "app.kubernetes.io/managed-by": "pulumi-hardening" };

const one = (resources: RecordedResource[], name: string) => {
  const found = resources.filter((r) => r.name === name);
  assert.equal(found.length, 1, `exactly one resource named ${name}`);
  return found[0];
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

describe("KubernetesEgressProxy (mocks)", () => {
  it("registers the exact namespace, configuration, identity, Deployment and Service, all children of the component", async () => {
    const run = await runUnderMocks(() => new KubernetesEgressProxy("egress", ARGS));
    const component = one(run.resources, "egress");
    for (const r of run.resources) if (r !== component) assert.equal(r.parent, component.urn, `${r.name} is a child of the component`);
    assert.deepStrictEqual(
      run.resources.map((r) => `${r.type} ${r.name}`).sort(),
      [
        "hardening:index:KubernetesEgressProxy egress",
        "kubernetes:apps/v1:Deployment egress-deployment",
        "kubernetes:core/v1:ConfigMap egress-squid",
        "kubernetes:core/v1:Namespace egress-namespace",
        "kubernetes:core/v1:Service egress-service",
        "kubernetes:core/v1:ServiceAccount egress-service-account",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy egress-allow-dns",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy egress-allow-upstream",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy egress-allow-workers",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy egress-default-deny",
        "kubernetes:policy/v1:PodDisruptionBudget egress-pdb",
      ],
    );
    assert.deepStrictEqual(one(run.resources, "egress-pdb").inputs, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "egress", namespace: "egress", labels: LABELS },
      spec: { maxUnavailable: 1, selector: { matchLabels: LABELS } },
    });
    assert.deepStrictEqual(one(run.resources, "egress-namespace").inputs, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "egress",
        labels: {
          "app.kubernetes.io/managed-by": "pulumi-hardening",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "v1.34",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/audit-version": "v1.34",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/warn-version": "v1.34",
        },
      },
    });
    const config = planSquidConfig(HARDENING, { port: 3128 }).config;
    assert.deepStrictEqual(one(run.resources, "egress-squid").inputs, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "egress-squid", namespace: "egress", labels: LABELS },
      data: { "squid.conf": config },
    });
    assert.deepStrictEqual(one(run.resources, "egress-service-account").inputs, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "egress", namespace: "egress", labels: LABELS },
      automountServiceAccountToken: false,
    });
    assert.deepStrictEqual(one(run.resources, "egress-service").inputs, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "egress", namespace: "egress", labels: LABELS },
      spec: { type: "ClusterIP", selector: LABELS, ports: [{ name: "proxy", protocol: "TCP", port: 3128, targetPort: "proxy" }] },
    });

    const deployment = one(run.resources, "egress-deployment").inputs as { spec: { replicas: number; template: { metadata: unknown; spec: Record<string, unknown> } } };
    assert.equal(deployment.spec.replicas, 2);
    assert.deepStrictEqual((deployment.spec.template.metadata as { annotations: unknown }).annotations, {
      "hardening.pulumi.com/squid-config-sha256": planEgressProxy("egress", ARGS).configHash,
    });
    const pod = deployment.spec.template.spec;
    assert.deepStrictEqual(pssFindings(pod), []);
    assert.deepStrictEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 13, runAsGroup: 13, fsGroup: 13, seccompProfile: { type: "RuntimeDefault" } });
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, "egress");
    const [container] = pod.containers as Record<string, unknown>[];
    assert.deepStrictEqual(container.command, ["squid", "-N", "-f", "/etc/squid-hardening/squid.conf"]);
    assert.deepStrictEqual(container.securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
    assert.deepStrictEqual(container.volumeMounts, [
      { name: "squid-config", mountPath: "/etc/squid-hardening", readOnly: true },
      { name: SCRATCH_VOLUME, mountPath: "/var/run/squid" },
    ]);
    assert.deepStrictEqual(pod.volumes, [
      { name: "squid-config", configMap: { name: "egress-squid" } },
      { name: SCRATCH_VOLUME, emptyDir: { sizeLimit: "64Mi" } },
    ]);
  });

  it("lets only the worker namespaces in, and the proxy out only to the internet minus refused ranges, on the listed ports, plus DNS", async () => {
    const run = await runUnderMocks(() => new KubernetesEgressProxy("egress", { ...ARGS, workerNamespaces: ["workers", "batch"] }));
    const spec = (name: string) => (one(run.resources, name).inputs as { spec: unknown }).spec;
    assert.deepStrictEqual(spec("egress-default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    assert.deepStrictEqual(spec("egress-allow-workers"), {
      podSelector: { matchLabels: LABELS },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "workers" } } },
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "batch" } } },
          ],
          ports: [{ protocol: "TCP", port: 3128 }],
        },
      ],
    });
    assert.deepStrictEqual(spec("egress-allow-dns"), {
      podSelector: { matchLabels: LABELS },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    });
    const forbidden = forbiddenCidrs([{ version: 4, first: (10n << 24n) | (20n << 16n), prefix: 16 }]);
    const upstream = spec("egress-allow-upstream") as { egress: { to: { ipBlock: { cidr: string; except: string[] } }[]; ports: unknown }[] };
    assert.deepStrictEqual(upstream, {
      podSelector: { matchLabels: LABELS },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            { ipBlock: { cidr: "0.0.0.0/0", except: forbidden.filter((c) => !c.includes(":")) } },
            { ipBlock: { cidr: "::/0", except: forbidden.filter((c) => c.includes(":")) } },
          ],
          ports: [
            { protocol: "TCP", port: 443 },
            { protocol: "TCP", port: 5432 },
          ],
        },
      ],
    });
    const [v4, v6] = upstream.egress[0].to.map((t) => t.ipBlock.except);
    for (const c of ["169.254.0.0/16", "168.63.129.16/32", "127.0.0.0/8", "192.168.0.0/16", "100.64.0.0/10"]) assert.ok(v4.includes(c), c);
    for (const c of ["fe80::/10", "fc00::/7", "::1/128", "64:ff9b::a9fe:0/112"]) assert.ok(v6.includes(c), c);
    // The listed internal network is reachable, the rest of 10/8 is not.
    assert.ok(!v4.includes("10.0.0.0/8") && v4.includes("10.0.0.0/12"));
  });

  it("hands the worker namespace a target it accepts, and the whole stack passes the policy pack", async () => {
    const run = await runUnderMocks(() => {
      const proxy = new KubernetesEgressProxy("egress", ARGS);
      new KubernetesWorkerNamespace("workers", { hardening: HARDENING, egressProxy: proxy.target });
      return proxy;
    });
    assert.deepStrictEqual((one(run.resources, "workers-allow-proxy").inputs as { spec: unknown }).spec, {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "egress" } }, podSelector: { matchLabels: LABELS } }], ports: [{ protocol: "TCP", port: 3128 }] }],
    });
    assert.deepStrictEqual(run.result.target, { namespace: "egress", podLabels: LABELS, port: 3128 });
    const url = await new Promise((resolve) => run.result.proxyUrl.apply(resolve));
    assert.equal(url, "http://egress.egress.svc.cluster.local:3128");
    const env = await new Promise((resolve) => run.result.proxyEnv.apply(resolve));
    assert.deepStrictEqual(env, proxyEnvFor("http://egress.egress.svc.cluster.local:3128"));
    assert.deepStrictEqual(
      auditResources(run.resources.map((r) => ({ type: r.type, urn: r.urn, name: r.name, props: r.inputs, parent: r.parent }))),
      [],
    );
  });

  it("carries no exemption: the code rule reads squid.conf's metadata networks as the deny list they are", async () => {
    const run = await runUnderMocks(() => new KubernetesEgressProxy("egress", ARGS));
    const configMap = one(run.resources, "egress-squid");
    assert.equal((configMap.inputs as { metadata: Record<string, unknown> }).metadata.annotations, undefined);
    // The same configuration with its deny ACL turned into an allow is reported, so the pass above is not vacuous.
    const data = (configMap.inputs as { data: Record<string, string> }).data;
    const allowing = data["squid.conf"].replace(/^http_access deny ip_literal forbidden_literal_dst .*$/m, "http_access allow forbidden_dst");
    assert.notEqual(allowing, data["squid.conf"]);
    const findings = auditResources([{ type: configMap.type, urn: configMap.urn, name: configMap.name, props: { ...configMap.inputs, data: { "squid.conf": allowing } } }]);
    assert.ok(findings.length > 0);
    for (const f of findings) assert.deepStrictEqual([f.policy, f.property], ["code-metadata-reference", 'data["squid.conf"]']);
  });

  it("uses an existing namespace when asked, with no Namespace registered", async () => {
    const run = await runUnderMocks(() => new KubernetesEgressProxy("egress", { ...ARGS, namespaceName: "platform-egress", createNamespace: false }));
    assert.deepStrictEqual(run.resources.filter((r) => r.type === "kubernetes:core/v1:Namespace"), []);
    assert.equal((one(run.resources, "egress-deployment").inputs as { metadata: { namespace: string } }).metadata.namespace, "platform-egress");
  });

  it("an invalid proxy registers nothing and names every problem", async () => {
    const run = await runUnderMocks(() => {
      try {
        new KubernetesEgressProxy("Egress", {
          hardening: { egress: { mode: "allowList", allow: [{ domain: "pypi.org" }] } },
          image: "",
          workerNamespaces: ["egress-ns"],
          namespaceName: "egress-ns",
          replicas: 0,
          dns: { nodeLocalAddress: "169.254.20.10" },
          noProxy: ["a,b"],
        });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    });
    assert.deepStrictEqual(run.resources, []);
    assert.ok(run.result instanceof Error);
    assert.equal(
      run.result.message,
      [
        'KubernetesEgressProxy "Egress": invalid arguments:',
        ' - hardening.egress.allow[0].domain "pypi.org" is unreachable from an isolated subnet; set hardening.workloadSubnet to "private" or remove the rule.',
        ' - image "" must be a container image reference such as "ubuntu/squid@sha256:...", pinned by digest.',
        ' - namespaceName "egress-ns" is also a worker namespace; run the proxy in a namespace of its own, so workers cannot reach the internet around it.',
        " - replicas 0 must be a whole number from 1 to 100.",
        " - dns.nodeLocalAddress is not supported for the proxy: it is link-local, which the proxy's egress excludes; point Squid at the cluster resolver.",
        ' - noProxy[0] "a,b" must be one host, domain (".example.com") or address, without commas or spaces.',
        ' - name "Egress" names the Service, the Deployment and the ServiceAccount, so it must be a DNS-1035 label (a lower-case letter, then letters, digits, "-", at most 63).',
      ].join("\n"),
    );
  });
});

describe("egress proxy plan", () => {
  it("reports its controls, each naming resources the component registers", async () => {
    const run = await runUnderMocks(() => new KubernetesEgressProxy("egress", ARGS));
    const controls = (await new Promise((resolve) => run.result.controls.apply(resolve))) as ReturnType<typeof egressProxyControlsFor>;
    assert.deepStrictEqual(controls, withEnforcement(egressProxyControlsFor("egress", planEgressProxy("egress", ARGS))));
    assert.deepStrictEqual(controls.map((c) => [c.id, c.family, c.effective]), [
      ["k8s-egress-proxy-allow-list", "egress", true],
      ["k8s-egress-proxy-resolved-address", "metadataEndpoint", true],
      ["k8s-egress-proxy-networkpolicy", "egress", true],
      ["k8s-egress-proxy-pod-security", "sandbox", true],
    ]);
    const names = new Set(run.resources.map((r) => r.name));
    for (const c of controls) for (const r of c.resources) assert.ok(names.has(r), `${c.id} names ${r}, which is registered`);
    assert.match(controls[0].appliedBy, /pypi\.org:443, \*\.pythonhosted\.org:443, 10\.20\.0\.0\/16:5432/);
    assert.match(controls[0].limits, /not the TLS SNI/);
  });

  it("refuses a spec with nothing for the proxy to allow", () => {
    assert.deepStrictEqual(issuesOf(() => planEgressProxy("egress", { image: IMAGE, workerNamespaces: ["w"] })), [
      'hardening.egress has no TCP rule for the proxy to allow; set mode to "allowList" and add domain or cidr rules.',
    ]);
  });

  it("gives workers the proxy in upper and lower case, loopback never proxied", () => {
    assert.deepStrictEqual(proxyEnvFor("http://egress.egress.svc.cluster.local:3128", [".internal.example.com", "localhost"]), [
      { name: "HTTP_PROXY", value: "http://egress.egress.svc.cluster.local:3128" },
      { name: "HTTPS_PROXY", value: "http://egress.egress.svc.cluster.local:3128" },
      { name: "NO_PROXY", value: "localhost,127.0.0.1,::1,.internal.example.com" },
      { name: "http_proxy", value: "http://egress.egress.svc.cluster.local:3128" },
      { name: "https_proxy", value: "http://egress.egress.svc.cluster.local:3128" },
      { name: "no_proxy", value: "localhost,127.0.0.1,::1,.internal.example.com" },
    ]);
    assert.equal(
      javaProxyOptionsFor("http://egress.egress.svc.cluster.local:3128", [".internal.example.com", "10.0.0.0/8", "db.example.com"]),
      "-Dhttp.proxyHost=egress.egress.svc.cluster.local -Dhttp.proxyPort=3128 -Dhttps.proxyHost=egress.egress.svc.cluster.local -Dhttps.proxyPort=3128 " +
        "-Dhttp.nonProxyHosts=localhost|127.0.0.1|[::1]|*.internal.example.com|db.example.com",
    );
    const plan = planEgressProxy("egress", { ...ARGS, port: 8080, clusterDomain: "corp.local", noProxy: ["10.0.0.5"] });
    assert.equal(plan.javaToolOptions, javaProxyOptionsFor("http://egress.egress.svc.corp.local:8080", ["10.0.0.5"]));
    assert.equal(plan.proxyUrl, "http://egress.egress.svc.corp.local:8080");
    assert.deepStrictEqual(plan.env, proxyEnvFor("http://egress.egress.svc.corp.local:8080", ["10.0.0.5"]));
    assert.ok(plan.squid.config.includes("\nhttp_port 8080\n"));
  });
});
