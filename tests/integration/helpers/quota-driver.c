/* quota-driver: drive the quota library from shell tests, one operation per process (so a
 * second invocation is a "daemon restart").
 * Usage: quota-driver STATE_DIR ROOT BACKEND COMMAND [ARGS]
 *   BACKEND: auto | none | prjquota | loop
 *   backend                         print the chosen backend (and why others were skipped)
 *   set KEY DIR SIZE [ID]           print the project id (prjquota) or 0
 *   attach KEY DIR | release KEY DIR
 *   resize KEY DIR SIZE
 *   usage KEY DIR                   print "used BYTES limit BYTES"
 *   rules SPEC...                   print the parsed rules as JSON
 * Exit status 0 on success; 1 with "error: MESSAGE (errno name)" on stderr otherwise. */
#include "quota/quota.h"

#include "lib/cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(int r, const struct pouch_err *err)
{
        fprintf(stderr, "error: %s (%s)\n", err && err->msg[0] ? err->msg : strerror(-r), strerrorname_np(-r));
        return 1;
}

static int size_arg(const char *s, int64_t *ret)
{
        int r = quota_size_parse(s, ret);
        if (r < 0)
                fprintf(stderr, "error: bad size %s\n", s);
        return r;
}

static int run(struct quota_manager *m, const char *cmd, int argc, char **argv)
{
        struct pouch_err err = { 0 };
        int64_t bytes = 0, id = 0, used = 0, limit = 0;
        int r;
        if (STREQ(cmd, "backend")) {
                printf("%s\n", quota_backend_to_string(quota_manager_backend(m)));
                if (*quota_manager_detect_note(m))
                        printf("note: %s\n", quota_manager_detect_note(m));
                return 0;
        }
        if (argc < 2)
                return fprintf(stderr, "error: %s needs KEY DIR\n", cmd), 2;
        if (STREQ(cmd, "set") && argc >= 3) {
                if (size_arg(argv[2], &bytes) < 0)
                        return 2;
                id = argc >= 4 ? strtoll(argv[3], NULL, 10) : 0;
                r = quota_dir_set(m, argv[0], argv[1], bytes, &id, &err);
                if (r < 0)
                        return fail(r, &err);
                printf("%lld\n", (long long) id);
        } else if (STREQ(cmd, "attach")) {
                r = quota_dir_attach(m, argv[0], argv[1], &err);
                if (r < 0)
                        return fail(r, &err);
        } else if (STREQ(cmd, "release")) {
                r = quota_dir_release(m, argv[0], argv[1]);
                if (r < 0)
                        return fail(r, NULL);
        } else if (STREQ(cmd, "resize") && argc >= 3) {
                if (size_arg(argv[2], &bytes) < 0)
                        return 2;
                r = quota_dir_resize(m, argv[0], argv[1], bytes, &err);
                if (r < 0)
                        return fail(r, &err);
        } else if (STREQ(cmd, "usage")) {
                r = quota_dir_usage(m, argv[0], argv[1], &used, &limit);
                if (r < 0)
                        return fail(r, NULL);
                printf("used %lld limit %lld\n", (long long) used, (long long) limit);
        } else
                return fprintf(stderr, "error: unknown command or missing arguments: %s\n", cmd), 2;
        return 0;
}

int main(int argc, char **argv)
{
        if (argc >= 3 && STREQ(argv[1], "rules")) {
                json_t *rules = NULL;
                struct pouch_err err = { 0 };
                int r = quota_rules_parse(argv + 2, &rules, &err);
                if (r < 0)
                        return fail(r, &err);
                char *s = json_dumps(rules, JSON_COMPACT);
                printf("%s\n", s);
                free(s);
                json_decref(rules);
                return 0;
        }
        if (argc < 5) {
                fprintf(stderr, "usage: %s STATE_DIR ROOT auto|none|prjquota|loop COMMAND [ARGS]\n", argv[0]);
                return 2;
        }
        struct pouch_err err = { 0 };
        struct quota_manager *m = NULL;
        int r = quota_manager_open(argv[1], argv[2], STREQ(argv[3], "auto") ? NULL : argv[3], &m, &err);
        if (r < 0)
                return fail(r, &err);
        int rc = run(m, argv[4], argc - 5, argv + 5);
        quota_manager_free(m);
        return rc;
}
