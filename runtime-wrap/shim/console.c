/* Receiving the pty master from the runtime (--console-socket). */
#include "runtime-run.h"

#include "lib/unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

int console_receive(int listen_fd)
{
        /* the runtime connected and sent the fd before it exited: both wait in the queue */
        struct pollfd pf = { .fd = listen_fd, .events = POLLIN };
        if (poll(&pf, 1, 0) <= 0)
                return -ENOTCONN;
        int conn = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (conn < 0)
                return -errno;
        char b[256];
        int fd = -1;
        struct pollfd cf = { .fd = conn, .events = POLLIN };
        ssize_t n = poll(&cf, 1, 1000) > 0 ? unix_recv_fd(conn, b, sizeof(b), &fd) : -ETIMEDOUT;
        close(conn);
        if (fd < 0)
                return n < 0 ? (int) n : -EBADMSG;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        return fd;
}
