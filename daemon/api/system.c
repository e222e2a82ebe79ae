/* /_ping, /version, /info, /events, /system/df */
#include "api.h"

#include "daemon/volume/volume.h"
#include "daemon/container-quota.h"
#include "daemon/container-lxcfs.h"

#include <sys/stat.h>

#include "lib/fsutil.h"

#include "daemon/events.h"
#include "daemon/image/image.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/sysinfo.h>
#include <unistd.h>

enum MHD_Result api_ping(struct http_req *r)
{
        bool head = strcmp(r->method, "HEAD") == 0;
        struct MHD_Response *resp = MHD_create_response_from_buffer(head ? 0 : 2, (void *) "OK",
                                                                    MHD_RESPMEM_PERSISTENT);
        http_add_std_headers(resp);
        MHD_add_response_header(resp, "Content-Type", "text/plain; charset=utf-8");
        MHD_add_response_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
        MHD_add_response_header(resp, "Pragma", "no-cache");
        enum MHD_Result ret = MHD_queue_response(r->conn, 200, resp);
        MHD_destroy_response(resp);
        return ret;
}

enum MHD_Result api_version(struct http_req *r)
{
        struct utsname u;
        uname(&u);
        char ts[48];
        format_rfc3339nano(&r->d->started, ts, sizeof(ts));
        json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:{s:s},s:[{s:s,s:s,s:{s:s,s:s}}]}", "Version",
                              POUCH_VERSION, "ApiVersion", API_VERSION, "MinAPIVersion", API_MIN_VERSION, "GitCommit",
                              POUCH_GIT_COMMIT, "GoVersion", "C (gcc " __VERSION__ ")", "Os", "linux", "Arch", "amd64",
                              "KernelVersion", u.release, "BuildTime", __DATE__, "Platform", "Name", "pouch",
                              "Components", "Name", "Engine", "Version", POUCH_VERSION, "Details", "ApiVersion",
                              API_VERSION, "Os", "linux");
        return http_json(r, 200, j);
}

enum MHD_Result api_info(struct http_req *r)
{
        struct pouchd *d = r->d;
        int total = 0, running = 0, paused = 0, stopped = 0;
        pthread_mutex_lock(&d->lock);
        for (struct container *c = d->containers; c; c = c->next) {
                total++;
                if (c->status == CONTAINER_RUNNING)
                        running++;
                else if (c->status == CONTAINER_PAUSED)
                        paused++;
                else
                        stopped++;
        }
        pthread_mutex_unlock(&d->lock);
        _cleanup_json_ json_t *imgs = NULL;
        size_t nimages = 0;
        if (image_list(d->images, &imgs, NULL) == 0)
                nimages = json_array_size(imgs);
        struct utsname u;
        uname(&u);
        char host[256] = "";
        gethostname(host, sizeof(host) - 1);
        struct sysinfo si;
        sysinfo(&si);
        bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
        json_t *j = json_pack(
                "{s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:[[s,s]],s:b,s:b,s:b,s:b,s:b,s:b,s:b,s:s,s:s,s:i,s:s,s:s,s:s,s:s,"
                "s:i,s:I,s:s,s:s,s:s,s:{s:{s:s}},s:s,s:b,s:[s,s],s:s,s:s}",
                "ID", host, "Containers", total, "ContainersRunning", running, "ContainersPaused", paused,
                "ContainersStopped", stopped, "Images", (int) nimages, "Driver", "overlay2", "DriverStatus",
                "Backing Filesystem", "extfs", "MemoryLimit", 1, "SwapLimit", 1, "CpuCfsPeriod", 1, "CpuCfsQuota", 1,
                "CPUShares", 1, "PidsLimit", 1, "IPv4Forwarding", 1, "CgroupDriver",
                d->runtime.systemd_cgroup ? "systemd" : "cgroupfs", "CgroupVersion", v2 ? "2" : "1", "NEventsListener",
                0, "KernelVersion", u.release, "OperatingSystem", "Debian GNU/Linux", "OSType", "linux", "Architecture",
                u.machine, "NCPU", (int) sysconf(_SC_NPROCESSORS_ONLN), "MemTotal",
                (json_int_t) si.totalram * si.mem_unit, "DockerRootDir", d->home, "Name", host, "ServerVersion",
                POUCH_VERSION, "Runtimes", d->runtime.name, "path", d->runtime.path, "DefaultRuntime", d->runtime.name,
                "LiveRestoreEnabled", 1, "SecurityOptions", "name=seccomp,profile=default", "name=no-new-privileges",
                "LoggingDriver", "json-file", "Isolation", "");
        json_object_set_new(j, "Labels", json_array());
        json_object_set_new(j, "RegistryConfig",
                            json_pack("{s:[],s:{},s:[]}", "InsecureRegistryCIDRs", "IndexConfigs", "Mirrors"));
        json_object_set_new(j, "Plugins",
                            json_pack("{s:[s],s:[],s:[s],s:[]}", "Volume", "local", "Network", "Log", "json-file",
                                      "Authorization"));
        json_object_set_new(j, "Warnings", json_array());
        json_object_set_new(j, "QuotaBackend", json_string(pouchd_quota_backend_name(d)));
        json_t *lxcfs = pouchd_lxcfs_info(d);
        json_object_set_new(j, "LxcfsEnabled", json_boolean(json_get_bool(lxcfs, "Running", false)));
        json_object_set_new(j, "Lxcfs", lxcfs ? lxcfs : json_null());
        return http_json(r, 200, j);
}

