/* pouchd configuration: defaults, /etc/pouch/config.json, command line. */
#include "config.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <getopt.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void config_done(struct pouchd_config *c)
{
        free(c->home);
        strv_free(c->listen);
        free(c->runtime);
        free(c->config_file);
        free(c->log_level);
        free(c->tls_ca);
        free(c->tls_cert);
        free(c->tls_key);
        strv_free(c->registry_mirrors);
        strv_free(c->insecure_registries);
        free(c->bip);
        free(c->bridge);
        free(c->cni_bin_dir);
        free(c->cgroup_driver);
        free(c->quota_backend);
        strv_free(c->hooks_dirs);
        free(c->lxcfs_home);
        free(c->lxcfs_binary);
        memset(c, 0, sizeof(*c));
}

static void set_str(char **dst, const char *v)
{
        free(*dst);
        *dst = v ? strdup(v) : NULL;
}

static int load_file(struct pouchd_config *c, const char *path, bool must_exist, struct pouch_err *err)
{
        _cleanup_json_ json_t *j = NULL;
        char msg[256] = "";
        int r = json_read_file(path, &j, msg, sizeof(msg));
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r < 0)
                return err_set(err, r, "cannot read config file %s: %s", path, *msg ? msg : strerror(-r));
        if (!json_is_object(j))
                return err_set(err, -EINVAL, "config file %s: a JSON object was expected", path);
        if (json_get_str(j, "home", NULL))
                set_str(&c->home, json_get_str(j, "home", NULL));
        if (json_get_str(j, "runtime", NULL))
                set_str(&c->runtime, json_get_str(j, "runtime", NULL));
        if (json_get_str(j, "log-level", NULL))
                set_str(&c->log_level, json_get_str(j, "log-level", NULL));
        c->debug = json_get_bool(j, "debug", c->debug);
        const struct {
                const char *key;
                char **dst;
        } strs[] = { { "bip", &c->bip },
                     { "bridge", &c->bridge },
                     { "cni-bin-dir", &c->cni_bin_dir },
                     { "quota-backend", &c->quota_backend },
                     { "lxcfs-home", &c->lxcfs_home },
                     { "lxcfs-binary", &c->lxcfs_binary } };
        for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++)
                if (json_get_str(j, strs[k].key, NULL))
                        set_str(strs[k].dst, json_get_str(j, strs[k].key, NULL));
        const struct {
                const char *key;
                char ***dst;
        } lists[] = { { "registry-mirrors", &c->registry_mirrors },
                      { "insecure-registries", &c->insecure_registries } };
        for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
                json_t *a = json_object_get(j, lists[k].key);
                size_t i;
                json_t *v;
                json_array_foreach(a, i, v)
                        if (json_is_string(v))
                                strv_push(lists[k].dst, json_string_value(v));
        }
        c->enable_lxcfs = json_get_bool(j, "enable-lxcfs", c->enable_lxcfs);
        c->no_rich_sysinfo = !json_get_bool(j, "rich-sysinfo", !c->no_rich_sysinfo);
        c->hook_timeout = (int) json_get_int(j, "hook-timeout", c->hook_timeout);
        c->http_timeout = (int) json_get_int(j, "http-timeout", c->http_timeout);
        c->max_conns_per_peer = (int) json_get_int(j, "max-connections-per-peer", c->max_conns_per_peer);
        /* "hooks-dirs" (an array, or one string); "hooks-dir" is read too */
        for (const char *const *key = (const char *const[]){ "hooks-dir", "hooks-dirs", NULL }; *key; key++) {
                json_t *h = json_object_get(j, *key);
                if (json_is_string(h))
                        strv_push(&c->hooks_dirs, json_string_value(h));
                size_t i;
                json_t *v;
                json_array_foreach(h, i, v)
                        if (json_is_string(v))
                                strv_push(&c->hooks_dirs, json_string_value(v));
        }
        json_t *l = json_object_get(j, "listen");
        if (json_is_array(l) && json_array_size(l) > 0) {
                strv_free(c->listen);
                c->listen = strv_new();
                size_t i;
                json_t *v;
                json_array_foreach(l, i, v)
                        if (json_is_string(v))
                                strv_push(&c->listen, json_string_value(v));
        }
        return 0;
}

