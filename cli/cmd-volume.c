/* pouch volume create | ls | inspect | rm | prune */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_filter_add(json_t *filters, const char *spec)
{
        const char *eq = strchr(spec, '=');
        if (!eq) {
                fprintf(stderr, "bad format of filter (expected name=value)\n");
                return -1;
        }
        _cleanup_free_ char *k = strndup(spec, (size_t) (eq - spec));
        json_t *vals = json_object_get(filters, k);
        if (!vals)
                json_object_set_new(filters, k, vals = json_object());
        json_object_set_new(vals, eq + 1, json_true());
        return 0;
}

void cli_filters_path(const char *base, const json_t *filters, char *buf, size_t len)
{
        if (!json_object_size(filters)) {
                snprintf(buf, len, "%s", base);
                return;
        }
        _cleanup_free_ char *fs = json_dumps(filters, JSON_COMPACT);
        _cleanup_free_ char *e = url_escape(fs);
        snprintf(buf, len, "%s?filters=%s", base, e ? e : "");
}

int cli_call_json(struct cli *c, const char *method, const char *path, const char *body, json_t **ret)
{
        struct http_resp r;
        if (http_call(c, method, path, body, body ? strlen(body) : 0, NULL, &r) < 0)
                return 1;
        int rc = 0;
        if (r.status >= 400)
                rc = cli_daemon_error(&r);
        else if (ret && r.len)
                *ret = json_loadb(r.body, r.len, 0, NULL);
        http_resp_done(&r);
        return rc;
}

/* "k=v" into obj; 1 with a message when there is no '='. */
static int put_kv(json_t *obj, const char *kv, const char *what)
{
        const char *eq = strchr(kv, '=');
        if (!eq && strcmp(what, "label") != 0) {
                fprintf(stderr, "invalid %s '%s': expected KEY=VALUE\n", what, kv);
                return 1;
        }
        _cleanup_free_ char *k = eq ? strndup(kv, (size_t) (eq - kv)) : strdup(kv);
        json_object_set_new(obj, k, json_string(eq ? eq + 1 : ""));
        return 0;
}

static int volume_create_cmd(struct cli *c, int argc, char **argv)
{
        _cleanup_json_ json_t *body = json_pack("{s:s,s:{},s:{}}", "Driver", "local", "DriverOpts", "Labels");
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if ((!strcmp(a, "-d") || !strcmp(a, "--driver")) && i + 1 < argc)
                        json_object_set_new(body, "Driver", json_string(argv[++i]));
                else if ((!strcmp(a, "-o") || !strcmp(a, "--opt")) && i + 1 < argc) {
                        if (put_kv(json_object_get(body, "DriverOpts"), argv[++i], "option"))
                                return 1;
                } else if (!strcmp(a, "--label") && i + 1 < argc) {
                        if (put_kv(json_object_get(body, "Labels"), argv[++i], "label"))
                                return 1;
                } else if (!strcmp(a, "--name") && i + 1 < argc)
                        json_object_set_new(body, "Name", json_string(argv[++i]));
                else if (a[0] == '-') {
                        fprintf(stderr, "unknown flag: %s\n", a);
                        return 1;
                } else
                        json_object_set_new(body, "Name", json_string(a));
        }
        _cleanup_free_ char *s = json_dumps(body, JSON_COMPACT);
        _cleanup_json_ json_t *doc = NULL;
        if (cli_call_json(c, "POST", "/volumes/create", s, &doc))
                return 1;
        printf("%s\n", json_string_value(json_object_get(doc, "Name")) ?: "");
        return 0;
}

static int volume_ls_cmd(struct cli *c, int argc, char **argv)
{
        bool quiet = false;
        const char *format = NULL;
        _cleanup_json_ json_t *filters = json_object();
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
                        quiet = true;
                else if (!strcmp(argv[i], "--format") && i + 1 < argc)
                        format = argv[++i];
                else if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--filter")) && i + 1 < argc) {
                        if (cli_filter_add(filters, argv[++i]) < 0)
                                return 1;
                }
        }
        char path[2048];
        cli_filters_path("/volumes", filters, path, sizeof(path));
        _cleanup_json_ json_t *res = NULL;
        if (cli_call_json(c, "GET", path, NULL, &res))
                return 1;
        if (!quiet && !format)
                printf("%-15s %s\n", "DRIVER", "VOLUME NAME");
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(res, "Volumes"), i, v) {
                const char *name = json_string_value(json_object_get(v, "Name")) ?: "";
                if (format) {
                        _cleanup_free_ char *out = template_render(format, v);
                        printf("%s\n", out ? out : "");
                } else if (quiet)
                        printf("%s\n", name);
                else
                        printf("%-15s %s\n", json_string_value(json_object_get(v, "Driver")) ?: "", name);
        }
        return 0;
}

static int volume_inspect_cmd(struct cli *c, int argc, char **argv)
{
        return inspect_objects(c, argc, argv, "/volumes/%s");
}

static int volume_rm_cmd(struct cli *c, int argc, char **argv)
{
        bool force = false;
        int rc = 0;
        for (int i = 1; i < argc; i++)
                force |= !strcmp(argv[i], "-f") || !strcmp(argv[i], "--force");
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-')
                        continue;
                _cleanup_free_ char *e = url_escape(argv[i]);
                char path[1024];
                snprintf(path, sizeof(path), "/volumes/%s%s", e, force ? "?force=1" : "");
                if (cli_call_json(c, "DELETE", path, NULL, NULL))
                        rc = 1;
                else
                        printf("%s\n", argv[i]);
        }
        return rc;
}

static int volume_prune_cmd(struct cli *c, int argc, char **argv)
{
        bool all = false;
        for (int i = 1; i < argc; i++)
                all |= !strcmp(argv[i], "-a") || !strcmp(argv[i], "--all");
        _cleanup_json_ json_t *res = NULL;
        const char *path = all ? "/volumes/prune?filters=%7B%22all%22%3A%7B%22true%22%3Atrue%7D%7D" : "/volumes/prune";
        if (cli_call_json(c, "POST", path, NULL, &res))
                return 1;
        size_t i;
        json_t *v;
        json_t *del = json_object_get(res, "VolumesDeleted");
        if (json_array_size(del))
                printf("Deleted Volumes:\n");
        json_array_foreach(del, i, v)
                printf("%s\n", json_string_value(v));
        printf("\nTotal reclaimed space: 0B\n");
        return 0;
}

int cmd_volume(struct cli *c, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct cli *, int, char **);
        } sub[] = {
                { "create", volume_create_cmd },   { "ls", volume_ls_cmd }, { "list", volume_ls_cmd },
                { "inspect", volume_inspect_cmd }, { "rm", volume_rm_cmd }, { "remove", volume_rm_cmd },
                { "prune", volume_prune_cmd },
        };
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                printf("Usage:  pouch volume COMMAND\n\nManage volumes\n\nCommands:\n"
                       "  create [-d local] [-o KEY=VALUE] [--label KEY=VALUE] [NAME]\n"
                       "  ls [-q] [-f KEY=VALUE] [--format TEMPLATE]\n  inspect [-f FORMAT] VOLUME...\n"
                       "  rm [-f] VOLUME...\n  prune [-a]\n");
                return argc < 2 ? 1 : 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
                if (!strcmp(argv[1], sub[i].name)) {
                        if (want_help(argc - 1, argv + 1, "volume"))
                                return 0;
                        return sub[i].fn(c, argc - 1, argv + 1);
                }
        fprintf(stderr, "pouch volume: unknown command '%s'\n", argv[1]);
        return 1;
}
