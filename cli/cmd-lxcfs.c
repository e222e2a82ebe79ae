/* pouch remount-lxcfs [CONTAINER...], and the lxcfs lines of `pouch info`. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <string.h>

/* No names: every running container that uses lxcfs (POST /lxcfs/remount). */
static int remount_all(struct cli *c)
{
        _cleanup_json_ json_t *rep = NULL;
        if (cli_call_json(c, "POST", "/lxcfs/remount", NULL, &rep) != 0)
                return 1;
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(rep, "Remounted"), i, v)
                printf("%.12s\n", json_string_value(v));
        int rc = 0;
        json_array_foreach(json_object_get(rep, "Errors"), i, v) {
                fprintf(stderr, "Error: %.12s: %s\n", json_get_str(v, "Id", ""), json_get_str(v, "Error", ""));
                rc = 1;
        }
        return rc;
}

int cmd_remount_lxcfs(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "remount-lxcfs"))
                return 0;
        if (argc > 1 && argv[1][0] == '-') {
                fprintf(stderr, "unknown flag: %s\n", argv[1]);
                return 1;
        }
        if (argc < 2)
                return remount_all(c);
        int rc = 0;
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *esc = url_escape(argv[i]);
                char path[512];
                snprintf(path, sizeof(path), "/containers/%s/remount-lxcfs", esc ? esc : "");
                struct http_resp r;
                if (http_call(c, "POST", path, NULL, 0, NULL, &r) < 0)
                        return 1;
                if (r.status >= 400) {
                        cli_daemon_error(&r);
                        rc = 1;
                } else {
                        printf("%s\n", argv[i]);
                }
                http_resp_done(&r);
        }
        return rc;
}

void cli_info_print_lxcfs(const json_t *info)
{
        const json_t *l = json_object_get(info, "Lxcfs");
        if (!json_is_object(l))
                return;
        if (json_get_bool(l, "Running", false))
                printf("Lxcfs: running (pid %lld) on %s, restarts %lld\n", (long long) json_get_int(l, "Pid", 0),
                       json_get_str(l, "Mountpoint", ""), (long long) json_get_int(l, "Restarts", 0));
        else
                printf("Lxcfs: not running%s%s\n", *json_get_str(l, "Error", "") ? ": " : "",
                       json_get_str(l, "Error", ""));
}
