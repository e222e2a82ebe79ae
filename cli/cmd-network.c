/* pouch network create | ls | inspect | rm | connect | disconnect | prune, and pouch port */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "k=v" into obj (a bare key gives ""). */
static void put_kv(json_t *obj, const char *kv)
{
        const char *eq = strchr(kv, '=');
        _cleanup_free_ char *k = eq ? strndup(kv, (size_t) (eq - kv)) : strdup(kv);
        json_object_set_new(obj, k, json_string(eq ? eq + 1 : ""));
}

static int network_create_cmd(struct cli *c, int argc, char **argv)
{
        static const struct option opts[] = {
                { "driver", required_argument, NULL, 'd' },  { "subnet", required_argument, NULL, 's' },
                { "gateway", required_argument, NULL, 'g' }, { "ip-range", required_argument, NULL, 'r' },
                { "label", required_argument, NULL, 'l' },   { "opt", required_argument, NULL, 'o' },
                { "internal", no_argument, NULL, 'i' },      {},
        };
        _cleanup_json_ json_t *body = json_pack("{s:s,s:b,s:{},s:{},s:{s:s,s:[{}]}}", "Driver", "bridge",
                                                "CheckDuplicate", 1, "Labels", "Options", "IPAM", "Driver", "default",
                                                "Config");
        json_t *ipam = json_array_get(json_object_get(json_object_get(body, "IPAM"), "Config"), 0);
        int opt;
        optind = 1;
        while ((opt = getopt_long(argc, argv, "+d:o:", opts, NULL)) != -1) {
                switch (opt) {
                case 'd':
                        json_object_set_new(body, "Driver", json_string(optarg));
                        break;
                case 's':
                        json_object_set_new(ipam, "Subnet", json_string(optarg));
                        break;
                case 'g':
                        json_object_set_new(ipam, "Gateway", json_string(optarg));
                        break;
                case 'r':
                        json_object_set_new(ipam, "IPRange", json_string(optarg));
                        break;
                case 'l':
                        put_kv(json_object_get(body, "Labels"), optarg);
                        break;
                case 'o':
                        put_kv(json_object_get(body, "Options"), optarg);
                        break;
                case 'i':
                        json_object_set_new(body, "Internal", json_true());
                        break;
                default:
                        return 1;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "\"pouch network create\" requires exactly 1 argument: NETWORK\n");
                return 1;
        }
        if (json_object_size(ipam) == 0)
                json_array_clear(json_object_get(json_object_get(body, "IPAM"), "Config"));
        json_object_set_new(body, "Name", json_string(argv[optind]));
        _cleanup_free_ char *s = json_dumps(body, JSON_COMPACT);
        _cleanup_json_ json_t *doc = NULL;
        if (cli_call_json(c, "POST", "/networks/create", s, &doc))
                return 1;
        printf("%s\n", json_get_str(doc, "Id", ""));
        return 0;
}

static int network_ls_cmd(struct cli *c, int argc, char **argv)
{
        bool quiet = false, no_trunc = false;
        const char *format = NULL;
        _cleanup_json_ json_t *filters = json_object();
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
                        quiet = true;
                else if (!strcmp(argv[i], "--no-trunc"))
                        no_trunc = true;
                else if (!strcmp(argv[i], "--format") && i + 1 < argc)
                        format = argv[++i];
                else if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--filter")) && i + 1 < argc) {
                        if (cli_filter_add(filters, argv[++i]) < 0)
                                return 1;
                } else {
                        fprintf(stderr, "unknown flag: %s\n", argv[i]);
                        return 1;
                }
        }
        char path[2048];
        cli_filters_path("/networks", filters, path, sizeof(path));
        _cleanup_json_ json_t *res = NULL;
        if (cli_call_json(c, "GET", path, NULL, &res))
                return 1;
        if (!quiet && !format)
                printf("%-14s %-20s %-10s %s\n", "NETWORK ID", "NAME", "DRIVER", "SCOPE");
        size_t i;
        json_t *n;
        json_array_foreach(res, i, n) {
                char id[80];
                snprintf(id, sizeof(id), "%.*s", no_trunc ? 64 : 12, json_get_str(n, "Id", ""));
                if (format) {
                        _cleanup_free_ char *out = template_render(format, n);
                        printf("%s\n", out ? out : "");
                } else if (quiet)
                        printf("%s\n", id);
                else
                        printf("%-14s %-20s %-10s %s\n", id, json_get_str(n, "Name", ""), json_get_str(n, "Driver", ""),
                               json_get_str(n, "Scope", "local"));
        }
        return 0;
}

static int network_inspect_cmd(struct cli *c, int argc, char **argv)
{
        return inspect_objects(c, argc, argv, "/networks/%s");
}

static int network_rm_cmd(struct cli *c, int argc, char **argv)
{
        int rc = 0;
        if (argc < 2) {
                fprintf(stderr, "\"pouch network rm\" requires at least 1 argument: NETWORK...\n");
                return 1;
        }
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-')
                        continue;
                _cleanup_free_ char *e = url_escape(argv[i]);
                char path[1024];
                snprintf(path, sizeof(path), "/networks/%s", e);
                if (cli_call_json(c, "DELETE", path, NULL, NULL))
                        rc = 1;
                else
                        printf("%s\n", argv[i]);
        }
        return rc;
}

