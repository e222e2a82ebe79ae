/* Driving an OCI runtime (runc by default, crun when asked) by exec. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct runtime {
        char *name;          /* "runc", "crun", or the basename of a custom path */
        char *path;          /* absolute path of the binary */
        char *root;          /* --root state directory, e.g. <home>/runtime/runc */
        bool systemd_cgroup; /* pass --systemd-cgroup */
};

/* name_or_path: "runc", "crun" or an absolute path. state_root: directory for --root (created).
 * -ENOENT with a clear message when the binary is not found. */
int runtime_init(struct runtime *rt, const char *name_or_path, const char *state_root, struct pouch_err *err);
void runtime_done(struct runtime *rt);

/* argv for `runc [--root R] create --bundle B --pid-file P [--console-socket S] ID`, for the shim
 * to exec itself (it owns the container's stdio). Free with strv_free. */
char **runtime_argv_create(const struct runtime *rt, const char *id, const char *bundle, const char *pid_file,
                           const char *console_socket);
/* argv for `runc [--root R] exec -d --process FILE --pid-file P [-t --console-socket S] ID`. */
char **runtime_argv_exec(const struct runtime *rt, const char *id, const char *process_file, const char *pid_file,
                         const char *console_socket);
/* argv for `runc [--root R] delete --force ID`. */
char **runtime_argv_delete(const struct runtime *rt, const char *id);

/* Each returns 0 or -errno with the runtime's own message (from stderr / its JSON log) in err.
 * Unknown container: -ENOENT. */
int runtime_start(const struct runtime *rt, const char *id, struct pouch_err *err);
int runtime_kill(const struct runtime *rt, const char *id, int signo, bool all, struct pouch_err *err);
int runtime_delete(const struct runtime *rt, const char *id, bool force, struct pouch_err *err);
int runtime_pause(const struct runtime *rt, const char *id, struct pouch_err *err);
int runtime_resume(const struct runtime *rt, const char *id, struct pouch_err *err);
/* `runc state`: {"status":"created|running|paused|stopped","pid":N,...} */
int runtime_state(const struct runtime *rt, const char *id, json_t **ret_state, struct pouch_err *err);
/* `runc update --resources -` with an OCI linux.resources object. */
int runtime_update(const struct runtime *rt, const char *id, const json_t *resources, struct pouch_err *err);
/* `runc ps --format json`: the container's host PIDs. */
/* `events --stats`: the runtime's cgroup statistics (cpu, memory, pids, blkio), v1 and v2 alike. */
int runtime_stats(const struct runtime *rt, const char *id, json_t **ret_stats, struct pouch_err *err);
int runtime_pids(const struct runtime *rt, const char *id, pid_t **ret_pids, size_t *ret_n, struct pouch_err *err);

/* Added: the runtime's own message from its stderr (msg="..." of the last error-level logrus
 * line, else the last non-empty line), and the -errno it maps to: "does not exist"/"not found"
 * -ENOENT, "not running"/"not paused" -EALREADY, anything else -EIO. */
void runtime_error_message(const char *stderr_text, char *buf, size_t len);
int runtime_error_code(const char *msg);

/* Signal name or number ("TERM", "SIGKILL", "9", "RTMIN+3") -> number; -EINVAL if unknown. */
int signal_from_string(const char *s);
