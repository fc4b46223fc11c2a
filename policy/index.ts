/**
 * The CrossGuard policy pack: every hardening rule of every cloud, as `pulumi preview --policy-pack ./policy`
 * runs it. Constructing the PolicyPack starts the analyzer's gRPC server at once (it prints its port and keeps
 * the process alive), so nothing imports this file: tests start it as the CLI does (tests/policy/packProcess.ts)
 * and use the rules directly.
 */
import { PolicyPack } from "@pulumi/policy";
import { policiesFor } from "./binding";
import { resourceRules, stackRules } from "./rules";

new PolicyPack("pulumi-hardening", {
  enforcementLevel: "mandatory",
  policies: policiesFor(resourceRules, stackRules),
});
