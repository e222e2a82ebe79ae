/* Disk quota rules from hostile clients: regular expressions that would make regcomp take
 * unbounded memory or time are refused with a message naming the limit, the patterns allowed
 * stay cheap to compile and match, and one request's rule count is capped.
 *
 * Each parse runs in a forked child with its address space lowered to what it already uses plus
 * CHILD_HEADROOM and an alarm() deadline, so a regression shows up as a child that was killed
 * (SIGALRM) or whose allocations failed, instead of taking the test machine's memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quota/quota.h"
#include "quota/regex-check.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_HEADROOM (256ULL << 20)
#define CHILD_DEADLINE_S 20
#define LONG_PATH_LEN 4000

/* "s" repeated n times. */
static char *repeat(const char *s, size_t n)
{
        size_t len = strlen(s);
        char *out = malloc(len * n + 1);
        assert_non_null(out);
        for (size_t i = 0; i < n; i++)
                memcpy(out + i * len, s, len);
        out[len * n] = '\0';
        return out;
}

static unsigned long long vm_size(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned long long kb = 0;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
                        break;
        return kb << 10;
}

struct outcome {
        int r;
        int64_t size;   /* what the rules give a LONG_PATH_LEN path, -1 when refused */
        char msg[1024]; /* the error message */
};

/* In a child with lowered RLIMIT_AS and a deadline: parse {"key": "10m"} as HostConfig.DiskQuota
 * would (and the same rule as a --disk-quota string), then look up a long mount point. */
static void child_parse(const char *key, int fd)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_AS, &rl) < 0)
                _exit(10);
        rlim_t want = vm_size() + CHILD_HEADROOM;
        if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > want)
                rl.rlim_cur = want; /* lowering only */
        if (setrlimit(RLIMIT_AS, &rl) < 0)
                _exit(11);
        alarm(CHILD_DEADLINE_S);
        struct outcome o = { .size = -1 };
        struct pouch_err err = { 0 };
        json_t *map = json_pack("{s:s}", key, "10m"), *rules = NULL;
        o.r = map ? quota_rules_from_map(map, &rules, &err) : -ENOMEM;
        if (o.r == 0) {
                char path[LONG_PATH_LEN + 1];
                memset(path, 'a', sizeof(path));
                path[0] = '/';
                path[LONG_PATH_LEN] = '\0';
                o.size = quota_rules_size_for(rules, path, NULL);
                json_decref(rules);
                rules = NULL;
        }
        /* the --disk-quota string form must agree */
        char *spec = NULL;
        if (asprintf(&spec, "%s=10m", key) < 0)
                _exit(12);
        int r2 = quota_rules_parse((char *[]){ spec, NULL }, &rules, o.r == 0 ? &err : NULL);
        if (r2 != o.r)
                _exit(13);
        snprintf(o.msg, sizeof(o.msg), "%s", o.r < 0 ? err.msg : "");
        if (write(fd, &o, sizeof(o)) != (ssize_t) sizeof(o))
                _exit(14);
        _exit(0);
}

/* Run child_parse(key); fails the test unless the child ended normally within its limits. */
static void parse_bounded(const char *key, struct outcome *ret)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                child_parse(key, p[1]);
        }
        close(p[1]);
        ssize_t n = read(p[0], ret, sizeof(*ret));
        close(p[0]);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "key \"%.60s\" (%zu bytes): child %s %d\n", key, strlen(key),
                        WIFSIGNALED(status) ? "killed by signal" : "exited with",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        assert_int_equal(n, (ssize_t) sizeof(*ret));
}

static void expect_refused(const char *key, const char *why)
{
        struct outcome o;
        parse_bounded(key, &o);
        if (o.r != -EINVAL || !strstr(o.msg, why))
                fprintf(stderr, "key \"%.60s\": r=%d msg=%s\n", key, o.r, o.msg);
        assert_int_equal(o.r, -EINVAL);
        assert_non_null(strstr(o.msg, why));
        assert_non_null(strstr(o.msg, "invalid disk quota"));
}

