/* GET /containers/{id}/stats and POST /containers/{id}/update: cgroup statistics in docker's
 * shape (taken from the runtime's `events --stats`, so cgroup v1 and v2 read the same) and live
 * changes of the limits. */
#include "api.h"

#include "daemon/events.h"
#include "daemon/container-quota.h"
#include "runtime-wrap/spec.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Host CPU time in ns, as docker's system_cpu_usage. */
static uint64_t system_cpu_ns(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/stat", "re");
        unsigned long long v[10] = { 0 };
        if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                         &v[6], &v[7]) != 8)
                return 0;
        unsigned long long sum = 0;
        for (int i = 0; i < 8; i++)
                sum += v[i];
        return sum * (1000000000ULL / (unsigned long long) sysconf(_SC_CLK_TCK));
}

static json_t *cpu_stats(const json_t *data, uint64_t system)
{
        json_t *usage = json_get_path(data, "cpu.usage");
        json_t *percpu = json_object_get(usage, "percpu");
        json_t *thr = json_get_path(data, "cpu.throttling");
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        return json_pack("{s:{s:I,s:O,s:I,s:I},s:I,s:i,s:{s:I,s:I,s:I}}", "cpu_usage", "total_usage",
                         (json_int_t) json_get_int(usage, "total", 0), "percpu_usage",
                         json_is_array(percpu) ? percpu : json_null(), "usage_in_kernelmode",
                         (json_int_t) json_get_int(usage, "kernel", 0), "usage_in_usermode",
                         (json_int_t) json_get_int(usage, "user", 0), "system_cpu_usage", (json_int_t) system,
                         "online_cpus", (int) (online > 0 ? online : 1), "throttling_data", "periods",
                         (json_int_t) json_get_int(thr, "periods", 0), "throttled_periods",
                         (json_int_t) json_get_int(thr, "throttledPeriods", 0), "throttled_time",
                         (json_int_t) json_get_int(thr, "throttledTime", 0));
}

static json_t *memory_stats(const json_t *data)
{
        json_t *mem = json_object_get(data, "memory");
        json_t *usage = json_object_get(mem, "usage");
        json_t *raw = json_object_get(mem, "raw");
        int64_t limit = json_get_int(usage, "limit", 0);
        /* an unlimited cgroup reports a huge number: show the host's memory like docker */
        long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
        int64_t host = (int64_t) pages * psize;
        if (limit <= 0 || limit > host)
                limit = host;
        return json_pack("{s:I,s:I,s:I,s:O,s:I}", "usage", (json_int_t) json_get_int(usage, "usage", 0), "max_usage",
                         (json_int_t) json_get_int(usage, "max", 0), "failcnt",
                         (json_int_t) json_get_int(usage, "failcnt", 0), "stats",
                         json_is_object(raw) ? raw : json_object(), "limit", (json_int_t) limit);
}

static json_t *blkio_stats(const json_t *data)
{
        json_t *b = json_object_get(data, "blkio");
        json_t *out = json_object();
        static const char *const keys[][2] = { { "ioServiceBytesRecursive", "io_service_bytes_recursive" },
                                               { "ioServicedRecursive", "io_serviced_recursive" } };
        for (size_t k = 0; k < 2; k++) {
                json_t *src = json_object_get(b, keys[k][0]);
                json_t *arr = json_array();
                size_t i;
                json_t *e;
                json_array_foreach(src, i, e)
                        json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:I}", "major",
                                                             (json_int_t) json_get_int(e, "major", 0), "minor",
                                                             (json_int_t) json_get_int(e, "minor", 0), "op",
                                                             json_get_str(e, "op", ""), "value",
                                                             (json_int_t) json_get_int(e, "value", 0)));
                json_object_set_new(out, keys[k][1], json_array_size(arr) ? arr : (json_decref(arr), json_null()));
        }
        return out;
}

struct sample {
        json_t *cpu, *mem, *blkio, *pids;
        char read[48];
};

static void sample_done(struct sample *s)
{
        json_decref(s->cpu);
        json_decref(s->mem);
        json_decref(s->blkio);
        json_decref(s->pids);
        memset(s, 0, sizeof(*s));
}

static int take_sample(struct pouchd *d, const char *id, struct sample *s)
{
        json_t *data = NULL;
        int r = runtime_stats(&d->runtime, id, &data, NULL);
        struct timespec now = now_realtime();
        format_rfc3339nano(&now, s->read, sizeof(s->read));
        if (r < 0)
                data = json_object();
        s->cpu = cpu_stats(data, r < 0 ? 0 : system_cpu_ns());
        s->mem = r < 0 ? json_object() : memory_stats(data);
        s->blkio = blkio_stats(data);
        json_t *pids = json_object_get(data, "pids");
        s->pids = json_pack("{s:I}", "current", (json_int_t) json_get_int(pids, "current", 0));
        if (json_get_int(pids, "limit", 0) > 0)
                json_object_set_new(s->pids, "limit", json_integer(json_get_int(pids, "limit", 0)));
        json_decref(data);
        return r;
}

static json_t *stats_doc(const char *id, const char *name, struct sample *cur, struct sample *prev)
{
        json_t *pre_cpu = prev->cpu ? json_incref(prev->cpu)
                                    : json_pack("{s:{s:i},s:{}}", "cpu_usage", "total_usage", 0, "throttling_data");
        return json_pack("{s:s,s:s,s:O,s:O,s:i,s:{},s:O,s:o,s:O,s:s,s:s}", "read", cur->read, "preread",
                         prev->cpu ? prev->read : "0001-01-01T00:00:00Z", "pids_stats", cur->pids, "blkio_stats",
                         cur->blkio, "num_procs", 0, "storage_stats", "cpu_stats", cur->cpu, "precpu_stats", pre_cpu,
                         "memory_stats", cur->mem, "name", name, "id", id);
}

