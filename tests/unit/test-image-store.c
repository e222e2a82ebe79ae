/* Unit tests for the image store: import, list, inspect, tag, resolve, save/load, remove. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/image/image.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx {
        char top[64];
        char path[256];
        struct image_store *s;
};

static int setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        snprintf(f->top, sizeof(f->top), "/tmp/pouch-store-XXXXXX");
        if (!mkdtemp(f->top))
                return -1;
        snprintf(f->path, sizeof(f->path), "%s/s1", f->top);
        struct pouch_err err = { 0 };
        if (image_store_open(f->path, &f->s, &err) < 0)
                return -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fx *f = *state;
        image_store_free(f->s);
        rm_rf(f->top);
        free(f);
        return 0;
}

static char *p_of(struct fx *f, const char *rel)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", f->top, rel) > 0);
        return p;
}

struct member {
        const char *name;
        const char *data;
        size_t len; /* 0: strlen */
};

static void write_tar(const char *path, const struct member *m, size_t n, bool gz)
{
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        if (gz)
                archive_write_add_filter_gzip(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                size_t len = m[i].len ? m[i].len : strlen(m[i].data);
                archive_entry_set_pathname(e, m[i].name);
                bool dir = m[i].name[strlen(m[i].name) - 1] == '/';
                archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
                archive_entry_set_perm(e, dir ? 0755 : 0644);
                archive_entry_set_size(e, dir ? 0 : (la_int64_t) len);
                archive_entry_set_mtime(e, 1700000000, 0);
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (!dir)
                        assert_int_equal(archive_write_data(a, m[i].data, len), (la_ssize_t) len);
                archive_entry_free(e);
        }
        assert_int_equal(archive_write_close(a), ARCHIVE_OK);
        archive_write_free(a);
}

