/* notify-send MESSAGE...: send the messages (one datagram, newline-separated) to the socket named
 * by $NOTIFY_SOCKET, as sd_notify does. Built static by the pouch-init tests, so that it runs in
 * a busybox rootfs. Exit 0 when sent, 1 otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (!path || !*path || strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-send: no usable NOTIFY_SOCKET\n");
                return 1;
        }
        strcpy(sa.sun_path, path);
        char msg[4096] = "";
        for (int i = 1; i < argc; i++) {
                if (strlen(msg) + strlen(argv[i]) + 2 > sizeof(msg))
                        return 1;
                strcat(msg, argv[i]);
                strcat(msg, "\n");
        }
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || sendto(fd, msg, strlen(msg), 0, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                perror("notify-send");
                return 1;
        }
        close(fd);
        return 0;
}
