/* `pouch run`/`create` flags -> the Docker create body. */
#include "create-opts.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *obj(json_t *parent, const char *key)
{
        json_t *o = json_object_get(parent, key);
        if (!o) {
                o = json_object();
                json_object_set_new(parent, key, o);
        }
        return o;
}

static json_t *arr(json_t *parent, const char *key)
{
        json_t *a = json_object_get(parent, key);
        if (!a) {
                a = json_array();
                json_object_set_new(parent, key, a);
        }
        return a;
}

static int size_opt(const char *flag, const char *v, int64_t *ret)
{
        if (parse_size(v, ret) < 0) {
                fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: invalid size: '%s'\n", v, flag, v);
                return -1;
        }
        return 0;
}

static int env_file(json_t *env, const char *path)
{
        FILE *f = fopen(path, "r");
        if (!f) {
                fprintf(stderr, "open %s: %m\n", path);
                return -1;
        }
        char line[8192];
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\r\n")] = '\0';
                char *p = line;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (!*p || *p == '#')
                        continue;
                if (!strchr(p, '=')) {
                        const char *v = getenv(p);
                        if (!v)
                                continue;
                        char *kv = NULL;
                        if (asprintf(&kv, "%s=%s", p, v) > 0)
                                json_array_append_new(env, json_string(kv));
                        free(kv);
                        continue;
                }
                json_array_append_new(env, json_string(p));
        }
        fclose(f);
        return 0;
}

/* "-p [ip:]host:ctr[/proto]" and "ctr" */
static int publish(json_t *cfg, json_t *hc, const char *spec)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", spec);
        char *proto = strchr(buf, '/');
        if (proto)
                *proto++ = '\0';
        char *parts[3] = { NULL, NULL, NULL };
        int n = 0;
        for (char *save = NULL, *t = strtok_r(buf, ":", &save); t && n < 3; t = strtok_r(NULL, ":", &save))
                parts[n++] = t;
        /* "/tcp" or ":" leave no part at all */
        const char *ip = n == 3 ? parts[0] : "", *host = n >= 2 ? parts[n - 2] : "", *ctr = n > 0 ? parts[n - 1] : NULL;
        if (!ctr || atoi(ctr) <= 0) {
                fprintf(stderr, "invalid publish spec: %s\n", spec);
                return -1;
        }
        char key[64];
        snprintf(key, sizeof(key), "%s/%s", ctr, proto ? proto : "tcp");
        json_object_set_new(obj(cfg, "ExposedPorts"), key, json_object());
        json_array_append_new(arr(obj(hc, "PortBindings"), key),
                              json_pack("{s:s,s:s}", "HostIp", ip, "HostPort", host));
        return 0;
}

/* --disk-quota "10g" | "/data=5g" | "/&/data=10g" | ".*=5g" -> {"":"10g"} / {"/data":"5g"} / ...
 * (PouchContainer's DiskQuota map; the daemon checks the rules and lists the accepted forms). */
static int disk_quota(json_t *hc, const char *v)
{
        const char *eq = strrchr(v, '=');
        char path[512];
        snprintf(path, sizeof(path), "%.*s", eq ? (int) (eq - v) : 0, eq ? v : "");
        json_object_set_new(obj(hc, "DiskQuota"), path, json_string(eq ? eq + 1 : v));
        return 0;
}

static int int_opt(const char *flag, const char *v, int64_t *ret)
{
        char *end = NULL;
        long long n = strtoll(v, &end, 10);
        if (!*v || *end) {
                fprintf(stderr, "invalid argument \"%s\" for \"%s\" flag: not an integer\n", v, flag);
                return -1;
        }
        *ret = n;
        return 0;
}

/* --device-read-bps /dev/sda:1mb, --device-read-iops /dev/sda:100 */
static int device_rate(json_t *hc, const char *key, const char *v, bool bytes)
{
        const char *colon = strrchr(v, ':');
        int64_t n = -1;
        if (!colon || colon == v || (bytes ? parse_size(colon + 1, &n) : (n = strtoll(colon + 1, NULL, 10), 0)) < 0 ||
            n < 0) {
                fprintf(stderr, "invalid value \"%s\": expected DEVICE:%s\n", v,
                        bytes ? "RATE (e.g. /dev/sda:1mb)" : "NUMBER");
                return -1;
        }
        _cleanup_free_ char *path = strndup(v, (size_t) (colon - v));
        json_t *a = json_object_get(hc, key);
        if (!a) {
                a = json_array();
                json_object_set_new(hc, key, a);
        }
        json_array_append_new(a, json_pack("{s:s,s:I}", "Path", path, "Rate", (json_int_t) n));
        return 0;
}

