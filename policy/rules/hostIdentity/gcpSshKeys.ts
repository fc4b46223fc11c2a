/**
 * GCE instances and templates: project-wide SSH keys do not open worker hosts. A key in the project's metadata
 * (`ssh-keys`) is accepted by every VM of the project that does not block it, so anyone who can edit project
 * metadata gets a shell on the worker and, from there, the host's metadata-server token.
 */
import type { Finding, ResourceRule } from "../types";
import { field, isRecord, isTrueish, isUnknown, show, unknownFinding } from "../values";
import { GCE_TYPES } from "../metadataEndpoint/gcpCompute";

const FROM_TEMPLATE = "gcp:compute/instanceFromTemplate:InstanceFromTemplate";

const BLOCK_WHY =
  "without it every SSH key in the project's metadata opens this VM, so anyone who can edit project metadata gets " +
  "a shell on the worker and its service account's token (Compute Engine docs, \"Block project-wide SSH keys\")";
const OS_LOGIN_WHY =
  "it turns OS Login off for this VM, so SSH access falls back to metadata keys instead of IAM (Compute Engine docs, " +
  "\"Set up OS Login\": an instance's enable-oslogin value overrides the project's)";

/** A metadata value GCE reads as false: "FALSE", "false", false (and the other spellings its parser accepts). */
function isFalseish(v: unknown): boolean {
  return v === false || (typeof v === "string" && ["false", "0", "n", "no", "off"].includes(v.trim().toLowerCase()));
}

/**
 * Passes when `metadata.block-project-ssh-keys` is true and `metadata.enable-oslogin`, where set, is not false.
 * An instance from a template inherits the template's metadata unless it sets its own: there, only a value written
 * on the instance is judged (the template is checked as a resource of its own).
 */
export function checkProjectSshKeys(inherits: boolean): (props: Record<string, unknown>) => Finding[] {
  return (props) => {
    const metadata = props.metadata;
    if (isUnknown(metadata)) return [unknownFinding("metadata")];
    if (inherits && !isRecord(metadata)) return [];
    const block = field(metadata, "block-project-ssh-keys");
    const osLogin = field(metadata, "enable-oslogin");
    const findings: Finding[] = [];
    if (isUnknown(block)) findings.push(unknownFinding("metadata.block-project-ssh-keys"));
    else if (!isTrueish(block) && !(inherits && block === undefined)) {
      findings.push({ property: "metadata.block-project-ssh-keys", message: `metadata.block-project-ssh-keys is ${show(block)}; set it to "TRUE": ${BLOCK_WHY}.` });
    }
    if (isUnknown(osLogin)) findings.push(unknownFinding("metadata.enable-oslogin"));
    else if (isFalseish(osLogin)) {
      findings.push({ property: "metadata.enable-oslogin", message: `metadata.enable-oslogin is ${show(osLogin)}; set it to "TRUE" or remove it: ${OS_LOGIN_WHY}.` });
    }
    return findings;
  };
}

/** `host-identity-gcp-project-ssh-keys`: GCE workers block project-wide SSH keys and keep OS Login on. */
export const gcpProjectSshKeysRule: ResourceRule = {
  id: "host-identity-gcp-project-ssh-keys",
  description:
    "GCE instances, templates and instances from templates block project-wide SSH keys (block-project-ssh-keys is true) and never turn OS Login off, so project metadata keys open no worker.",
  enforcementLevel: "mandatory",
  family: "hostIdentity",
  docs:
    "GCE instances and templates: `metadata.block-project-ssh-keys` true, `metadata.enable-oslogin` not false. " +
    "An instance from a template is judged only on the metadata it sets itself.",
  checks: Object.fromEntries(GCE_TYPES.map((t) => [t, checkProjectSshKeys(t === FROM_TEMPLATE)])),
};
