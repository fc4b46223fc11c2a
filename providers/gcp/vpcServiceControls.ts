/**
 * The VPC Service Controls perimeter the GCP worker network can put around the workers' project: the only thing
 * that stops code with credentials it brought along from copying data to another project's bucket, registry or
 * topic through Google's APIs (those authorise by credential, not by network). Pure: plain data from the
 * arguments, checked all at once; providers/gcp/network.ts creates the perimeter from it.
 */
import { checkFields, isRecord, show } from "../../components/validation";

/** Arguments of the perimeter: an access policy the caller's organisation already has, and the workers' project. */
export interface GcpVpcServiceControlsArgs {
  /** The access policy's id, the number in `accessPolicies/<id>` (an organisation-level resource; one per organisation). */
  readonly accessPolicy: string;
  /**
   * The number (not the id) of the project that holds the worker network: the perimeter encloses it. Google names
   * perimeter resources `projects/<number>` (`gcloud projects describe <id> --format='value(projectNumber)'`).
   */
  readonly projectNumber: string;
  /**
   * Google APIs the perimeter restricts: a call from inside to a resource of another project of these services is
   * refused. The workers' VPC may reach only these (`vpcAccessibleServices` `RESTRICTED-SERVICES`).
   * @default GCP_PERIMETER_SERVICES
   */
  readonly restrictedServices?: string[];
}

/**
 * The services restricted by default: those a worker writes data to or pulls images and secrets from. Compute and
 * the other control-plane APIs are left out, so a deployment from outside the perimeter can still manage the project.
 */
export const GCP_PERIMETER_SERVICES: readonly string[] = Object.freeze([
  "artifactregistry.googleapis.com",
  "bigquery.googleapis.com",
  "containerregistry.googleapis.com",
  "logging.googleapis.com",
  "pubsub.googleapis.com",
  "secretmanager.googleapis.com",
  "storage.googleapis.com",
]);

/** The perimeter as plain data: the `gcp.accesscontextmanager.ServicePerimeter` arguments. */
export interface GcpPerimeterPlan {
  /** `accessPolicies/<id>`. */
  readonly parent: string;
  /** `accessPolicies/<id>/servicePerimeters/<short name>`. */
  readonly name: string;
  readonly title: string;
  readonly perimeterType: "PERIMETER_TYPE_REGULAR";
  readonly status: {
    /** `projects/<number>`. */
    readonly resources: readonly string[];
    readonly restrictedServices: readonly string[];
    /** The VPC may call only the restricted services ("RESTRICTED-SERVICES"). */
    readonly vpcAccessibleServices: { readonly enableRestriction: true; readonly allowedServices: readonly string[] };
  };
}

const FIELDS = ["accessPolicy", "projectNumber", "restrictedServices"];
const SERVICE = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*\.googleapis\.com$/;

/**
 * Checks `vpcServiceControls` and plans the perimeter for the network `name`. Pushes every problem, naming the field,
 * the value and the fix, into `issues`; returns undefined when the argument is absent or wrong.
 */
export function planPerimeter(name: string, raw: unknown, issues: string[]): GcpPerimeterPlan | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    issues.push(`vpcServiceControls ${show(raw)} must be an object such as { accessPolicy: "123456789", projectNumber: "987654321" }.`);
    return undefined;
  }
  const before = issues.length;
  checkFields(issues, "vpcServiceControls", raw, FIELDS, { noun: "argument" });
  const policy = raw.accessPolicy;
  if (typeof policy !== "string" || !/^\d{1,20}$/.test(policy)) {
    issues.push(`vpcServiceControls.accessPolicy ${show(policy)} must be the access policy's numeric id (gcloud access-context-manager policies list).`);
  }
  const project = raw.projectNumber;
  if (typeof project !== "string" || !/^\d{1,20}$/.test(project)) {
    issues.push(`vpcServiceControls.projectNumber ${show(project)} must be the workers' project number, digits only (gcloud projects describe <id> --format='value(projectNumber)').`);
  }
  const services = raw.restrictedServices ?? GCP_PERIMETER_SERVICES;
  if (!Array.isArray(services) || services.length === 0) {
    issues.push(`vpcServiceControls.restrictedServices ${show(services)} must be a non-empty list of services such as "storage.googleapis.com".`);
  } else {
    services.forEach((s, i) => {
      if (typeof s !== "string" || !SERVICE.test(s)) issues.push(`vpcServiceControls.restrictedServices[${i}] ${show(s)} is not a service name such as "storage.googleapis.com".`);
    });
  }
  if (issues.length > before) return undefined;
  // A perimeter's short name: letters, digits and underscores, starting with a letter.
  const shortName = `${name.replace(/[^A-Za-z0-9]/g, "_")}_workers`;
  return {
    parent: `accessPolicies/${String(policy)}`,
    name: `accessPolicies/${String(policy)}/servicePerimeters/${shortName}`,
    title: `${name} workers`,
    perimeterType: "PERIMETER_TYPE_REGULAR",
    status: {
      resources: [`projects/${String(project)}`],
      restrictedServices: [...new Set(services as string[])].sort(),
      vpcAccessibleServices: { enableRestriction: true, allowedServices: ["RESTRICTED-SERVICES"] },
    },
  };
}
