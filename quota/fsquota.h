/* Raw project-quota calls on ext4 and xfs: the project id of an inode (FS_IOC_FSGETXATTR /
 * FS_IOC_FSSETXATTR with FS_XFLAG_PROJINHERIT) and project limits through quotactl_fd(2)
 * (Q_XSETQLIM/Q_XGETQUOTA on xfs, Q_SETQUOTA/Q_GETQUOTA on ext4), falling back to quotactl(2)
 * on the mount's block device for kernels older than 5.14. fd: any fd on the filesystem. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum fsquota_fs {
        FSQUOTA_FS_OTHER,
        FSQUOTA_FS_EXT4,
        FSQUOTA_FS_XFS,
};

/* The filesystem kind of fd (statfs f_type), or -errno. */
int fsquota_fs_of(int fd);
const char *fsquota_fs_name(enum fsquota_fs fs);
/* 0 when project quotas are accounted and enforced on fd's filesystem; -ESRCH when they are
 * off or only accounted, -ENOSYS/-EOPNOTSUPP when the kernel or filesystem lacks them. */
int fsquota_check_enforced(int fd);

int fsquota_get_project(int fd, uint32_t *ret_id, bool *ret_inherit);
/* Set fd's project id; on a directory also FS_XFLAG_PROJINHERIT, so new entries inherit it. */
int fsquota_set_project(int fd, uint32_t id);
/* fsquota_set_project on dir and everything below it on the same filesystem (regular files
 * and directories; symlinks and device nodes are left alone). */
int fsquota_set_project_tree(const char *dir, uint32_t id);

/* Block hard limit of project id in bytes (rounded up to 1 KiB); 0 removes the limit. */
int fsquota_set_limit(int fd, uint32_t id, uint64_t bytes);
/* Bytes and inodes charged to project id, and its block hard limit in bytes (0 = none). */
int fsquota_get(int fd, uint32_t id, uint64_t *ret_used, uint64_t *ret_inodes, uint64_t *ret_limit);
