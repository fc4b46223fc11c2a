/**
 * The component-provider entry point: every hardened component, for Python, Go, C#, Java and YAML programs that
 * add this package with `pulumi package add <checkout>/plugin`.
 *
 * How the SDK hosts it (`@pulumi/pulumi/cmd/run-plugin`): the Node language host runs `run-plugin <plugin dir>`,
 * which `require`s that directory (`plugin/package.json` `main`, plugin/main.cjs, which loads this module), takes
 * every exported `ComponentResource` subclass, and serves them as the provider named after `plugin/package.json`
 * `name` ("hardening", the prefix of every component's type token `hardening:index:<Class>`). The schema comes from
 * the SDK's analyzer reading these classes' TypeScript types and JSDoc through `plugin/tsconfig.json`.
 *
 * This module exports only the component classes. TypeScript programs import the per-cloud entry points
 * (`pulumi-hardening/aws`, ...) instead.
 */

// The analyzer copies a type's JSDoc into the schema only from files it has read before the first component that
// uses the type, and it reads this file's imports in order: so the modules declaring the argument types come first.
// Type-only imports cost nothing at run time.
import type * as _spec from "../components/spec";
import type * as _controls from "../components/controls";
import type * as _awsNetworkPlan from "./aws/networkPlan";
import type * as _awsWorkerPoolPlan from "./aws/workerPoolPlan";
import type * as _gcpGoogleApis from "./gcp/googleApis";
import type * as _gcpNetworkPlan from "./gcp/networkPlan";
import type * as _gcpWorkerPoolPlan from "./gcp/workerPoolPlan";
import type * as _gcpGkeNodePoolPlan from "./gcp/gkeNodePoolPlan";
import type * as _azureNetworkPlan from "./azure/networkPlan";
import type * as _azureWorkerPoolPlan from "./azure/workerPoolPlan";
import type * as _azureAksNodePoolPlan from "./azure/aksNodePoolPlan";
import type * as _k8sPodSecurity from "./kubernetes/podSecurity";
import type * as _k8sNetworkPolicies from "./kubernetes/networkPolicies";
import type * as _k8sWorkerNamespacePlan from "./kubernetes/workerNamespacePlan";
import type * as _k8sKestraWorkerPlan from "./kubernetes/kestraWorkerPlan";
import type * as _k8sEgressProxyPlan from "./kubernetes/egressProxyPlan";

export { AwsWorkerNetwork } from "./aws/network";
export { AwsWorkerPool } from "./aws/workerPool";
export { GcpWorkerNetwork } from "./gcp/network";
export { GcpWorkerPool } from "./gcp/workerPool";
export { GcpGkeNodePool } from "./gcp/gkeNodePool";
export { AzureWorkerNetwork } from "./azure/network";
export { AzureWorkerPool } from "./azure/workerPool";
export { AzureAksNodePool } from "./azure/aksNodePool";
export { KubernetesWorkerNamespace } from "./kubernetes/workerNamespace";
export { KestraWorker } from "./kubernetes/kestraWorker";
export { KubernetesEgressProxy } from "./kubernetes/egressProxy";
