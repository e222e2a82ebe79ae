/* Unit tests for daemon/cp: stat, tar and extract inside a fake rootfs with hostile symlinks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/cp/archive.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
        char dir[64];   /* temp dir */
        char root[128]; /* dir/root: the fake container rootfs */
};

static void put(const char *root, const char *rel, const char *content, mode_t mode)
{
        _cleanup_free_ char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", root, rel) > 0);
        _cleanup_free_ char *parent = strndup(p, strrchr(p, '/') - p);
        assert_int_equal(mkdir_p(parent, 0755), 0);
        assert_int_equal(write_file_atomic(p, content, strlen(content), mode), 0);
        assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/pouch-cp-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->root, sizeof(f->root), "%s/root", f->dir);
        put(f->root, "etc/hostname", "box\n", 0644);
        put(f->root, "data/a.txt", "alpha", 0600);
        put(f->root, "data/sub/b.txt", "bravo!", 0755);
        char p[256];
        snprintf(p, sizeof(p), "%s/data/link", f->root);
        assert_int_equal(symlink("a.txt", p), 0);
        snprintf(p, sizeof(p), "%s/evil", f->root);
        assert_int_equal(symlink("/", p), 0);
        snprintf(p, sizeof(p), "%s/evil2", f->root);
        assert_int_equal(symlink("../../..", p), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        rm_rf(f->dir);
        free(f);
        return 0;
}

static bool exists(const char *fmt, const char *a, const char *b)
{
        char p[512];
        snprintf(p, sizeof(p), fmt, a, b);
        struct stat st;
        return lstat(p, &st) == 0;
}

static char *slurp(const char *root, const char *rel)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", root, rel);
        char *data = NULL;
        if (read_file(p, 1 << 20, &data, NULL) < 0)
                return NULL;
        return data;
}

static void test_stat(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *st = NULL;

        assert_int_equal(archive_stat_path(f->root, "/etc/hostname", &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "name")), "hostname");
        assert_int_equal(json_integer_value(json_object_get(st, "size")), 4);
        assert_int_equal(json_integer_value(json_object_get(st, "mode")), 0644);
        assert_string_equal(json_string_value(json_object_get(st, "linkTarget")), "");
        const char *mt = json_string_value(json_object_get(st, "mtime"));
        assert_non_null(mt);
        assert_true(strlen(mt) >= 20 && mt[4] == '-' && mt[10] == 'T');
        json_decref(st);

        assert_int_equal(archive_stat_path(f->root, "/data", &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "name")), "data");
        assert_int_equal(json_integer_value(json_object_get(st, "mode")), (json_int_t) ((1u << 31) | 0755));
        json_decref(st);

        assert_int_equal(archive_stat_path(f->root, "/evil/data/.", &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "name")), ".");
        assert_true(json_integer_value(json_object_get(st, "mode")) & (1u << 31));
        json_decref(st);

        assert_int_equal(archive_stat_path(f->root, "/evil", &st, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(st, "mode")), (json_int_t) ((1u << 27) | 0777));
        assert_string_equal(json_string_value(json_object_get(st, "linkTarget")), "/");
        json_decref(st);

        assert_int_equal(archive_stat_path(f->root, "/evil2", &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "linkTarget")), "/");
        json_decref(st);

        assert_int_equal(archive_stat_path(f->root, "data/link", &st, &err), 0);
        assert_string_equal(json_string_value(json_object_get(st, "linkTarget")), "/data/a.txt");
        json_decref(st);

        /* through the absolute symlink: the container's /etc, not the host's */
        assert_int_equal(archive_stat_path(f->root, "/evil/etc/hostname", &st, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(st, "size")), 4);
        json_decref(st);
        st = NULL;
        assert_int_equal(archive_stat_path(f->root, "/evil/etc/passwd", &st, &err), -ENOENT);
        assert_null(st);
        assert_non_null(strstr(err.msg, "Could not find the file /evil/etc/passwd"));
        assert_int_equal(archive_stat_path(f->root, "/etc/hostname/", &st, &err), -ENOTDIR);
}

/* Read a tar back: "name:content" (content for regular files, "->target" for links), joined by '|'. */
static char *list_tar(int fd)
{
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        struct archive *a = archive_read_new();
        archive_read_support_format_tar(a);
        assert_int_equal(archive_read_open_fd(a, fd, 4096), ARCHIVE_OK);
        char *out = strdup("");
        struct archive_entry *e;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
                char body[256] = "";
                if (archive_entry_hardlink(e)) {
                        snprintf(body, sizeof(body), "=>%s", archive_entry_hardlink(e));
                } else if (archive_entry_filetype(e) == AE_IFIFO) {
                        snprintf(body, sizeof(body), "fifo");
                } else if (archive_entry_filetype(e) == AE_IFREG) {
                        la_ssize_t n = archive_read_data(a, body, sizeof(body) - 1);
                        assert_true(n >= 0);
                        body[n] = '\0';
                } else if (archive_entry_filetype(e) == AE_IFLNK) {
                        snprintf(body, sizeof(body), "->%s", archive_entry_symlink(e));
                }
                char *n = NULL;
                assert_true(asprintf(&n, "%s%s%s:%s", out, *out ? "|" : "", archive_entry_pathname(e), body) > 0);
                free(out);
                out = n;
        }
        archive_read_free(a);
        return out;
}

