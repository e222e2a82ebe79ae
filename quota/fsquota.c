/* Project ids and project limits through ioctls and quotactl: see fsquota.h. */
#include "quota/fsquota.h"
#include "quota/mountinfo.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <linux/dqblk_xfs.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/quota.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/quota.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef XFS_SUPER_MAGIC
#define XFS_SUPER_MAGIC 0x58465342
#endif

int fsquota_fs_of(int fd)
{
        struct statfs sf;
        if (fstatfs(fd, &sf) < 0)
                return -errno;
        if (sf.f_type == EXT4_SUPER_MAGIC)
                return FSQUOTA_FS_EXT4;
        if (sf.f_type == XFS_SUPER_MAGIC)
                return FSQUOTA_FS_XFS;
        return FSQUOTA_FS_OTHER;
}

const char *fsquota_fs_name(enum fsquota_fs fs)
{
        return fs == FSQUOTA_FS_EXT4 ? "ext4" : fs == FSQUOTA_FS_XFS ? "xfs" : "other";
}

/* quotactl_fd, or quotactl on the block device of fd's mount when the kernel lacks it. */
static int do_quotactl(int fd, int cmd, uint32_t id, void *addr)
{
        if (syscall(SYS_quotactl_fd, fd, cmd, id, addr) == 0)
                return 0;
        if (errno != ENOSYS)
                return -errno;
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
        struct mountinfo_entry e = { 0 };
        int r = mountinfo_find(self, &e);
        if (r < 0)
                return r == -ENOENT ? -ENOSYS : r;
        r = quotactl(cmd, e.source, (int) id, addr) < 0 ? -errno : 0;
        mountinfo_entry_done(&e);
        return r;
}

int fsquota_check_enforced(int fd)
{
        struct fs_quota_stat qs = { 0 };
        int r = do_quotactl(fd, QCMD(Q_XGETQSTAT, PRJQUOTA), 0, &qs);
        if (r < 0)
                return r == -EINVAL || r == -ENOTTY ? -EOPNOTSUPP : r;
        if (!(qs.qs_flags & FS_QUOTA_PDQ_ACCT) || !(qs.qs_flags & FS_QUOTA_PDQ_ENFD))
                return -ESRCH;
        return 0;
}

int fsquota_get_project(int fd, uint32_t *ret_id, bool *ret_inherit)
{
        struct fsxattr fa;
        if (ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
                return -errno;
        *ret_id = fa.fsx_projid;
        if (ret_inherit)
                *ret_inherit = fa.fsx_xflags & FS_XFLAG_PROJINHERIT;
        return 0;
}

int fsquota_set_project(int fd, uint32_t id)
{
        struct fsxattr fa;
        struct stat st;
        if (fstat(fd, &st) < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fa) < 0)
                return -errno;
        fa.fsx_projid = id;
        if (S_ISDIR(st.st_mode))
                fa.fsx_xflags |= FS_XFLAG_PROJINHERIT;
        return ioctl(fd, FS_IOC_FSSETXATTR, &fa) < 0 ? -errno : 0;
}

/* Tag dir_fd's entries (recursively, same device only, never following symlinks). */
static int tree_walk(int dir_fd, uint32_t id, dev_t dev, unsigned depth)
{
        if (depth > 256)
                return -ELOOP;
        int r = fsquota_set_project(dir_fd, id);
        if (r < 0)
                return r;
        int dup_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3);
        if (dup_fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(dup_fd);
        if (!d) {
                r = -errno;
                close(dup_fd);
                return r;
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
                        continue;
                struct stat st;
                if (fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return -errno;
                if (st.st_dev != dev || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
                        continue;
                _cleanup_close_ int fd = openat(dir_fd, de->d_name,
                                                O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
                r = S_ISDIR(st.st_mode) ? tree_walk(fd, id, dev, depth + 1) : fsquota_set_project(fd, id);
                if (r < 0)
                        return r;
        }
        return errno ? -errno : 0;
}

int fsquota_set_project_tree(const char *dir, uint32_t id)
{
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        return tree_walk(fd, id, st.st_dev, 0);
}

int fsquota_set_limit(int fd, uint32_t id, uint64_t bytes)
{
        int fs = fsquota_fs_of(fd);
        if (fs < 0)
                return fs;
        uint64_t kib = (bytes + 1023) / 1024;
        if (fs == FSQUOTA_FS_XFS) {
                struct fs_disk_quota d = {
                        .d_version = FS_DQUOT_VERSION,
                        .d_flags = FS_PROJ_QUOTA,
                        .d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD,
                        .d_id = id,
                        .d_blk_hardlimit = kib * 2, /* 512-byte basic blocks */
                };
                return do_quotactl(fd, QCMD(Q_XSETQLIM, PRJQUOTA), id, &d);
        }
        struct if_dqblk q = {
                .dqb_bhardlimit = kib, /* 1 KiB quota blocks */
                .dqb_valid = QIF_BLIMITS,
        };
        return do_quotactl(fd, QCMD(Q_SETQUOTA, PRJQUOTA), id, &q);
}

int fsquota_get(int fd, uint32_t id, uint64_t *ret_used, uint64_t *ret_inodes, uint64_t *ret_limit)
{
        int fs = fsquota_fs_of(fd);
        if (fs < 0)
                return fs;
        if (fs == FSQUOTA_FS_XFS) {
                struct fs_disk_quota d = { 0 };
                int r = do_quotactl(fd, QCMD(Q_XGETQUOTA, PRJQUOTA), id, &d);
                if (r == -ENOENT) /* xfs: no dquot yet for this id */
                        d = (struct fs_disk_quota){ 0 };
                else if (r < 0)
                        return r;
                *ret_used = d.d_bcount * 512;
                *ret_inodes = d.d_icount;
                *ret_limit = d.d_blk_hardlimit * 512;
                return 0;
        }
        struct if_dqblk q = { 0 };
        int r = do_quotactl(fd, QCMD(Q_GETQUOTA, PRJQUOTA), id, &q);
        if (r < 0)
                return r;
        *ret_used = q.dqb_curspace;
        *ret_inodes = q.dqb_curinodes;
        *ret_limit = q.dqb_bhardlimit * 1024;
        return 0;
}
