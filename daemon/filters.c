/* filters: the Docker API's "filters" parameter, in the map or the list form, as one typed record. */
#include "filters.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct filter_entry {
        char *key;
        char **values; /* strv, no duplicates */
};

struct filters {
        size_t n;
        struct filter_entry *e;
        char **keys; /* strv of the keys, for filters_keys */
};

struct filters *filters_free(struct filters *f)
{
        if (!f)
                return NULL;
        for (size_t i = 0; i < f->n; i++) {
                free(f->e[i].key);
                strv_free(f->e[i].values);
        }
        free(f->e);
        strv_free(f->keys);
        free(f);
        return NULL;
}

static const struct filter_entry *find(const struct filters *f, const char *key)
{
        for (size_t i = 0; f && i < f->n; i++)
                if (strcmp(f->e[i].key, key) == 0)
                        return &f->e[i];
        return NULL;
}

static bool key_allowed(const char *const *allowed, const char *key)
{
        if (!allowed)
                return true;
        for (; *allowed; allowed++)
                if (strcmp(*allowed, key) == 0)
                        return true;
        return false;
}

static int add_value(char ***values, const char *v)
{
        if (strv_contains(*values, v))
                return 0;
        return strv_push(values, v);
}

/* {"v":true,...} (the booleans are not looked at, as in dockerd) or ["v",...] */
static int parse_values(const char *key, const json_t *jv, char ***ret, struct pouch_err *err)
{
        _cleanup_strv_free_ char **values = strv_new();
        if (!values)
                return -ENOMEM;
        const char *v;
        json_t *b;
        size_t i;
        if (json_is_object(jv)) {
                json_object_foreach((json_t *) jv, v, b) {
                        if (!json_is_boolean(b))
                                return err_set(err, -EINVAL,
                                               "invalid filter '%s': the values of the object form "
                                               "must be booleans",
                                               key);
                        if (add_value(&values, v) < 0)
                                return -ENOMEM;
                }
        } else if (json_is_array(jv)) {
                json_array_foreach(jv, i, b) {
                        if (!json_is_string(b))
                                return err_set(err, -EINVAL,
                                               "invalid filter '%s': the values of the list form "
                                               "must be strings",
                                               key);
                        if (add_value(&values, json_string_value(b)) < 0)
                                return -ENOMEM;
                }
        } else if (!json_is_null(jv)) {
                return err_set(err, -EINVAL, "invalid filter '%s': expected an object or a list of strings", key);
        }
        *ret = TAKE_PTR(values);
        return 0;
}

int filters_from_json(const json_t *j, const char *const *allowed, struct filters **ret, struct pouch_err *err)
{
        if (j && !json_is_object(j))
                return err_set(err, -EINVAL, "invalid filters: a JSON object was expected");
        _cleanup_filters_ struct filters *f = calloc(1, sizeof(*f));
        if (!f || !(f->keys = strv_new()) || !(f->e = calloc(json_object_size(j) + 1, sizeof(*f->e))))
                return -ENOMEM;
        const char *key;
        json_t *jv;
        json_object_foreach((json_t *) j, key, jv) {
                if (!key_allowed(allowed, key))
                        return err_set(err, -EINVAL, "invalid filter '%s'", key);
                _cleanup_strv_free_ char **values = NULL;
                int r = parse_values(key, jv, &values, err);
                if (r < 0)
                        return r;
                if (!(f->e[f->n].key = strdup(key)) || strv_push(&f->keys, key) < 0)
                        return -ENOMEM;
                f->e[f->n++].values = TAKE_PTR(values);
        }
        *ret = TAKE_PTR(f);
        return 0;
}

int filters_parse(const char *text, const char *const *allowed, struct filters **ret, struct pouch_err *err)
{
        if (!text || !*text)
                return filters_from_json(NULL, allowed, ret, err);
        json_error_t jerr;
        _cleanup_json_ json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
        if (!j)
                return err_set(err, -EINVAL, "invalid filters: line %d column %d: %s", jerr.line, jerr.column,
                               jerr.text);
        /* null decodes to an empty filter set in dockerd */
        return filters_from_json(json_is_null(j) ? NULL : j, allowed, ret, err);
}

bool filters_empty(const struct filters *f)
{
        return !f || f->n == 0;
}

bool filters_has(const struct filters *f, const char *key)
{
        return find(f, key) != NULL;
}

char *const *filters_values(const struct filters *f, const char *key)
{
        const struct filter_entry *e = find(f, key);
        return e ? e->values : NULL;
}

char *const *filters_keys(const struct filters *f)
{
        static char *const none[] = { NULL };
        return f ? f->keys : none;
}

