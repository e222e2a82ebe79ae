/* pouch services CONTAINER: the services pouch-init runs in a rich container, from inspect's
 * Rich.Status (pouch-init's status.json). */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NCOLS 7

static char *int_or_dash(const json_t *v)
{
        char *s = NULL;
        if (json_is_integer(v))
                return asprintf(&s, "%lld", (long long) json_integer_value(v)) < 0 ? NULL : s;
        return strdup("-");
}

/* The reason a service was skipped, or why it failed, then how many warnings it has. */
static char *reason_of(const json_t *svc)
{
        const char *reason = json_get_str(svc, "reason", ""), *error = json_get_str(svc, "error", "");
        const char *why = *reason ? reason : error;
        size_t nwarn = json_array_size(json_object_get(svc, "warnings"));
        char *s = NULL;
        int r;
        if (nwarn > 0)
                r = asprintf(&s, "%s%s%zu warning%s", why, *why ? "; " : "", nwarn, nwarn == 1 ? "" : "s");
        else
                r = asprintf(&s, "%s", *why ? why : "-");
        return r < 0 ? NULL : s;
}

static void row_of(const json_t *svc, char **row)
{
        const char *source = json_get_str(svc, "source", "");
        row[0] = strdup(json_get_str(svc, "name", "?"));
        row[1] = strdup(*source ? source : "-");
        row[2] = strdup(json_get_str(svc, "state", "?"));
        row[3] = int_or_dash(json_object_get(svc, "pid"));
        row[4] = int_or_dash(json_object_get(svc, "restarts"));
        row[5] = int_or_dash(json_object_get(svc, "lastExitCode"));
        row[6] = reason_of(svc);
}

static void print_table(const json_t *services)
{
        static const char *const titles[NCOLS] = {
                "NAME", "SOURCE", "STATE", "PID", "RESTARTS", "LAST EXIT", "REASON"
        };
        size_t n = json_array_size(services);
        char ***rows = calloc(n + 1, sizeof(char **));
        if (!rows)
                return;
        for (size_t r = 0; r <= n; r++) {
                rows[r] = calloc(NCOLS, sizeof(char *));
                if (!rows[r])
                        continue;
                if (r == 0)
                        for (size_t k = 0; k < NCOLS; k++)
                                rows[r][k] = strdup(titles[k]);
                else
                        row_of(json_array_get(services, r - 1), rows[r]);
                for (size_t k = 0; k < NCOLS; k++)
                        if (!rows[r][k])
                                rows[r][k] = strdup("");
        }
        table_print(rows, n + 1, NCOLS);
        for (size_t r = 0; r <= n; r++) {
                for (size_t k = 0; rows[r] && k < NCOLS; k++)
                        free(rows[r][k]);
                free(rows[r]);
        }
        free(rows);
}

/* The container's Rich.Status, or NULL with a message (not rich, not running, systemd). */
static json_t *rich_status(const json_t *doc, const char *name)
{
        json_t *rich = json_object_get(doc, "Rich");
        if (!rich) {
                fprintf(stderr, "Error: container %s is not a rich container (pouch run --rich)\n", name);
                return NULL;
        }
        const char *mode = json_get_str(rich, "Mode", "");
        if (strcmp(mode, "pouch-init") != 0) {
                fprintf(stderr,
                        "Error: container %s runs its own init (rich mode %s): its services are not pouch-init's\n",
                        name, mode);
                return NULL;
        }
        json_t *st = json_object_get(rich, "Status");
        if (!json_is_object(st))
                fprintf(stderr, "Error: container %s is not running\n", name);
        return json_is_object(st) ? st : NULL;
}

int cmd_services(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "services"))
                return 0;
        static const struct option opts[] = { { "format", required_argument, NULL, 'f' }, { 0 } };
        const char *format = "table";
        int o;
        optind = 1;
        while ((o = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
                if (o != 'f')
                        return 1;
                format = optarg;
        }
        if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0) {
                fprintf(stderr, "Error: --format is table or json, not %s\n", format);
                return 1;
        }
        if (argc - optind != 1) {
                fprintf(stderr, "\"pouch services\" requires exactly 1 argument: CONTAINER\n");
                return 1;
        }
        _cleanup_free_ char *e = url_escape(argv[optind]);
        char path[1024];
        snprintf(path, sizeof(path), "/containers/%s/json", e);
        _cleanup_json_ json_t *doc = NULL;
        if (cli_call_json(c, "GET", path, NULL, &doc))
                return 1;
        json_t *st = rich_status(doc, argv[optind]);
        if (!st)
                return 1;
        json_t *services = json_object_get(st, "services");
        if (strcmp(format, "json") == 0) {
                _cleanup_free_ char *s = json_is_array(services) ? json_dumps(services, JSON_INDENT(4)) : NULL;
                printf("%s\n", s ? s : "[]");
                return 0;
        }
        print_table(services);
        return 0;
}
