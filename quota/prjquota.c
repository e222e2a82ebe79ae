/* The prjquota backend: ext4/xfs project quotas on the filesystem that holds <home>.
 * A directory gets a project id (FS_XFLAG_PROJINHERIT, so everything created below it is
 * charged to the same id) and a block hard limit for that id. Ids are recorded per key in the
 * project-id table so they stay stable across restarts. */
#include "quota/fsquota.h"
#include "quota/mountinfo.h"
#include "quota/quota-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <fcntl.h>
#include <string.h>

int quota_prjquota_probe(const char *root, struct pouch_err *err)
{
        _cleanup_close_ int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return err_set(err, -errno, "cannot open %s: %s", root, strerror(errno));
        struct mountinfo_entry e = { 0 };
        bool have_mount = mountinfo_find(root, &e) == 0;
        const char *mp = have_mount ? e.mount_point : "?";
        int fs = fsquota_fs_of(fd), r = 0;
        if (fs < 0)
                r = err_set(err, fs, "cannot statfs %s: %s", root, strerror(-fs));
        else if (fs == FSQUOTA_FS_OTHER)
                r = err_set(err, -ENOTSUP, "project quotas need ext4 or xfs, but %s is on %s (mounted at %s)", root,
                            have_mount ? e.fstype : "another filesystem", mp);
        else if (have_mount && !mountinfo_has_option(e.options, "prjquota") &&
                 !mountinfo_has_option(e.options, "pquota"))
                r = err_set(err, -ENOTSUP, "the %s filesystem at %s (holding %s) is not mounted with prjquota%s",
                            fsquota_fs_name(fs), mp, root,
                            fs == FSQUOTA_FS_EXT4 ? " (ext4 also needs the project and quota features: "
                                                    "tune2fs -O project,quota on the unmounted device)"
                                                  : "");
        if (r == 0) {
                int q = fsquota_check_enforced(fd);
                if (q == -ESRCH)
                        r = err_set(err, -ENOTSUP, "project quotas are not enforced on the %s filesystem at %s",
                                    fsquota_fs_name(fs), mp);
                else if (q < 0)
                        r = err_set(err, -ENOTSUP, "quota support not available for %s at %s (quotactl: %s)",
                                    fsquota_fs_name(fs), mp, strerror(-q));
        }
        mountinfo_entry_done(&e);
        return r;
}

static bool id_in_use(uint32_t id, void *userdata)
{
        uint64_t used = 0, inodes = 0, limit = 0;
        if (fsquota_get(*(int *) userdata, id, &used, &inodes, &limit) < 0)
                return false;
        return used || inodes || limit;
}

/* An fd on the filesystem of the key's quota: dir when it still exists, else root. */
static int open_fs(struct quota_manager *m, const char *dir)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                fd = open(m->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static int set_limit(int fd, uint32_t id, int64_t bytes, const char *dir, struct pouch_err *err)
{
        int r = fsquota_set_limit(fd, id, (uint64_t) bytes);
        if (r == -ESRCH || r == -ENOSYS)
                return err_set(err, -ENOTSUP,
                               "cannot set the quota of project %u on %s: project quotas are not "
                               "enabled on its filesystem (mount it with prjquota)",
                               id, dir);
        if (r < 0)
                return err_set(err, r, "cannot set the quota of project %u on %s: %s", id, dir, strerror(-r));
        return 0;
}

static int prj_set(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                   struct pouch_err *err)
{
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", dir, strerror(-r));
        _cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return err_set(err, -errno, "cannot open %s: %s", dir, strerror(errno));
        int fs = fsquota_fs_of(fd);
        if (fs == FSQUOTA_FS_OTHER)
                return err_set(err, -ENOTSUP, "cannot set a project quota on %s: it is not on ext4 or xfs", dir);
        uint32_t old_id = 0, id;
        bool had_entry = idtable_lookup(m->ids, key, &old_id, NULL) == 0, is_auto;
        r = idtable_pick(m->ids, key, *inout_id, id_in_use, &fd, &id, &is_auto);
        if (r == -EINVAL)
                return err_set(err, r, "invalid quota id %lld: expected 1..%lld, or 0 to allocate one",
                               (long long) *inout_id, QUOTA_PROJECT_ID_MAX);
        if (r < 0)
                return err_set(err, r, "no free project id for %s", key);
        r = fsquota_set_project_tree(dir, id);
        if (r == -ENOTTY || r == -EOPNOTSUPP)
                return err_set(err, -ENOTSUP,
                               "cannot set project id %u on %s: the filesystem does not support "
                               "project ids",
                               id, dir);
        if (r < 0)
                return err_set(err, r, "cannot set project id %u on %s: %s", id, dir, strerror(-r));
        r = set_limit(fd, id, bytes, dir, err);
        if (r < 0)
                return r;
        r = idtable_put(m->ids, key, id, is_auto, dir);
        if (r == 0)
                r = idtable_save(m->ids);
        if (r < 0)
                return err_set(err, r, "cannot record project id %u for %s: %s", id, key, strerror(-r));
        if (had_entry && old_id != id && idtable_users(m->ids, old_id) == 0)
                (void) fsquota_set_limit(fd, old_id, 0);
        *inout_id = id;
        return 0;
}

static int prj_attach(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err)
{
        (void) m, (void) key, (void) dir, (void) err;
        return 0; /* the limit lives in the filesystem */
}

static int prj_release(struct quota_manager *m, const char *key, const char *dir)
{
        uint32_t id;
        bool still_used;
        if (idtable_remove(m->ids, key, &id, &still_used) < 0)
                return 0;
        if (!still_used) {
                _cleanup_close_ int fd = open_fs(m, dir);
                int r = fd < 0 ? fd : fsquota_set_limit(fd, id, 0);
                if (r < 0)
                        log_warn_errno(r, "quota: cannot clear the limit of project %u (%s)", id, key);
        }
        int r = idtable_save(m->ids);
        if (r < 0)
                return log_warn_errno(r, "quota: cannot save the project-id table");
        return 0;
}

static int prj_resize(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err)
{
        uint32_t id;
        if (idtable_lookup(m->ids, key, &id, NULL) < 0)
                return err_set(err, -ENOENT, "no disk quota is set for %s", key);
        _cleanup_close_ int fd = open_fs(m, dir);
        if (fd < 0)
                return err_set(err, fd, "cannot open %s: %s", dir, strerror(-fd));
        return set_limit(fd, id, bytes, dir, err);
}

static int prj_usage(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit)
{
        uint32_t id;
        int r = idtable_lookup(m->ids, key, &id, NULL);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open_fs(m, dir);
        if (fd < 0)
                return fd;
        uint64_t used, inodes, limit;
        r = fsquota_get(fd, id, &used, &inodes, &limit);
        if (r < 0)
                return r;
        *ret_used = (int64_t) used;
        *ret_limit = (int64_t) limit;
        return 0;
}

const struct quota_backend_ops quota_prjquota_ops = {
        .set = prj_set,
        .attach = prj_attach,
        .release = prj_release,
        .resize = prj_resize,
        .usage = prj_usage,
};