bool filters_each_value(const struct filters *f, const char *key, bool (*match)(const char *value, void *ud), void *ud)
{
        const struct filter_entry *e = find(f, key);
        if (!e || !e->values[0])
                return true;
        for (char *const *v = e->values; *v; v++)
                if (match(*v, ud))
                        return true;
        return false;
}

static bool equals(const char *value, void *ud)
{
        return strcmp(value, ud) == 0;
}

bool filters_match_exact(const struct filters *f, const char *key, const char *s)
{
        return filters_each_value(f, key, equals, (void *) s);
}

bool filters_label_matches(const char *spec, const json_t *labels)
{
        const char *eq = strchr(spec, '=');
        if (!eq)
                return json_is_string(json_object_get(labels, spec));
        _cleanup_free_ char *k = strndup(spec, (size_t) (eq - spec));
        if (!k)
                return false;
        const char *have = json_get_str(labels, k, NULL);
        return have && strcmp(have, eq + 1) == 0;
}

static bool all_labels_match(char *const *values, const json_t *labels)
{
        for (; values && *values; values++)
                if (!filters_label_matches(*values, labels))
                        return false;
        return true;
}

bool filters_match_label(const struct filters *f, const json_t *labels)
{
        if (!all_labels_match(filters_values(f, "label"), labels))
                return false;
        char *const *not = filters_values(f, "label!");
        return !not || !*not || !all_labels_match(not, labels);
}

static int bad_value(const struct filter_entry *e, struct pouch_err *err)
{
        _cleanup_free_ char *joined = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&joined, &len);
        if (!m)
                return -ENOMEM;
        for (char *const *v = e->values; *v; v++)
                fprintf(m, "%s%s", v == e->values ? "" : ",", *v);
        fclose(m);
        return err_set(err, -EINVAL, "invalid filter '%s=%s'", e->key, joined ? joined : "");
}

int filters_get_bool(const struct filters *f, const char *key, bool *ret, struct pouch_err *err)
{
        const struct filter_entry *e = find(f, key);
        if (!e)
                return 0;
        if (strv_length(e->values) != 1)
                return bad_value(e, err);
        const char *v = e->values[0];
        if (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
                *ret = true;
        else if (strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
                *ret = false;
        else
                return bad_value(e, err);
        return 1;
}

/* Go's time.ParseDuration: [-]{number[.fraction]unit}+ with units ns us µs ms s m h, or "0". */
static int parse_go_duration(const char *s, int64_t *ret_ns)
{
        static const struct {
                const char *unit;
                double ns;
        } units[] = { { "ns", 1 },   { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "\xce\xbcs", 1e3 },
                      { "ms", 1e6 }, { "s", 1e9 },  { "m", 60e9 },        { "h", 3600e9 } };
        bool neg = *s == '-';
        if (*s == '-' || *s == '+')
                s++;
        if (strcmp(s, "0") == 0)
                return *ret_ns = 0, 0;
        if (!*s)
                return -EINVAL;
        double total = 0;
        while (*s) {
                /* digits with an optional fraction; strtod alone would take exponents and hex too */
                size_t ip = strspn(s, "0123456789"), fp = s[ip] == '.' ? strspn(s + ip + 1, "0123456789") : 0;
                size_t len = ip + (s[ip] == '.' ? 1 + fp : 0);
                if (ip + fp == 0)
                        return -EINVAL;
                _cleanup_free_ char *num = strndup(s, len);
                if (!num)
                        return -ENOMEM;
                double n = strtod(num, NULL);
                s += len;
                size_t best = 0, best_len = 0;
                for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
                        size_t l = strlen(units[i].unit);
                        if (strncmp(s, units[i].unit, l) == 0 && l > best_len)
                                best = i, best_len = l;
                }
                if (!best_len)
                        return -EINVAL;
                total += n * units[best].ns;
                s += best_len;
        }
        if (total > 9.2e18)
                return -ERANGE;
        *ret_ns = (int64_t) (neg ? -total : total);
        return 0;
}

int filters_get_time(const struct filters *f, const char *key, int64_t now_ns, int64_t *ret_ns, struct pouch_err *err)
{
        const struct filter_entry *e = find(f, key);
        if (!e)
                return 0;
        if (strv_length(e->values) != 1)
                return err_set(err, -EINVAL, "more than one %s filter specified", key);
        const char *v = e->values[0];
        int64_t d;
        struct timespec ts;
        if (parse_go_duration(v, &d) == 0)
                *ret_ns = now_ns - d;
        else if (parse_timestamp(v, &ts) == 0)
                *ret_ns = timespec_to_ns(&ts);
        else
                return err_set(err, -EINVAL, "invalid filter '%s=%s': not a duration or a timestamp", key, v);
        return 1;
}
