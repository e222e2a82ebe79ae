/* The initscript: run before the services, output echoed and its tail kept. */
#include "initscript.h"

#include "initscript-argv.h"
#include "output.h"
#include "reaper.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void tail_append(struct tail_buf *t, const char *data, size_t n)
{
        if (n >= sizeof(t->data)) {
                memcpy(t->data, data + n - sizeof(t->data), sizeof(t->data));
                t->len = sizeof(t->data);
                return;
        }
        if (t->len + n > sizeof(t->data)) {
                size_t drop = t->len + n - sizeof(t->data);
                memmove(t->data, t->data + drop, t->len - drop);
                t->len -= drop;
        }
        memcpy(t->data + t->len, data, n);
        t->len += n;
}

int initscript_start(struct initscript *is, const char *path, const struct child_ctx *ctx)
{
        memset(is, 0, sizeof(*is));
        is->path = path;
        is->out_r = -1;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                int e = errno;
                fprintf(stderr, "pouch-init: cannot run the initscript %s: pipe: %s\n", path, strerror(e));
                return -e;
        }
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        _cleanup_strv_ struct strv argv = { 0 };
        const char *why = NULL;
        int r = initscript_argv("", path, &argv, &why);
        if (r >= 0)
                r = strv_terminate(&argv);
        if (r < 0) {
                close(p[0]);
                close(p[1]);
                /* in the tail too: the daemon shows it as the failed start's reason */
                char msg[512];
                int len = snprintf(msg, sizeof(msg), "pouch-init: cannot run the initscript %s: %s\n", path,
                                   why ? why : strerror(-r));
                tail_append(&is->tail, msg, len < (int) sizeof(msg) ? (size_t) len : sizeof(msg) - 1);
                fputs(msg, stderr);
                return r;
        }
        struct spawn_opts o = {
                .path = strchr(argv.v[0], '/') ? argv.v[0] : NULL,
                .argv = argv.v,
                .envp = ctx->env,
                .cwd = "/",
                .cwd_optional = true,
                .umask = -1,
                .fd_in = ctx->devnull,
                .fd_out = p[1],
                .fd_err = p[1],
                .session = SPAWN_SETSID,
                .sigs = ctx->sigs,
        };
        r = spawn_process(&o, &is->pid);
        close(p[1]);
        if (r < 0) {
                close(p[0]);
                fprintf(stderr, "pouch-init: cannot run the initscript %s: %s\n", path, strerror(-r));
                return r;
        }
        is->out_r = p[0];
        return 0;
}

struct echo_target {
        struct initscript *is;
        int out_fd;
};

static void echo(void *ud, const char *data, size_t n)
{
        struct echo_target *t = ud;
        if (!t->is->done)
                tail_append(&t->is->tail, data, n);
        (void) write_all(t->out_fd, data, n);
}

void initscript_read_output(struct initscript *is, int out_fd)
{
        if (is->out_r < 0)
                return;
        struct echo_target t = { is, out_fd };
        if (drain_fd(is->out_r, 64, echo, &t) != 0)
                initscript_close(is);
}

bool initscript_handle_exit(struct initscript *is, pid_t pid, int wstatus, int out_fd)
{
        if (pid <= 0 || is->pid != pid)
                return false;
        /* everything it wrote is in the pipe now: take it before the tail is frozen */
        if (is->out_r >= 0) {
                struct echo_target t = { is, out_fd };
                if (drain_fd(is->out_r, 64, echo, &t) != 0)
                        initscript_close(is);
        }
        is->pid = 0;
        is->done = true;
        is->exit_code = exit_code_of(wstatus);
        return true;
}

void initscript_close(struct initscript *is)
{
        if (is->out_r >= 0)
                close(is->out_r);
        is->out_r = -1;
}
