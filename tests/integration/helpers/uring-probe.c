/* Calls io_uring_setup(2) once and prints the outcome: "ok" (and closes the ring) or the errno
 * name ("EPERM", "ENOSYS", ...). Built static at test time and run inside containers to see what
 * their seccomp filter lets through (cc -D_GNU_SOURCE -static). */
#include <errno.h>
#include <linux/io_uring.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(__NR_io_uring_setup, 4, &params);
        if (fd < 0) {
                const char *name = strerrorname_np(errno);
                printf("%s\n", name ? name : "unknown");
                return 1;
        }
        close((int) fd);
        printf("ok\n");
        return 0;
}
