/* pouch-shim: options and the two modes (see docs/shim-protocol.md). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct shim_opts {
        bool exec_mode;
        const char *id, *exec_id, *bundle, *state_dir, *runtime_path, *runtime_root, *process;
        const char *log_path;
        int64_t log_max_size; /* 0: no rotation */
        int log_max_file;     /* files kept in all (>= 1) */
        bool tty, open_stdin, stdin_once, systemd_cgroup;
        int sync_fd, stream_fd; /* -1 when not given */
};

/* Container mode: daemonises, never returns to the caller's process. Returns the exit status
 * of the shim (0 after the container exited, 1 when it could not be created). */
int shim_run_container(const struct shim_opts *o);
/* Exec mode: returns the exec'd process's status (code or 128+signal; 126/127 on failure). */
int shim_run_exec(const struct shim_opts *o);
/* Whether the OOM killer killed a process of the bundle's cgroup (call before the runtime's delete). */
bool shim_container_oom_killed(const char *bundle);
