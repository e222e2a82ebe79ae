/* process.rlimits from HostConfig.Ulimits and process.oomScoreAdj, both bounded by what the
 * daemon itself may do: runc runs with our limits and cannot raise them. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
        const char *name;
        int resource;
} ulimit_names[] = {
        { "as", RLIMIT_AS },           { "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
        { "data", RLIMIT_DATA },       { "fsize", RLIMIT_FSIZE },       { "locks", RLIMIT_LOCKS },
        { "memlock", RLIMIT_MEMLOCK }, { "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
        { "nofile", RLIMIT_NOFILE },   { "nproc", RLIMIT_NPROC },       { "rss", RLIMIT_RSS },
        { "rtprio", RLIMIT_RTPRIO },   { "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
        { "stack", RLIMIT_STACK },
};

static json_t *rlimit_entry(const char *name, uint64_t soft, uint64_t hard)
{
        char type[32];
        snprintf(type, sizeof(type), "RLIMIT_%s", name);
        for (char *p = type; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        /* jansson integers are signed: RLIM_INFINITY (2^64-1) cannot be written, so it becomes
         * INT64_MAX, which is as good as unlimited for every resource. */
        return json_pack("{s:s,s:I,s:I}", "type", type, "hard", (json_int_t) (hard > INT64_MAX ? INT64_MAX : hard),
                         "soft", (json_int_t) (soft > INT64_MAX ? INT64_MAX : soft));
}

static int clamp_one(const char *name, int resource, int64_t *soft, int64_t *hard)
{
        struct rlimit own;
        if (getrlimit(resource, &own) < 0)
                return -errno;
        if (own.rlim_max == RLIM_INFINITY)
                return 0;
        int64_t max = (int64_t) own.rlim_max;
        if (*hard < 0 || *hard > max) {
                log_warn("ulimit %s hard limit %lld is above the daemon's own hard limit %lld; using %lld", name,
                         (long long) *hard, (long long) max, (long long) max);
                *hard = max;
        }
        if (*soft < 0 || *soft > max) {
                log_warn("ulimit %s soft limit %lld is above the daemon's own hard limit %lld; using %lld", name,
                         (long long) *soft, (long long) max, (long long) max);
                *soft = max;
        }
        return 0;
}

int rlimits_for_host_config(const json_t *hc, const struct rlimit *nofile_default, json_t **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *out = json_array();
        bool have_nofile = false;
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(hc, "Ulimits"), i, u) {
                const char *name = json_get_str(u, "Name", NULL);
                int resource = -1;
                for (size_t k = 0; name && k < sizeof(ulimit_names) / sizeof(ulimit_names[0]); k++)
                        if (STREQ(name, ulimit_names[k].name))
                                resource = ulimit_names[k].resource;
                if (resource < 0)
                        return err_set(err, -EINVAL, "invalid ulimit type: %s", name ? name : "(none)");
                int64_t soft = json_get_int(u, "Soft", 0), hard = json_get_int(u, "Hard", 0);
                if (soft > hard && hard >= 0)
                        return err_set(err, -EINVAL,
                                       "ulimit soft limit must be less than or equal to hard limit: %lld > %lld",
                                       (long long) soft, (long long) hard);
                int r = clamp_one(name, resource, &soft, &hard);
                if (r < 0)
                        return err_set(err, r, "getrlimit failed: %s", strerror(-r));
                json_array_append_new(out, rlimit_entry(name, (uint64_t) soft, (uint64_t) hard));
                have_nofile |= resource == RLIMIT_NOFILE;
        }
        if (!have_nofile) {
                struct rlimit own;
                if (nofile_default)
                        own = *nofile_default;
                else if (getrlimit(RLIMIT_NOFILE, &own) < 0)
                        return err_set(err, -errno, "getrlimit failed: %m");
                json_array_append_new(out, rlimit_entry("nofile", own.rlim_cur, own.rlim_max));
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static int own_oom_score_adj(int *ret)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/oom_score_adj", "re");
        if (!f)
                return -errno;
        if (fscanf(f, "%d", ret) != 1)
                return -EIO;
        return 0;
}

int oom_score_adj_for_host_config(const json_t *hc, bool *ret_set, int *ret_value, struct pouch_err *err)
{
        json_t *v = json_object_get(hc, "OomScoreAdj");
        if (!json_is_integer(v)) {
                *ret_set = false;
                return 0;
        }
        json_int_t want = json_integer_value(v);
        if (want < -1000 || want > 1000)
                return err_set(err, -EINVAL, "Invalid value %lld, range for oom score adj is [-1000, 1000]",
                               (long long) want);
        int own = 0;
        int r = own_oom_score_adj(&own);
        if (r < 0)
                log_warn_errno(r, "Failed to read /proc/self/oom_score_adj");
        /* Lowering the score needs CAP_SYS_RESOURCE, which the daemon may not have. */
        if (r == 0 && want < own) {
                if (want != 0)
                        log_warn("oom score adj %lld is below the daemon's own %d; using %d", (long long) want, own,
                                 own);
                want = own;
        }
        *ret_set = true;
        *ret_value = (int) want;
        return 0;
}
