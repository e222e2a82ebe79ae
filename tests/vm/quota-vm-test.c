/* quota-vm-test FSNAME MOUNTPOINT: the prjquota backend of quota/ against a real ext4 or xfs
 * filesystem mounted with prjquota, inside the test VM (tests/vm/run-quota-vm.sh). Prints one
 * "RESULT <fs>-<check> PASS|FAIL <detail>" line per check and exits with the number of failures.
 * Runs as root; writers that must hit the limit run as uid 1000 because ext4 lets
 * CAP_SYS_RESOURCE exceed quota limits (xfs does not, so xfs is also checked as root). */
#include "quota/fsquota.h"
#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define MIB (1024LL * 1024)

struct ctx {
        const char *fs, *mnt;
        char state[128];
        int failures;
        struct quota_manager *m;
};

static bool result(struct ctx *c, const char *name, bool pass, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static bool result(struct ctx *c, const char *name, bool pass, const char *fmt, ...)
{
        char detail[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        printf("RESULT %s-%s %s %s\n", c->fs, name, pass ? "PASS" : "FAIL", detail);
        fflush(stdout);
        if (!pass)
                c->failures++;
        return pass;
}

static void path_of(const struct ctx *c, const char *rel, char *buf, size_t len)
{
        snprintf(buf, len, "%s/%s", c->mnt, rel);
}

static int project_of(const char *path, uint32_t *ret_id, bool *ret_inherit)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return fsquota_get_project(fd, ret_id, ret_inherit);
}

/* statfs size of path in bytes (the project limit when path carries a limited project id). */
static int64_t statfs_size(const char *path)
{
        struct statfs sf;
        return statfs(path, &sf) < 0 ? -errno : (int64_t) sf.f_blocks * sf.f_bsize;
}

struct write_result {
        int64_t written;
        int err; /* errno of the failing write or fsync, 0 when everything fit */
};

/* Write `bytes` of zeros to path as uid (-1: as root, keeping every capability) in a child. */
static struct write_result write_as(const char *path, int64_t bytes, int uid)
{
        struct write_result res = { 0, EIO };
        int p[2];
        if (pipe(p) < 0)
                return res;
        pid_t pid = fork();
        if (pid == 0) {
                close(p[0]);
                struct write_result w = { 0, 0 };
                if (uid >= 0 && (setgroups(0, NULL) < 0 || setgid((gid_t) uid) < 0 || setuid((uid_t) uid) < 0))
                        w.err = errno;
                int fd = w.err ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (!w.err && fd < 0)
                        w.err = errno;
                static char buf[64 * 1024];
                while (!w.err && w.written < bytes) {
                        ssize_t n = write(fd, buf, sizeof(buf));
                        if (n < 0)
                                w.err = errno;
                        else
                                w.written += n;
                }
                if (fd >= 0 && fsync(fd) < 0 && !w.err)
                        w.err = errno;
                (void) !write(p[1], &w, sizeof(w));
                _exit(0);
        }
        close(p[1]);
        if (pid > 0 && read(p[0], &res, sizeof(res)) != sizeof(res))
                res = (struct write_result){ 0, EIO };
        close(p[0]);
        if (pid > 0)
                waitpid(pid, NULL, 0);
        return res;
}

static bool near(int64_t v, int64_t want, int64_t slack)
{
        return v >= want - slack && v <= want + slack;
}

static int open_manager(struct ctx *c)
{
        struct pouch_err err = { 0 };
        c->m = quota_manager_free(c->m);
        int r = quota_manager_open(c->state, c->mnt, NULL, &c->m, &err);
        if (r < 0)
                printf("open: %s\n", err.msg);
        return r;
}

/* Limit, projid, inheritance, df, writes past the limit, usage, live resize. */
static void check_limit(struct ctx *c, int64_t *ret_id)
{
        char dir[256], sub[300], deeper[320], file[320], big[320];
        path_of(c, "c1", dir, sizeof(dir));
        snprintf(sub, sizeof(sub), "%s/sub", dir);
        snprintf(deeper, sizeof(deeper), "%s/sub/deeper", dir);
        snprintf(file, sizeof(file), "%s/sub/file", dir);
        snprintf(big, sizeof(big), "%s/sub/big", dir);
        struct pouch_err err = { 0 };
        int64_t id = 0;
        int r = quota_dir_set(c->m, "c1", dir, 10 * MIB, &id, &err);
        result(c, "set", r == 0 && id == QUOTA_PROJECT_ID_AUTO_MIN, "r=%d id=%lld %s", r, (long long) id, err.msg);
        *ret_id = id;
        uint32_t pid = 0;
        bool inherit = false;
        r = project_of(dir, &pid, &inherit);
        result(c, "projid", r == 0 && pid == id && inherit, "dir projid=%u inherit=%d", pid, inherit);

        mkdir(sub, 0777);
        mkdir(deeper, 0777);
        close(open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
        uint32_t p1 = 0, p2 = 0, p3 = 0;
        bool i1 = false, i2 = false;
        project_of(sub, &p1, &i1);
        project_of(deeper, &p2, &i2);
        project_of(file, &p3, NULL);
        result(c, "inherit", p1 == id && p2 == id && p3 == id && i1 && i2, "sub=%u(%d) sub/deeper=%u(%d) sub/file=%u",
               p1, i1, p2, i2, p3);
        chmod(dir, 01777);
        chmod(sub, 01777);

        int64_t df = statfs_size(dir), whole = statfs_size(c->mnt);
        result(c, "df", near(df, 10 * MIB, MIB / 2) && whole > 100 * MIB, "statfs size of c1 %lldK (fs %lldK)",
               (long long) df / 1024, (long long) whole / 1024);

        struct write_result w = write_as(big, 20 * MIB, 1000);
        result(c, "limit-uid1000",
               (w.err == EDQUOT || w.err == ENOSPC) && w.written <= 10 * MIB && w.written >= 8 * MIB,
               "stopped at %lldK: %s", (long long) w.written / 1024, strerror(w.err));
        int64_t used = 0, limit = 0;
        r = quota_dir_usage(c->m, "c1", dir, &used, &limit);
        result(c, "usage", r == 0 && limit == 10 * MIB && near(used, w.written, MIB), "used %lldK limit %lldK",
               (long long) used / 1024, (long long) limit / 1024);
        if (STREQ(c->fs, "xfs")) {
                unlink(big);
                w = write_as(big, 20 * MIB, -1);
                result(c, "limit-root", (w.err == EDQUOT || w.err == ENOSPC) && w.written <= 10 * MIB,
                       "stopped at %lldK: %s", (long long) w.written / 1024, strerror(w.err));
        }

        r = quota_dir_resize(c->m, "c1", dir, 30 * MIB, &err);
        df = statfs_size(dir);
        result(c, "resize", r == 0 && near(df, 30 * MIB, MIB / 2), "r=%d statfs size now %lldK %s", r,
               (long long) df / 1024, err.msg);
        snprintf(big, sizeof(big), "%s/sub/big2", dir);
        w = write_as(big, 15 * MIB, 1000);
        result(c, "resize-write", w.err == 0 && w.written == 15 * MIB, "wrote %lldK more: %s",
               (long long) w.written / 1024, w.err ? strerror(w.err) : "ok");
}

/* The layout pouchd gives a container's writable layer: the quota dir rw/ holds the overlay's
 * upper (rw/diff) and work (rw/work) dirs; df through the overlay shows the limit and writes
 * through it stop there, charged to the project. */
static void check_overlay(struct ctx *c)
{
        char rw[256], diff[300], work[300], lower[256], merged[256], opts[1200], big[300], charged[320];
        path_of(c, "ov-rw", rw, sizeof(rw));
        path_of(c, "ov-lower", lower, sizeof(lower));
        snprintf(merged, sizeof(merged), "/tmp/ov-merged-%s", c->fs);
        snprintf(diff, sizeof(diff), "%s/diff", rw);
        snprintf(work, sizeof(work), "%s/work", rw);
        struct pouch_err err = { 0 };
        int64_t id = 0;
        int r = quota_dir_set(c->m, "ov-rootfs", rw, 8 * MIB, &id, &err);
        if (r == 0 &&
            (mkdir(diff, 0755) < 0 || mkdir(work, 0700) < 0 || mkdir(lower, 0755) < 0 || mkdir(merged, 0755) < 0))
                r = -errno;
        snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", lower, diff, work);
        if (r == 0 && mount("overlay", merged, "overlay", 0, opts) < 0)
                r = -errno;
        if (!result(c, "overlay-mount", r == 0, "r=%d %s", r, err.msg))
                return;
        chmod(merged, 01777);
        int64_t df = statfs_size(merged);
        result(c, "overlay-df", near(df, 8 * MIB, MIB / 2), "statfs size of the overlay %lldK", (long long) df / 1024);
        snprintf(big, sizeof(big), "%s/big", merged);
        struct write_result w = write_as(big, 20 * MIB, 1000);
        result(c, "overlay-limit", (w.err == EDQUOT || w.err == ENOSPC) && w.written <= 8 * MIB && w.written >= 6 * MIB,
               "stopped at %lldK: %s", (long long) w.written / 1024, strerror(w.err));
        uint32_t pid = 0;
        snprintf(charged, sizeof(charged), "%s/big", diff);
        project_of(charged, &pid, NULL);
        result(c, "overlay-upper-projid", pid == id, "rw/diff/big projid=%u (want %lld)", pid, (long long) id);
        umount2(merged, MNT_DETACH);
        r = quota_dir_release(c->m, "ov-rootfs", rw);
        result(c, "overlay-release", r == 0, "r=%d", r);
}

/* Fixed ids, shared ids, ids stable across a reopen, release, allocation skipping used ids. */
static void check_ids(struct ctx *c, int64_t c1_id)
{
        char c1[256], c2[256], data[256], c3[256], c4[256];
        path_of(c, "c1", c1, sizeof(c1));
        path_of(c, "c2", c2, sizeof(c2));
        path_of(c, "c1-data", data, sizeof(data));
        path_of(c, "c3", c3, sizeof(c3));
        path_of(c, "c4", c4, sizeof(c4));
        struct pouch_err err = { 0 };
        int64_t id = 4242, used = 0, limit = 0;
        uint32_t pid = 0;
        int r = quota_dir_set(c->m, "c2", c2, 5 * MIB, &id, &err);
        project_of(c2, &pid, NULL);
        quota_dir_usage(c->m, "c2", c2, &used, &limit);
        result(c, "fixed-id", r == 0 && id == 4242 && pid == 4242 && limit == 5 * MIB,
               "r=%d id=%lld projid=%u limit=%lldK", r, (long long) id, pid, (long long) limit / 1024);

        id = c1_id;
        r = quota_dir_set(c->m, "c1-data", data, 30 * MIB, &id, &err);
        project_of(data, &pid, NULL);
        result(c, "shared-id", r == 0 && id == c1_id && pid == c1_id, "r=%d id=%lld projid=%u", r, (long long) id, pid);

        if (open_manager(c) < 0)
                return;
        id = 0;
        int64_t recorded = 0;
        r = quota_dir_set(c->m, "c1", c1, 30 * MIB, &id, &err);
        quota_manager_project_id(c->m, "c1", &recorded);
        result(c, "stable-id", r == 0 && id == c1_id && recorded == c1_id, "after reopen: id=%lld recorded=%lld",
               (long long) id, (long long) recorded);
        id = 0;
        r = quota_dir_set(c->m, "c3", c3, 5 * MIB, &id, &err);
        result(c, "new-id", r == 0 && id != c1_id && id != 4242 && id >= QUOTA_PROJECT_ID_AUTO_MIN, "c3 got id %lld",
               (long long) id);

        r = quota_dir_release(c->m, "c1", c1);
        r |= quota_dir_usage(c->m, "c1-data", data, &used, &limit);
        result(c, "release-shared", r == 0 && limit == 30 * MIB, "c1 released, c1-data keeps limit %lldK",
               (long long) limit / 1024);
        r = quota_dir_release(c->m, "c1-data", data);
        _cleanup_close_ int fd = open(c->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        uint64_t u = 0, inodes = 0, lim = 1;
        int g = fsquota_get(fd, (uint32_t) c1_id, &u, &inodes, &lim);
        result(c, "release", r == 0 && g == 0 && lim == 0, "r=%d limit of project %lld now %lluK (still charged %lluK)",
               r, (long long) c1_id, (unsigned long long) lim / 1024, (unsigned long long) u / 1024);
        r = quota_dir_release(c->m, "c1-data", data);
        result(c, "release-idempotent", r == 0, "r=%d", r);

        /* c1's files still charge its (now freed) id: a new allocation must skip it */
        id = 0;
        r = quota_dir_set(c->m, "c4", c4, 5 * MIB, &id, &err);
        result(c, "skip-used-id", r == 0 && id != c1_id && u > 0, "c4 got id %lld (freed id %lld still charged %lluK)",
               (long long) id, (long long) c1_id, (unsigned long long) u / 1024);
}

int main(int argc, char **argv)
{
        if (argc != 3) {
                fprintf(stderr, "usage: %s FSNAME MOUNTPOINT\n", argv[0]);
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);
        struct ctx c = { .fs = argv[1], .mnt = argv[2] };
        snprintf(c.state, sizeof(c.state), "/tmp/quota-state-%s", c.fs);
        int r = open_manager(&c);
        bool ok = r == 0 && quota_manager_backend(c.m) == QUOTA_BACKEND_PRJQUOTA;
        result(&c, "detect", ok, "backend %s %s", c.m ? quota_backend_to_string(quota_manager_backend(c.m)) : "-",
               c.m ? quota_manager_detect_note(c.m) : "");
        if (ok) {
                int64_t id = 0;
                check_limit(&c, &id);
                check_overlay(&c);
                check_ids(&c, id);
        }
        quota_manager_free(c.m);
        return c.failures > 100 ? 100 : c.failures;
}
