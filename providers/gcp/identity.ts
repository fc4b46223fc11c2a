/**
 * Checks of the service account a caller hands to a worker pool or GKE node pool. Pure.
 *
 * The controls that really protect the GCE metadata server are about what it can hand out (cloud-controls.md
 * section 3): no service account at all, or the caller's own dedicated, least-privilege one. Never the default
 * compute account, which is granted Editor on the project.
 */
import { HostIdentityMode, show, type HardeningSpec } from "../../components";

/** The only scope the package sets: with a dedicated account, IAM roles (not scopes) bound what the token can do. */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

// A user-managed service account: ACCOUNT@PROJECT.iam.gserviceaccount.com (account id 6-30 characters,
// project id 6-30 characters, both lower-case letters, digits and hyphens, starting with a letter).
const USER_MANAGED = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam\.gserviceaccount\.com$/;

/**
 * Lists the problems with a service account email given for `hostIdentity: "minimal"`; empty when it is a
 * user-managed account. `path` is the field path used in messages.
 */
export function checkServiceAccountEmail(path: string, email: unknown): string[] {
  if (typeof email !== "string" || email === "") {
    return [
      `${path} is required with hardening.hostIdentity "minimal": pass the email of a dedicated service account holding only the roles the workers need (e.g. "kestra-worker@my-project.iam.gserviceaccount.com"), or set hostIdentity to "none".`,
    ];
  }
  if (/-compute@developer\.gserviceaccount\.com$/.test(email)) {
    return [
      `${path} ${show(email)} is the Compute Engine default service account, which is granted Editor on the project; create a dedicated account with only the roles the workers need.`,
    ];
  }
  if (/@appspot\.gserviceaccount\.com$/.test(email)) {
    return [
      `${path} ${show(email)} is the App Engine default service account, which is granted Editor on the project; create a dedicated account with only the roles the workers need.`,
    ];
  }
  // Service agents (service-PROJECT_NUMBER@...) belong to Google services and carry their roles.
  if (!USER_MANAGED.test(email) || /^service-\d+@/.test(email)) {
    return [
      `${path} ${show(email)} is not a user-managed service account email (ACCOUNT@PROJECT.iam.gserviceaccount.com); Google-managed and default accounts carry broad roles.`,
    ];
  }
  return [];
}

/**
 * The host identity a spec asks for, read even when another field of the spec is invalid, so that the
 * service-account checks still run and every problem is reported in one pass. Invalid values read as the default.
 */
export function requestedHostIdentity(spec: HardeningSpec | undefined): HostIdentityMode {
  const raw = (spec as { hostIdentity?: unknown } | undefined)?.hostIdentity;
  return raw === HostIdentityMode.Minimal ? HostIdentityMode.Minimal : HostIdentityMode.None;
}