static void sha256_of(const char *data, size_t len, char out[72])
{
        unsigned char md[32];
        unsigned int n;
        EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

static const struct member rootfs[] = {
        { "bin/", "", 0 },
        { "bin/hello", "#!/bin/sh\necho hello\n", 0 },
        { "etc/os-release", "ID=test\n", 0 },
};

/* Import the rootfs (gzip) as ref; returns the id and the expected diff id. */
static void import_rootfs(struct fx *f, const char *ref, char id[80], char diff[72])
{
        _cleanup_free_ char *gz = p_of(f, "rootfs.tar.gz"), *plain = p_of(f, "rootfs.tar");
        write_tar(gz, rootfs, ARRAY_SIZE(rootfs), true);
        write_tar(plain, rootfs, ARRAY_SIZE(rootfs), false);
        _cleanup_free_ char *data = NULL;
        size_t len;
        assert_int_equal(read_file(plain, 1 << 20, &data, &len), 0);
        sha256_of(data, len, diff);
        _cleanup_close_ int fd = open(gz, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        _cleanup_json_ json_t *changes = json_pack("{s:[s],s:[s],s:s}", "Cmd", "/bin/hello", "Env", "A=1", "WorkingDir",
                                                   "/bin");
        struct pouch_err err = { 0 };
        int r = image_import(f->s, fd, ref, changes, id, &err);
        if (r != 0)
                fail_msg("import: %d %s", r, err.msg);
        assert_int_equal(strlen(id), 71);
}

static void test_import_list_inspect(void **state)
{
        struct fx *f = *state;
        char id[80], diff[72];
        import_rootfs(f, "example:v1", id, diff);
        struct pouch_err err = { 0 };

        _cleanup_json_ json_t *list = NULL;
        assert_int_equal(image_list(f->s, &list, &err), 0);
        assert_int_equal(json_array_size(list), 1);
        json_t *e = json_array_get(list, 0);
        assert_string_equal(json_get_str(e, "Id", ""), id);
        assert_string_equal(json_string_value(json_array_get(json_object_get(e, "RepoTags"), 0)), "example:v1");
        assert_int_equal(json_get_int(e, "Containers", 0), -1);
        assert_int_equal(json_get_int(e, "Size", 0), 21 + 8);
        assert_true(json_get_int(e, "Created", 0) > 1700000000);

        _cleanup_json_ json_t *ins = NULL;
        assert_int_equal(image_inspect(f->s, "example:v1", &ins, &err), 0);
        assert_string_equal(json_get_str(ins, "Id", ""), id);
        assert_string_equal(json_get_str(ins, "Os", ""), "linux");
        assert_string_equal(json_get_str(ins, "Parent", "x"), "");
        assert_string_equal(json_string_value(json_get_path(ins, "RootFS.Type")), "layers");
        assert_string_equal(json_string_value(json_array_get(json_get_path(ins, "RootFS.Layers"), 0)), diff);
        assert_string_equal(json_string_value(json_array_get(json_get_path(ins, "Config.Cmd"), 0)), "/bin/hello");
        assert_string_equal(json_string_value(json_get_path(ins, "Config.WorkingDir")), "/bin");
        assert_true(json_is_string(json_get_path(ins, "Config.Hostname")));
        assert_string_equal(json_string_value(json_get_path(ins, "GraphDriver.Name")), "overlay2");
        assert_non_null(strstr(json_string_value(json_get_path(ins, "GraphDriver.Data.UpperDir")), "/diff"));
        assert_true(json_is_string(json_get_path(ins, "Metadata.LastTagTime")));

        _cleanup_json_ json_t *cfg = NULL;
        assert_int_equal(image_get_config(f->s, id, &cfg, &err), 0);
        assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "Env"), 0)), "A=1");

        _cleanup_strv_free_ char **dirs = NULL;
        assert_int_equal(image_layer_dirs(f->s, id, &dirs, &err), 0);
        assert_int_equal(strv_length(dirs), 1);
        char p[512];
        snprintf(p, sizeof(p), "%s/bin/hello", dirs[0]);
        _cleanup_free_ char *content = NULL;
        assert_int_equal(read_file(p, 4096, &content, NULL), 0);
        assert_string_equal(content, "#!/bin/sh\necho hello\n");

        _cleanup_free_ char *disp = image_display_name(f->s, id);
        assert_string_equal(disp, "example:v1");

        /* importing the same content again (untagged) yields a new image: created differs */
        char id2[80], diff2[72];
        import_rootfs(f, NULL, id2, diff2);
        assert_string_not_equal(id, id2);
        _cleanup_json_ json_t *list2 = NULL;
        assert_int_equal(image_list(f->s, &list2, &err), 0);
        assert_int_equal(json_array_size(list2), 2);
        _cleanup_free_ char *disp2 = image_display_name(f->s, id2);
        assert_int_equal(strlen(disp2), 12);
}

static void test_resolve_and_tag(void **state)
{
        struct fx *f = *state;
        char id[80], diff[72], got[80];
        import_rootfs(f, "example:v1", id, diff);
        struct pouch_err err = { 0 };
        const char *hex = id + 7;
        char buf[80];
        const char *names[] = { "example:v1", "docker.io/library/example:v1", "library/example:v1", id, hex };
        for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
                memset(got, 0, sizeof(got));
                assert_int_equal(image_resolve(f->s, names[i], got, &err), 0);
                assert_string_equal(got, id);
        }
        for (size_t n = 1; n <= 12; n++) {
                snprintf(buf, sizeof(buf), "%.*s", (int) n, hex);
                assert_int_equal(image_resolve(f->s, buf, got, &err), 0);
                assert_string_equal(got, id);
        }
        snprintf(buf, sizeof(buf), "sha256:%.10s", hex);
        assert_int_equal(image_resolve(f->s, buf, got, &err), 0);
        assert_int_equal(image_resolve(f->s, "example", got, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "No such image: example"));
        assert_int_equal(image_resolve(f->s, "nothere:1", got, &err), -ENOENT);

        assert_int_equal(image_tag(f->s, "example:v1", "other/repo", "t", &err), 0);
        assert_int_equal(image_tag(f->s, hex, "example", NULL, &err), 0);
        assert_int_equal(image_tag(f->s, "example:v1", "Bad/Repo", "t", &err), -EINVAL);
        assert_int_equal(image_tag(f->s, "missing", "x", "t", &err), -ENOENT);
        assert_int_equal(image_resolve(f->s, "other/repo:t", got, &err), 0);
        assert_string_equal(got, id);
        assert_int_equal(image_resolve(f->s, "example", got, &err), 0);

        /* tags survive a restart */
        image_store_free(f->s);
        f->s = NULL;
        assert_int_equal(image_store_open(f->path, &f->s, &err), 0);
        _cleanup_json_ json_t *ins = NULL;
        assert_int_equal(image_inspect(f->s, hex, &ins, &err), 0);
        json_t *tags = json_object_get(ins, "RepoTags");
        assert_int_equal(json_array_size(tags), 3);
        assert_string_equal(json_string_value(json_array_get(tags, 0)), "example:latest");
        assert_string_equal(json_string_value(json_array_get(tags, 1)), "example:v1");
        assert_string_equal(json_string_value(json_array_get(tags, 2)), "other/repo:t");
}

