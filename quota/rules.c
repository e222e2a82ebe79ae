/* The --disk-quota rule parser: specs -> {"rules":[{"paths":[...],"size":N,"regex":B}]}. */
#include "quota/quota.h"

#include "quota/regex-check.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA_FORMS                                                                                   \
        "accepted forms: SIZE (rootfs and every volume), /=SIZE (rootfs), /PATH=SIZE (the volume or " \
        "bind at PATH), /&/PATH=SIZE (one shared quota), REGEX=SIZE (every matching mount point, "    \
        "e.g. .*=10g); SIZE is a positive integer with an optional unit b, k, m, g or t (e.g. 10g)"

#define REGEX_CHARS "*?+[](){}|^$\\"

/* What one request may ask: rules, and plain paths in one shared rule (both are compared
 * pairwise). A rule's regex is bounded by quota/regex-check.h. */
#define QUOTA_RULES_MAX 32
#define QUOTA_SHARED_PATHS_MAX 16
/* How much of a refused rule an error message quotes. */
#define SPEC_SHOWN 80

int quota_size_parse(const char *s, int64_t *ret)
{
        if (!s)
                return -EINVAL;
        const char *p = s;
        if (*p == '-')
                return -EINVAL;
        if (!isdigit((unsigned char) *p))
                return -EINVAL;
        int64_t v = 0;
        for (; isdigit((unsigned char) *p); p++) {
                int d = *p - '0';
                if (v > (INT64_MAX - d) / 10)
                        return -ERANGE;
                v = v * 10 + d;
        }
        int shift = 0;
        switch (tolower((unsigned char) *p)) {
        case '\0':
        case 'b':
                break;
        case 'k':
                shift = 10;
                break;
        case 'm':
                shift = 20;
                break;
        case 'g':
                shift = 30;
                break;
        case 't':
                shift = 40;
                break;
        default:
                return -EINVAL;
        }
        if (*p && p[1])
                return -EINVAL;
        if (v == 0)
                return -EINVAL;
        if (v > (INT64_MAX >> shift))
                return -ERANGE;
        *ret = v << shift;
        return 0;
}

static bool looks_like_regex(const char *s)
{
        return s[0] != '/' || strpbrk(s, REGEX_CHARS) != NULL;
}

/* "//data/" -> "/data"; NULL (with *why) for "." / ".." components. */
static char *path_normalize(const char *s, const char **why)
{
        _cleanup_free_ char *out = malloc(strlen(s) + 2);
        if (!out) {
                *why = "out of memory";
                return NULL;
        }
        size_t n = 0;
        const char *p = s;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                size_t len = strcspn(p, "/");
                if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.')) {
                        *why = "'.' and '..' are not allowed in a path";
                        return NULL;
                }
                out[n++] = '/';
                memcpy(out + n, p, len);
                n += len;
                p += len;
        }
        if (n == 0)
                out[n++] = '/';
        out[n] = '\0';
        return TAKE_PTR(out);
}

/* Only patterns within quota_regex_check()'s bounds reach regcomp (why: see regex-check.h). */
static int regex_compile(const char *re, regex_t *ret)
{
        if (quota_regex_check(re, NULL, 0) < 0)
                return -EINVAL;
        size_t len = strlen(re) + 5;
        _cleanup_free_ char *anchored = malloc(len);
        if (!anchored)
                return -ENOMEM;
        snprintf(anchored, len, "^(%s)$", re);
        return regcomp(ret, anchored, REG_EXTENDED | REG_NOSUB) == 0 ? 0 : -EINVAL;
}

/* How much of spec an error message quotes: at most SPEC_SHOWN bytes, cut between UTF-8 characters. */
static int spec_shown(const char *spec)
{
        size_t n = strnlen(spec, SPEC_SHOWN + 1);
        if (n <= SPEC_SHOWN)
                return (int) n;
        n = SPEC_SHOWN;
        while (n > 0 && ((unsigned char) spec[n] & 0xC0) == 0x80)
                n--;
        return (int) n;
}

static int bad(struct pouch_err *err, const char *spec, const char *why)
{
        int n = spec_shown(spec);
        return err_set(err, -EINVAL, "invalid disk quota \"%.*s%s\": %s; " QUOTA_FORMS, n, spec, spec[n] ? "..." : "",
                       why);
}

