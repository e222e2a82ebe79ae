/* OCI runtime spec generation from a Docker-shaped container configuration. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/resource.h>

struct spec_input {
        const char *id; /* 64-hex container ID */
        /* Docker "Config", already merged with the image defaults by the daemon:
         * Env, Cmd, Entrypoint, WorkingDir, User, Tty, OpenStdin, Hostname, Domainname, Labels. */
        const json_t *config;
        /* Docker "HostConfig": Privileged, CapAdd, CapDrop, SecurityOpt, ReadonlyRootfs, Ulimits,
         * Annotations, NetworkMode, PidMode, IpcMode, UTSMode, Binds, Tmpfs, ShmSize, Memory,
         * NanoCpus, CpuShares, PidsLimit, OomScoreAdj, MaskedPaths, ReadonlyPaths, ... */
        const json_t *host_config;
        const char *rootfs;   /* absolute path of the mounted rootfs */
        const char *hostname; /* final hostname (daemon picks ID[:12] by default) */
        /* Host files bind-mounted at /etc/resolv.conf, /etc/hosts, /etc/hostname; NULL = none. */
        const char *resolv_conf_path;
        const char *hosts_path;
        const char *hostname_path;
        const char *cgroups_path; /* "/pouch/<id>" for cgroupfs, "pouch-<id>.scope"-style for systemd */
        const char *netns_path;   /* join this netns; NULL = new netns (or host with NetworkMode=host) */
        const char *shm_path;     /* NULL = private tmpfs /dev/shm of ShmSize (default 64m) */
        bool allow_empty_command; /* rich containers: the init supplies the process */
        /* RLIMIT_NOFILE when HostConfig.Ulimits sets none (the daemon's limits before it raised its
         * own soft limit); NULL: the caller's own limits. */
        const struct rlimit *nofile_default;
};

/* Build config.json for runc/crun. Secure defaults as docker: default capability set, masked and
 * read-only /proc and /sys paths, default seccomp profile, no-new-privileges when asked,
 * rlimits never above the caller's own hard limits. Bad user input gives -EINVAL and a message
 * in err (e.g. "invalid capability: CAP_FOO", "unable to find user app: no matching entries in
 * passwd file"). */
int spec_build(const struct spec_input *in, json_t **ret_spec, struct pouch_err *err);

/* The "process" object for `runc exec --process`, from the container's spec (for env, caps, user
 * defaults) and a Docker exec-create body (Cmd, Env, WorkingDir, User, Tty, Privileged). rootfs is
 * used to resolve user names. */
int spec_build_exec_process(const json_t *container_spec, const json_t *exec_config, const char *rootfs,
                            json_t **ret_process, struct pouch_err *err);

/* Resolve "user[:group]" / "uid[:gid]" against rootfs/etc/passwd and /etc/group, never following
 * symlinks out of rootfs. Fills uid, gid and additional gids (from /etc/group membership). */
int spec_resolve_user(const char *rootfs, const char *user, unsigned *ret_uid, unsigned *ret_gid,
                      unsigned **ret_additional_gids, size_t *ret_n_additional, struct pouch_err *err);

/* Docker's default seccomp profile as an OCI "linux.seccomp" object; names unknown to libseccomp
 * on this host are left out. */
json_t *seccomp_default_profile(void);
/* Load a docker-format seccomp JSON profile (security-opt seccomp=FILE) into OCI form. */
int seccomp_profile_from_docker_json(const json_t *docker_profile, json_t **ret_oci, struct pouch_err *err);

/* Added: the same for an explicit capability list (JSON array of "CAP_*"), since the
 * cap-conditional rules (CAP_SYS_ADMIN, CAP_SYS_PTRACE, ...) depend on it. */
json_t *seccomp_default_profile_for_caps(const json_t *caps);
/* Added: docker-format profile -> OCI for a container holding caps (includes/excludes applied). */
int seccomp_profile_convert(const json_t *docker_profile, const json_t *caps, json_t **ret_oci, struct pouch_err *err);

/* Added: OCI linux.resources from a HostConfig (Memory, MemorySwap, MemoryReservation,
 * MemorySwappiness, OomKillDisable, NanoCpus, CpuShares, CpuPeriod, CpuQuota, CpusetCpus,
 * CpusetMems, PidsLimit, BlkioWeight), without the device rules; also what `runtime_update`
 * takes for `docker update`. */
int spec_resources_from_host_config(const json_t *host_config, json_t **ret_resources, struct pouch_err *err);
/* -EINVAL with docker's message when a cgroup setting of host_config is outside what the kernel takes
 * (CpuShares 2..262144, CFS period/quota, cpuset lists and available CPUs, negative memory, PidsLimit,
 * BlkioWeight 10..1000). spec_resources_from_host_config checks it too. */
int spec_resources_validate(const json_t *host_config, struct pouch_err *err);

/* The 14 default capabilities (CAP_CHOWN ... CAP_AUDIT_WRITE), NULL-terminated. */
extern const char *const spec_default_caps[];
/* Every capability the kernel knows, for --privileged and "ALL" (only those still in the
 * daemon's bounding set: no runtime we start could grant the others). */
json_t *spec_all_caps(void);