struct msgs {
        char lines[8][256];
        int n;
};

static void collect_msg(void *ud, const char *line)
{
        struct msgs *m = ud;
        if (m->n < 8)
                snprintf(m->lines[m->n++], 256, "%s", line);
}

static bool has_line(const struct msgs *m, const char *want)
{
        for (int i = 0; i < m->n; i++)
                if (STREQ(m->lines[i], want))
                        return true;
        return false;
}

/* Copy a tar leaving out members named in drop. */
static void filter_tar(const char *in, const char *out, const char *const drop[], size_t ndrop)
{
        struct archive *r = archive_read_new(), *w = archive_write_new();
        archive_read_support_format_tar(r);
        archive_write_set_format_pax_restricted(w);
        assert_int_equal(archive_read_open_filename(r, in, 65536), ARCHIVE_OK);
        assert_int_equal(archive_write_open_filename(w, out), ARCHIVE_OK);
        struct archive_entry *e;
        while (archive_read_next_header(r, &e) == ARCHIVE_OK) {
                bool skip_it = false;
                for (size_t i = 0; i < ndrop; i++)
                        skip_it = skip_it || STREQ(archive_entry_pathname(e), drop[i]);
                if (skip_it)
                        continue;
                assert_int_equal(archive_write_header(w, e), ARCHIVE_OK);
                char buf[65536];
                la_ssize_t n;
                while ((n = archive_read_data(r, buf, sizeof(buf))) > 0)
                        assert_int_equal(archive_write_data(w, buf, (size_t) n), n);
        }
        archive_write_close(w);
        archive_write_free(w);
        archive_read_free(r);
}

