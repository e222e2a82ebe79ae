/* Test client for pouch-shim (tests/integration/shim-smoke.sh).
 *
 *   shim-attach attach SOCK [--stdin DATA] [--tty]   ATTACH with a socketpair end, print output
 *   shim-attach noread SOCK                           ATTACH, never read; report when dropped
 *   shim-attach request SOCK LINE                      send one request line, print the answer
 *   shim-attach exec [--stdin DATA] [--tty] -- SHIM-ARGV...
 *                                                      run `pouch-shim exec` like pouchd does
 *
 * Output: "[stdout] payload" / "[stderr] payload" per frame ("[raw] ..." with --tty),
 * "[sync] line", "[exit] N", "[dropped] N bytes unread". */
#include "lib/unixsock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int die(const char *what)
{
        fprintf(stderr, "shim-attach: %s: %s\n", what, strerror(errno));
        exit(2);
}

static ssize_t read_exact(int fd, void *buf, size_t len)
{
        size_t got = 0;
        while (got < len) {
                ssize_t n = read(fd, (char *) buf + got, len - got);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return got ? (ssize_t) got : n;
                got += (size_t) n;
        }
        return (ssize_t) got;
}

/* Decode docker frames (or raw bytes with tty) from fd until EOF. */
static void print_stream(int fd, int tty)
{
        char buf[65536];
        if (tty) {
                ssize_t n;
                while ((n = read(fd, buf, sizeof(buf))) > 0)
                        printf("[raw] %.*s\n", (int) n, buf);
                return;
        }
        for (;;) {
                unsigned char h[8];
                if (read_exact(fd, h, 8) != 8)
                        return;
                uint32_t len;
                memcpy(&len, h + 4, 4);
                len = ntohl(len);
                if ((h[0] != 1 && h[0] != 2) || h[1] || h[2] || h[3] || len > sizeof(buf)) {
                        printf("[bad-frame]\n");
                        return;
                }
                if (read_exact(fd, buf, len) != (ssize_t) len)
                        return;
                printf("[%s] %.*s\n", h[0] == 1 ? "stdout" : "stderr", (int) len, buf);
                fflush(stdout);
        }
}

static void send_stdin(int fd, const char *data)
{
        if (data && write(fd, data, strlen(data)) < 0)
                die("write stdin");
        shutdown(fd, SHUT_WR);
}

static int cmd_attach(const char *sock, const char *data, int tty, int noread)
{
        int sp[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
                die("socketpair");
        int ctl = unix_connect(sock);
        if (ctl < 0) {
                errno = -ctl;
                die("connect");
        }
        char line[128];
        snprintf(line, sizeof(line), "ATTACH stdin=%d stdout=1 stderr=1\n", data ? 1 : 0);
        if (unix_send_fd(ctl, sp[1], line, strlen(line)) < 0)
                die("send");
        char ok[64] = "";
        ssize_t n = read(ctl, ok, sizeof(ok) - 1);
        if (n <= 0 || strncmp(ok, "OK\n", 3) != 0) {
                fprintf(stderr, "shim-attach: refused: %.*s\n", (int) (n > 0 ? n : 0), ok);
                return 1;
        }
        close(sp[1]);
        printf("[attached]\n");
        fflush(stdout);
        if (noread) {
                /* the shim closes the control connection when it drops us */
                while (read(ctl, ok, sizeof(ok)) > 0)
                        ;
                int pending = 0;
                ioctl(sp[0], FIONREAD, &pending);
                printf("[dropped] %d bytes unread\n", pending);
                return 0;
        }
        if (data)
                send_stdin(sp[0], data);
        print_stream(sp[0], tty);
        while (read(ctl, ok, sizeof(ok)) > 0)
                ;
        printf("[closed]\n");
        return 0;
}

static int cmd_request(const char *sock, const char *req)
{
        int fd = unix_connect(sock);
        if (fd < 0) {
                errno = -fd;
                die("connect");
        }
        char line[300];
        snprintf(line, sizeof(line), "%s\n", req);
        if (write(fd, line, strlen(line)) < 0)
                die("write");
        char ans[256];
        ssize_t n = read(fd, ans, sizeof(ans) - 1);
        if (n <= 0)
                return 1;
        printf("%.*s", (int) n, ans);
        return 0;
}

static int cmd_exec(char **argv, const char *data, int tty)
{
        int sp[2], sync[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0 || pipe2(sync, O_CLOEXEC) < 0)
                die("socketpair");
        size_t n = 0;
        while (argv[n])
                n++;
        char **v = calloc(n + 5, sizeof(char *));
        memcpy(v, argv, n * sizeof(char *));
        v[n++] = "--stream-fd";
        v[n++] = "4";
        v[n++] = "--sync-fd";
        v[n++] = "3";
        pid_t pid = fork();
        if (pid < 0)
                die("fork");
        if (pid == 0) {
                /* via high numbers: dup2 onto the same number would keep FD_CLOEXEC */
                int a = fcntl(sync[1], F_DUPFD, 10), b = fcntl(sp[1], F_DUPFD, 10);
                if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0)
                        _exit(126);
                close(a);
                close(b);
                execv(v[0], v);
                _exit(127);
        }
        close(sync[1]);
        close(sp[1]);
        char line[4096];
        ssize_t k = read_exact(sync[0], line, sizeof(line) - 1);
        line[k > 0 ? k : 0] = '\0';
        printf("[sync] %s", line);
        fflush(stdout);
        if (data)
                send_stdin(sp[0], data);
        print_stream(sp[0], tty);
        int status;
        waitpid(pid, &status, 0);
        printf("[exit] %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return 0;
}

int main(int argc, char **argv)
{
        signal(SIGPIPE, SIG_IGN);
        setvbuf(stdout, NULL, _IOLBF, 0);
        if (argc < 3) {
                fprintf(stderr, "usage: shim-attach attach|noread|request|exec ...\n");
                return 2;
        }
        const char *data = NULL;
        int tty = 0, i = 2;
        if (strcmp(argv[1], "request") == 0 && argc == 4)
                return cmd_request(argv[2], argv[3]);
        if (strcmp(argv[1], "noread") == 0)
                return cmd_attach(argv[2], NULL, 0, 1);
        if (strcmp(argv[1], "attach") == 0)
                i = 3;
        for (; i < argc; i++) {
                if (strcmp(argv[i], "--stdin") == 0 && i + 1 < argc)
                        data = argv[++i];
                else if (strcmp(argv[i], "--tty") == 0)
                        tty = 1;
                else if (strcmp(argv[i], "--") == 0)
                        break;
        }
        if (strcmp(argv[1], "attach") == 0)
                return cmd_attach(argv[2], data, tty, 0);
        if (strcmp(argv[1], "exec") == 0 && i + 1 < argc)
                return cmd_exec(argv + i + 1, data, tty);
        fprintf(stderr, "shim-attach: bad arguments\n");
        return 2;
}
