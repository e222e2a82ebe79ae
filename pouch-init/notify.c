/* The readiness protocol of Type=notify services. */
#include "notify.h"

#include "lib/cleanup.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int notify_open(const char *state_dir, size_t index, char **ret_path)
{
        _cleanup_free_ char *dir = NULL, *path = NULL;
        if (asprintf(&dir, "%s/notify", state_dir) < 0 || asprintf(&path, "%s/%zu", dir, index) < 0)
                return -ENOMEM;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        unlink(path);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        /* services running as another user must be able to send */
        if (chmod(path, 0666) < 0)
                return -errno;
        *ret_path = TAKE_PTR(path);
        return TAKE_FD(fd);
}

void notify_parse(const char *text, size_t len, struct notify_msg *m)
{
        for (size_t i = 0; i < len;) {
                size_t l = 0;
                while (i + l < len && text[i + l] != '\n')
                        l++;
                const char *line = text + i;
                if (l == 7 && strncmp(line, "READY=1", 7) == 0)
                        m->ready = true;
                else if (l == 10 && strncmp(line, "STOPPING=1", 10) == 0)
                        m->stopping = true;
                else if (l > 8 && l < 32 && strncmp(line, "MAINPID=", 8) == 0) {
                        char num[32];
                        memcpy(num, line + 8, l - 8);
                        num[l - 8] = '\0';
                        unsigned long long pid;
                        if (parse_uint(num, 4194304, &pid) && pid > 1)
                                m->main_pid = (pid_t) pid;
                }
                i += l + 1;
        }
}

int notify_read(int fd, struct notify_msg *m)
{
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        memset(m, 0, sizeof(*m));
        notify_parse(buf, (size_t) n, m);
        return 1;
}