static void load_into(struct fx *f, const char *name, const char *tar, struct msgs *m, struct image_store **ret)
{
        _cleanup_free_ char *root = p_of(f, name);
        struct pouch_err err = { 0 };
        assert_int_equal(image_store_open(root, ret, &err), 0);
        _cleanup_close_ int fd = open(tar, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        int r = image_load(*ret, fd, collect_msg, m, &err);
        if (r != 0)
                fail_msg("load: %d %s", r, err.msg);
}

static void test_save_load(void **state)
{
        struct fx *f = *state;
        char id[80], diff[72], got[80];
        import_rootfs(f, "example:v1", id, diff);
        struct pouch_err err = { 0 };
        assert_int_equal(image_tag(f->s, id, "localhost:5000/other", "t", &err), 0);
        _cleanup_free_ char *out = p_of(f, "save.tar");
        _cleanup_close_ int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        char *names[] = { "example:v1", "localhost:5000/other:t", NULL };
        assert_int_equal(image_save(f->s, names, fd, &err), 0);

        struct msgs m = { 0 };
        struct image_store *s2 = NULL;
        load_into(f, "s2", out, &m, &s2);
        assert_true(has_line(&m, "Loaded image: example:v1"));
        assert_true(has_line(&m, "Loaded image: localhost:5000/other:t"));
        assert_int_equal(image_resolve(s2, "example:v1", got, &err), 0);
        assert_string_equal(got, id);
        assert_int_equal(image_resolve(s2, "localhost:5000/other:t", got, &err), 0);
        assert_string_equal(got, id);
        _cleanup_json_ json_t *ins = NULL;
        assert_int_equal(image_inspect(s2, id, &ins, &err), 0);
        assert_string_equal(json_string_value(json_array_get(json_get_path(ins, "RootFS.Layers"), 0)), diff);
        _cleanup_strv_free_ char **dirs = NULL;
        assert_int_equal(image_layer_dirs(s2, id, &dirs, &err), 0);
        char p[512];
        snprintf(p, sizeof(p), "%s/etc/os-release", dirs[0]);
        assert_int_equal(access(p, F_OK), 0);
        /* loading the same archive again is idempotent */
        m.n = 0;
        _cleanup_close_ int fd2 = open(out, O_RDONLY | O_CLOEXEC);
        assert_int_equal(image_load(s2, fd2, collect_msg, &m, &err), 0);
        assert_true(has_line(&m, "Loaded image: example:v1"));
        image_store_free(s2);

        /* the same archive read as a pure OCI layout (no manifest.json) */
        _cleanup_free_ char *oci = p_of(f, "oci.tar");
        const char *drop[] = { "manifest.json", "repositories" };
        filter_tar(out, oci, drop, 2);
        struct msgs m3 = { 0 };
        struct image_store *s3 = NULL;
        load_into(f, "s3", oci, &m3, &s3);
        assert_true(has_line(&m3, "Loaded image: example:v1"));
        assert_int_equal(image_resolve(s3, "localhost:5000/other:t", got, &err), 0);
        assert_string_equal(got, id);
        image_store_free(s3);
}

/* A docker-archive whose config is given by the test, with one layer. */
static void craft_archive(const char *path, const char *layer_tar, const char *diff_id)
{
        _cleanup_free_ char *layer = NULL;
        size_t llen;
        assert_int_equal(read_file(layer_tar, 1 << 20, &layer, &llen), 0);
        _cleanup_free_ char *cfg = NULL;
        assert_true(asprintf(&cfg,
                             "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},"
                             "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
                             diff_id) > 0);
        char cid[72], cname[96];
        sha256_of(cfg, strlen(cfg), cid);
        snprintf(cname, sizeof(cname), "%s.json", cid + 7);
        _cleanup_free_ char *manifest = NULL;
        assert_true(asprintf(&manifest,
                             "[{\"Config\":\"%s\",\"RepoTags\":[\"crafted:1\"],\"Layers\":[\"abc/layer.tar\"]}]",
                             cname) > 0);
        const struct member m[] = {
                { "abc/layer.tar", layer, llen },
                { cname, cfg, 0 },
                { "manifest.json", manifest, 0 },
        };
        write_tar(path, m, ARRAY_SIZE(m), false);
}

static void assert_store_empty(struct fx *f, struct image_store *s, const char *root)
{
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *list = NULL;
        assert_int_equal(image_list(s, &list, &err), 0);
        assert_int_equal(json_array_size(list), 0);
        const char *sub[] = { "layers", "tmp", "images" };
        for (size_t i = 0; i < ARRAY_SIZE(sub); i++) {
                char p[512];
                snprintf(p, sizeof(p), "%s/%s/%s", f->top, root, sub[i]);
                _cleanup_closedir_ DIR *d = opendir(p);
                assert_non_null(d);
                struct dirent *de;
                while ((de = readdir(d)))
                        if (!STREQ(de->d_name, ".") && !STREQ(de->d_name, ".."))
                                fail_msg("%s/%s left behind", p, de->d_name);
        }
}

static void test_load_rejects(void **state)
{
        struct fx *f = *state;
        struct pouch_err err = { 0 };
        _cleanup_free_ char *layer = p_of(f, "l.tar"), *arch = p_of(f, "a.tar"), *root = p_of(f, "s4");
        write_tar(layer, rootfs, ARRAY_SIZE(rootfs), false);
        struct image_store *s = NULL;
        assert_int_equal(image_store_open(root, &s, &err), 0);

        /* the diff id in the config does not match the layer */
        craft_archive(arch, layer, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
        _cleanup_close_ int fd = open(arch, O_RDONLY | O_CLOEXEC);
        assert_int_equal(image_load(s, fd, NULL, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "does not match"));
        assert_store_empty(f, s, "s4");

        /* a layer escaping its root, with a matching diff id */
        const struct member evil[] = { { "ok", "fine", 0 }, { "../evil", "x", 0 } };
        write_tar(layer, evil, 2, false);
        _cleanup_free_ char *data = NULL;
        size_t len;
        assert_int_equal(read_file(layer, 1 << 20, &data, &len), 0);
        char diff[72];
        sha256_of(data, len, diff);
        craft_archive(arch, layer, diff);
        _cleanup_close_ int fd2 = open(arch, O_RDONLY | O_CLOEXEC);
        err = (struct pouch_err){ 0 };
        assert_int_equal(image_load(s, fd2, NULL, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "escapes"));
        assert_store_empty(f, s, "s4");
        _cleanup_free_ char *outside = p_of(f, "s4/tmp/evil");
        assert_int_not_equal(access(outside, F_OK), 0);

        /* the same layer through import */
        _cleanup_close_ int fd3 = open(layer, O_RDONLY | O_CLOEXEC);
        char id[80];
        assert_int_equal(image_import(s, fd3, "evil:1", NULL, id, &err), -EINVAL);
        assert_store_empty(f, s, "s4");

        /* not an image archive */
        _cleanup_close_ int fd4 = open(layer, O_RDONLY | O_CLOEXEC);
        assert_int_equal(image_load(s, fd4, NULL, NULL, &err), -EINVAL);
        assert_store_empty(f, s, "s4");
        image_store_free(s);
}

static bool always_used(void *ud, const char *id)
{
        (void) id;
        return *(bool *) ud;
}

static void test_remove(void **state)
{
        struct fx *f = *state;
        char id[80], diff[72], got[80];
        import_rootfs(f, "example:v1", id, diff);
        struct pouch_err err = { 0 };
        assert_int_equal(image_tag(f->s, id, "other", "t", &err), 0);
        _cleanup_strv_free_ char **dirs = NULL;
        assert_int_equal(image_layer_dirs(f->s, id, &dirs, &err), 0);
        bool used = true;
        json_t *rep = NULL;
        const char *hex = id + 7;

        /* by id with two tags */
        assert_int_equal(image_remove(f->s, hex, false, always_used, &used, &rep, &err), -EBUSY);
        assert_non_null(strstr(err.msg, "referenced in multiple repositories"));
        /* untag one of two while in use: fine */
        assert_int_equal(image_remove(f->s, "other:t", false, always_used, &used, &rep, &err), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(rep, 0), "Untagged")), "other:t");
        assert_int_equal(json_array_size(rep), 1);
        json_decref(rep);
        rep = NULL;
        /* the last tag of an image a container uses */
        assert_int_equal(image_remove(f->s, "example:v1", false, always_used, &used, &rep, &err), -EBUSY);
        assert_non_null(strstr(err.msg, "conflict: unable to remove repository reference \"example:v1\""));
        assert_non_null(strstr(err.msg, "is using its referenced image"));
        /* forced: untagged, but the image stays for the container */
        assert_int_equal(image_remove(f->s, "example:v1", true, always_used, &used, &rep, &err), 0);
        assert_int_equal(json_array_size(rep), 1);
        json_decref(rep);
        rep = NULL;
        assert_int_equal(image_resolve(f->s, hex, got, &err), 0);
        assert_int_equal(access(dirs[0], F_OK), 0);
        /* by id, unused: deleted with its layer */
        used = false;
        assert_int_equal(image_remove(f->s, hex, false, always_used, &used, &rep, &err), 0);
        assert_string_equal(json_string_value(json_object_get(json_array_get(rep, 0), "Deleted")), id);
        json_decref(rep);
        assert_int_equal(image_resolve(f->s, hex, got, &err), -ENOENT);
        assert_int_not_equal(access(dirs[0], F_OK), 0);
        assert_int_equal(image_remove(f->s, hex, false, NULL, NULL, NULL, &err), -ENOENT);
}

