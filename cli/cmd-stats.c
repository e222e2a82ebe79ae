/* pouch stats and pouch update: cgroup figures and live limits. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static double cpu_percent(json_t *s)
{
        double cpu = (double) json_integer_value(json_get_path(s, "cpu_stats.cpu_usage.total_usage")) -
                     (double) json_integer_value(json_get_path(s, "precpu_stats.cpu_usage.total_usage"));
        double sys = (double) json_integer_value(json_get_path(s, "cpu_stats.system_cpu_usage")) -
                     (double) json_integer_value(json_get_path(s, "precpu_stats.system_cpu_usage"));
        double ncpu = (double) json_integer_value(json_get_path(s, "cpu_stats.online_cpus"));
        return sys > 0 && cpu > 0 ? cpu / sys * (ncpu > 0 ? ncpu : 1) * 100.0 : 0.0;
}

static void format_row(json_t *s, const char *id, char *out, size_t len)
{
        double usage = (double) json_integer_value(json_get_path(s, "memory_stats.usage"));
        double cache = (double) json_integer_value(json_get_path(s, "memory_stats.stats.total_inactive_file"));
        double limit = (double) json_integer_value(json_get_path(s, "memory_stats.limit"));
        if (cache < usage)
                usage -= cache;
        _cleanup_free_ char *u = human_size(usage), *l = human_size(limit);
        char mem[64], cpu[16], memp[16];
        snprintf(mem, sizeof(mem), "%s / %s", u ? u : "0B", l ? l : "0B");
        snprintf(cpu, sizeof(cpu), "%.2f%%", cpu_percent(s));
        snprintf(memp, sizeof(memp), "%.2f%%", limit > 0 ? usage / limit * 100.0 : 0.0);
        const char *name = json_string_value(json_object_get(s, "name"));
        snprintf(out, len, "%-15.12s %-20s %-9s %-22s %-9s %lld", id, name && *name == '/' ? name + 1 : "", cpu, mem,
                 memp, (long long) json_integer_value(json_get_path(s, "pids_stats.current")));
}

int cmd_stats(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "stats"))
                return 0;
        bool stream = true;
        char **names = calloc((size_t) argc + 1, sizeof(char *));
        size_t n = 0;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--no-stream"))
                        stream = false;
                else if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all") || !strcmp(argv[i], "--no-trunc"))
                        ;
                else
                        names[n++] = argv[i];
        }
        json_t *ids = json_array();
        if (n == 0) {
                struct http_resp r;
                if (http_call(c, "GET", "/containers/json", NULL, 0, NULL, &r) < 0) {
                        free(names);
                        json_decref(ids);
                        return 1;
                }
                _cleanup_json_ json_t *list = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
                http_resp_done(&r);
                size_t i;
                json_t *v;
                json_array_foreach(list, i, v)
                        json_array_append_new(ids, json_string(json_get_str(v, "Id", "")));
        } else
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(ids, json_string(names[i]));
        free(names);
        int rc = 0;
        do {
                if (stream)
                        printf("\033[2J\033[H");
                printf("%-15s %-20s %-9s %-22s %-9s %s\n", "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT",
                       "MEM %", "PIDS");
                size_t i;
                json_t *v;
                json_array_foreach(ids, i, v) {
                        _cleanup_free_ char *e = url_escape(json_string_value(v));
                        char path[512];
                        snprintf(path, sizeof(path), "/containers/%s/stats?stream=0", e);
                        struct http_resp r;
                        if (http_call(c, "GET", path, NULL, 0, NULL, &r) < 0)
                                return 1;
                        if (r.status != 200) {
                                rc = cli_daemon_error(&r);
                                http_resp_done(&r);
                                continue;
                        }
                        _cleanup_json_ json_t *s = json_loadb(r.body, r.len, 0, NULL);
                        http_resp_done(&r);
                        char line[256];
                        format_row(s, json_get_str(s, "id", ""), line, sizeof(line));
                        printf("%s\n", line);
                }
                fflush(stdout);
        } while (stream && rc == 0);
        json_decref(ids);
        return rc;
}

/* pouch update: docker's flags, sent as one /update body per container. */
int cmd_update(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "update"))
                return 0;
        _cleanup_json_ json_t *body = json_object();
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
                static const struct {
                        const char *flag, *alt, *key;
                        int kind; /* 0 size, 1 int, 2 string, 3 cpus, 4 restart, 5 disk quota */
                } f[] = {
                        { "--memory", "-m", "Memory", 0 },
                        { "--memory-swap", NULL, "MemorySwap", 0 },
                        { "--memory-reservation", NULL, "MemoryReservation", 0 },
                        { "--cpus", NULL, "NanoCpus", 3 },
                        { "--cpu-shares", "-c", "CpuShares", 1 },
                        { "--cpu-period", NULL, "CpuPeriod", 1 },
                        { "--cpu-quota", NULL, "CpuQuota", 1 },
                        { "--cpuset-cpus", NULL, "CpusetCpus", 2 },
                        { "--cpuset-mems", NULL, "CpusetMems", 2 },
                        { "--pids-limit", NULL, "PidsLimit", 1 },
                        { "--blkio-weight", NULL, "BlkioWeight", 1 },
                        { "--restart", NULL, "RestartPolicy", 4 },
                        { "--disk-quota", NULL, "DiskQuota", 5 },
                };
                size_t k = 0;
                for (; k < sizeof(f) / sizeof(f[0]); k++)
                        if (!strcmp(a, f[k].flag) || (f[k].alt && !strcmp(a, f[k].alt)))
                                break;
                if (k == sizeof(f) / sizeof(f[0]) || !v) {
                        fprintf(stderr, "unknown flag or missing value: %s\n", a);
                        return 125;
                }
                i++;
                int64_t n = 0;
                char *end = NULL;
                switch (f[k].kind) {
                case 0:
                        if (!strcmp(v, "-1"))
                                n = -1;
                        else if (parse_size(v, &n) < 0) {
                                fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: invalid size\n", v, a);
                                return 125;
                        }
                        json_object_set_new(body, f[k].key, json_integer(n));
                        break;
                case 1:
                        n = strtoll(v, &end, 10);
                        if (!*v || *end) {
                                fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag\n", v, a);
                                return 125;
                        }
                        json_object_set_new(body, f[k].key, json_integer(n));
                        break;
                case 2:
                        json_object_set_new(body, f[k].key, json_string(v));
                        break;
                case 3: {
                        double d = strtod(v, &end);
                        if (!*v || *end || d <= 0) {
                                fprintf(stderr, "invalid argument \"%s\" for \"--cpus\" flag\n", v);
                                return 125;
                        }
                        json_object_set_new(body, f[k].key, json_integer((json_int_t) (d * 1e9 + 0.5)));
                        break;
                }
                case 5: { /* repeatable: PATH=SIZE or SIZE, checked by the daemon */
                        json_t *dq = json_object_get(body, "DiskQuota");
                        if (!dq) {
                                dq = json_object();
                                json_object_set_new(body, "DiskQuota", dq);
                        }
                        const char *eq = strrchr(v, '=');
                        _cleanup_free_ char *p = strndup(v, eq ? (size_t) (eq - v) : 0);
                        json_object_set_new(dq, p ? p : "", json_string(eq ? eq + 1 : v));
                        break;
                }
                default: {
                        const char *colon = strchr(v, ':');
                        json_t *rp = json_pack("{s:s%}", "Name", v, colon ? (int) (colon - v) : (int) strlen(v));
                        if (colon)
                                json_object_set_new(rp, "MaximumRetryCount", json_integer(atoi(colon + 1)));
                        json_object_set_new(body, f[k].key, rp);
                }
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch update\" requires at least 1 argument.\n");
                return 125;
        }
        _cleanup_free_ char *s = json_dumps(body, JSON_COMPACT);
        int rc = 0;
        for (; i < argc; i++) {
                _cleanup_free_ char *e = url_escape(argv[i]);
                char path[512];
                snprintf(path, sizeof(path), "/containers/%s/update", e);
                struct http_resp r;
                if (http_call(c, "POST", path, s, strlen(s), NULL, &r) < 0)
                        return 1;
                if (r.status != 200)
                        rc = cli_daemon_error(&r);
                else
                        printf("%s\n", argv[i]);
                http_resp_done(&r);
        }
        return rc;
}
