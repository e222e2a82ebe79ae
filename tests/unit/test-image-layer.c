/* Unit tests for daemon/image/layer.c: unpacking crafted tarballs, escapes refused, overlay mount. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/image/layer.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

enum kind { F, D, L, H, FIFO, CHR };

struct spec {
        enum kind kind;
        const char *name;
        const char *data; /* file content, symlink or hard link target */
        int mode;
        int uid;
};

struct fixture {
        char top[64]; /* holds dest/ and outside/ so escapes are observable */
        char dest[128];
        char outside[128];
        char tar[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->top, sizeof(f->top), "/tmp/pouch-layer-XXXXXX");
        if (!mkdtemp(f->top))
                return -1;
        snprintf(f->dest, sizeof(f->dest), "%s/a/b/dest", f->top);
        snprintf(f->outside, sizeof(f->outside), "%s/outside", f->top);
        snprintf(f->tar, sizeof(f->tar), "%s/layer.tar", f->top);
        if (mkdir_p(f->dest, 0755) < 0 || mkdir_p(f->outside, 0755) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        char mnt[160];
        snprintf(mnt, sizeof(mnt), "%s/mnt", f->top);
        umount2(mnt, MNT_DETACH); /* a failed mount test must not leave a mount behind */
        rm_rf(f->top);
        free(f);
        return 0;
}

/* Write a tar (gzip when gz) of the specs to path. */
static void build_tar(const char *path, const struct spec *s, size_t n, bool gz)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (gz)
                archive_write_add_filter_gzip(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, s[i].name);
                archive_entry_set_mtime(e, 1000000000 + (time_t) i, 0);
                archive_entry_set_uid(e, s[i].uid);
                archive_entry_set_gid(e, s[i].uid);
                int mode = s[i].mode ? s[i].mode : 0644;
                switch (s[i].kind) {
                case F:
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_size(e, (la_int64_t) strlen(s[i].data));
                        break;
                case D:
                        archive_entry_set_filetype(e, AE_IFDIR);
                        mode = s[i].mode ? s[i].mode : 0755;
                        break;
                case L:
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_symlink(e, s[i].data);
                        mode = 0777;
                        break;
                case H:
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_hardlink(e, s[i].data);
                        break;
                case FIFO:
                        archive_entry_set_filetype(e, AE_IFIFO);
                        break;
                case CHR:
                        archive_entry_set_filetype(e, AE_IFCHR);
                        archive_entry_set_rdev(e, makedev(1, 3));
                        break;
                }
                archive_entry_set_perm(e, (mode_t) mode);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (s[i].kind == F)
                        assert_int_equal(archive_write_data(a, s[i].data, strlen(s[i].data)),
                                         (la_ssize_t) strlen(s[i].data));
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

static int unpack_file(const char *tar, const char *dest, int64_t *size, char *diff, struct pouch_err *err)
{
        _cleanup_close_ int fd = open(tar, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        return layer_unpack(fd, dest, size, diff, err);
}

static void sha256_path(const char *path, char out[72])
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        assert_int_equal(read_file(path, 1 << 24, &data, &len), 0);
        unsigned char md[32];
        unsigned int n;
        EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

static bool exists_at(const char *dir, const char *rel)
{
        char p[512];
        struct stat st;
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        return lstat(p, &st) == 0;
}

/* Nothing may appear outside dest: not in outside/, not next to dest, not at the top. */
static void assert_nothing_outside(struct fixture *f)
{
        char p[256];
        _cleanup_closedir_ DIR *d = opendir(f->outside);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d)))
                assert_true(STREQ(de->d_name, ".") || STREQ(de->d_name, ".."));
        assert_false(exists_at(f->top, "evil"));
        assert_false(exists_at(f->top, "a/evil"));
        assert_false(exists_at(f->top, "a/b/evil"));
        snprintf(p, sizeof(p), "%s/a/b", f->top);
        assert_false(exists_at(p, "passwd"));
        assert_false(exists_at("/", "etc/evil"));
        assert_false(exists_at("/", "evil"));
}

