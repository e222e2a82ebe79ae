/* The loop backend: a sparse ext4 image file <state_dir>/<key>.img per directory, attached to a
 * loop device with autoclear and mounted on the directory. The filesystem ends where the image
 * ends, so writes past the limit fail with ENOSPC. Works on any host with loop devices and
 * mkfs.ext4; a limit cannot change without recreating the filesystem. */
#include "quota/loopdev.h"
#include "quota/quota-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#define LOOP_NO_RESIZE "the loop quota backend cannot resize a quota; recreate the container"

/* mkfs.ext4 in PATH or the usual sbin directories. */
static char *find_mkfs(void)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *dirs = NULL;
        if (asprintf(&dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "") < 0)
                return NULL;
        char *save = NULL;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *p = NULL;
                if (*d != '/' || asprintf(&p, "%s/mkfs.ext4", d) < 0)
                        continue;
                if (access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

int quota_loop_probe(char **ret_mkfs, struct pouch_err *err)
{
        _cleanup_free_ char *mkfs = find_mkfs();
        if (!mkfs)
                return err_set(err, -ENOTSUP, "mkfs.ext4 not found (install e2fsprogs)");
        int r = loopdev_probe();
        if (r < 0)
                return err_set(err, -ENOTSUP, "no loop devices: cannot open /dev/loop-control: %s", strerror(-r));
        free(*ret_mkfs);
        *ret_mkfs = TAKE_PTR(mkfs);
        return 0;
}

static char *image_path(struct quota_manager *m, const char *key)
{
        char *p = NULL;
        return asprintf(&p, "%s/%s.img", m->state_dir, key) < 0 ? NULL : p;
}

/* 1 when dir is a mount point of image, 0 when dir is no mount point (or missing), -EBUSY when
 * something else is mounted there. */
static int mounted_image(const char *dir, const char *image)
{
        struct stat st, parent;
        _cleanup_free_ char *up = NULL;
        if (stat(dir, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (asprintf(&up, "%s/..", dir) < 0)
                return -ENOMEM;
        if (stat(up, &parent) < 0)
                return -errno;
        if (st.st_dev == parent.st_dev && st.st_ino != parent.st_ino)
                return 0;
        _cleanup_free_ char *backing = NULL;
        if (loopdev_backing_file(st.st_dev, &backing) < 0)
                return -EBUSY;
        return STREQ(backing, image) ? 1 : -EBUSY;
}

static int dir_is_empty(const char *dir)
{
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d)))
                if (!STREQ(de->d_name, ".") && !STREQ(de->d_name, ".."))
                        return 0;
        return 1;
}

static int make_image(struct quota_manager *m, const char *image, int64_t bytes, struct pouch_err *err)
{
        _cleanup_close_ int fd = open(image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return err_set(err, -errno, "cannot create the quota image %s: %s", image, strerror(errno));
        if (ftruncate(fd, bytes) < 0)
                return err_set(err, -errno, "cannot size the quota image %s: %s", image, strerror(errno));
        /* On a sparse file the default discard punches holes, so mke2fs knows the inode tables
         * read as zeros and marks them zeroed: no background zeroing, the file stays sparse. The
         * journal is kept (crash safety) and initialised lazily. -m 0: no blocks reserved for root,
         * so the whole limit is usable by the container. Small images (under 512 MiB) use 1 KiB
         * blocks, the smallest journal (1 MiB) and an inode per 8 KiB: with mke2fs's defaults a
         * 50 MiB image loses 15% to its journal and inode tables, this way about 5%, so df inside
         * shows close to the limit. Larger images keep mke2fs's defaults (4 KiB blocks). */
        char *argv[16] = { m->mkfs, "-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1" };
        int argc = 7;
        if (bytes < 512LL * 1024 * 1024) {
                char *small[] = { "-b", "1024", "-i", "8192", "-J", "size=1" };
                for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++)
                        argv[argc++] = small[i];
        }
        argv[argc++] = (char *) image;
        argv[argc] = NULL;
        struct spawn_result res = { 0 };
        int r = spawn_capture(argv, NULL, NULL, 0, &res);
        if (r < 0)
                return err_set(err, r, "cannot run %s: %s", m->mkfs, strerror(-r));
        if (res.status != 0) {
                size_t n = strlen(res.err);
                while (n > 0 && (res.err[n - 1] == '\n' || res.err[n - 1] == ' '))
                        res.err[--n] = '\0';
                r = err_set(err, -EIO, "mkfs.ext4 failed on %s (exit %d): %s", image, res.status, res.err);
        }
        spawn_result_done(&res);
        return r;
}

static int mount_image(const char *image, const char *dir, struct pouch_err *err)
{
        _cleanup_free_ char *dev = NULL;
        _cleanup_close_ int dev_fd = loopdev_attach(image, &dev);
        if (dev_fd < 0)
                return err_set(err, dev_fd, "cannot attach %s to a loop device: %s", image, strerror(-dev_fd));
        if (mount(dev, dir, "ext4", 0, NULL) < 0)
                return err_set(err, -errno, "cannot mount %s (%s) on %s: %s", dev, image, dir, strerror(errno));
        return 0; /* closing dev_fd hands the device over to the mount (autoclear) */
}

