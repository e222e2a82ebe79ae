/* The process's stdio: pipes, or a console socket for a pty. */
#include "runtime-run.h"

#include "lib/unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static void closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

int stdio_setup(struct proc_stdio *s, bool tty, bool open_stdin, const char *console_path)
{
        *s = (struct proc_stdio){
                .child = { -1, -1, -1 }, .parent = { -1, -1, -1 }, .console_listen = -1, .pty_master = -1
        };
        int p[2];
        if (tty) {
                s->console_listen = unix_listen(console_path, 0600);
                if (s->console_listen < 0)
                        return s->console_listen;
                for (int i = 0; i < 3; i++)
                        if ((s->child[i] = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
                                goto fail;
                return 0;
        }
        if (open_stdin) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        goto fail;
                s->child[0] = p[0];
                s->parent[0] = p[1];
                fcntl(p[1], F_SETFL, O_NONBLOCK);
        } else if ((s->child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
                goto fail;
        }
        for (int i = 1; i <= 2; i++) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        goto fail;
                s->parent[i] = p[0];
                s->child[i] = p[1];
                fcntl(p[0], F_SETFL, O_NONBLOCK);
        }
        return 0;
fail:;
        int r = -errno;
        stdio_done(s);
        return r;
}

void stdio_close_child(struct proc_stdio *s)
{
        for (int i = 0; i < 3; i++)
                closep(&s->child[i]);
}

void stdio_done(struct proc_stdio *s)
{
        stdio_close_child(s);
        for (int i = 0; i < 3; i++)
                closep(&s->parent[i]);
        closep(&s->console_listen);
        closep(&s->pty_master);
}
