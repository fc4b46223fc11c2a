/**
 * Tables of the Kubernetes Pod Security Standards that both sides of the package need: the pod-spec hardening of
 * providers/kubernetes (which must produce pods the profile admits) and the policy pack's rules (which must judge
 * pods exactly as Pod Security Admission does). One copy here, so the two can never drift apart. Sources are the
 * check files in kubernetes/kubernetes staging/src/k8s.io/pod-security-admission/policy/.
 */

/** Volume sources `restricted` allows (check_restrictedVolumes.go, with `image` from the v1.33 source). */
export const RESTRICTED_VOLUME_TYPES: readonly string[] = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

/**
 * Sysctls `baseline` allows (check_sysctls.go, v1.32 set): namespaced ones that cannot affect other pods on the
 * node.
 */
export const SAFE_SYSCTLS: readonly string[] = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_rmem",
  "net.ipv4.tcp_wmem",
];

/** SELinux types `baseline` allows (check_seLinuxOptions.go, v1.31 set); the empty string means "not set". */
export const SELINUX_TYPES: readonly string[] = ["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];
