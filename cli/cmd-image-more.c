/* pouch history, pouch image ..., pouch system df. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int get(struct cli *c, const char *path, const char *method, json_t **ret)
{
        struct http_resp r;
        if (http_call(c, method, path, NULL, 0, NULL, &r) < 0)
                return 1;
        int rc = 0;
        if (r.status >= 400)
                rc = cli_daemon_error(&r);
        else
                *ret = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
        http_resp_done(&r);
        return rc;
}

int cmd_history(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "history"))
                return 0;
        bool quiet = false, notrunc = false;
        const char *name = NULL, *format = NULL;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
                        quiet = true;
                else if (!strcmp(argv[i], "--no-trunc"))
                        notrunc = true;
                else if (!strcmp(argv[i], "--format") && i + 1 < argc)
                        format = argv[++i];
                else
                        name = argv[i];
        }
        if (!name) {
                fprintf(stderr, "\"pouch history\" requires exactly 1 argument.\n");
                return 1;
        }
        _cleanup_free_ char *e = url_escape(name);
        char path[1024];
        snprintf(path, sizeof(path), "/images/%s/history", e);
        _cleanup_json_ json_t *h = NULL;
        if (get(c, path, "GET", &h))
                return 1;
        if (!quiet && !format)
                printf("%-15s %-15s %-45s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
        size_t i;
        json_t *v;
        json_array_foreach(h, i, v) {
                const char *id = json_get_str(v, "Id", "");
                const char *shown = !strncmp(id, "sha256:", 7) && !notrunc ? id + 7 : id;
                if (format) {
                        _cleanup_free_ char *out = template_render(format, v);
                        printf("%s\n", out ? out : "");
                        continue;
                }
                if (quiet) {
                        printf("%.*s\n", notrunc ? 80 : 12, shown);
                        continue;
                }
                _cleanup_free_ char *ago = json_get_int(v, "Created", 0) ? human_ago(json_get_int(v, "Created", 0))
                                                                         : strdup("N/A");
                _cleanup_free_ char *size = human_size((double) json_get_int(v, "Size", 0));
                const char *by = json_get_str(v, "CreatedBy", "");
                printf("%-15.*s %-15s %-45.*s %-10s %s\n", notrunc ? 80 : 12, shown, ago ? ago : "",
                       notrunc ? 4096 : 44, by, size ? size : "", json_get_str(v, "Comment", ""));
        }
        return 0;
}

static int image_prune(struct cli *c, int argc, char **argv)
{
        bool all = false;
        for (int i = 1; i < argc; i++)
                all |= !strcmp(argv[i], "-a") || !strcmp(argv[i], "--all");
        _cleanup_json_ json_t *res = NULL;
        if (get(c, all ? "/images/prune?filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%7D" : "/images/prune",
                "POST", &res))
                return 1;
        json_t *del = json_object_get(res, "ImagesDeleted");
        if (json_array_size(del))
                printf("Deleted Images:\n");
        size_t i;
        json_t *v;
        json_array_foreach(del, i, v) {
                if (json_object_get(v, "Untagged"))
                        printf("untagged: %s\n", json_get_str(v, "Untagged", ""));
                if (json_object_get(v, "Deleted"))
                        printf("deleted: %s\n", json_get_str(v, "Deleted", ""));
        }
        _cleanup_free_ char *sz = human_size((double) json_get_int(res, "SpaceReclaimed", 0));
        printf("\nTotal reclaimed space: %s\n", sz ? sz : "0B");
        return 0;
}

int inspect_objects(struct cli *c, int argc, char **argv, const char *path_fmt)
{
        const char *format = NULL;
        json_t *all = json_array();
        int rc = 0;
        for (int i = 1; i < argc; i++) {
                if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--format")) && i + 1 < argc) {
                        format = argv[++i];
                        continue;
                }
                _cleanup_free_ char *e = url_escape(argv[i]);
                char path[1024];
                snprintf(path, sizeof(path), path_fmt, e);
                json_t *doc = NULL;
                if (get(c, path, "GET", &doc))
                        rc = 1;
                else
                        json_array_append_new(all, doc);
        }
        size_t i;
        json_t *v;
        if (format)
                json_array_foreach(all, i, v) {
                        _cleanup_free_ char *out = template_render(format, v);
                        printf("%s\n", out ? out : "");
                }
        else {
                _cleanup_free_ char *s = json_dumps(all, JSON_INDENT(4));
                printf("%s\n", s ? s : "[]");
        }
        json_decref(all);
        return rc;
}

static int image_inspect(struct cli *c, int argc, char **argv)
{
        return inspect_objects(c, argc, argv, "/images/%s/json");
}

int cmd_image(struct cli *c, int argc, char **argv)
{
        static const struct {
                const char *name;
                int (*fn)(struct cli *, int, char **);
        } sub[] = {
                { "ls", cmd_images },     { "list", cmd_images },   { "inspect", image_inspect }, { "rm", cmd_rmi },
                { "remove", cmd_rmi },    { "prune", image_prune }, { "history", cmd_history },   { "tag", cmd_tag },
                { "pull", cmd_pull },     { "push", cmd_push },     { "save", cmd_save },         { "load", cmd_load },
                { "import", cmd_import },
        };
        if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
                printf("Usage:  pouch image COMMAND\n\nManage images\n\nCommands:\n  ls, inspect, rm, prune [-a], history, "
                       "tag, pull, push, save, load, import\n");
                return argc < 2 ? 1 : 0;
        }
        for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
                if (!strcmp(argv[1], sub[i].name))
                        return sub[i].fn(c, argc - 1, argv + 1);
        fprintf(stderr, "pouch image: unknown command '%s'\n", argv[1]);
        return 1;
}

/* pouch system df: images, containers and volumes with their sizes. */
static int system_df(struct cli *c)
{
        _cleanup_json_ json_t *df = NULL;
        if (get(c, "/system/df", "GET", &df))
                return 1;
        json_t *imgs = json_object_get(df, "Images"), *ctrs = json_object_get(df, "Containers");
        json_t *vols = json_object_get(df, "Volumes");
        size_t i, active_imgs = 0, running = 0;
        json_t *v;
        double isize = 0, csize = 0;
        json_array_foreach(imgs, i, v) {
                isize += (double) json_get_int(v, "Size", 0);
                active_imgs += json_get_int(v, "Containers", 0) > 0;
        }
        json_array_foreach(ctrs, i, v) {
                csize += (double) json_get_int(v, "SizeRw", 0);
                running += !strcmp(json_get_str(v, "State", ""), "running");
        }
        double vsize = 0;
        json_array_foreach(vols, i, v)
                vsize += (double) json_get_int(json_object_get(v, "UsageData"), "Size", 0);
        _cleanup_free_ char *is = human_size(isize), *cs = human_size(csize), *vs = human_size(vsize);
        printf("%-15s %-10s %-10s %-10s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE");
        printf("%-15s %-10zu %-10zu %-10s\n", "Images", json_array_size(imgs), active_imgs, is ? is : "0B");
        printf("%-15s %-10zu %-10zu %-10s\n", "Containers", json_array_size(ctrs), running, cs ? cs : "0B");
        printf("%-15s %-10zu %-10s %-10s\n", "Local Volumes", json_array_size(vols), "-", vs ? vs : "0B");
        return 0;
}

int cmd_system(struct cli *c, int argc, char **argv)
{
        if (argc >= 2 && !strcmp(argv[1], "df"))
                return system_df(c);
        if (argc >= 2 && !strcmp(argv[1], "info"))
                return cmd_info(c, argc - 1, argv + 1);
        if (argc >= 2 && !strcmp(argv[1], "events"))
                return cmd_events(c, argc - 1, argv + 1);
        printf("Usage:  pouch system COMMAND\n\nManage pouch\n\nCommands:\n  df, info, events\n");
        return argc >= 2 && strcmp(argv[1], "--help") ? 1 : 0;
}