static int bad_regex(struct pouch_err *err, const char *spec, const char *why)
{
        int n = spec_shown(spec);
        return err_set(err, -EINVAL,
                       "invalid disk quota \"%.*s%s\": %s (a quota regular expression has at most %d bytes, at most "
                       "%d repetition operators *, +, ?, {m,n} with counts up to %d, no nested repetition and no "
                       "back-references); " QUOTA_FORMS,
                       n, spec, spec[n] ? "..." : "", why, QUOTA_REGEX_MAX_LEN, QUOTA_REGEX_MAX_REPEATS,
                       QUOTA_REGEX_MAX_INTERVAL);
}

/* Split the left-hand side into the rule's "paths" array; sets *ret_regex. */
static int parse_paths(const char *spec, const char *lhs, json_t **ret, bool *ret_regex, struct pouch_err *err)
{
        _cleanup_json_ json_t *paths = json_array();
        if (!paths)
                return -ENOMEM;
        if (!strchr(lhs, '&') && looks_like_regex(lhs)) {
                char why[256];
                if (quota_regex_check(lhs, why, sizeof(why)) < 0)
                        return bad_regex(err, spec, why);
                regex_t re;
                if (regex_compile(lhs, &re) < 0)
                        return bad(err, spec, "not an absolute path nor a valid regular expression");
                regfree(&re);
                /* json_string refuses invalid UTF-8: the rule would be left without its path */
                if (json_array_append_new(paths, json_string(lhs)) < 0)
                        return bad(err, spec, "the path is not valid UTF-8");
                *ret_regex = true;
                *ret = TAKE_PTR(paths);
                return 0;
        }
        _cleanup_free_ char *copy = strdup(lhs);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        size_t count = 0;
        for (char *tok = strtok_r(copy, "&", &save); tok; tok = strtok_r(NULL, "&", &save))
                count++;
        if (count == 0 || lhs[0] == '&' || lhs[strlen(lhs) - 1] == '&' || strstr(lhs, "&&"))
                return bad(err, spec, "empty path in a shared quota");
        if (count > QUOTA_SHARED_PATHS_MAX) {
                char why[64];
                snprintf(why, sizeof(why), "a shared quota has at most %d paths", QUOTA_SHARED_PATHS_MAX);
                return bad(err, spec, why);
        }
        strcpy(copy, lhs);
        for (char *tok = strtok_r(copy, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
                if (looks_like_regex(tok))
                        return bad(err, spec, "a shared quota (PATH&PATH=SIZE) takes absolute paths only");
                const char *why = NULL;
                _cleanup_free_ char *norm = path_normalize(tok, &why);
                if (!norm)
                        return bad(err, spec, why);
                bool dup = false;
                size_t i;
                json_t *v;
                json_array_foreach(paths, i, v)
                        dup = dup || STREQ(json_string_value(v), norm);
                if (!dup && json_array_append_new(paths, json_string(norm)) < 0)
                        return bad(err, spec, "the path is not valid UTF-8");
        }
        *ret_regex = false;
        *ret = TAKE_PTR(paths);
        return 0;
}

/* Later wins: remove every path of `rule` from the earlier rules (same kind), drop empty ones. */
static void supersede(json_t *rules, const json_t *rule)
{
        bool regex = json_is_true(json_object_get(rule, "regex"));
        const json_t *paths = json_object_get(rule, "paths");
        for (size_t r = json_array_size(rules); r-- > 0;) {
                json_t *old = json_array_get(rules, r);
                if (json_is_true(json_object_get(old, "regex")) != regex)
                        continue;
                json_t *old_paths = json_object_get(old, "paths");
                for (size_t i = json_array_size(old_paths); i-- > 0;) {
                        const char *p = json_string_value(json_array_get(old_paths, i));
                        size_t j;
                        json_t *v;
                        json_array_foreach(paths, j, v)
                                if (STREQ(json_string_value(v), p)) {
                                        json_array_remove(old_paths, i);
                                        break;
                                }
                }
                if (json_array_size(old_paths) == 0)
                        json_array_remove(rules, r);
        }
}

static int parse_one(const char *spec, json_t **ret, struct pouch_err *err)
{
        if (!spec || !*spec)
                return bad(err, spec ? spec : "", "empty rule");
        const char *eq = strrchr(spec, '=');
        const char *size_str = eq ? eq + 1 : spec;
        int64_t size;
        int r = quota_size_parse(size_str, &size);
        if (r == -ERANGE)
                return bad(err, spec, "the size is too large");
        if (r < 0) {
                bool neg = size_str[0] == '-', zero = size_str[0] && strspn(size_str, "0") == strlen(size_str);
                if (!*size_str)
                        return bad(err, spec, "missing size");
                return bad(err, spec, neg || zero ? "the size must be greater than 0" : "not a size");
        }
        _cleanup_json_ json_t *paths = NULL;
        bool regex = true;
        if (!eq) {
                paths = json_pack("[s]", ".*");
                if (!paths)
                        return -ENOMEM;
        } else {
                if (eq == spec)
                        return bad(err, spec, "missing path before '='");
                _cleanup_free_ char *lhs = strndup(spec, (size_t) (eq - spec));
                if (!lhs)
                        return -ENOMEM;
                r = parse_paths(spec, lhs, &paths, &regex, err);
                if (r < 0)
                        return r;
        }
        json_t *rule = json_pack("{s:O,s:I,s:b}", "paths", paths, "size", (json_int_t) size, "regex", regex);
        if (!rule)
                return -ENOMEM;
        *ret = rule;
        return 0;
}

int quota_rules_parse(char *const *specs, json_t **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *rules = json_array();
        if (!rules)
                return -ENOMEM;
        for (size_t i = 0; specs && specs[i]; i++) {
                if (i >= QUOTA_RULES_MAX)
                        return err_set(err, -EINVAL, "invalid disk quota: at most %d rules are allowed",
                                       QUOTA_RULES_MAX);
                json_t *rule = NULL;
                int r = parse_one(specs[i], &rule, err);
                if (r < 0)
                        return r == -ENOMEM ? err_set(err, r, "out of memory") : r;
                supersede(rules, rule);
                json_array_append_new(rules, rule);
        }
        json_t *doc = json_pack("{s:O}", "rules", rules);
        if (!doc)
                return err_set(err, -ENOMEM, "out of memory");
        *ret = doc;
        return 0;
}

int quota_rules_from_map(const json_t *map, json_t **ret, struct pouch_err *err)
{
        if (map && !json_is_object(map))
                return err_set(err, -EINVAL, "invalid disk quota: expected an object of PATH: SIZE; " QUOTA_FORMS);
        size_t n = map ? json_object_size(map) : 0;
        if (n > QUOTA_RULES_MAX)
                return err_set(err, -EINVAL, "invalid disk quota: at most %d rules are allowed", QUOTA_RULES_MAX);
        _cleanup_free_ char **specs = calloc(n + 1, sizeof(char *));
        if (!specs)
                return err_set(err, -ENOMEM, "out of memory");
        size_t i = 0;
        int r = 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) map, k, v) {
                const char *size = json_string_value(v);
                if (!size) {
                        r = err_set(err, -EINVAL,
                                    "invalid disk quota for \"%s\": the size must be a string; " QUOTA_FORMS, k);
                        break;
                }
                if (asprintf(&specs[i], *k ? "%s=%s" : "%s%s", k, size) < 0) {
                        specs[i] = NULL;
                        r = err_set(err, -ENOMEM, "out of memory");
                        break;
                }
                i++;
        }
        if (r == 0)
                r = quota_rules_parse(specs, ret, err);
        for (size_t j = 0; j < i; j++)
                free(specs[j]);
        return r;
}