struct events_job {
        struct pouchd *d;
        struct filters *filters;
        int64_t since_ns, until_ns;
};

static void events_free(void *p)
{
        struct events_job *j = p;
        filters_free(j->filters);
        free(j);
}

static void events_worker(void *p, int fd)
{
        struct events_job *j = p;
        uint64_t cursor = 0; /* replay history, filtered by since */
        for (;;) {
                /* wake up at least every second to notice a client that went away, even with a far until */
                struct timespec t0 = now_realtime();
                int64_t deadline = timespec_to_ns(&t0) + 1000000000LL;
                if (j->until_ns && j->until_ns < deadline)
                        deadline = j->until_ns > 0 ? j->until_ns : 1; /* 0 would mean no deadline */
                json_t *ev = event_next(j->d->events, &cursor, deadline);
                if (!ev) {
                        struct timespec now = now_realtime();
                        if (j->until_ns && timespec_to_ns(&now) >= j->until_ns)
                                return;
                        if (http_stream_client_gone(fd) || j->d->shutting_down)
                                return;
                        continue;
                }
                int64_t t = json_get_int(ev, "timeNano", 0);
                bool show = (!j->since_ns || t >= j->since_ns) && (!j->until_ns || t <= j->until_ns) &&
                            event_matches(ev, j->filters);
                if (show) {
                        _cleanup_free_ char *s = json_dumps(ev, JSON_COMPACT);
                        json_decref(ev);
                        if (!s)
                                return;
                        size_t n = strlen(s);
                        s[n] = '\n';
                        if (write_all(fd, s, n + 1) < 0)
                                return;
                        continue;
                }
                json_decref(ev);
        }
}

enum MHD_Result api_events(struct http_req *r)
{
        struct pouch_err err = { 0 };
        struct filters *filters = NULL;
        /* dockerd takes any key here (the ones it knows: type, event, container, image, volume, network,
         * daemon, plugin, scope, node, service, secret, config, label) */
        if (http_filters(r, NULL, &filters, &err) < 0)
                return http_error(r, &err);
        int64_t since = 0, until = 0;
        if (http_query_time(r, "since", &since, &err) < 0 || http_query_time(r, "until", &until, &err) < 0) {
                filters_free(filters);
                return http_error(r, &err);
        }
        struct events_job *j = calloc(1, sizeof(*j));
        if (!j) {
                filters_free(filters);
                err_set(&err, -ENOMEM, "out of memory");
                return http_error(r, &err);
        }
        j->d = r->d;
        j->filters = filters;
        j->since_ns = since;
        j->until_ns = until;
        /* Without since, docker shows only events from now on. */
        if (!j->since_ns) {
                struct timespec now = now_realtime();
                j->since_ns = timespec_to_ns(&now);
        }
        return http_stream(r, 200, "application/json", events_worker, j, events_free);
}

enum MHD_Result api_system_df(struct http_req *r)
{
        _cleanup_json_ json_t *imgs = NULL;
        image_list(r->d->images, &imgs, NULL);
        json_int_t total = 0;
        size_t i;
        json_t *v;
        json_array_foreach(imgs, i, v)
                total += json_get_int(v, "Size", 0);
        json_t *containers = json_array();
        pthread_mutex_lock(&r->d->lock);
        for (struct container *c = r->d->containers; c; c = c->next)
                json_array_append_new(containers, api_container_summary_locked(r->d, c));
        pthread_mutex_unlock(&r->d->lock);
        json_array_foreach(containers, i, v)
                json_object_set_new(v, "SizeRw",
                                    json_integer(container_quota_size_rw(r->d, json_get_str(v, "Id", ""))));
        json_t *vols = volume_list(r->d->volumes);
        json_array_foreach(vols, i, v) {
                const char *name = json_get_str(v, "Name", "");
                pthread_mutex_lock(&r->d->lock);
                int refs = 0;
                for (struct container *c = r->d->containers; c; c = c->next) {
                        size_t k;
                        json_t *m;
                        json_array_foreach(json_object_get(c->doc, "Mounts"), k, m)
                                refs += !strcmp(json_get_str(m, "Name", ""), name);
                }
                pthread_mutex_unlock(&r->d->lock);
                json_object_set_new(v, "UsageData",
                                    json_pack("{s:I,s:i}", "Size",
                                              (json_int_t) dir_disk_usage(json_get_str(v, "Mountpoint", "")),
                                              "RefCount", refs));
        }
        return http_json(r, 200,
                         json_pack("{s:I,s:O,s:o,s:o,s:[]}", "LayersSize", total, "Images", imgs ? imgs : json_array(),
                                   "Containers", containers, "Volumes", vols, "BuildCache"));
}