static void test_tar(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        _cleanup_close_ int fd = memfd_create("tar", MFD_CLOEXEC);
        assert_true(fd >= 0);

        assert_int_equal(archive_tar_path(f->root, "/etc/hostname", fd, &err), 0);
        _cleanup_free_ char *l1 = list_tar(fd);
        assert_string_equal(l1, "hostname:box\n");

        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(archive_tar_path(f->root, "/data", fd, &err), 0);
        _cleanup_free_ char *l2 = list_tar(fd);
        assert_string_equal(l2, "data/:|data/a.txt:alpha|data/link:->a.txt|data/sub/:|data/sub/b.txt:bravo!");

        /* a symlink to / inside the container resolves to the container's / */
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(archive_tar_path(f->root, "/evil/etc/passwd", fd, &err), -ENOENT);
        struct stat st;
        assert_int_equal(fstat(fd, &st), 0);
        assert_int_equal(st.st_size, 0);
        assert_int_equal(archive_tar_path(f->root, "/evil2/etc/hostname", fd, &err), 0);
        _cleanup_free_ char *l3 = list_tar(fd);
        assert_string_equal(l3, "hostname:box\n");

        /* hard links are archived once, then as links; fifos as headers; "dir/." follows */
        char p1[512], p2[512];
        snprintf(p1, sizeof(p1), "%s/data/sub/b.txt", f->root);
        snprintf(p2, sizeof(p2), "%s/data/sub/c.txt", f->root);
        assert_int_equal(link(p1, p2), 0);
        snprintf(p2, sizeof(p2), "%s/data/sub/fifo", f->root);
        assert_int_equal(mkfifo(p2, 0600), 0);
        snprintf(p2, sizeof(p2), "%s/sublink", f->root);
        assert_int_equal(symlink("data/sub", p2), 0);
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(archive_tar_path(f->root, "/sublink/.", fd, &err), 0);
        _cleanup_free_ char *l5 = list_tar(fd);
        assert_string_equal(l5, "./:|./b.txt:bravo!|./c.txt:=>./b.txt|./fifo:fifo");

        /* the link itself, not its target */
        assert_int_equal(ftruncate(fd, 0), 0);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        assert_int_equal(archive_tar_path(f->root, "/evil", fd, &err), 0);
        _cleanup_free_ char *l4 = list_tar(fd);
        assert_string_equal(l4, "evil:->/");
}

struct tentry {
        const char *name;
        mode_t type;
        const char *data; /* content, or link target */
        bool hardlink;
};

/* A tar in a memfd, positioned at 0. */
static int make_tar(const struct tentry *ents, size_t n)
{
        int fd = memfd_create("in", MFD_CLOEXEC);
        assert_true(fd >= 0);
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, ents[i].name);
                archive_entry_set_filetype(e, ents[i].type);
                archive_entry_set_perm(e, ents[i].type == AE_IFDIR ? 0711 : 0640);
                archive_entry_set_mtime(e, 1000000000, 0);
                archive_entry_set_uid(e, 123);
                archive_entry_set_gid(e, 456);
                size_t len = 0;
                if (ents[i].hardlink)
                        archive_entry_set_hardlink(e, ents[i].data);
                else if (ents[i].type == AE_IFLNK)
                        archive_entry_set_symlink(e, ents[i].data);
                else if (ents[i].type == AE_IFREG)
                        len = strlen(ents[i].data);
                archive_entry_set_size(e, (la_int64_t) len);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (len)
                        assert_int_equal(archive_write_data(a, ents[i].data, len), (la_ssize_t) len);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
        assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
        return fd;
}

