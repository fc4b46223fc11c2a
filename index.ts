// The root Pulumi program (Pulumi.yaml `main`): one hardened worker environment on the cloud named by the stack
// config `hardening:cloud`. Everything lives in program/rootProgram.ts so `hardening plan` runs the same code.
import { runProgram } from "./program/rootProgram";

export = runProgram();
