/* Running the OCI runtime with the process's stdio and getting its error message. */
#include "runtime-run.h"

#include "io-loop.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char **runtime_argv_with_log(char **argv, const char *log_file)
{
        if (!argv)
                return NULL;
        size_t n = strv_length(argv);
        char **v = calloc(n + 5, sizeof(char *));
        char *a = strdup("--log"), *b = strdup(log_file), *c = strdup("--log-format"), *d = strdup("json");
        if (!v || !a || !b || !c || !d) {
                free(v), free(a), free(b), free(c), free(d);
                return strv_free(argv);
        }
        v[0] = argv[0];
        v[1] = a, v[2] = b, v[3] = c, v[4] = d;
        for (size_t i = 1; i < n; i++)
                v[i + 4] = argv[i];
        free(argv);
        return v;
}

/* runc's JSON log: {"level":"error","msg":"...","time":"..."}; the last error wins. */
static void message_from_log(const char *log_file, char *buf, size_t len)
{
        _cleanup_free_ char *text = NULL;
        if (read_file(log_file, 1 << 20, &text, NULL) < 0)
                return;
        char *save = NULL;
        for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
                json_t *j = json_loads(ln, 0, NULL);
                const char *level = json_string_value(json_object_get(j, "level"));
                const char *msg = json_string_value(json_object_get(j, "msg"));
                if (level && msg && (strcmp(level, "error") == 0 || strcmp(level, "fatal") == 0))
                        snprintf(buf, len, "%s", msg);
                json_decref(j);
        }
}

static void message_from_pipe(int fd, char *buf, size_t len)
{
        if (fd < 0)
                return;
        char text[4096];
        ssize_t n = read(fd, text, sizeof(text) - 1);
        if (n <= 0)
                return;
        text[n] = '\0';
        runtime_error_message(text, buf, len);
}

int runtime_run(char **argv, struct proc_stdio *s, const char *log_file, char *ret_err, size_t errlen)
{
        ret_err[0] = '\0';
        pid_t pid = fork();
        if (pid < 0)
                return snprintf(ret_err, errlen, "fork: %m"), -errno;
        if (pid == 0) {
                shim_signals_reset();
                if (dup2(s->child[0], 0) < 0 || dup2(s->child[1], 1) < 0 || dup2(s->child[2], 2) < 0)
                        _exit(126);
                close_fds_from(3, NULL, 0);
                execv(argv[0], argv);
                _exit(127);
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0) {
                if (errno != EINTR)
                        return snprintf(ret_err, errlen, "waitpid: %m"), -errno;
        }
        int code = exit_code_of(status);
        if (code != 0) {
                message_from_log(log_file, ret_err, errlen);
                if (!ret_err[0])
                        message_from_pipe(s->parent[2], ret_err, errlen);
                if (!ret_err[0] && code == 127)
                        snprintf(ret_err, errlen, "cannot execute %s", argv[0]);
                if (!ret_err[0])
                        snprintf(ret_err, errlen, "%s exited with status %d", argv[0], code);
        }
        return code;
}

void runtime_borrow(struct runtime *rt, const char *path, const char *root, bool systemd_cgroup)
{
        const char *base = strrchr(path, '/');
        *rt = (struct runtime){ .name = (char *) (base ? base + 1 : path),
                                .path = (char *) path,
                                .root = (char *) root,
                                .systemd_cgroup = systemd_cgroup };
}

void runtime_delete_quiet(const struct runtime *rt, const char *id)
{
        _cleanup_strv_free_ char **argv = runtime_argv_delete(rt, id);
        struct spawn_result res = { 0 };
        if (!argv)
                return;
        int r = spawn_capture(argv, NULL, NULL, 0, &res);
        if (r < 0)
                log_debug_errno(r, "cannot run %s delete", argv[0]);
        spawn_result_done(&res);
}

pid_t read_pid_file(const char *path)
{
        _cleanup_free_ char *s = NULL;
        if (read_file(path, 64, &s, NULL) < 0)
                return -1;
        long v = strtol(s, NULL, 10);
        return v > 0 && v < (1L << 22) ? (pid_t) v : -1;
}