static int network_connect_cmd(struct cli *c, int argc, char **argv, bool connect)
{
        static const struct option opts[] = {
                { "ip", required_argument, NULL, 'i' },
                { "alias", required_argument, NULL, 'a' },
                { "force", no_argument, NULL, 'f' },
                {},
        };
        _cleanup_json_ json_t *body = json_pack("{s:{s:{},s:[]}}", "EndpointConfig", "IPAMConfig", "Aliases");
        json_t *ep = json_object_get(body, "EndpointConfig");
        int opt;
        optind = 1;
        while ((opt = getopt_long(argc, argv, "+f", opts, NULL)) != -1) {
                switch (opt) {
                case 'i':
                        json_object_set_new(json_object_get(ep, "IPAMConfig"), "IPv4Address", json_string(optarg));
                        break;
                case 'a':
                        json_array_append_new(json_object_get(ep, "Aliases"), json_string(optarg));
                        break;
                case 'f':
                        json_object_set_new(body, "Force", json_true());
                        break;
                default:
                        return 1;
                }
        }
        if (optind + 2 != argc) {
                fprintf(stderr, "\"pouch network %s\" requires exactly 2 arguments: NETWORK CONTAINER\n",
                        connect ? "connect" : "disconnect");
                return 1;
        }
        json_object_set_new(body, "Container", json_string(argv[optind + 1]));
        if (!connect)
                json_object_del(body, "EndpointConfig");
        _cleanup_free_ char *s = json_dumps(body, JSON_COMPACT);
        _cleanup_free_ char *e = url_escape(argv[optind]);
        char path[1024];
        snprintf(path, sizeof(path), "/networks/%s/%s", e, connect ? "connect" : "disconnect");
        return cli_call_json(c, "POST", path, s, NULL);
}

static int network_connect(struct cli *c, int argc, char **argv)
{
        return network_connect_cmd(c, argc, argv, true);
}

static int network_disconnect(struct cli *c, int argc, char **argv)
{
        return network_connect_cmd(c, argc, argv, false);
}

static int network_prune_cmd(struct cli *c, int argc, char **argv)
{
        (void) argc;
        (void) argv;
        _cleanup_json_ json_t *res = NULL;
        if (cli_call_json(c, "POST", "/networks/prune", NULL, &res))
                return 1;
        json_t *del = json_object_get(res, "NetworksDeleted");
        if (json_array_size(del))
                printf("Deleted Networks:\n");
        size_t i;
        json_t *v;
        json_array_foreach(del, i, v)
                printf("%s\n", json_string_value(v));
        return 0;
}

int cmd_network(struct cli *c, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct cli *, int, char **);
        } sub[] = {
                { "create", network_create_cmd }, { "ls", network_ls_cmd },
                { "list", network_ls_cmd },       { "inspect", network_inspect_cmd },
                { "rm", network_rm_cmd },         { "remove", network_rm_cmd },
                { "connect", network_connect },   { "disconnect", network_disconnect },
                { "prune", network_prune_cmd },
        };
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                printf("Usage:  pouch network COMMAND\n\nManage networks\n\nCommands:\n"
                       "  create [--subnet CIDR] [--gateway IP] [--ip-range CIDR] [-o KEY=VALUE] [--label KEY=VALUE] "
                       "[--internal] NETWORK\n"
                       "  ls [-q] [--no-trunc] [-f KEY=VALUE] [--format TEMPLATE]\n  inspect [-f FORMAT] NETWORK...\n"
                       "  rm NETWORK...\n  connect [--ip IP] [--alias NAME] NETWORK CONTAINER\n"
                       "  disconnect [-f] NETWORK CONTAINER\n  prune\n");
                return argc < 2 ? 1 : 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
                if (!strcmp(argv[1], sub[i].name)) {
                        if (want_help(argc - 1, argv + 1, "network"))
                                return 0;
                        return sub[i].fn(c, argc - 1, argv + 1);
                }
        fprintf(stderr, "pouch network: unknown command '%s'\n", argv[1]);
        return 1;
}

/* pouch port CONTAINER [PRIVATE_PORT[/PROTO]]: docker's "80/tcp -> 0.0.0.0:8080" lines. */
int cmd_port(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "port"))
                return 0;
        if (argc < 2 || argc > 3) {
                fprintf(stderr, "\"pouch port\" requires 1 or 2 arguments: CONTAINER [PRIVATE_PORT[/PROTO]]\n");
                return 1;
        }
        _cleanup_free_ char *e = url_escape(argv[1]);
        char path[1024];
        snprintf(path, sizeof(path), "/containers/%s/json", e);
        _cleanup_json_ json_t *doc = NULL;
        if (cli_call_json(c, "GET", path, NULL, &doc))
                return 1;
        char want[64] = "";
        if (argc == 3)
                snprintf(want, sizeof(want), "%s%s", argv[2], strchr(argv[2], '/') ? "" : "/tcp");
        bool found = false;
        const char *key;
        json_t *binds;
        json_object_foreach(json_object_get(json_object_get(doc, "NetworkSettings"), "Ports"), key, binds) {
                if (*want && strcmp(key, want) != 0)
                        continue;
                size_t i;
                json_t *b;
                json_array_foreach(binds, i, b) {
                        const char *ip = json_get_str(b, "HostIp", "");
                        if (*want)
                                printf("%s:%s\n", *ip ? ip : "0.0.0.0", json_get_str(b, "HostPort", ""));
                        else
                                printf("%s -> %s:%s\n", key, *ip ? ip : "0.0.0.0", json_get_str(b, "HostPort", ""));
                        found = true;
                }
        }
        if (*want && !found) {
                fprintf(stderr, "Error: No public port '%s' published for %s\n", want, argv[1]);
                return 1;
        }
        return 0;
}
