/* Unit tests for daemon/container-quota.c: HostConfig.DiskQuota/QuotaID checks per backend, the
 * volume size option, and what a container without a quota reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/container-quota.h"
#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
        char dir[64];
        struct pouchd d;
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/pouch-test-quota.XXXXXX");
        if (!f || !mkdtemp(f->dir))
                return -1;
        f->d.home = f->dir;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        quota_manager_free(f->d.quota);
        rm_rf(f->dir);
        free(f);
        return 0;
}

/* container_quota_check of a HostConfig given as JSON text; the message goes to msg. */
static int check(struct pouchd *d, const char *hc_json, char *msg, size_t len)
{
        json_error_t jerr;
        _cleanup_json_ json_t *hc = json_loads(hc_json, 0, &jerr);
        assert_non_null(hc);
        struct pouch_err err = { 0 };
        int r = container_quota_check(d, hc, &err);
        snprintf(msg, len, "%s", err.msg);
        return r;
}

static void test_check_without_backend(void **state)
{
        struct fixture *f = *state;
        char msg[1024];
        /* no quota asked: fine whatever the backend */
        assert_int_equal(check(&f->d, "{}", msg, sizeof(msg)), 0);
        assert_int_equal(check(&f->d, "{\"DiskQuota\":{}}", msg, sizeof(msg)), 0);
        assert_int_equal(check(&f->d, "{\"DiskQuota\":\"\",\"QuotaID\":\"0\"}", msg, sizeof(msg)), 0);
        /* bad rules list the accepted forms, whatever the backend */
        assert_int_equal(check(&f->d, "{\"DiskQuota\":{\"/\":\"abc\"}}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "accepted forms"));
        assert_int_equal(check(&f->d, "{\"DiskQuota\":\"10x\"}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "/&/PATH=SIZE"));
        assert_int_equal(check(&f->d, "{\"DiskQuota\":42}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "accepted forms"));
        assert_int_equal(check(&f->d, "{\"DiskQuota\":[\"/=1g\", 5]}", msg, sizeof(msg)), -EINVAL);
        /* QuotaID: -1, 0 or a project id */
        assert_int_equal(check(&f->d, "{\"QuotaID\":\"abc\"}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "invalid QuotaID"));
        assert_int_equal(check(&f->d, "{\"QuotaID\":\"-2\"}", msg, sizeof(msg)), -EINVAL);
        assert_int_equal(check(&f->d, "{\"QuotaID\":\"4294967295\"}", msg, sizeof(msg)), -EINVAL);
        assert_int_equal(check(&f->d, "{\"QuotaID\":\"-1\"}", msg, sizeof(msg)), 0);
        assert_int_equal(check(&f->d, "{\"QuotaID\":7}", msg, sizeof(msg)), 0);
        /* a valid rule without a backend: refused with the reason */
        assert_int_equal(check(&f->d, "{\"DiskQuota\":{\"/\":\"10g\"}}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "not available"));
        assert_string_equal(pouchd_quota_backend_name(&f->d), "none");
}

static void test_check_none_backend(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        _cleanup_free_ char *sd = NULL;
        assert_true(asprintf(&sd, "%s/quota", f->dir) > 0);
        assert_int_equal(quota_manager_open(sd, f->dir, "none", &f->d.quota, &err), 0);
        assert_string_equal(pouchd_quota_backend_name(&f->d), "none");
        char msg[1024];
        assert_int_equal(check(&f->d, "{\"DiskQuota\":[\"/=1g\",\"/data=2g\"]}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "quota backend none"));
        /* sized volumes too */
        _cleanup_json_ json_t *opts = json_pack("{s:s}", "size", "20m");
        err_clear(&err);
        assert_int_equal(volume_quota_check(&f->d, opts, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "not available"));
}

static void test_check_loop_backend(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        _cleanup_free_ char *sd = NULL;
        assert_true(asprintf(&sd, "%s/quota", f->dir) > 0);
        if (quota_manager_open(sd, f->dir, "loop", &f->d.quota, &err) < 0)
                skip(); /* no mkfs.ext4 or no access to /dev/loop-control here */
        char msg[1024];
        assert_int_equal(check(&f->d, "{\"DiskQuota\":{\"/\":\"20m\",\".*\":\"5m\"},\"QuotaID\":\"-1\"}", msg,
                               sizeof(msg)),
                         0);
        assert_int_equal(check(&f->d, "{\"DiskQuota\":\"/=512k\"}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "at least 1m"));
        assert_int_equal(check(&f->d, "{\"DiskQuota\":\"/&/data=1g\"}", msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "prjquota"));
        /* volume sizes */
        _cleanup_json_ json_t *ok = json_pack("{s:s}", "size", "20m");
        _cleanup_json_ json_t *ok2 = json_pack("{s:s}", "opt.size", "1g");
        _cleanup_json_ json_t *bad = json_pack("{s:s}", "size", "lots");
        _cleanup_json_ json_t *none = json_pack("{s:s}", "type", "tmpfs");
        assert_int_equal(volume_quota_check(&f->d, ok, &err), 0);
        assert_int_equal(volume_quota_check(&f->d, ok2, &err), 0);
        assert_int_equal(volume_quota_check(&f->d, none, &err), 0);
        assert_int_equal(volume_quota_check(&f->d, NULL, &err), 0);
        assert_int_equal(volume_quota_check(&f->d, bad, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "invalid volume size"));
}

static void test_no_quota_reports(void **state)
{
        struct fixture *f = *state;
        /* a container without a quota: nothing to attach, inspect adds nothing, SizeRw from diff */
        const char *id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        _cleanup_free_ char *diff = NULL;
        assert_true(asprintf(&diff, "%s/containers/%s/diff", f->dir, id) > 0);
        assert_int_equal(mkdir_p(diff, 0755), 0);
        _cleanup_free_ char *file = NULL;
        assert_true(asprintf(&file, "%s/f", diff) > 0);
        char buf[8192];
        memset(buf, 'x', sizeof(buf));
        assert_int_equal(write_file_atomic(file, buf, sizeof(buf), 0644), 0);
        struct pouch_err err = { 0 };
        assert_int_equal(container_quota_attach(&f->d, id, &err), 0);
        assert_true(container_quota_size_rw(&f->d, id) >= 8192);
        _cleanup_json_ json_t *doc = json_object();
        container_quota_inspect(&f->d, id, doc);
        assert_null(json_object_get(doc, "QuotaUsage"));
        container_quota_release(&f->d, id); /* no-op, no crash */
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_check_without_backend, setup, teardown),
                cmocka_unit_test_setup_teardown(test_check_none_backend, setup, teardown),
                cmocka_unit_test_setup_teardown(test_check_loop_backend, setup, teardown),
                cmocka_unit_test_setup_teardown(test_no_quota_reports, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