static void test_extract(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        const struct tentry good[] = {
                { "cpin.txt", AE_IFREG, "hello world", false }, { "d1/", AE_IFDIR, NULL, false },
                { "d1/d2/f.txt", AE_IFREG, "nested", false },   { "./d1/hl", AE_IFREG, "cpin.txt", true },
                { "evil/inside.txt", AE_IFREG, "in", false },   { "s", AE_IFLNK, "/", false },
                { "s/via-s.txt", AE_IFREG, "s", false },
        };
        _cleanup_close_ int fd = make_tar(good, ARRAY_SIZE(good));
        assert_int_equal(archive_extract_to(f->root, "/", fd, true, &err), 0);
        _cleanup_free_ char *c1 = slurp(f->root, "cpin.txt");
        assert_non_null(c1);
        assert_string_equal(c1, "hello world");
        _cleanup_free_ char *c2 = slurp(f->root, "d1/d2/f.txt");
        assert_non_null(c2);
        assert_string_equal(c2, "nested");
        struct stat st, st2;
        char p[512];
        snprintf(p, sizeof(p), "%s/cpin.txt", f->root);
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0640);
        assert_int_equal(st.st_mtim.tv_sec, 1000000000);
        if (geteuid() == 0) {
                assert_int_equal(st.st_uid, 123);
                assert_int_equal(st.st_gid, 456);
        }
        snprintf(p, sizeof(p), "%s/d1/hl", f->root);
        assert_int_equal(lstat(p, &st2), 0);
        assert_int_equal(st.st_ino, st2.st_ino);
        snprintf(p, sizeof(p), "%s/d1", f->root);
        assert_int_equal(lstat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0711);
        assert_int_equal(st.st_mtim.tv_sec, 1000000000);
        /* through symlinks to "/": inside the fake root only */
        assert_true(exists("%s/%s", f->root, "inside.txt"));
        assert_true(exists("%s/%s", f->root, "via-s.txt"));
        assert_false(exists("%s%s", "/", "inside.txt"));
        assert_false(exists("%s%s", "/", "via-s.txt"));
        assert_int_equal(lstat("/s", &st), -1);
}

static void test_extract_escape(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        char name[64];
        snprintf(name, sizeof(name), "pouch-escape-%d", (int) getpid());
        char up1[96], up2[96];
        snprintf(up1, sizeof(up1), "../%s", name);
        snprintf(up2, sizeof(up2), "/../../%s", name);
        const char *bad[] = { up1, up2 };
        const char *dests[] = { "/", "/data" };
        for (size_t d = 0; d < ARRAY_SIZE(dests); d++)
                for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                        const struct tentry ents[] = {
                                { "ok.txt", AE_IFREG, "ok", false },
                                { bad[i], AE_IFREG, "pwned", false },
                        };
                        _cleanup_close_ int fd = make_tar(ents, ARRAY_SIZE(ents));
                        err.msg[0] = '\0';
                        assert_int_equal(archive_extract_to(f->root, dests[d], fd, false, &err), -EINVAL);
                        assert_non_null(strstr(err.msg, "outside"));
                }
        /* nothing outside: root's parent (the temp dir), the temp dir's parent (/tmp), nor / */
        assert_false(exists("%s/%s", f->dir, name));
        assert_false(exists("%s/%s", "/tmp", name));
        assert_false(exists("/%s%s", name, ""));
        assert_false(exists("%s/%s", f->root, name));
        assert_true(exists("%s/%s", f->root, "ok.txt"));

        /* a hard link may not point outside either */
        const struct tentry hl[] = { { "hl", AE_IFREG, "../../../etc/passwd", true } };
        _cleanup_close_ int fd = make_tar(hl, 1);
        assert_int_equal(archive_extract_to(f->root, "/", fd, false, &err), -EINVAL);
        assert_false(exists("%s/%s", f->root, "hl"));
}

static void test_extract_into_symlink(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        char name[64];
        snprintf(name, sizeof(name), "pouch-viaevil-%d.txt", (int) getpid());
        const struct tentry ents[] = { { name, AE_IFREG, "x", false } };
        _cleanup_close_ int fd = make_tar(ents, 1);
        assert_int_equal(archive_extract_to(f->root, "/evil", fd, false, &err), 0);
        assert_true(exists("%s/%s", f->root, name));
        assert_false(exists("/%s%s", name, ""));
        _cleanup_close_ int fd2 = make_tar(ents, 1);
        assert_int_equal(archive_extract_to(f->root, "/evil2/data", fd2, false, &err), 0);
        assert_true(exists("%s/data/%s", f->root, name));
}

static void test_extract_errors(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        const struct tentry ents[] = { { "data", AE_IFREG, "not a dir", false } };
        _cleanup_close_ int fd = make_tar(ents, 1);
        assert_int_equal(archive_extract_to(f->root, "/", fd, true, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "cannot overwrite directory"));
        assert_true(exists("%s/%s", f->root, "data/a.txt"));
        _cleanup_close_ int fd2 = make_tar(ents, 1);
        assert_int_equal(archive_extract_to(f->root, "/nope", fd2, false, &err), -ENOENT);
        assert_int_equal(archive_extract_to(f->root, "/etc/hostname", fd2, false, &err), -ENOTDIR);
        /* without the flag, the directory is replaced */
        _cleanup_close_ int fd3 = make_tar(ents, 1);
        assert_int_equal(archive_extract_to(f->root, "/", fd3, false, &err), 0);
        _cleanup_free_ char *c = slurp(f->root, "data");
        assert_non_null(c);
        assert_string_equal(c, "not a dir");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tar, setup, teardown),
                cmocka_unit_test_setup_teardown(test_extract, setup, teardown),
                cmocka_unit_test_setup_teardown(test_extract_escape, setup, teardown),
                cmocka_unit_test_setup_teardown(test_extract_into_symlink, setup, teardown),
                cmocka_unit_test_setup_teardown(test_extract_errors, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