static void test_unpack_normal(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = {
                { D, "etc/", NULL, 0750, 0 },
                { F, "etc/hello", "hello world\n", 0640, 1000 },
                { L, "lnk", "/etc/hello", 0, 0 },
                { L, "dangling", "../../../nowhere", 0, 0 },
                { H, "etc/hard", "etc/hello", 0, 0 },
                { F, "/abs/file", "x", 0600, 0 },
                { F, "./deep/er/file", "deep", 0755, 0 },
                { FIFO, "pipe", NULL, 0600, 0 },
                { F, "etc/.wh.gone", "", 0, 0 },
                { F, "opq/.wh..wh..opq", "", 0, 0 },
                { F, "later/sub/.wh..wh..opq", "", 0, 0 },
                { L, "replaced", "/etc/passwd", 0, 0 },
                { F, "replaced", "mine", 0644, 0 },
        };
        bool root = geteuid() == 0;
        size_t n = ARRAY_SIZE(s);
        if (!root) /* whiteouts need mknod and trusted xattrs */
                n = 8;
        char plain[160];
        snprintf(plain, sizeof(plain), "%s/plain.tar", f->top);
        build_tar(plain, s, n, false);
        build_tar(f->tar, s, n, true);
        char want[72], got[72] = "";
        sha256_path(plain, want);
        int64_t size = -1;
        struct pouch_err err = { 0 };
        int ur = unpack_file(f->tar, f->dest, &size, got, &err);
        if (ur != 0)
                fail_msg("unpack: %d %s", ur, err.msg);
        assert_string_equal(got, want); /* diff id = sha256 of the decompressed stream */
        assert_int_equal(size, 12 + 1 + 4 + (root ? 4 : 0));

        char p[256];
        struct stat st;
        snprintf(p, sizeof(p), "%s/etc/hello", f->dest);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISREG(st.st_mode));
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_mtime, 1000000001);
        assert_int_equal(st.st_nlink, 2);
        if (root)
                assert_int_equal(st.st_uid, 1000);
        snprintf(p, sizeof(p), "%s/etc", f->dest);
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0750);
        assert_int_equal(st.st_mtime, 1000000000); /* fixed up after its children were created */
        char target[64] = "";
        snprintf(p, sizeof(p), "%s/lnk", f->dest);
        assert_int_equal(readlink(p, target, sizeof(target) - 1), 10);
        assert_string_equal(target, "/etc/hello");
        assert_true(exists_at(f->dest, "abs/file"));
        assert_true(exists_at(f->dest, "deep/er/file"));
        snprintf(p, sizeof(p), "%s/pipe", f->dest);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
        if (root) {
                snprintf(p, sizeof(p), "%s/etc/gone", f->dest);
                assert_int_equal(lstat(p, &st), 0);
                assert_true(S_ISCHR(st.st_mode));
                assert_int_equal(st.st_rdev, makedev(0, 0));
                assert_false(exists_at(f->dest, "etc/.wh.gone"));
                char v[8] = "";
                snprintf(p, sizeof(p), "%s/opq", f->dest);
                assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
                assert_int_equal(v[0], 'y');
                snprintf(p, sizeof(p), "%s/later/sub", f->dest);
                assert_int_equal(lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
                snprintf(p, sizeof(p), "%s/replaced", f->dest);
                assert_int_equal(lstat(p, &st), 0);
                assert_true(S_ISREG(st.st_mode));
        }
        assert_nothing_outside(f);
}

static void expect_refused(struct fixture *f, const struct spec *s, size_t n, const char *msg_part)
{
        build_tar(f->tar, s, n, false);
        struct pouch_err err = { 0 };
        int r = unpack_file(f->tar, f->dest, NULL, NULL, &err);
        assert_int_equal(r, -EINVAL);
        if (msg_part && !strstr(err.msg, msg_part))
                fail_msg("message '%s' lacks '%s'", err.msg, msg_part);
        assert_nothing_outside(f);
}

static void test_refuse_dotdot(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = { { F, "../evil", "x", 0, 0 } };
        expect_refused(f, s, 1, "escapes the layer root");
        const struct spec s2[] = { { F, "ok/../../evil", "x", 0, 0 } };
        expect_refused(f, s2, 1, "escapes");
}

static void test_refuse_abs_escape(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = { { F, "/abs/../../evil", "x", 0, 0 } };
        expect_refused(f, s, 1, "escapes the layer root");
}

static void test_refuse_symlink_parent(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = { { L, "lnk", "/", 0, 0 }, { F, "lnk/etc/evil", "x", 0, 0 } };
        expect_refused(f, s, 2, "symlink");
        assert_false(exists_at(f->dest, "etc/evil"));
        char rel[160];
        snprintf(rel, sizeof(rel), "%s", f->outside);
        const struct spec s2[] = { { L, "out", rel, 0, 0 }, { F, "out/evil", "x", 0, 0 } };
        expect_refused(f, s2, 2, "symlink");
        const struct spec s3[] = { { L, "up", "../..", 0, 0 }, { D, "up/", NULL, 0, 0 }, { F, "up/evil", "x", 0, 0 } };
        build_tar(f->tar, s3, 3, false);
        struct pouch_err err = { 0 };
        /* "up/" as a directory replaces the symlink in place; the file then lands inside dest */
        assert_int_equal(unpack_file(f->tar, f->dest, NULL, NULL, &err), 0);
        assert_true(exists_at(f->dest, "up/evil"));
        assert_nothing_outside(f);
}

static void test_refuse_hardlink_escape(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = { { H, "passwd", "../../etc/passwd", 0, 0 } };
        expect_refused(f, s, 1, "escapes");
        assert_false(exists_at(f->dest, "passwd"));
        const struct spec s2[] = { { L, "lnk", "/etc", 0, 0 }, { H, "passwd", "lnk/passwd", 0, 0 } };
        expect_refused(f, s2, 2, "symlink");
        assert_false(exists_at(f->dest, "passwd"));
}

