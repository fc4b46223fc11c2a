import * as assert from "node:assert/strict";
import { gcpProjectSshKeysRule } from "../../../../policy/rules/hostIdentity/gcpSshKeys";
import { runCheck, UNKNOWN } from "../helpers";

const INSTANCE = "gcp:compute/instance:Instance";
const TEMPLATE = "gcp:compute/instanceTemplate:InstanceTemplate";
const REGION_TEMPLATE = "gcp:compute/regionInstanceTemplate:RegionInstanceTemplate";
const FROM_TEMPLATE = "gcp:compute/instanceFromTemplate:InstanceFromTemplate";

const blockMsg = (seen: string) =>
  `metadata.block-project-ssh-keys is ${seen}; set it to "TRUE": without it every SSH key in the project's metadata ` +
  "opens this VM, so anyone who can edit project metadata gets a shell on the worker and its service account's token " +
  '(Compute Engine docs, "Block project-wide SSH keys").';
const osLoginMsg = (seen: string) =>
  `metadata.enable-oslogin is ${seen}; set it to "TRUE" or remove it: it turns OS Login off for this VM, so SSH access ` +
  'falls back to metadata keys instead of IAM (Compute Engine docs, "Set up OS Login": an instance\'s enable-oslogin value overrides the project\'s).';

describe("host-identity-gcp-project-ssh-keys", () => {
  const passing: [string, Record<string, unknown>][] = [
    [INSTANCE, { metadata: { "block-project-ssh-keys": "TRUE", "enable-oslogin": "TRUE" } }],
    [TEMPLATE, { metadata: { "block-project-ssh-keys": "true" } }],
    [REGION_TEMPLATE, { metadata: { "block-project-ssh-keys": true } }],
    [FROM_TEMPLATE, {}],
    [FROM_TEMPLATE, { metadata: { foo: "bar" } }],
    [FROM_TEMPLATE, { metadata: { "block-project-ssh-keys": "TRUE" } }],
  ];
  for (const [type, props] of passing) it(`passes ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpProjectSshKeysRule, type, props), []));

  const failing: [string, Record<string, unknown>, { property: string; message: string }[]][] = [
    [INSTANCE, {}, [{ property: "metadata.block-project-ssh-keys", message: blockMsg("not set") }]],
    [TEMPLATE, { metadata: { "enable-oslogin": "TRUE" } }, [{ property: "metadata.block-project-ssh-keys", message: blockMsg("not set") }]],
    [REGION_TEMPLATE, { metadata: { "block-project-ssh-keys": "false" } }, [{ property: "metadata.block-project-ssh-keys", message: blockMsg('"false"') }]],
    [
      INSTANCE,
      { metadata: { "block-project-ssh-keys": "TRUE", "enable-oslogin": "FALSE" } },
      [{ property: "metadata.enable-oslogin", message: osLoginMsg('"FALSE"') }],
    ],
    [FROM_TEMPLATE, { metadata: { "block-project-ssh-keys": "FALSE" } }, [{ property: "metadata.block-project-ssh-keys", message: blockMsg('"FALSE"') }]],
    [FROM_TEMPLATE, { metadata: { "enable-oslogin": "false" } }, [{ property: "metadata.enable-oslogin", message: osLoginMsg('"false"') }]],
  ];
  for (const [type, props, expected] of failing) it(`fails ${type} ${JSON.stringify(props)}`, () => assert.deepEqual(runCheck(gcpProjectSshKeysRule, type, props), expected));

  it("is indeterminate on unknown metadata", () => {
    assert.deepEqual(runCheck(gcpProjectSshKeysRule, TEMPLATE, { metadata: UNKNOWN }).map((f) => [f.property, f.indeterminate]), [["metadata", true]]);
  });
});