/* A non-negative integer option: --http-timeout (seconds, up to a day), --max-connections-per-peer. */
static int parse_count_opt(const char *name, const char *v, int *ret, struct pouch_err *err)
{
        long max = strcmp(name, "--http-timeout") == 0 ? 86400 : 1000000;
        char *end = NULL;
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno || !end || *end || end == v || x < 0 || x > max)
                return err_set(err, -EINVAL, "invalid %s %s (0 to %ld)", name, v, max);
        *ret = (int) x;
        return 0;
}

static void usage(FILE *f)
{
        fprintf(f, "Usage: pouchd [OPTIONS]\n\n"
                   "The pouch container engine daemon (Docker Engine API v1.41).\n\n"
                   "Options:\n"
                   "      --home DIR            state directory (default /var/lib/pouch)\n"
                   "  -l, --listen ADDR         unix:///path to listen on; repeatable\n"
                   "                            (default unix:///var/run/pouchd.sock)\n"
                   "      --runtime NAME|PATH   OCI runtime: runc (default), crun, or a path\n"
                   "      --config-file FILE    daemon config (default /etc/pouch/config.json)\n"
                   "  -D, --debug               debug logging\n"
                   "      --log-level LEVEL     error|warn|info|debug\n"
                   "      --tlscacert/--tlscert/--tlskey FILE   for tcp:// listeners (mutual TLS)\n"
                   "      --registry-mirror URL     tried first for docker.io pulls; repeatable\n"
                   "      --insecure-registry HOST  allow plain HTTP to HOST[:PORT]; repeatable\n"
                   "      --bip CIDR            default bridge network: gateway/prefix (172.29.0.1/16)\n"
                   "  -b, --bridge NAME         default bridge device (pouch0)\n"
                   "      --cni-bin-dir DIR     CNI plugins (/usr/lib/cni)\n"
                   "      --cgroup-driver NAME  cgroupfs (default) or systemd\n"
                   "      --quota-backend NAME  disk quotas: prjquota, loop or none (default: detect)\n"
                   "      --hooks-dir DIR       oci-hooks(5) JSON directory; repeatable (default\n"
                   "                            /usr/share/containers/oci/hooks.d and /etc/pouch/hooks.d)\n"
                   "      --hook-timeout SECS   limit for hooks that set no timeout (default 60; 0: none)\n"
                   "      --http-timeout SECS   close API connections idle this long: a request not fully\n"
                   "                            sent, an unread reply, keep-alive (default 30; 0: never)\n"
                   "      --max-connections-per-peer N  API connections per TCP address or non-root\n"
                   "                            uid on unix sockets (default 512; 0: no cap)\n"
                   "      --enable-lxcfs        lxcfs views of /proc for every container by default\n"
                   "      --lxcfs-home DIR      lxcfs mount point (default HOME/lxcfs)\n"
                   "      --lxcfs-binary PATH   lxcfs program (default /usr/bin/lxcfs)\n"
                   "  -v, --version             print the version\n"
                   "  -h, --help                this help\n");
}