static void test_hostile_patterns_refused(void **state)
{
        (void) state;
        /* a 66-byte key of nested groups and quantifiers: 2^21 copies of "a" for regcomp */
        _cleanup_free_ char *open21 = repeat("(", 21), *close21 = repeat(")+", 21);
        _cleanup_free_ char *nested66 = NULL;
        assert_true(asprintf(&nested66, "/d%sa%s", open21, close21) == 66);
        expect_refused(nested66, "groups may be nested at most 8 deep");
        _cleanup_free_ char *open8 = repeat("(", 8), *close8 = repeat(")+", 8);
        _cleanup_free_ char *nested8 = NULL;
        assert_true(asprintf(&nested8, "%sa+%s", open8, close8) > 0);
        expect_refused(nested8, "nested repetition");
        _cleanup_free_ char *seq = repeat("((a+)+)+", 8);
        expect_refused(seq, "nested repetition");
        /* 30 '+' signs */
        _cleanup_free_ char *plus = repeat("+", 30);
        _cleanup_free_ char *a_plus = NULL;
        assert_true(asprintf(&a_plus, "a%s", plus) > 0);
        expect_refused(a_plus, "nested repetition");
        _cleanup_free_ char *groups = repeat("(a+)+", 12);
        expect_refused(groups, "nested repetition");
        /* huge and nested intervals */
        expect_refused("a{1000}", "at most 32");
        expect_refused("a{32767}", "at most 32");
        expect_refused("a{99999999999999999999}", "at most 32");
        expect_refused("(a{30}){30}", "nested repetition");
        expect_refused("(.{32}){32}", "nested repetition");
        /* optional copies side by side: each within the interval bound, together quadratic */
        _cleanup_free_ char *alts = repeat(".|", 20);
        _cleanup_free_ char *opt = NULL;
        assert_true(asprintf(&opt, "(%s.){0,32}(%s.){0,32}(%s.){0,32}", alts, alts, alts) > 0);
        expect_refused(opt, "repetitions written out");
        /* long patterns */
        _cleanup_free_ char *long_re = repeat("a*", 200);
        expect_refused(long_re, "at most 256 bytes");
        _cleanup_free_ char *huge = repeat(".", 1 << 16);
        expect_refused(huge, "at most 256 bytes");
        _cleanup_free_ char *many = repeat("a*", 17);
        expect_refused(many, "at most 16 repetition operators");
        _cleanup_free_ char *deep = NULL;
        _cleanup_free_ char *open = repeat("(", 40), *close = repeat(")", 40);
        assert_true(asprintf(&deep, "%sa%s", open, close) > 0);
        expect_refused(deep, "nested at most 8");
        /* back-references make matching backtrack */
        expect_refused("(a*)\\1\\1\\1", "back-references");
}

static void expect_allowed(const char *key, int64_t long_path_size)
{
        struct outcome o;
        parse_bounded(key, &o);
        if (o.r != 0)
                fprintf(stderr, "key \"%.60s\": r=%d msg=%s\n", key, o.r, o.msg);
        assert_int_equal(o.r, 0);
        assert_int_equal(o.size, long_path_size);
}

/* The costliest patterns within the bounds compile and match a long path within the child's
 * limits; everyday rules keep working. */
static void test_allowed_patterns_bounded(void **state)
{
        (void) state;
        const int64_t ten_m = 10 << 20;
        expect_allowed(".*", ten_m);
        expect_allowed("/data.*", 0);
        expect_allowed("/(data|logs)[0-9]{1,3}", 0);
        expect_allowed("/a+", ten_m);
        expect_allowed("/[[:alpha:]]{1,32}.*", ten_m);
        _cleanup_free_ char *stars = repeat(".*", 16);
        expect_allowed(stars, ten_m);
        _cleanup_free_ char *opt = repeat(".{0,32}", 12);
        expect_allowed(opt, 0);
        _cleanup_free_ char *some = repeat(".{1,32}", 12);
        expect_allowed(some, 0);
        _cleanup_free_ char *alts = repeat("(.|.){0,32}", 3);
        expect_allowed(alts, 0);
        _cleanup_free_ char *wide = repeat("(.|.|.|.|.|.|.|.)", 15);
        expect_allowed(wide, 0);
}

