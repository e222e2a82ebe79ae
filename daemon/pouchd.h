/* The daemon context, passed explicitly everywhere (no daemon globals). */
#pragma once

#include "lib/err.h"
#include "runtime-wrap/runtime.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct image_store;
struct volume_store;
struct event_bus;
struct monitor;
struct health_watch;
struct network_store;
struct quota_manager;
struct lxcfs;
struct peer_caps;

struct pouchd_config {
        char *home;
        char **listen; /* "unix:///path", "fd://" */
        char *runtime; /* runc | crun | path */
        char *config_file;
        char *log_level;
        bool debug;
        char *tls_ca, *tls_cert, *tls_key;
        int64_t default_stop_timeout;
        char **registry_mirrors;
        char **insecure_registries;
        char *bip;              /* default bridge network: gateway/prefix (NULL: 172.29.0.1/16) */
        char *bridge;           /* default bridge device (NULL: pouch0) */
        char *cni_bin_dir;      /* CNI plugins (NULL: /usr/lib/cni) */
        char *cgroup_driver;    /* cgroupfs (default) | systemd */
        char *quota_backend;    /* --quota-backend prjquota|loop|none (NULL: detect) */
        char **hooks_dirs;      /* --hooks-dir: oci-hooks(5) directories (NULL: the defaults) */
        char *lxcfs_home;       /* --lxcfs-home: lxcfs mount point (NULL: <home>/lxcfs) */
        char *lxcfs_binary;     /* --lxcfs-binary (NULL: /usr/bin/lxcfs) */
        bool enable_lxcfs;      /* --enable-lxcfs: lxcfs views for every container by default */
        bool no_rich_sysinfo;   /* "rich-sysinfo": false: rich containers see the host's sysinfo(2) */
        int hook_timeout;       /* --hook-timeout: seconds for hooks that set none (0: unbounded) */
        int http_timeout;       /* --http-timeout: seconds an API connection may stay idle (0: unbounded) */
        int max_conns_per_peer; /* --max-connections-per-peer: per TCP address / non-root uid (0: no cap) */
};

enum container_status {
        CONTAINER_CREATED,
        CONTAINER_RUNNING,
        CONTAINER_PAUSED,
        CONTAINER_RESTARTING,
        CONTAINER_REMOVING,
        CONTAINER_EXITED,
        CONTAINER_DEAD,
        _CONTAINER_STATUS_MAX,
        _CONTAINER_STATUS_INVALID = -EINVAL,
};

const char *container_status_to_string(enum container_status s);
enum container_status container_status_from_string(const char *s);

struct container {
        char id[65];
        /* The Docker inspect document (Id, Name, Created, Path, Args, State, Image, Config,
         * HostConfig, RestartCount, LogPath, ...) is also our persisted record. Guarded by
         * pouchd.lock. */
        json_t *doc;
        enum container_status status;
        pid_t shim_pid;
        int shim_pidfd;
        uint64_t exit_generation; /* bumped at every exit, for wait?condition=next-exit */
        uint64_t start_generation;
        bool removed;     /* deleted: waiters for "removed" return */
        bool manual_stop; /* stopped by the user: no restart policy */
        bool restart_pending;
        bool shim_ready;         /* the shim serves attach.sock (from create until exit) */
        int attach_waiting;      /* attaches waiting for the shim; start waits for them */
        int refs;                /* held by API handlers; freed at 0 after removal */
        pthread_mutex_t op_lock; /* serialises lifecycle operations on this container */
        struct container *next;
};

struct exec_rec {
        char id[65];
        char container_id[65];
        json_t *config; /* the exec-create body */
        bool running, started, exited;
        bool tty; /* started with a terminal (config or start body) */
        int exit_code;
        char *error;    /* why it could not start (the runtime's message), or NULL */
        int error_code; /* and its -errno: -EINVAL when the request was at fault */
        pid_t pid;
        int64_t created_ns;
        struct exec_rec *next;
};

struct pouchd {
        struct pouchd_config cfg;
        char *home;
        char *shim_path;
        char *init_path; /* pouch-init, for rich containers (NULL when missing) */
        struct runtime runtime;
        struct image_store *images;
        struct volume_store *volumes;
        struct quota_manager *quota; /* disk quotas (container-quota.h) */
        struct network_store *networks;
        struct event_bus *events;
        struct monitor *monitor;
        struct health_watch *health; /* rich containers' health (health-watch.h) */
        struct lxcfs *lxcfs;         /* the supervised lxcfs (container-lxcfs.h) */
        pthread_mutex_t lock;        /* guards the container list and every container's doc/status */
        pthread_cond_t changed;      /* broadcast on every container state change */
        struct container *containers;
        struct exec_rec *execs; /* guarded by lock */
        int lock_fd;
        struct timespec started;
        bool shutting_down;
        struct rlimit nofile_initial; /* RLIMIT_NOFILE before pouchd raised its soft limit: containers' default */
        struct peer_caps *peer_caps;  /* API connections per non-root uid (http-limits.h); NULL: no cap */
};

/* container-store.c */
int containers_load(struct pouchd *d);
/* Lookup by full ID, unique ID prefix, or name (with or without '/'). Takes a reference.
 * -ENOENT "No such container: X"; ambiguous prefix -EINVAL. */
int container_get(struct pouchd *d, const char *name_or_id, struct container **ret, struct pouch_err *err);
void container_put(struct pouchd *d, struct container *c);
/* Save doc atomically. Caller holds d->lock. */
int container_save_locked(struct pouchd *d, struct container *c);
char *container_dir(struct pouchd *d, const char *id, const char *sub);
char *container_run_dir(struct pouchd *d, const char *id, const char *sub);
const char *container_name(struct container *c); /* "/name" */
void container_set_status_locked(struct pouchd *d, struct container *c, enum container_status s);
int container_name_reserve_locked(struct pouchd *d, const char *name, struct pouch_err *err);
void container_list_add_locked(struct pouchd *d, struct container *c);
void container_list_remove_locked(struct pouchd *d, struct container *c);
struct container *container_new(const char *id, json_t *doc);
bool containers_image_in_use(void *d, const char *image_id);
void container_free(struct container *c);
