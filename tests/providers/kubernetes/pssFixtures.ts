/**
 * The Pod Security Standards' own test fixtures (kubernetes/pod-security-admission, test/testdata, restricted level
 * at v1.34, the version the worker namespace enforces), as vendored byte for byte under
 * tests/fixtures/pod-security/ (its SOURCE.md gives the commit). Upstream generates each YAML file from a Go
 * generator per check (test/fixtures_<check>.go) applied to the minimal valid restricted pod (test/fixtures.go), and
 * its TestFixtures keeps the files and the generators equal; {@link GENERATORS} names the generator of each file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** The upstream commit of kubernetes/pod-security-admission the fixtures were copied at. */
export const PSS_COMMIT = "8f84a87c7f617f64a4ddc1aea24aeeb7a2e07cb8";
/** The policy version of the fixtures: the worker namespace's default `pod-security.kubernetes.io/enforce-version`. */
export const PSS_VERSION = "v1.34";
const DIR = path.join(__dirname, "..", "..", "fixtures", "pod-security", "restricted", PSS_VERSION);

/** The upstream Go file that generates the fixtures of each check (file names are the lower-cased check id). */
export const GENERATORS: Readonly<Record<string, string>> = {
  base: "test/fixtures.go",
  allowprivilegeescalation: "test/fixtures_allowPrivilegeEscalation.go",
  apparmorprofile: "test/fixtures_appArmorProfile.go",
  capabilities_baseline: "test/fixtures_capabilities_baseline.go",
  capabilities_restricted: "test/fixtures_capabilities_restricted.go",
  hostnamespaces: "test/fixtures_hostNamespaces.go",
  hostpathvolumes: "test/fixtures_hostPathVolumes.go",
  hostports: "test/fixtures_hostPorts.go",
  hostprobesandhostlifecycle: "test/fixtures_hostProbesAndHostLifecycle.go",
  privileged: "test/fixtures_privileged.go",
  procmount: "test/fixtures_procMount.go",
  restrictedvolumes: "test/fixtures_restrictedVolumes.go",
  runasnonroot: "test/fixtures_runAsNonRoot.go",
  runasuser: "test/fixtures_runAsUser.go",
  seccompprofile_baseline: "test/fixtures_seccompProfile_baseline.go",
  seccompprofile_restricted: "test/fixtures_seccompProfile_restricted.go",
  selinuxoptions: "test/fixtures_seLinuxOptions.go",
  sysctls: "test/fixtures_sysctls.go",
  windowshostprocess: "test/fixtures_windowsHostProcess.go",
};

type Obj = Record<string, unknown>;

/** One upstream fixture: a pod the restricted level admits (`pass`) or refuses (`fail`). */
export interface PssFixture {
  readonly outcome: "pass" | "fail";
  /** The check it exercises, as upstream's file name spells it ("base" for the minimal valid pods). */
  readonly check: string;
  /** Its upstream path, e.g. test/testdata/restricted/v1.34/fail/privileged0.yaml. */
  readonly upstream: string;
  /** The upstream Go generator it comes from. */
  readonly generator: string;
  readonly pod: { apiVersion: string; kind: string; metadata: Obj; spec: Obj };
}

/** Every vendored fixture of one outcome, sorted by file name. */
export function pssFixtures(outcome: "pass" | "fail"): PssFixture[] {
  return fs
    .readdirSync(path.join(DIR, outcome))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const check = file.replace(/(_linux|_windows)?\d*\.yaml$/, "");
      const generator = GENERATORS[check];
      if (generator === undefined) throw new Error(`${outcome}/${file}: no upstream generator known for check "${check}"; add it to GENERATORS`);
      return {
        outcome,
        check,
        upstream: `test/testdata/restricted/${PSS_VERSION}/${outcome}/${file}`,
        generator,
        pod: parse(fs.readFileSync(path.join(DIR, outcome, file), "utf8")) as PssFixture["pod"],
      };
    });
}