/* --device /dev/host[:/dev/ctr][:rwm] */
static int device_opt(json_t *hc, const char *v)
{
        _cleanup_free_ char *copy = strdup(v);
        char *parts[3] = { 0 };
        size_t n = 0;
        for (char *save = NULL, *p = strtok_r(copy, ":", &save); p && n < 3; p = strtok_r(NULL, ":", &save))
                parts[n++] = p;
        if (n == 0 || parts[0][0] != '/') {
                fprintf(stderr, "invalid device specification: %s\n", v);
                return -1;
        }
        const char *ctr = parts[0], *perms = "rwm";
        if (n == 2 && parts[1][0] == '/')
                ctr = parts[1];
        else if (n == 2)
                perms = parts[1];
        else if (n == 3) {
                ctr = parts[1];
                perms = parts[2];
        }
        json_t *a = json_object_get(hc, "Devices");
        if (!a) {
                a = json_array();
                json_object_set_new(hc, "Devices", a);
        }
        json_array_append_new(a, json_pack("{s:s,s:s,s:s}", "PathOnHost", parts[0], "PathInContainer", ctr,
                                           "CgroupPermissions", perms));
        return 0;
}

/* --hook STAGE=PATH[,ARG...]: a per-container OCI hook (prestart, createRuntime, createContainer,
 * startContainer, poststart, poststop), carried in HostConfig.Hooks in the OCI "hooks" shape. */
