/* Run a program and collect its output and exit status (used to drive runc/crun and CNI). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct spawn_result {
        int status; /* exit code, or 128+signal when killed */
        char *out;  /* captured stdout (NUL-terminated, may be empty) */
        char *err;  /* captured stderr */
};

void spawn_result_done(struct spawn_result *r);

/* Fork+exec argv (argv[0] searched in PATH), feed `input` (may be NULL) on stdin, capture up to
 * 1 MiB of stdout/stderr each. env NULL keeps the caller's environment. Returns 0 when the program
 * ran (whatever its exit status), -errno when it could not be started. */
int spawn_capture(char *const argv[], char *const env[], const char *input, size_t input_len, struct spawn_result *ret);

/* Fork+exec argv[0] (a path) with stdin/stdout on /dev/null, stderr kept, a clean signal mask,
 * and fds[i] as fd 3+i in the child (-1 entries become /dev/null); every other fd is closed.
 * Returns the child's pid, or -errno. */
pid_t spawn_with_fds(char *const argv[], const int *fds, size_t nfds);

/* Close every fd >= min_fd except those listed (keep may be NULL, nkeep 0). For child processes. */
void close_fds_from(int min_fd, const int *keep, size_t nkeep);