static void test_shared_layers(void **state)
{
        struct fx *f = *state;
        char a[80], b[80], diff[72];
        import_rootfs(f, "a:1", a, diff);
        sleep(0);
        import_rootfs(f, "b:1", b, diff);
        assert_string_not_equal(a, b);
        struct pouch_err err = { 0 };
        _cleanup_strv_free_ char **da = NULL, **db = NULL;
        assert_int_equal(image_layer_dirs(f->s, a, &da, &err), 0);
        assert_int_equal(image_layer_dirs(f->s, b, &db, &err), 0);
        assert_string_equal(da[0], db[0]); /* one unpacked copy per chain id */
        json_t *rep = NULL;
        assert_int_equal(image_remove(f->s, "a:1", false, NULL, NULL, &rep, &err), 0);
        assert_int_equal(json_array_size(rep), 2); /* Untagged + Deleted image, the layer stays */
        json_decref(rep);
        assert_int_equal(access(db[0], F_OK), 0);
        assert_int_equal(image_remove(f->s, "b:1", false, NULL, NULL, &rep, &err), 0);
        assert_int_equal(json_array_size(rep), 3);
        json_decref(rep);
        assert_int_not_equal(access(db[0], F_OK), 0);
}

static void test_store_add(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *gz = p_of(f, "pulled.tar.gz"), *plain = p_of(f, "pulled.tar");
        write_tar(gz, rootfs, ARRAY_SIZE(rootfs), true);
        write_tar(plain, rootfs, ARRAY_SIZE(rootfs), false);
        _cleanup_free_ char *data = NULL;
        size_t len;
        assert_int_equal(read_file(plain, 1 << 20, &data, &len), 0);
        char diff[72];
        sha256_of(data, len, diff);
        _cleanup_free_ char *cfg = NULL;
        assert_true(asprintf(&cfg,
                             "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                             "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
                             diff) > 0);
        char want[72], id[80], got[80];
        sha256_of(cfg, strlen(cfg), want);
        char *layers[] = { gz, NULL };
        struct pouch_err err = { 0 };
        const char *dig =
                "docker.io/library/pulled@sha256:1111111111111111111111111111111111111111111111111111111111111111";
        int r = image_store_add(f->s, cfg, strlen(cfg), layers, "pulled:1", dig, id, &err);
        if (r != 0)
                fail_msg("add: %d %s", r, err.msg);
        assert_string_equal(id, want);
        assert_int_equal(image_resolve(f->s,
                                       "pulled@sha256:1111111111111111111111111111111111111111111111111111111111111111",
                                       got, &err),
                         0);
        assert_string_equal(got, id);
        _cleanup_json_ json_t *ins = NULL;
        assert_int_equal(image_inspect(f->s, "pulled:1", &ins, &err), 0);
        assert_string_equal(json_string_value(json_array_get(json_object_get(ins, "RepoDigests"), 0)),
                            "pulled@sha256:1111111111111111111111111111111111111111111111111111111111111111");
        /* a config whose diff ids do not match the blobs is refused and leaves nothing */
        cfg[strlen(cfg) - 5] = cfg[strlen(cfg) - 5] == 'a' ? 'b' : 'a';
        assert_int_equal(image_store_add(f->s, cfg, strlen(cfg), layers, "bad:1", NULL, id, &err), -EINVAL);
        assert_int_equal(image_resolve(f->s, "bad:1", got, &err), -ENOENT);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_import_list_inspect, setup, teardown),
                cmocka_unit_test_setup_teardown(test_resolve_and_tag, setup, teardown),
                cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
                cmocka_unit_test_setup_teardown(test_load_rejects, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
                cmocka_unit_test_setup_teardown(test_shared_layers, setup, teardown),
                cmocka_unit_test_setup_teardown(test_store_add, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