static int hook_opt(json_t *hc, const char *v)
{
        const char *eq = strchr(v, '=');
        if (!eq || eq == v || eq[1] != '/') {
                fprintf(stderr, "invalid --hook \"%s\": expected STAGE=/absolute/path[,ARG...]\n", v);
                return -1;
        }
        _cleanup_free_ char *stage = strndup(v, (size_t) (eq - v));
        _cleanup_free_ char *rest = strdup(eq + 1);
        json_t *args = json_array();
        char *path = NULL;
        for (char *save = NULL, *p = strtok_r(rest, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
                if (!path)
                        path = p;
                json_array_append_new(args, json_string(p));
        }
        json_t *hooks = json_object_get(hc, "Hooks");
        if (!hooks) {
                hooks = json_object();
                json_object_set_new(hc, "Hooks", hooks);
        }
        json_t *list = json_object_get(hooks, stage);
        if (!list) {
                list = json_array();
                json_object_set_new(hooks, stage, list);
        }
        json_array_append_new(list, json_pack("{s:s,s:o}", "path", path, "args", args));
        return 0;
}

/* --mount type=bind|volume|tmpfs,source=S,target=T[,readonly][,volume-nocopy][,tmpfs-size=N] */
static json_t *mount_spec(const char *spec)
{
        json_t *m = json_pack("{s:s}", "Type", "volume");
        _cleanup_free_ char *copy = strdup(spec);
        for (char *save = NULL, *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(kv, '=');
                if (eq)
                        *eq++ = '\0';
                if (!strcmp(kv, "type") && eq)
                        json_object_set_new(m, "Type", json_string(eq));
                else if ((!strcmp(kv, "source") || !strcmp(kv, "src")) && eq)
                        json_object_set_new(m, "Source", json_string(eq));
                else if ((!strcmp(kv, "target") || !strcmp(kv, "destination") || !strcmp(kv, "dst")) && eq)
                        json_object_set_new(m, "Target", json_string(eq));
                else if (!strcmp(kv, "readonly") || !strcmp(kv, "ro"))
                        json_object_set_new(m, "ReadOnly",
                                            json_boolean(!eq || !strcmp(eq, "true") || !strcmp(eq, "1")));
                else if (!strcmp(kv, "volume-nocopy"))
                        json_object_set_new(m, "VolumeOptions", json_pack("{s:b}", "NoCopy", 1));
                else if (!strcmp(kv, "tmpfs-size") && eq) {
                        int64_t n;
                        if (parse_size(eq, &n) < 0) {
                                fprintf(stderr, "invalid tmpfs-size: %s\n", eq);
                                json_decref(m);
                                return NULL;
                        }
                        json_object_set_new(m, "TmpfsOptions", json_pack("{s:I}", "SizeBytes", (json_int_t) n));
                } else {
                        fprintf(stderr, "invalid field '%s' in --mount %s\n", kv, spec);
                        json_decref(m);
                        return NULL;
                }
        }
        if (!json_object_get(m, "Target")) {
                fprintf(stderr, "invalid argument \"%s\" for \"--mount\": target is required\n", spec);
                json_decref(m);
                return NULL;
        }
        return m;
}

enum {
        O_NAME = 1000,
        O_ENTRYPOINT,
        O_RM,
        O_ENVFILE,
        O_PRIV,
        O_CAPADD,
        O_CAPDROP,
        O_SECOPT,
        O_RO,
        O_ULIMIT,
        O_ANNOT,
        O_CPUS,
        O_SHARES,
        O_RESTART,
        O_LOGOPT,
        O_LOGDRIVER,
        O_RICH,
        O_RICHMODE,
        O_INITSCRIPT,
        O_LXCFS,
        O_QUOTA,
        O_QUOTAID,
        O_NET,
        O_TMPFS,
        O_SWAP,
        O_PIDS,
        O_SHM,
        O_STOPSIG,
        O_STOPTIMEOUT,
        O_ADDHOST,
        O_DNS,
        O_PUBALL,
        O_CPUSET,
        O_MEMRES,
        O_VOLFROM,
        O_MOUNT,
        O_CPUPERIOD,
        O_CPUQUOTA,
        O_CPUSETMEMS,
        O_BLKIOW,
        O_RBPS,
        O_WBPS,
        O_RIOPS,
        O_WIOPS,
        O_DEVICE,
        O_OOMKD,
        O_CGPARENT,
        O_DNSSEARCH,
        O_DNSOPT,
        O_GROUPADD,
        O_SYSCTL,
        O_EXPOSE,
        O_OOMADJ,
        O_DOMAIN,
        O_IPC,
        O_PID,
        O_UTS,
        O_IP,
        O_HOOK,
        O_ALIAS,
        O_RICHSERVICES,
};

static const struct option run_opts[] = {
        { "detach", no_argument, NULL, 'd' },
        { "interactive", no_argument, NULL, 'i' },
        { "tty", no_argument, NULL, 't' },
        { "env", required_argument, NULL, 'e' },
        { "env-file", required_argument, NULL, O_ENVFILE },
        { "workdir", required_argument, NULL, 'w' },
        { "user", required_argument, NULL, 'u' },
        { "name", required_argument, NULL, O_NAME },
        { "entrypoint", required_argument, NULL, O_ENTRYPOINT },
        { "hostname", required_argument, NULL, 'h' },
        { "label", required_argument, NULL, 'l' },
        { "volume", required_argument, NULL, 'v' },
        { "publish", required_argument, NULL, 'p' },
        { "publish-all", no_argument, NULL, 'P' },
        { "rm", no_argument, NULL, O_RM },
        { "privileged", no_argument, NULL, O_PRIV },
        { "cap-add", required_argument, NULL, O_CAPADD },
        { "cap-drop", required_argument, NULL, O_CAPDROP },
        { "security-opt", required_argument, NULL, O_SECOPT },
        { "read-only", no_argument, NULL, O_RO },
        { "ulimit", required_argument, NULL, O_ULIMIT },
        { "annotation", required_argument, NULL, O_ANNOT },
        { "memory", required_argument, NULL, 'm' },
        { "memory-swap", required_argument, NULL, O_SWAP },
        { "memory-reservation", required_argument, NULL, O_MEMRES },
        { "cpus", required_argument, NULL, O_CPUS },
        { "cpu-shares", required_argument, NULL, O_SHARES },
        { "cpuset-cpus", required_argument, NULL, O_CPUSET },
        { "pids-limit", required_argument, NULL, O_PIDS },
        { "shm-size", required_argument, NULL, O_SHM },
        { "restart", required_argument, NULL, O_RESTART },
        { "log-opt", required_argument, NULL, O_LOGOPT },
        { "log-driver", required_argument, NULL, O_LOGDRIVER },
        { "rich", no_argument, NULL, O_RICH },
        { "rich-mode", required_argument, NULL, O_RICHMODE },
        { "initscript", required_argument, NULL, O_INITSCRIPT },
        { "rich-services", required_argument, NULL, O_RICHSERVICES },
        { "enable-lxcfs", optional_argument, NULL, O_LXCFS },
        { "disk-quota", required_argument, NULL, O_QUOTA },
        { "quota-id", required_argument, NULL, O_QUOTAID },
        { "network", required_argument, NULL, O_NET },
        { "net", required_argument, NULL, O_NET },
        { "tmpfs", required_argument, NULL, O_TMPFS },
        { "volumes-from", required_argument, NULL, O_VOLFROM },
        { "mount", required_argument, NULL, O_MOUNT },
        { "stop-signal", required_argument, NULL, O_STOPSIG },
        { "stop-timeout", required_argument, NULL, O_STOPTIMEOUT },
        { "add-host", required_argument, NULL, O_ADDHOST },
        { "dns", required_argument, NULL, O_DNS },
        { "dns-search", required_argument, NULL, O_DNSSEARCH },
        { "dns-option", required_argument, NULL, O_DNSOPT },
        { "cpu-period", required_argument, NULL, O_CPUPERIOD },
        { "cpu-quota", required_argument, NULL, O_CPUQUOTA },
        { "cpuset-mems", required_argument, NULL, O_CPUSETMEMS },
        { "blkio-weight", required_argument, NULL, O_BLKIOW },
        { "device-read-bps", required_argument, NULL, O_RBPS },
        { "device-write-bps", required_argument, NULL, O_WBPS },
        { "device-read-iops", required_argument, NULL, O_RIOPS },
        { "device-write-iops", required_argument, NULL, O_WIOPS },
        { "device", required_argument, NULL, O_DEVICE },
        { "oom-kill-disable", no_argument, NULL, O_OOMKD },
        { "oom-score-adj", required_argument, NULL, O_OOMADJ },
        { "cgroup-parent", required_argument, NULL, O_CGPARENT },
        { "group-add", required_argument, NULL, O_GROUPADD },
        { "sysctl", required_argument, NULL, O_SYSCTL },
        { "expose", required_argument, NULL, O_EXPOSE },
        { "domainname", required_argument, NULL, O_DOMAIN },
        { "ipc", required_argument, NULL, O_IPC },
        { "pid", required_argument, NULL, O_PID },
        { "uts", required_argument, NULL, O_UTS },
        { "ip", required_argument, NULL, O_IP },
        { "network-alias", required_argument, NULL, O_ALIAS },
        { "hook", required_argument, NULL, O_HOOK },
        { "help", no_argument, NULL, 'H' },
        {},
};

void create_opts_usage(FILE *f)
{
        fprintf(f, "Options:\n");
        for (const struct option *o = run_opts; o->name; o++) {
                const char *arg = o->has_arg == optional_argument ? "[=value]" : o->has_arg ? " value" : "";
                if (o->val < 256 && o->val != 'H')
                        fprintf(f, "  -%c, --%s%s\n", o->val, o->name, arg);
                else
                        fprintf(f, "      --%s%s\n", o->name, arg);
        }
}

int create_opts_parse(int argc, char **argv, struct create_opts *o)
{
        memset(o, 0, sizeof(*o));
        json_t *b = json_pack("{s:b,s:b,s:b,s:b,s:b,s:b,s:o,s:o,s:{}}", "AttachStdin", 0, "AttachStdout", 1,
                              "AttachStderr", 1, "Tty", 0, "OpenStdin", 0, "StdinOnce", 0, "Env", json_array(),
                              "Labels", json_object(), "HostConfig");
        json_t *hc = json_object_get(b, "HostConfig");
        json_object_set_new(hc, "NetworkMode", json_string("default"));
        o->body = b;
        int opt;
        optind = 1;
        /* "+" stops at the first non-option: the image name */
        while ((opt = getopt_long(argc, argv, "+dite:w:u:h:l:v:p:Pm:", run_opts, NULL)) != -1) {
                int64_t n;
                switch (opt) {
                case 'd':
                        o->detach = true;
                        break;
                case 'i':
                        json_object_set_new(b, "OpenStdin", json_true());
                        json_object_set_new(b, "AttachStdin", json_true());
                        json_object_set_new(b, "StdinOnce", json_true());
                        o->interactive = true;
                        break;
                case 't':
                        json_object_set_new(b, "Tty", json_true());
                        o->tty = true;
                        break;
                case 'e': {
                        if (strchr(optarg, '=')) {
                                json_array_append_new(json_object_get(b, "Env"), json_string(optarg));
                        } else if (getenv(optarg)) {
                                char *kv = NULL;
                                if (asprintf(&kv, "%s=%s", optarg, getenv(optarg)) > 0)
                                        json_array_append_new(json_object_get(b, "Env"), json_string(kv));
                                free(kv);
                        }
                        break;
                }
                case O_ENVFILE:
                        if (env_file(json_object_get(b, "Env"), optarg) < 0)
                                return -1;
                        break;
                case 'w':
                        json_object_set_new(b, "WorkingDir", json_string(optarg));
                        break;
                case 'u':
                        json_object_set_new(b, "User", json_string(optarg));
                        break;
                case O_NAME:
                        o->name = optarg;
                        break;
                case O_ENTRYPOINT:
                        json_object_set_new(b, "Entrypoint", json_pack("[s]", optarg));
                        break;
                case 'h':
                        json_object_set_new(b, "Hostname", json_string(optarg));
                        break;
                case 'l': {
                        const char *eq = strchr(optarg, '=');
                        char k[256];
                        snprintf(k, sizeof(k), "%.*s", eq ? (int) (eq - optarg) : (int) strlen(optarg), optarg);
                        json_object_set_new(json_object_get(b, "Labels"), k, json_string(eq ? eq + 1 : ""));
                        break;
                }
                case 'v':
                        json_array_append_new(arr(hc, "Binds"), json_string(optarg));
                        break;
                case 'p':
                        if (publish(b, hc, optarg) < 0)
                                return -1;
                        break;
                case 'P':
                        json_object_set_new(hc, "PublishAllPorts", json_true());
                        break;
                case O_RM:
                        json_object_set_new(hc, "AutoRemove", json_true());
                        o->auto_remove = true;
                        break;
                case O_PRIV:
                        json_object_set_new(hc, "Privileged", json_true());
                        break;
                case O_CAPADD:
                        json_array_append_new(arr(hc, "CapAdd"), json_string(optarg));
                        break;
                case O_CAPDROP:
                        json_array_append_new(arr(hc, "CapDrop"), json_string(optarg));
                        break;
                case O_SECOPT:
                        json_array_append_new(arr(hc, "SecurityOpt"), json_string(optarg));
                        break;
                case O_RO:
                        json_object_set_new(hc, "ReadonlyRootfs", json_true());
                        break;
                case O_ULIMIT: {
                        char name[64];
                        long long soft = 0, hard = 0;
                        int k = sscanf(optarg, "%63[^=]=%lld:%lld", name, &soft, &hard);
                        if (k < 2) {
                                fprintf(stderr, "invalid ulimit argument: %s\n", optarg);
                                return -1;
                        }
                        json_array_append_new(arr(hc, "Ulimits"),
                                              json_pack("{s:s,s:I,s:I}", "Name", name, "Soft", (json_int_t) soft,
                                                        "Hard", (json_int_t) (k == 3 ? hard : soft)));
                        break;
                }
                case O_ANNOT: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq) {
                                fprintf(stderr, "invalid annotation %s: expected key=value\n", optarg);
                                return -1;
                        }
                        char k[256];
                        snprintf(k, sizeof(k), "%.*s", (int) (eq - optarg), optarg);
                        json_object_set_new(obj(hc, "Annotations"), k, json_string(eq + 1));
                        break;
                }
                case 'm':
                        if (size_opt("--memory", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "Memory", json_integer(n));
                        break;
                case O_SWAP:
                        if (strcmp(optarg, "-1") == 0)
                                n = -1;
                        else if (size_opt("--memory-swap", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "MemorySwap", json_integer(n));
                        break;
                case O_MEMRES:
                        if (size_opt("--memory-reservation", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "MemoryReservation", json_integer(n));
                        break;
                case O_SHM:
                        if (size_opt("--shm-size", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "ShmSize", json_integer(n));
                        break;
                case O_CPUS: {
                        char *end;
                        double c = strtod(optarg, &end);
                        /* NaN and values whose nanoseconds do not fit in int64 are refused too */
                        if (*end || end == optarg || !(c > 0 && c <= 9e9)) {
                                fprintf(stderr, "invalid argument \"%s\" for \"--cpus\" flag\n", optarg);
                                return -1;
                        }
                        json_object_set_new(hc, "NanoCpus", json_integer((json_int_t) (c * 1e9)));
                        break;
                }
                case O_SHARES:
                        json_object_set_new(hc, "CpuShares", json_integer(atoll(optarg)));
                        break;
                case O_CPUSET:
                        json_object_set_new(hc, "CpusetCpus", json_string(optarg));
                        break;
                case O_PIDS:
                        json_object_set_new(hc, "PidsLimit", json_integer(atoll(optarg)));
                        break;
                case O_RESTART: {
                        char name[64];
                        int max = 0;
                        if (sscanf(optarg, "%63[^:]:%d", name, &max) < 1)
                                snprintf(name, sizeof(name), "%s", optarg);
                        json_object_set_new(hc, "RestartPolicy",
                                            json_pack("{s:s,s:i}", "Name", name, "MaximumRetryCount", max));
                        break;
                }
                case O_LOGOPT: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq) {
                                fprintf(stderr, "invalid log-opt %s: expected key=value\n", optarg);
                                return -1;
                        }
                        char k[128];
                        snprintf(k, sizeof(k), "%.*s", (int) (eq - optarg), optarg);
                        json_t *lc = obj(hc, "LogConfig");
                        json_object_set_new(obj(lc, "Config"), k, json_string(eq + 1));
                        break;
                }
                case O_LOGDRIVER:
                        json_object_set_new(obj(hc, "LogConfig"), "Type", json_string(optarg));
                        break;
                case O_RICH:
                        json_object_set_new(hc, "Rich", json_true());
                        break;
                case O_RICHMODE:
                        json_object_set_new(hc, "RichMode", json_string(optarg));
                        break;
                case O_INITSCRIPT:
                        json_object_set_new(hc, "InitScript", json_string(optarg));
                        break;
                case O_RICHSERVICES:
                        json_object_set_new(hc, "RichServices", json_string(optarg));
                        break;
                case O_LXCFS: {
                        /* --enable-lxcfs or --enable-lxcfs=true|false: false turns off a rich container's views */
                        bool on = !optarg || strcmp(optarg, "true") == 0 || strcmp(optarg, "1") == 0;
                        if (!on && strcmp(optarg, "false") != 0 && strcmp(optarg, "0") != 0) {
                                fprintf(stderr, "invalid --enable-lxcfs value '%s': true or false\n", optarg);
                                return -1;
                        }
                        json_object_set_new(hc, "EnableLxcfs", json_boolean(on));
                        break;
                }
                case O_QUOTA:
                        if (disk_quota(hc, optarg) < 0)
                                return -1;
                        break;
                case O_QUOTAID:
                        json_object_set_new(hc, "QuotaID", json_string(optarg));
                        break;
                case O_NET:
                        json_object_set_new(hc, "NetworkMode", json_string(optarg));
                        break;
                case O_TMPFS: {
                        char path[512];
                        const char *colon = strchr(optarg, ':');
                        snprintf(path, sizeof(path), "%.*s", colon ? (int) (colon - optarg) : (int) strlen(optarg),
                                 optarg);
                        json_object_set_new(obj(hc, "Tmpfs"), path, json_string(colon ? colon + 1 : ""));
                        break;
                }
                case O_STOPSIG:
                        json_object_set_new(b, "StopSignal", json_string(optarg));
                        break;
                case O_STOPTIMEOUT:
                        json_object_set_new(b, "StopTimeout", json_integer(atoi(optarg)));
                        break;
                case O_ADDHOST:
                        json_array_append_new(arr(hc, "ExtraHosts"), json_string(optarg));
                        break;
                case O_VOLFROM:
                        json_array_append_new(arr(hc, "VolumesFrom"), json_string(optarg));
                        break;
                case O_MOUNT: {
                        json_t *m = mount_spec(optarg);
                        if (!m)
                                return -1;
                        json_array_append_new(arr(hc, "Mounts"), m);
                        break;
                }
                case O_DNS:
                        json_array_append_new(arr(hc, "Dns"), json_string(optarg));
                        break;
                case O_DNSSEARCH:
                        json_array_append_new(arr(hc, "DnsSearch"), json_string(optarg));
                        break;
                case O_DNSOPT:
                        json_array_append_new(arr(hc, "DnsOptions"), json_string(optarg));
                        break;
                case O_CPUPERIOD:
                        if (int_opt("--cpu-period", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "CpuPeriod", json_integer(n));
                        break;
                case O_CPUQUOTA:
                        if (int_opt("--cpu-quota", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "CpuQuota", json_integer(n));
                        break;
                case O_CPUSETMEMS:
                        json_object_set_new(hc, "CpusetMems", json_string(optarg));
                        break;
                case O_BLKIOW:
                        if (int_opt("--blkio-weight", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "BlkioWeight", json_integer(n));
                        break;
                case O_RBPS:
                case O_WBPS:
                case O_RIOPS:
                case O_WIOPS:
                        if (device_rate(hc,
                                        opt == O_RBPS    ? "BlkioDeviceReadBps"
                                        : opt == O_WBPS  ? "BlkioDeviceWriteBps"
                                        : opt == O_RIOPS ? "BlkioDeviceReadIOps"
                                                         : "BlkioDeviceWriteIOps",
                                        optarg, opt == O_RBPS || opt == O_WBPS) < 0)
                                return -1;
                        break;
                case O_DEVICE:
                        if (device_opt(hc, optarg) < 0)
                                return -1;
                        break;
                case O_OOMKD:
                        json_object_set_new(hc, "OomKillDisable", json_true());
                        break;
                case O_OOMADJ:
                        if (int_opt("--oom-score-adj", optarg, &n) < 0)
                                return -1;
                        json_object_set_new(hc, "OomScoreAdj", json_integer(n));
                        break;
                case O_CGPARENT:
                        json_object_set_new(hc, "CgroupParent", json_string(optarg));
                        break;
                case O_GROUPADD:
                        json_array_append_new(arr(hc, "GroupAdd"), json_string(optarg));
                        break;
                case O_SYSCTL: {
                        const char *eq = strchr(optarg, '=');
                        if (!eq) {
                                fprintf(stderr, "invalid argument \"%s\" for \"--sysctl\": expected KEY=VALUE\n",
                                        optarg);
                                return -1;
                        }
                        _cleanup_free_ char *k = strndup(optarg, (size_t) (eq - optarg));
                        json_object_set_new(obj(hc, "Sysctls"), k, json_string(eq + 1));
                        break;
                }
                case O_EXPOSE: {
                        char port[64];
                        snprintf(port, sizeof(port), strchr(optarg, '/') ? "%s" : "%s/tcp", optarg);
                        json_object_set_new(obj(b, "ExposedPorts"), port, json_object());
                        break;
                }
                case O_DOMAIN:
                        json_object_set_new(b, "Domainname", json_string(optarg));
                        break;
                case O_IPC:
                        json_object_set_new(hc, "IpcMode", json_string(optarg));
                        break;
                case O_PID:
                        json_object_set_new(hc, "PidMode", json_string(optarg));
                        break;
                case O_UTS:
                        json_object_set_new(hc, "UTSMode", json_string(optarg));
                        break;
                /* filed under "" until the network is known (--network may come later) */
                case O_IP:
                        json_object_set_new(obj(obj(obj(obj(b, "NetworkingConfig"), "EndpointsConfig"), ""),
                                                "IPAMConfig"),
                                            "IPv4Address", json_string(optarg));
                        break;
                case O_ALIAS:
                        json_array_append_new(arr(obj(obj(obj(b, "NetworkingConfig"), "EndpointsConfig"), ""),
                                                  "Aliases"),
                                              json_string(optarg));
                        break;
                case O_HOOK:
                        if (hook_opt(hc, optarg) < 0)
                                return -1;
                        break;
                case 'H':
                        o->help = true;
                        return 0;
                default:
                        return -1;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "requires at least 1 argument: IMAGE [COMMAND] [ARG...]\n");
                return -1;
        }
        json_t *eps = json_object_get(json_object_get(b, "NetworkingConfig"), "EndpointsConfig");
        json_t *pending = json_object_get(eps, "");
        if (pending) {
                const char *net = json_get_str(hc, "NetworkMode", "default");
                json_object_set(eps, strcmp(net, "default") ? net : "bridge", pending);
                json_object_del(eps, "");
        }
        json_object_set_new(b, "Image", json_string(argv[optind]));
        if (optind + 1 < argc) {
                json_t *cmd = json_array();
                for (int i = optind + 1; i < argc; i++)
                        json_array_append_new(cmd, json_string(argv[i]));
                json_object_set_new(b, "Cmd", cmd);
        }
        if (o->detach) {
                json_object_set_new(b, "AttachStdout", json_false());
                json_object_set_new(b, "AttachStderr", json_false());
                json_object_set_new(b, "AttachStdin", json_false());
                json_object_set_new(b, "StdinOnce", json_false());
        }
        return 0;
}
