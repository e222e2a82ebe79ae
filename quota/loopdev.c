/* Loop device allocation and lookup: see loopdev.h. */
#include "quota/loopdev.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A
struct loop_config {
        __u32 fd;
        __u32 block_size;
        struct loop_info64 info;
        __u64 __reserved[8];
};
#endif

int loopdev_probe(void)
{
        int fd = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

static void fill_info(struct loop_info64 *info, const char *image)
{
        memset(info, 0, sizeof(*info));
        info->lo_flags = LO_FLAGS_AUTOCLEAR;
        snprintf((char *) info->lo_file_name, sizeof(info->lo_file_name), "%s", image);
}

/* Bind image_fd to the device; -EBUSY when someone else took it first. */
static int configure(int dev_fd, int image_fd, const char *image)
{
        struct loop_config cfg = { .fd = (__u32) image_fd };
        fill_info(&cfg.info, image);
        if (ioctl(dev_fd, LOOP_CONFIGURE, &cfg) == 0)
                return 0;
        if (errno != EINVAL && errno != ENOTTY)
                return -errno;
        /* Kernels before 5.8: two steps. */
        if (ioctl(dev_fd, LOOP_SET_FD, image_fd) < 0)
                return -errno;
        struct loop_info64 info;
        fill_info(&info, image);
        if (ioctl(dev_fd, LOOP_SET_STATUS64, &info) < 0) {
                int r = -errno;
                (void) ioctl(dev_fd, LOOP_CLR_FD, 0);
                return r;
        }
        return 0;
}

int loopdev_attach(const char *image, char **ret_path)
{
        _cleanup_close_ int image_fd = open(image, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
        if (image_fd < 0)
                return -errno;
        _cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (ctl < 0)
                return -errno;
        /* Another process may grab the device between GET_FREE and CONFIGURE: retry. */
        for (int attempt = 0; attempt < 32; attempt++) {
                int n = ioctl(ctl, LOOP_CTL_GET_FREE);
                if (n < 0)
                        return -errno;
                char path[32];
                snprintf(path, sizeof(path), "/dev/loop%d", n);
                _cleanup_close_ int dev_fd = open(path, O_RDWR | O_CLOEXEC);
                if (dev_fd < 0) {
                        if (errno == ENOENT || errno == ENXIO)
                                continue;
                        return -errno;
                }
                int r = configure(dev_fd, image_fd, image);
                if (r == -EBUSY)
                        continue;
                if (r < 0)
                        return r;
                char *p = strdup(path);
                if (!p)
                        return -ENOMEM; /* dev_fd's close frees the device (autoclear) */
                *ret_path = p;
                return TAKE_FD(dev_fd);
        }
        return -EBUSY;
}

int loopdev_backing_file(dev_t dev, char **ret_path)
{
        char path[96];
        snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/loop/backing_file", major(dev), minor(dev));
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = read_file(path, 8192, &data, &len);
        if (r == -ENOENT)
                return -ENXIO;
        if (r < 0)
                return r;
        while (len > 0 && data[len - 1] == '\n')
                data[--len] = '\0';
        const char *deleted = " (deleted)";
        size_t dl = strlen(deleted);
        if (len >= dl && STREQ(data + len - dl, deleted))
                data[len - dl] = '\0';
        if (!*data)
                return -ENXIO;
        *ret_path = TAKE_PTR(data);
        return 0;
}