int64_t quota_rules_size_for(const json_t *rules, const char *path, int *ret_rule_index)
{
        const json_t *arr = json_object_get(rules, "rules");
        const char *why = NULL;
        _cleanup_free_ char *norm = path ? path_normalize(path, &why) : NULL;
        int found = -1;
        if (norm) {
                for (size_t i = json_array_size(arr); found < 0 && i-- > 0;) {
                        json_t *rule = json_array_get(arr, i);
                        if (json_is_true(json_object_get(rule, "regex")))
                                continue;
                        size_t j;
                        json_t *v;
                        json_array_foreach(json_object_get(rule, "paths"), j, v)
                                if (STREQ(json_string_value(v), norm))
                                        found = (int) i;
                }
                for (size_t i = json_array_size(arr); found < 0 && i-- > 0;) {
                        json_t *rule = json_array_get(arr, i);
                        if (!json_is_true(json_object_get(rule, "regex")))
                                continue;
                        regex_t re;
                        if (regex_compile(json_string_value(json_array_get(json_object_get(rule, "paths"), 0)), &re) <
                            0)
                                continue;
                        if (regexec(&re, norm, 0, NULL, 0) == 0)
                                found = (int) i;
                        regfree(&re);
                }
        }
        if (ret_rule_index)
                *ret_rule_index = found;
        return found < 0 ? 0 : json_get_int(json_array_get(arr, (size_t) found), "size", 0);
}

bool quota_rules_is_shared(const json_t *rules, int index)
{
        if (index < 0)
                return false;
        const json_t *rule = json_array_get(json_object_get(rules, "rules"), (size_t) index);
        return rule && !json_is_true(json_object_get(rule, "regex")) &&
               json_array_size(json_object_get(rule, "paths")) > 1;
}
