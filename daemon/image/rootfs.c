/* Container rootfs: an overlay of the image layers (read-only lowers) and the container's upper.
 *
 * The mount option string is limited to one page. When the absolute lowerdir list does not fit,
 * each lowerdir is opened O_PATH and named "/proc/self/fd/N" instead (overlay resolves the
 * paths at mount time, so the fds can be closed right after). Unlike chdir-ing to a common
 * parent this is safe in a multi-threaded daemon. If even that does not fit: -E2BIG. */
#include "daemon/image/layer.h"

#include "lib/cleanup.h"
#include "lib/log.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static bool path_ok(const char *p)
{
        /* ',' separates mount options and ':' lowerdirs */
        return p && *p && !strpbrk(p, ",:");
}

static int build_options(char *const lowers[], const int *fds, const char *upper, const char *work, char **ret)
{
        size_t cap = 256;
        for (size_t i = 0; lowers[i]; i++)
                cap += strlen(lowers[i]) + 24;
        cap += (upper ? strlen(upper) : 0) + (work ? strlen(work) : 0) + 32;
        char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        size_t o = (size_t) snprintf(buf, cap, "lowerdir=");
        for (size_t i = 0; lowers[i]; i++) {
                if (fds)
                        o += (size_t) snprintf(buf + o, cap - o, "%s/proc/self/fd/%d", i ? ":" : "", fds[i]);
                else
                        o += (size_t) snprintf(buf + o, cap - o, "%s%s", i ? ":" : "", lowers[i]);
        }
        if (upper)
                o += (size_t) snprintf(buf + o, cap - o, ",upperdir=%s,workdir=%s", upper, work);
        snprintf(buf + o, cap - o, ",index=off");
        *ret = buf;
        return 0;
}

static int mount_overlay(char *const lowers[], const char *upper, const char *work, const char *target,
                         struct pouch_err *err)
{
        size_t n = 0;
        long page = sysconf(_SC_PAGESIZE);
        while (lowers[n])
                n++;
        _cleanup_free_ char *opts = NULL;
        int r = build_options(lowers, NULL, upper, work, &opts);
        if (r < 0)
                return err_set(err, r, "out of memory");
        if ((long) strlen(opts) < page) {
                if (mount("overlay", target, "overlay", 0, opts) < 0)
                        return err_set(err, -errno, "mounting overlay on %s: %m", target);
                return 0;
        }
        _cleanup_free_ int *fds = calloc(n, sizeof(int));
        if (!fds)
                return err_set(err, -ENOMEM, "out of memory");
        size_t opened = 0;
        for (; opened < n; opened++) {
                fds[opened] = open(lowers[opened], O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fds[opened] < 0) {
                        r = err_set(err, -errno, "opening layer %s: %m", lowers[opened]);
                        break;
                }
        }
        if (opened == n) {
                free(opts);
                opts = NULL;
                r = build_options(lowers, fds, upper, work, &opts);
                if (r < 0)
                        r = err_set(err, r, "out of memory");
                else if ((long) strlen(opts) >= page)
                        r = err_set(err, -E2BIG, "the image has too many layers (%zu) for an overlay mount", n);
                else if (mount("overlay", target, "overlay", 0, opts) < 0)
                        r = err_set(err, -errno, "mounting overlay on %s: %m", target);
        }
        for (size_t i = 0; i < opened; i++)
                close(fds[i]);
        return r;
}

int rootfs_mount(char *const lowerdirs[], const char *upper, const char *work, const char *target,
                 struct pouch_err *err)
{
        if (!lowerdirs || !lowerdirs[0])
                return err_set(err, -EINVAL, "the image has no layers to mount");
        if (!path_ok(target) || (upper && (!path_ok(upper) || !path_ok(work))))
                return err_set(err, -EINVAL, "invalid rootfs paths (empty, or containing ',' or ':')");
        for (size_t i = 0; lowerdirs[i]; i++)
                if (!path_ok(lowerdirs[i]))
                        return err_set(err, -EINVAL, "invalid layer path %s", lowerdirs[i] ? lowerdirs[i] : "");
        if (!upper && !lowerdirs[1]) {
                /* overlay needs two lowers without an upper: a read-only bind is the same view */
                if (mount(lowerdirs[0], target, NULL, MS_BIND, NULL) < 0)
                        return err_set(err, -errno, "bind-mounting %s on %s: %m", lowerdirs[0], target);
                if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) {
                        int r = err_set(err, -errno, "remounting %s read-only: %m", target);
                        umount2(target, MNT_DETACH);
                        return r;
                }
                return 0;
        }
        return mount_overlay(lowerdirs, upper, work, target, err);
}

int rootfs_umount(const char *target)
{
        if (umount2(target, UMOUNT_NOFOLLOW) == 0)
                return 0;
        if (errno == EINVAL || errno == ENOENT)
                return 0; /* not mounted: nothing to do */
        if (errno == EBUSY && umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0)
                return 0;
        return log_warn_errno(-errno, "Failed to unmount %s", target);
}