struct stats_job {
        struct pouchd *d;
        struct container *c;
        bool stream;
        char name[256];
};

static bool running(struct pouchd *d, struct container *c)
{
        pthread_mutex_lock(&d->lock);
        bool r = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
        pthread_mutex_unlock(&d->lock);
        return r;
}

static void stats_worker(void *p, int fd)
{
        struct stats_job *j = p;
        struct sample prev = { 0 }, cur = { 0 };
        if (running(j->d, j->c))
                take_sample(j->d, j->c->id, &prev);
        for (;;) {
                /* docker sends its first object after one interval, with precpu filled */
                for (int i = 0; i < (j->stream ? 10 : 5); i++) {
                        if (http_stream_client_gone(fd))
                                goto out;
                        poll(NULL, 0, 100);
                }
                bool up = running(j->d, j->c);
                if (up)
                        take_sample(j->d, j->c->id, &cur);
                else {
                        /* a stopped container: zeros, as docker */
                        json_t *empty = json_object();
                        cur.cpu = cpu_stats(empty, 0);
                        cur.mem = json_object();
                        cur.blkio = blkio_stats(empty);
                        cur.pids = json_pack("{s:i}", "current", 0);
                        strcpy(cur.read, "0001-01-01T00:00:00Z");
                        json_decref(empty);
                }
                json_t *doc = stats_doc(j->c->id, j->name, &cur, &prev);
                _cleanup_free_ char *s = json_dumps(doc, JSON_COMPACT);
                json_decref(doc);
                if (!s || dprintf(fd, "%s\n", s) < 0)
                        goto out;
                sample_done(&prev);
                prev = cur;
                memset(&cur, 0, sizeof(cur));
                if (!j->stream || !up)
                        goto out;
        }
out:
        sample_done(&prev);
        sample_done(&cur);
}

static void stats_free(void *p)
{
        struct stats_job *j = p;
        container_put(j->d, j->c);
        free(j);
}

enum MHD_Result api_container_stats(struct http_req *r)
{
        struct pouch_err err = { 0 };
        struct container *c = NULL;
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        struct stats_job *j = calloc(1, sizeof(*j));
        if (!j) {
                container_put(r->d, c);
                return http_errorf(r, 500, "out of memory");
        }
        j->d = r->d;
        j->c = c;
        j->stream = http_query_bool(r, "stream", true) && !http_query_bool(r, "one-shot", false);
        pthread_mutex_lock(&r->d->lock);
        snprintf(j->name, sizeof(j->name), "%s", container_name(c));
        pthread_mutex_unlock(&r->d->lock);
        /* like dockerd, the streamed variant has no Content-Type */
        return http_stream(r, 200, j->stream ? NULL : "application/json", stats_worker, j, stats_free);
}

/* The HostConfig keys `docker update` may change. */
static const char *const update_keys[] = { "Memory",     "MemorySwap", "MemoryReservation", "NanoCpus",
                                           "CpuShares",  "CpuPeriod",  "CpuQuota",          "CpusetCpus",
                                           "CpusetMems", "PidsLimit",  "BlkioWeight",       "RestartPolicy" };

enum MHD_Result api_container_update(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, false, &res);
        if (!body)
                return res;
        struct pouch_err err = { 0 };
        struct container *c = NULL;
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&r->d->lock);
        _cleanup_json_ json_t *hc = json_deep_copy(json_object_get(c->doc, "HostConfig"));
        bool up = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
        pthread_mutex_unlock(&r->d->lock);
        for (size_t i = 0; i < sizeof(update_keys) / sizeof(update_keys[0]); i++) {
                json_t *v = json_object_get(body, update_keys[i]);
                /* docker sends every field; zero means "unchanged" */
                if (!v || json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0) ||
                    (json_is_string(v) && !*json_string_value(v)))
                        continue;
                if (strcmp(update_keys[i], "RestartPolicy") == 0 && !*json_get_str(v, "Name", ""))
                        continue;
                json_object_set(hc, update_keys[i], v);
        }
        /* a new memory limit without a swap limit gets docker's default (swap = memory) */
        if (json_get_int(body, "Memory", 0) > 0 && json_get_int(body, "MemorySwap", 0) == 0 &&
            json_get_int(hc, "MemorySwap", 0) != -1)
                json_object_set_new(hc, "MemorySwap", json_integer(0));
        int64_t mem = json_get_int(hc, "Memory", 0);
        if (mem > 0 && mem < 6 * 1024 * 1024) {
                err_set(&err, -EINVAL, "Minimum memory limit allowed is 6MB");
                goto out;
        }
        /* before anything changes (the quota below): a bad value is the client's 400 */
        if (spec_resources_validate(hc, &err) < 0)
                goto out;
        if (container_quota_update(r->d, c, body, hc, &err) < 0)
                goto out;
        json_t *resources = NULL;
        if (spec_resources_from_host_config(hc, &resources, &err) < 0)
                goto out;
        if (up && runtime_update(&r->d->runtime, c->id, resources, &err) < 0) {
                json_decref(resources);
                err_wrap(&err, "Cannot update container %.12s", c->id);
                goto out;
        }
        json_decref(resources);
        pthread_mutex_lock(&r->d->lock);
        json_object_set(c->doc, "HostConfig", hc);
        container_save_locked(r->d, c);
        pthread_mutex_unlock(&r->d->lock);
        event_publish(r->d->events, "container", "update", c->id, NULL);
out:
        pthread_mutex_unlock(&c->op_lock);
        container_put(r->d, c);
        if (err.code)
                return http_error(r, &err);
        return http_json(r, 200, json_pack("{s:[]}", "Warnings"));
}