static int loop_set(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                    struct pouch_err *err)
{
        (void) inout_id;
        if (bytes < QUOTA_LOOP_MIN_BYTES)
                return err_set(err, -EINVAL,
                               "disk quota %lld bytes is too small: the loop quota backend needs at least 1m",
                               (long long) bytes);
        _cleanup_free_ char *image = image_path(m, key);
        if (!image)
                return err_set(err, -ENOMEM, "out of memory");
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", dir, strerror(-r));
        r = mounted_image(dir, image);
        if (r == 1) {
                struct stat st;
                if (stat(image, &st) == 0 && st.st_size == bytes)
                        return 0;
                return err_set(err, -EEXIST, "%s already has a disk quota of another size; " LOOP_NO_RESIZE, dir);
        }
        if (r < 0)
                return err_set(err, r, "%s is already a mount point", dir);
        struct stat orig;
        if (stat(dir, &orig) < 0)
                return err_set(err, -errno, "cannot stat %s: %s", dir, strerror(errno));
        r = dir_is_empty(dir);
        if (r == 0)
                return err_set(err, -ENOTEMPTY, "%s is not empty: the loop quota backend mounts a new filesystem on it",
                               dir);
        if (r < 0)
                return err_set(err, r, "cannot read %s: %s", dir, strerror(-r));
        /* An image left from before (a set repeated after a restart) is never wiped: same size,
         * mount it again; another size, refuse. Only one that does not mount is made anew. */
        struct stat img;
        if (stat(image, &img) == 0) {
                if (img.st_size != bytes)
                        return err_set(err, -EEXIST,
                                       "a quota image for %s already exists with another size; release it first", key);
                if (mount_image(image, dir, NULL) == 0)
                        return 0;
                log_warn("quota: %s does not mount, making it anew", image);
        }
        r = make_image(m, image, bytes, err);
        if (r == 0)
                r = mount_image(image, dir, err);
        if (r < 0) {
                (void) unlink(image);
                return r;
        }
        /* The new filesystem's root takes the place of dir: keep dir's owner and mode, and drop
         * mke2fs's lost+found so a volume starts empty (e2fsck recreates it when needed). */
        if (chown(dir, orig.st_uid, orig.st_gid) < 0 || chmod(dir, orig.st_mode & 07777) < 0)
                log_warn("quota: cannot copy the owner and mode of %s: %m", dir);
        _cleanup_free_ char *lf = NULL;
        if (asprintf(&lf, "%s/lost+found", dir) >= 0)
                (void) rmdir(lf);
        return 0;
}

static int loop_attach(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err)
{
        _cleanup_free_ char *image = image_path(m, key);
        if (!image)
                return err_set(err, -ENOMEM, "out of memory");
        if (access(image, F_OK) < 0)
                return errno == ENOENT ? 0 : err_set(err, -errno, "cannot access %s: %s", image, strerror(errno));
        int r = mounted_image(dir, image);
        if (r == 1)
                return 0;
        if (r < 0)
                return err_set(err, r, "cannot mount the quota image of %s: %s is already a mount point", key, dir);
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", dir, strerror(-r));
        return mount_image(image, dir, err);
}

static int loop_release(struct quota_manager *m, const char *key, const char *dir)
{
        _cleanup_free_ char *image = image_path(m, key);
        if (!image)
                return -ENOMEM;
        /* Unmount every stacked mount of the image on dir; lazily when busy: the loop device then
         * goes away with the last user. */
        for (int i = 0; i < 8 && mounted_image(dir, image) == 1; i++) {
                if (umount2(dir, UMOUNT_NOFOLLOW) == 0)
                        continue;
                if (errno != EBUSY)
                        return log_warn_errno(-errno, "quota: cannot unmount %s", dir);
                log_debug("quota: %s is busy, detaching it lazily", dir);
                if (umount2(dir, UMOUNT_NOFOLLOW | MNT_DETACH) < 0)
                        return log_warn_errno(-errno, "quota: cannot detach %s", dir);
        }
        if (unlink(image) < 0 && errno != ENOENT)
                return log_warn_errno(-errno, "quota: cannot delete %s", image);
        return 0;
}

static int loop_resize(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err)
{
        (void) m, (void) key, (void) dir, (void) bytes;
        return err_set(err, -ENOTSUP, LOOP_NO_RESIZE);
}

static int loop_usage(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit)
{
        _cleanup_free_ char *image = image_path(m, key);
        if (!image)
                return -ENOMEM;
        int r = mounted_image(dir, image);
        if (r != 1)
                return r < 0 && r != -EBUSY ? r : -ENOENT;
        struct statfs sf;
        struct stat st;
        if (statfs(dir, &sf) < 0 || stat(image, &st) < 0)
                return -errno;
        *ret_used = (int64_t) (sf.f_blocks - sf.f_bfree) * sf.f_bsize;
        *ret_limit = st.st_size;
        return 0;
}

const struct quota_backend_ops quota_loop_ops = {
        .set = loop_set,
        .attach = loop_attach,
        .release = loop_release,
        .resize = loop_resize,
        .usage = loop_usage,
};