static void test_refuse_device(void **state)
{
        struct fixture *f = *state;
        const struct spec s[] = { { CHR, "dev/null", NULL, 0666, 0 } };
        expect_refused(f, s, 1, "device");
        assert_false(exists_at(f->dest, "dev/null"));
}

static void test_garbage(void **state)
{
        struct fixture *f = *state;
        assert_int_equal(write_file_atomic(f->tar, "\x1f\x8b\x08garbage-not-gzip", 19, 0600), 0);
        struct pouch_err err = { 0 };
        assert_true(unpack_file(f->tar, f->dest, NULL, NULL, &err) < 0);
        assert_true(strlen(err.msg) > 0);
}

static void test_empty_and_xattrs(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        char diff[72] = "";
        int64_t size = -1;
        assert_int_equal(write_file_atomic(f->tar, "", 0, 0600), 0);
        assert_int_equal(unpack_file(f->tar, f->dest, &size, diff, &err), 0);
        assert_string_equal(diff, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_int_equal(size, 0);

        /* PAX xattrs: user.* applied, trusted.overlay.* never taken from a tar */
        struct archive *a = archive_write_new();
        archive_write_set_format_pax(a);
        assert_int_equal(archive_write_open_filename(a, f->tar), ARCHIVE_OK);
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, "withattr");
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, 0);
        archive_entry_xattr_add_entry(e, "user.pouch", "yes", 3);
        archive_entry_xattr_add_entry(e, "trusted.overlay.redirect", "/x", 2);
        assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
        archive_entry_free(e);
        archive_write_close(a);
        archive_write_free(a);
        assert_int_equal(unpack_file(f->tar, f->dest, NULL, NULL, &err), 0);
        char p[256], v[16] = "";
        snprintf(p, sizeof(p), "%s/withattr", f->dest);
        ssize_t n = lgetxattr(p, "user.pouch", v, sizeof(v));
        if (n < 0 && errno == ENOTSUP)
                skip();
        assert_int_equal(n, 3);
        assert_memory_equal(v, "yes", 3);
        if (geteuid() == 0)
                assert_int_equal(lgetxattr(p, "trusted.overlay.redirect", v, sizeof(v)), -1);
}

static void test_overlay_mount(void **state)
{
        struct fixture *f = *state;
        if (geteuid() != 0)
                skip();
        char l1[160], l2[160], up[160], work[160], mnt[160];
        snprintf(l1, sizeof(l1), "%s/l1", f->top);
        snprintf(l2, sizeof(l2), "%s/l2", f->top);
        snprintf(up, sizeof(up), "%s/up", f->top);
        snprintf(work, sizeof(work), "%s/work", f->top);
        snprintf(mnt, sizeof(mnt), "%s/mnt", f->top);
        const char *dirs[] = { l1, l2, up, work, mnt };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
                assert_int_equal(mkdir_p(dirs[i], 0755), 0);
        const struct spec s1[] = { { F, "a", "1", 0, 0 }, { F, "b", "2", 0, 0 } };
        const struct spec s2[] = { { F, ".wh.a", "", 0, 0 }, { F, "c", "3", 0, 0 } };
        struct pouch_err err = { 0 };
        build_tar(f->tar, s1, 2, false);
        assert_int_equal(unpack_file(f->tar, l1, NULL, NULL, &err), 0);
        build_tar(f->tar, s2, 2, false);
        assert_int_equal(unpack_file(f->tar, l2, NULL, NULL, &err), 0);
        char *lowers[] = { l2, l1, NULL };
        int r = rootfs_mount(lowers, up, work, mnt, &err);
        if (r == -EPERM || r == -ENODEV)
                skip();
        assert_int_equal(r, 0);
        bool a = exists_at(mnt, "a"), b = exists_at(mnt, "b"), c = exists_at(mnt, "c");
        assert_int_equal(rootfs_umount(mnt), 0);
        assert_false(a); /* whited out by the upper layer */
        assert_true(b);
        assert_true(c);
        /* single layer without upper: read-only view */
        char *one[] = { l1, NULL };
        assert_int_equal(rootfs_mount(one, NULL, NULL, mnt, &err), 0);
        char p[200];
        snprintf(p, sizeof(p), "%s/new", mnt);
        int wr = open(p, O_CREAT | O_WRONLY, 0600);
        if (wr >= 0)
                close(wr);
        assert_int_equal(rootfs_umount(mnt), 0);
        assert_true(wr < 0);
        assert_int_equal(rootfs_umount(mnt), 0); /* idempotent */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_unpack_normal, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuse_dotdot, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuse_abs_escape, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuse_symlink_parent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuse_hardlink_escape, setup, teardown),
                cmocka_unit_test_setup_teardown(test_refuse_device, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
                cmocka_unit_test_setup_teardown(test_empty_and_xattrs, setup, teardown),
                cmocka_unit_test_setup_teardown(test_overlay_mount, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