int config_parse(struct pouchd_config *c, int argc, char **argv, struct pouch_err *err)
{
        enum {
                OPT_HOME = 256,
                OPT_RUNTIME,
                OPT_CONFIG,
                OPT_LOGLEVEL,
                OPT_TLSCA,
                OPT_TLSCERT,
                OPT_TLSKEY,
                OPT_MIRROR,
                OPT_INSECURE,
                OPT_BIP,
                OPT_CNI_DIR,
                OPT_CGDRIVER,
                OPT_QUOTA_BACKEND,
                OPT_HOOKS_DIR,
                OPT_ENABLE_LXCFS,
                OPT_LXCFS_HOME,
                OPT_LXCFS_BINARY,
                OPT_HOOK_TIMEOUT,
                OPT_HTTP_TIMEOUT,
                OPT_MAX_CONNS_PER_PEER
        };
        static const struct option opts[] = {
                { "home", required_argument, NULL, OPT_HOME },
                { "listen", required_argument, NULL, 'l' },
                { "host", required_argument, NULL, 'l' },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "config-file", required_argument, NULL, OPT_CONFIG },
                { "debug", no_argument, NULL, 'D' },
                { "log-level", required_argument, NULL, OPT_LOGLEVEL },
                { "tlscacert", required_argument, NULL, OPT_TLSCA },
                { "tlscert", required_argument, NULL, OPT_TLSCERT },
                { "tlskey", required_argument, NULL, OPT_TLSKEY },
                { "registry-mirror", required_argument, NULL, OPT_MIRROR },
                { "insecure-registry", required_argument, NULL, OPT_INSECURE },
                { "bip", required_argument, NULL, OPT_BIP },
                { "bridge", required_argument, NULL, 'b' },
                { "cni-bin-dir", required_argument, NULL, OPT_CNI_DIR },
                { "cgroup-driver", required_argument, NULL, OPT_CGDRIVER },
                { "quota-backend", required_argument, NULL, OPT_QUOTA_BACKEND },
                { "hooks-dir", required_argument, NULL, OPT_HOOKS_DIR },
                { "enable-lxcfs", no_argument, NULL, OPT_ENABLE_LXCFS },
                { "hook-timeout", required_argument, NULL, OPT_HOOK_TIMEOUT },
                { "http-timeout", required_argument, NULL, OPT_HTTP_TIMEOUT },
                { "max-connections-per-peer", required_argument, NULL, OPT_MAX_CONNS_PER_PEER },
                { "lxcfs-home", required_argument, NULL, OPT_LXCFS_HOME },
                { "lxcfs-binary", required_argument, NULL, OPT_LXCFS_BINARY },
                { "version", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        /* First pass: only --config-file, so the command line overrides the file. */
        const char *config_file = "/etc/pouch/config.json";
        bool explicit_config = false;
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--config-file") == 0 && i + 1 < argc) {
                        config_file = argv[i + 1];
                        explicit_config = true;
                } else if (strncmp(argv[i], "--config-file=", 14) == 0) {
                        config_file = argv[i] + 14;
                        explicit_config = true;
                }
        }
        set_str(&c->home, "/var/lib/pouch");
        set_str(&c->runtime, "runc");
        set_str(&c->log_level, "info");
        c->hook_timeout = 60;
        c->http_timeout = 30;
        c->max_conns_per_peer = 512;
        int r = load_file(c, config_file, explicit_config, err);
        if (r < 0)
                return r;
        set_str(&c->config_file, config_file);
        char **cli_listen = NULL;
        _cleanup_strv_free_ char **cli_hooks_dirs = NULL;
        int opt;
        optind = 1;
        while ((opt = getopt_long(argc, argv, "l:b:Dvh", opts, NULL)) != -1) {
                switch (opt) {
                case OPT_HOME:
                        set_str(&c->home, optarg);
                        break;
                case 'l':
                        strv_push(&cli_listen, optarg);
                        break;
                case OPT_RUNTIME:
                        set_str(&c->runtime, optarg);
                        break;
                case OPT_CONFIG:
                        break;
                case 'D':
                        c->debug = true;
                        break;
                case OPT_LOGLEVEL:
                        set_str(&c->log_level, optarg);
                        break;
                case OPT_TLSCA:
                        set_str(&c->tls_ca, optarg);
                        break;
                case OPT_TLSCERT:
                        set_str(&c->tls_cert, optarg);
                        break;
                case OPT_TLSKEY:
                        set_str(&c->tls_key, optarg);
                        break;
                case OPT_MIRROR:
                        strv_push(&c->registry_mirrors, optarg);
                        break;
                case OPT_INSECURE:
                        strv_push(&c->insecure_registries, optarg);
                        break;
                case OPT_BIP:
                        set_str(&c->bip, optarg);
                        break;
                case 'b':
                        set_str(&c->bridge, optarg);
                        break;
                case OPT_CNI_DIR:
                        set_str(&c->cni_bin_dir, optarg);
                        break;
                case OPT_CGDRIVER:
                        set_str(&c->cgroup_driver, optarg);
                        break;
                case OPT_QUOTA_BACKEND:
                        set_str(&c->quota_backend, optarg);
                        break;
                case OPT_HOOKS_DIR:
                        strv_push(&cli_hooks_dirs, optarg);
                        break;
                case OPT_ENABLE_LXCFS:
                        c->enable_lxcfs = true;
                        break;
                case OPT_HOOK_TIMEOUT: {
                        char *end = NULL;
                        errno = 0;
                        long v = strtol(optarg, &end, 10);
                        if (errno || !end || *end || end == optarg || v < 0 || v > 86400) {
                                strv_free(cli_listen);
                                return err_set(err, -EINVAL, "invalid --hook-timeout %s (seconds, 0 to 86400)", optarg);
                        }
                        c->hook_timeout = (int) v;
                        break;
                }
                case OPT_HTTP_TIMEOUT:
                case OPT_MAX_CONNS_PER_PEER:
                        if (parse_count_opt(opt == OPT_HTTP_TIMEOUT ? "--http-timeout" : "--max-connections-per-peer",
                                            optarg, opt == OPT_HTTP_TIMEOUT ? &c->http_timeout : &c->max_conns_per_peer,
                                            err) < 0) {
                                strv_free(cli_listen);
                                return err->code;
                        }
                        break;
                case OPT_LXCFS_HOME:
                        set_str(&c->lxcfs_home, optarg);
                        break;
                case OPT_LXCFS_BINARY:
                        set_str(&c->lxcfs_binary, optarg);
                        break;
                case 'v':
                        printf("pouchd version %s, build %s\n", POUCH_VERSION, POUCH_GIT_COMMIT);
                        exit(0);
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        strv_free(cli_listen);
                        return err_set(err, -EINVAL, "invalid arguments");
                }
        }
        if (optind < argc) {
                strv_free(cli_listen);
                return err_set(err, -EINVAL, "unexpected argument: %s", argv[optind]);
        }
        if (cli_listen) {
                strv_free(c->listen);
                c->listen = cli_listen;
        }
        if (cli_hooks_dirs) {
                strv_free(c->hooks_dirs);
                c->hooks_dirs = TAKE_PTR(cli_hooks_dirs);
        }
        if (!c->listen) {
                c->listen = strv_new();
                strv_push(&c->listen, "unix:///var/run/pouchd.sock");
        }
        if (c->hook_timeout < 0 || c->hook_timeout > 86400)
                return err_set(err, -EINVAL, "invalid hook-timeout %d in the config (seconds, 0 to 86400)",
                               c->hook_timeout);
        if (c->http_timeout < 0 || c->http_timeout > 86400)
                return err_set(err, -EINVAL, "invalid http-timeout %d in the config (seconds, 0 to 86400)",
                               c->http_timeout);
        if (c->max_conns_per_peer < 0 || c->max_conns_per_peer > 1000000)
                return err_set(err, -EINVAL, "invalid max-connections-per-peer %d in the config (0 to 1000000)",
                               c->max_conns_per_peer);
        if (c->home[0] != '/')
                return err_set(err, -EINVAL, "--home must be an absolute path: %s", c->home);
        if (c->cgroup_driver && strcmp(c->cgroup_driver, "cgroupfs") != 0 && strcmp(c->cgroup_driver, "systemd") != 0)
                return err_set(err, -EINVAL, "invalid --cgroup-driver %s (cgroupfs, systemd)", c->cgroup_driver);
        /* runc's systemd driver creates scopes through systemd's D-Bus API */
        if (c->cgroup_driver && strcmp(c->cgroup_driver, "systemd") == 0 && access("/run/systemd/system", F_OK) < 0)
                return err_set(err, -ENOTSUP,
                               "--cgroup-driver systemd needs systemd as the host's init (no /run/systemd/system)");
        if (log_level_from_string(c->log_level) < 0)
                return err_set(err, -EINVAL, "invalid --log-level %s (error, warn, info, debug)", c->log_level);
        return 0;
}
