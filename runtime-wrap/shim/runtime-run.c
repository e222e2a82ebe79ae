/* Running `runc create` / `runc exec -d` with the process's stdio, and receiving the pty. */
#include "runtime-run.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int stdio_setup(struct proc_stdio *s, bool tty, bool open_stdin)
{
        const char *console_path = s->console_path;
        memset(s, 0, sizeof(*s));
        s->console_path = console_path;
        s->pty_master = -1;
        for (int i = 0; i < 3; i++)
                s->child[i] = s->parent[i] = -1;
        s->console_listen = -1;
        if (tty) {
                s->console_listen = unix_listen(s->console_path, 0600);
                if (s->console_listen < 0)
                        return s->console_listen;
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                s->child[0] = null;
                s->child[1] = dup(null);
                s->child[2] = dup(null);
                return 0;
        }
        int p[2];
        if (open_stdin) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                s->child[0] = p[0];
                s->parent[0] = p[1];
        } else {
                s->child[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        }
        for (int i = 1; i <= 2; i++) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                s->parent[i] = p[0];
                s->child[i] = p[1];
                fcntl(p[0], F_SETFL, O_NONBLOCK);
        }
        return 0;
}

void stdio_close_child(struct proc_stdio *s)
{
        for (int i = 0; i < 3; i++)
                if (s->child[i] >= 0) {
                        close(s->child[i]);
                        s->child[i] = -1;
                }
}

/* Run argv with the child stdio; with a console socket, accept the pty master from the runtime
 * while it runs. Returns the runtime's exit status; its error text goes to ret_err. */
int runtime_run(char **argv, struct proc_stdio *s, const char *log_file, char *ret_err, size_t errlen)
{
        ret_err[0] = '\0';
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                dup2(s->child[0], 0);
                dup2(s->child[1], 1);
                dup2(s->child[2], 2);
                close_fds_from(3, NULL, 0);
                execv(argv[0], argv);
                _exit(127);
        }
        int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
        if (s->console_listen >= 0) {
                for (;;) {
                        struct pollfd p[2] = { { .fd = s->console_listen, .events = POLLIN },
                                               { .fd = pidfd, .events = POLLIN } };
                        if (poll(p, 2, -1) < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        if (p[0].revents & POLLIN) {
                                int conn = accept4(s->console_listen, NULL, NULL, SOCK_CLOEXEC);
                                if (conn >= 0) {
                                        char b[256];
                                        int fd = -1;
                                        unix_recv_fd(conn, b, sizeof(b), &fd);
                                        close(conn);
                                        if (fd >= 0) {
                                                s->pty_master = fd;
                                                break;
                                        }
                                }
                        } else if (p[1].revents) {
                                break;
                        }
                }
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (pidfd >= 0)
                close(pidfd);
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (code != 0) {
                /* runc logs JSON lines: {"level":"error","msg":"..."}; the last error wins */
                _cleanup_free_ char *log = NULL;
                if (read_file(log_file, 1 << 20, &log, NULL) == 0) {
                        char *save = NULL;
                        for (char *ln = strtok_r(log, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
                                char *m = strstr(ln, "\"msg\":\"");
                                if (m && strstr(ln, "\"level\":\"error\"")) {
                                        m += 7;
                                        size_t k = 0;
                                        for (; *m && *m != '"' && k + 1 < errlen; m++) {
                                                if (*m == '\\' && m[1])
                                                        m++;
                                                ret_err[k++] = *m;
                                        }
                                        ret_err[k] = '\0';
                                }
                        }
                }
                if (!ret_err[0])
                        snprintf(ret_err, errlen, "%s exited with status %d", argv[0], code);
        }
        return code;
}

int sync_report(int fd, pid_t pid, const char *error)
{
        if (fd < 0)
                return 0;
        char buf[4300];
        int n;
        if (error) {
                /* JSON-escape the message */
                char esc[4096];
                size_t k = 0;
                for (const char *p = error; *p && k + 7 < sizeof(esc); p++) {
                        unsigned char c = (unsigned char) *p;
                        if (c == '"' || c == '\\') {
                                esc[k++] = '\\';
                                esc[k++] = (char) c;
                        } else if (c < 0x20) {
                                k += (size_t) snprintf(esc + k, sizeof(esc) - k, "\\u%04x", c);
                        } else {
                                esc[k++] = (char) c;
                        }
                }
                esc[k] = '\0';
                n = snprintf(buf, sizeof(buf), "{\"error\":\"%s\"}\n", esc);
        } else {
                n = snprintf(buf, sizeof(buf), "{\"pid\":%d}\n", pid);
        }
        int r = write_all(fd, buf, (size_t) n);
        close(fd);
        return r;
}

pid_t read_pid_file(const char *path)
{
        _cleanup_free_ char *s = NULL;
        if (read_file(path, 64, &s, NULL) < 0)
                return -1;
        return (pid_t) atoi(s);
}