/* quota_regex_check names each limit, and leaves the rest of ERE to regcomp. */
static void test_regex_check(void **state)
{
        (void) state;
        static const struct {
                const char *re, *why; /* why NULL: accepted */
        } cases[] = {
                { ".*", NULL },
                { "/data[0-9]+", NULL },
                { "/(a|b)?/c{2}", NULL },
                { "[]a]*", NULL },
                { "[^]a]+", NULL },
                { "[[:digit:]]{1,32}", NULL },
                { "[a-z]{3,}", NULL },
                { "\\.\\*+", NULL },
                { "()|(a)*", NULL },
                { "[*+?{]", NULL },
                { "*a", "nothing to repeat" },
                { "a|+b", "nothing to repeat" },
                { "(?a)", "nothing to repeat" },
                { "^*", "nothing to repeat" },
                { "a**", "nested repetition" },
                { "a+?", "nested repetition" },
                { "(a*b)*", "nested repetition" },
                { "(a|(b+))c{2}", NULL },
                { "(a|(b+)){2}", "nested repetition" },
                { "a{33}", "at most 32" },
                { "a{1,33}", "at most 32" },
                { "a{3,2}", "below the minimum" },
                { "a{,2}", "invalid interval" },
                { "a{x}", "invalid interval" },
                { "a{2", "invalid interval" },
                { "{2}", "nothing to repeat" },
                { "a\\2", "back-references" },
                { "a\\", "trailing backslash" },
                { "(a", "unbalanced" },
                { "a)", "unbalanced" },
                { "[a", "unterminated bracket" },
                { "[[:alpha:]", "unterminated bracket" },
                { "[[:alpha]", "unterminated [:" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char why[256] = "";
                int r = quota_regex_check(cases[i].re, why, sizeof(why));
                if ((r == 0) != !cases[i].why || (cases[i].why && !strstr(why, cases[i].why)))
                        fprintf(stderr, "regex \"%s\": r=%d why=%s\n", cases[i].re, r, why);
                if (!cases[i].why) {
                        assert_int_equal(r, 0);
                        continue;
                }
                assert_int_equal(r, -EINVAL);
                assert_non_null(strstr(why, cases[i].why));
        }
        /* exactly at the limits */
        _cleanup_free_ char *len = repeat("a", QUOTA_REGEX_MAX_LEN), *len1 = repeat("a", QUOTA_REGEX_MAX_LEN + 1);
        assert_int_equal(quota_regex_check(len, NULL, 0), 0);
        assert_int_equal(quota_regex_check(len1, NULL, 0), -EINVAL);
        _cleanup_free_ char *reps = repeat("a?", QUOTA_REGEX_MAX_REPEATS);
        assert_int_equal(quota_regex_check(reps, NULL, 0), 0);
        _cleanup_free_ char *depth = NULL;
        _cleanup_free_ char *o8 = repeat("(", QUOTA_REGEX_MAX_DEPTH), *c8 = repeat(")", QUOTA_REGEX_MAX_DEPTH);
        assert_true(asprintf(&depth, "%sa%s", o8, c8) > 0);
        assert_int_equal(quota_regex_check(depth, NULL, 0), 0);
}

/* One request may not ask for more than 32 rules, nor share one quota among more than 16 paths. */
static void test_request_caps(void **state)
{
        (void) state;
        char *specs[34] = { NULL };
        char buf[33][16];
        for (size_t i = 0; i < 33; i++) {
                snprintf(buf[i], sizeof(buf[i]), "/v%zu=1g", i);
                specs[i] = buf[i];
        }
        json_t *rules = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_rules_parse(specs, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "at most 32 rules"));
        assert_null(rules);
        specs[32] = NULL;
        assert_int_equal(quota_rules_parse(specs, &rules, &err), 0);
        json_decref(rules);
        rules = NULL;

        _cleanup_json_ json_t *map = json_object();
        for (size_t i = 0; i < 33; i++)
                json_object_set_new(map, buf[i], json_string("1g"));
        assert_int_equal(quota_rules_from_map(map, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "at most 32 rules"));

        _cleanup_free_ char *shared = repeat("/a&", 17);
        _cleanup_free_ char *spec = NULL;
        assert_true(asprintf(&spec, "%s/b=1g", shared) > 0);
        assert_int_equal(quota_rules_parse((char *[]){ spec, NULL }, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "at most 16 paths"));
        _cleanup_free_ char *ok = repeat("/a&", 15);
        _cleanup_free_ char *spec_ok = NULL;
        assert_true(asprintf(&spec_ok, "%s/b=1g", ok) > 0);
        assert_int_equal(quota_rules_parse((char *[]){ spec_ok, NULL }, &rules, &err), 0);
        json_decref(rules);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hostile_patterns_refused),
                cmocka_unit_test(test_allowed_patterns_bounded),
                cmocka_unit_test(test_regex_check),
                cmocka_unit_test(test_request_caps),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
