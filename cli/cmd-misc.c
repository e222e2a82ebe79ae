/* The request/response commands: lifecycle verbs, ps, logs, inspect, images, system. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool want_help(int argc, char **argv, const char *name)
{
        for (int i = 1; i < argc; i++)
                if (!strcmp(argv[i], "--help"))
                        for (const struct command *c = commands; c->name; c++)
                                if (!strcmp(c->name, name)) {
                                        printf("Usage:  pouch %s\n\n%s\n", c->usage, c->summary);
                                        return true;
                                }
        return false;
}

static int get_json(struct cli *c, const char *path, json_t **ret)
{
        struct http_resp r;
        if (http_call(c, "GET", path, NULL, 0, NULL, &r) < 0)
                return -1;
        if (r.status != 200) {
                cli_daemon_error(&r);
                http_resp_done(&r);
                return -1;
        }
        *ret = json_loadb(r.body, r.len, 0, NULL);
        http_resp_done(&r);
        return *ret ? 0 : -1;
}

/* stop, restart, kill, pause, unpause, rm: one request per argument, like docker. */
int cmd_simple(struct cli *c, int argc, char **argv)
{
        const char *verb = argv[0];
        if (want_help(argc, argv, verb))
                return 0;
        char query[128] = "";
        bool force = false, volumes = false;
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i];
                if ((!strcmp(a, "-t") || !strcmp(a, "--time")) && i + 1 < argc)
                        snprintf(query, sizeof(query), "?t=%s", argv[++i]);
                else if ((!strcmp(a, "-s") || !strcmp(a, "--signal")) && i + 1 < argc)
                        snprintf(query, sizeof(query), "?signal=%s", argv[++i]);
                else if (!strcmp(a, "-f") || !strcmp(a, "--force"))
                        force = true;
                else if (!strcmp(a, "-v") || !strcmp(a, "--volumes"))
                        volumes = true;
                else {
                        fprintf(stderr, "unknown flag: %s\n", a);
                        return 1;
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch %s\" requires at least 1 argument.\n", verb);
                return 1;
        }
        int rc = 0;
        for (; i < argc; i++) {
                _cleanup_free_ char *esc = url_escape(argv[i]);
                char path[512];
                const char *method = "POST";
                if (!strcmp(verb, "rm")) {
                        method = "DELETE";
                        snprintf(path, sizeof(path), "/containers/%s?force=%d&v=%d", esc, force, volumes);
                } else {
                        snprintf(path, sizeof(path), "/containers/%s/%s%s", esc, verb, query);
                }
                struct http_resp r;
                if (http_call(c, method, path, NULL, 0, NULL, &r) < 0)
                        return 1;
                if (r.status >= 400) {
                        cli_daemon_error(&r);
                        if (!(force && r.status == 404))
                                rc = 1;
                } else {
                        printf("%s\n", argv[i]);
                }
                http_resp_done(&r);
        }
        return rc;
}

static char *join_command(const json_t *v)
{
        const char *cmd = json_get_str(v, "Command", "");
        char *q = NULL;
        size_t n = strlen(cmd);
        if (n > 20)
                asprintf(&q, "\"%.19s…\"", cmd);
        else
                asprintf(&q, "\"%s\"", cmd);
        return q;
}

/* docker ps's PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp" (malloc'd, never NULL on success) */
static char *ports_text(const json_t *summary)
{
        char buf[1024] = "";
        size_t n = 0;
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(summary, "Ports"), i, p) {
                const char *ip = json_get_str(p, "IP", "");
                int pub = (int) json_get_int(p, "PublicPort", 0);
                int priv = (int) json_get_int(p, "PrivatePort", 0);
                const char *type = json_get_str(p, "Type", "tcp");
                int k;
                if (pub)
                        k = snprintf(buf + n, sizeof(buf) - n, "%s%s:%d->%d/%s", n ? ", " : "", *ip ? ip : "0.0.0.0",
                                     pub, priv, type);
                else
                        k = snprintf(buf + n, sizeof(buf) - n, "%s%d/%s", n ? ", " : "", priv, type);
                if (k < 0 || (size_t) k >= sizeof(buf) - n)
                        break;
                n += (size_t) k;
        }
        return strdup(buf);
}

int cmd_ps(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "ps"))
                return 0;
        bool all = false, quiet = false, notrunc = false;
        const char *format = NULL;
        int last = -1;
        json_t *filters = json_object();
        for (int i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "-a") || !strcmp(a, "--all"))
                        all = true;
                else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
                        quiet = true;
                else if (!strcmp(a, "-aq") || !strcmp(a, "-qa"))
                        all = quiet = true;
                else if (!strcmp(a, "--no-trunc"))
                        notrunc = true;
                else if (!strcmp(a, "-l") || !strcmp(a, "--latest"))
                        last = 1, all = true;
                else if ((!strcmp(a, "-n") || !strcmp(a, "--last")) && i + 1 < argc)
                        last = atoi(argv[++i]), all = true;
                else if ((!strcmp(a, "-f") || !strcmp(a, "--filter")) && i + 1 < argc) {
                        const char *f = argv[++i];
                        const char *eq = strchr(f, '=');
                        if (!eq) {
                                fprintf(stderr, "bad format of filter (expected name=value)\n");
                                json_decref(filters);
                                return 1;
                        }
                        char k[64];
                        snprintf(k, sizeof(k), "%.*s", (int) (eq - f), f);
                        json_t *o = json_object_get(filters, k);
                        if (!o) {
                                o = json_object();
                                json_object_set_new(filters, k, o);
                        }
                        json_object_set_new(o, eq + 1, json_true());
                } else if (!strcmp(a, "--format") && i + 1 < argc)
                        format = argv[++i];
                else {
                        fprintf(stderr, "unknown flag: %s\n", a);
                        json_decref(filters);
                        return 1;
                }
        }
        _cleanup_free_ char *fs = json_dumps(filters, JSON_COMPACT);
        _cleanup_free_ char *fesc = url_escape(fs);
        json_decref(filters);
        char path[2048];
        snprintf(path, sizeof(path), "/containers/json?all=%d&filters=%s%s%d", all ? 1 : 0, fesc,
                 last > 0 ? "&limit=" : "", last > 0 ? last : 0);
        if (last <= 0)
                path[strlen(path) - 1] = '\0';
        _cleanup_json_ json_t *list = NULL;
        if (get_json(c, path, &list) < 0)
                return 1;
        size_t n = json_array_size(list);
        char ***rows = calloc(n + 1, sizeof(char **));
        rows[0] = calloc(7, sizeof(char *));
        const char *hdr[] = { "CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES" };
        for (int k = 0; k < 7; k++)
                rows[0][k] = strdup(hdr[k]);
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v) {
                const char *id = json_get_str(v, "Id", "");
                const char *name = json_string_value(json_array_get(json_object_get(v, "Names"), 0));
                if (quiet) {
                        printf("%.*s\n", notrunc ? 64 : 12, id);
                        continue;
                }
                if (format) {
                        /* docker's placeholders for ps */
                        json_t *x = json_deep_copy(v);
                        char sid[80];
                        snprintf(sid, sizeof(sid), "%.*s", notrunc ? 64 : 12, id);
                        json_object_set_new(x, "ID", json_string(sid));
                        json_object_set_new(x, "Names", json_string(name ? name + 1 : ""));
                        _cleanup_free_ char *ago = human_ago(json_get_int(v, "Created", 0));
                        json_object_set_new(x, "RunningFor", json_string(ago));
                        _cleanup_free_ char *cmd = join_command(v);
                        json_object_set_new(x, "Command", json_string(cmd));
                        _cleanup_free_ char *ports = ports_text(v);
                        json_object_set_new(x, "Ports", json_string(ports ? ports : ""));
                        const char *tmpl = strncmp(format, "table ", 6) == 0 ? format + 6 : format;
                        _cleanup_free_ char *out = template_render(tmpl, x);
                        printf("%s\n", out);
                        json_decref(x);
                        continue;
                }
                char **row = calloc(7, sizeof(char *));
                asprintf(&row[0], "%.12s", id);
                row[1] = strdup(json_get_str(v, "Image", ""));
                row[2] = join_command(v);
                row[3] = human_ago(json_get_int(v, "Created", 0));
                json_t *hc = json_object_get(v, "HostConfig");
                if (json_get_bool(hc, "Rich", false))
                        asprintf(&row[4], "%s (rich: %s)", json_get_str(v, "Status", ""),
                                 json_get_str(hc, "RichMode", "pouch-init"));
                else
                        row[4] = strdup(json_get_str(v, "Status", ""));
                row[5] = ports_text(v);
                row[6] = strdup(name ? name + 1 : "");
                rows[i + 1] = row;
        }
        if (!quiet && !format)
                table_print(rows, n + 1, 7);
        for (size_t r = 0; r <= n; r++) {
                for (int k = 0; rows[r] && k < 7; k++)
                        free(rows[r][k]);
                free(rows[r]);
        }
        free(rows);
        return 0;
}

struct logs_ctx {
        bool tty;
        unsigned char hdr[8];
        size_t hdr_got, left;
        int stream;
};

static int logs_chunk(void *ud, const char *data, size_t len)
{
        struct logs_ctx *l = ud;
        if (l->tty) {
                fwrite(data, 1, len, stdout);
                fflush(stdout);
                return 0;
        }
        for (size_t i = 0; i < len;) {
                if (l->left == 0) {
                        l->hdr[l->hdr_got++] = (unsigned char) data[i++];
                        if (l->hdr_got == 8) {
                                l->left = ((size_t) l->hdr[4] << 24) | ((size_t) l->hdr[5] << 16) |
                                          ((size_t) l->hdr[6] << 8) | l->hdr[7];
                                l->stream = l->hdr[0];
                                l->hdr_got = 0;
                        }
                        continue;
                }
                size_t take = len - i < l->left ? len - i : l->left;
                FILE *f = l->stream == 2 ? stderr : stdout;
                fwrite(data + i, 1, take, f);
                fflush(f);
                i += take;
                l->left -= take;
        }
        return 0;
}

int cmd_logs(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "logs"))
                return 0;
        char q[512] = "stdout=1&stderr=1";
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i];
                size_t n = strlen(q);
                if (!strcmp(a, "-f") || !strcmp(a, "--follow"))
                        snprintf(q + n, sizeof(q) - n, "&follow=1");
                else if (!strcmp(a, "-t") || !strcmp(a, "--timestamps"))
                        snprintf(q + n, sizeof(q) - n, "&timestamps=1");
                else if ((!strcmp(a, "--tail") || !strcmp(a, "-n")) && i + 1 < argc)
                        snprintf(q + n, sizeof(q) - n, "&tail=%s", argv[++i]);
                else if (!strcmp(a, "--since") && i + 1 < argc)
                        snprintf(q + n, sizeof(q) - n, "&since=%s", argv[++i]);
                else if (!strcmp(a, "--until") && i + 1 < argc)
                        snprintf(q + n, sizeof(q) - n, "&until=%s", argv[++i]);
                else {
                        fprintf(stderr, "unknown flag: %s\n", a);
                        return 1;
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch logs\" requires exactly 1 argument.\n");
                return 1;
        }
        _cleanup_free_ char *esc = url_escape(argv[i]);
        char path[1024];
        snprintf(path, sizeof(path), "/containers/%s/json", esc);
        _cleanup_json_ json_t *j = NULL;
        if (get_json(c, path, &j) < 0)
                return 1;
        struct logs_ctx l = { .tty = json_get_bool(json_object_get(j, "Config"), "Tty", false) };
        snprintf(path, sizeof(path), "/containers/%s/logs?%s", json_get_str(j, "Id", esc), q);
        long status;
        return http_stream_call(c, "GET", path, -1, NULL, NULL, logs_chunk, &l, &status) < 0 ? 1 : 0;
}

int cmd_inspect(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "inspect"))
                return 0;
        const char *format = NULL;
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++)
                if ((!strcmp(argv[i], "-f") || !strcmp(argv[i], "--format")) && i + 1 < argc)
                        format = argv[++i];
        if (i >= argc) {
                fprintf(stderr, "\"pouch inspect\" requires at least 1 argument.\n");
                return 1;
        }
        json_t *out = json_array();
        int rc = 0;
        for (; i < argc; i++) {
                _cleanup_free_ char *esc = url_escape(argv[i]);
                char path[1024];
                const char *kinds[] = { "/containers/%s/json", "/images/%s/json" };
                json_t *found = NULL;
                for (int k = 0; k < 2 && !found; k++) {
                        snprintf(path, sizeof(path), kinds[k], k ? argv[i] : esc);
                        struct http_resp r;
                        if (http_call(c, "GET", path, NULL, 0, NULL, &r) < 0)
                                return 1;
                        if (r.status == 200)
                                found = json_loadb(r.body, r.len, 0, NULL);
                        http_resp_done(&r);
                }
                if (!found) {
                        fprintf(stderr, "Error: No such object: %s\n", argv[i]);
                        rc = 1;
                        continue;
                }
                if (format) {
                        _cleanup_free_ char *s = template_render(format, found);
                        printf("%s\n", s);
                        json_decref(found);
                } else {
                        json_array_append_new(out, found);
                }
        }
        if (!format) {
                _cleanup_free_ char *s = json_dumps(out, JSON_INDENT(4));
                printf("%s\n", s);
        }
        json_decref(out);
        return rc;
}

int cmd_wait(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "wait"))
                return 0;
        if (argc < 2) {
                fprintf(stderr, "\"pouch wait\" requires at least 1 argument.\n");
                return 1;
        }
        int rc = 0;
        for (int i = 1; i < argc; i++) {
                _cleanup_free_ char *esc = url_escape(argv[i]);
                char path[512];
                snprintf(path, sizeof(path), "/containers/%s/wait", esc);
                struct http_resp r;
                if (http_call(c, "POST", path, NULL, 0, NULL, &r) < 0)
                        return 1;
                if (r.status != 200)
                        rc = cli_daemon_error(&r);
                else {
                        _cleanup_json_ json_t *j = json_loadb(r.body, r.len, 0, NULL);
                        printf("%lld\n", (long long) json_get_int(j, "StatusCode", -1));
                }
                http_resp_done(&r);
        }
        return rc;
}

static int post_simple(struct cli *c, const char *method, const char *path, int ok_status)
{
        struct http_resp r;
        if (http_call(c, method, path, NULL, 0, NULL, &r) < 0)
                return 1;
        int rc = r.status == ok_status || (r.status >= 200 && r.status < 300) ? 0 : cli_daemon_error(&r);
        http_resp_done(&r);
        return rc;
}

int cmd_rename(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "rename"))
                return 0;
        if (argc != 3) {
                fprintf(stderr, "\"pouch rename\" requires exactly 2 arguments.\n");
                return 1;
        }
        _cleanup_free_ char *a = url_escape(argv[1]);
        _cleanup_free_ char *b = url_escape(argv[2]);
        char path[512];
        snprintf(path, sizeof(path), "/containers/%s/rename?name=%s", a, b);
        return post_simple(c, "POST", path, 204);
}

int cmd_top(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "top"))
                return 0;
        if (argc < 2) {
                fprintf(stderr, "\"pouch top\" requires at least 1 argument.\n");
                return 1;
        }
        _cleanup_free_ char *esc = url_escape(argv[1]);
        char path[1024];
        int n = snprintf(path, sizeof(path), "/containers/%s/top", esc);
        if (argc > 2) {
                char args[512] = "";
                for (int i = 2; i < argc; i++)
                        snprintf(args + strlen(args), sizeof(args) - strlen(args), "%s%s", i > 2 ? " " : "", argv[i]);
                _cleanup_free_ char *aesc = url_escape(args);
                snprintf(path + n, sizeof(path) - (size_t) n, "?ps_args=%s", aesc);
        }
        _cleanup_json_ json_t *j = NULL;
        if (get_json(c, path, &j) < 0)
                return 1;
        json_t *titles = json_object_get(j, "Titles"), *procs = json_object_get(j, "Processes");
        size_t nc = json_array_size(titles), nr = json_array_size(procs);
        char ***rows = calloc(nr + 1, sizeof(char **));
        for (size_t r = 0; r <= nr; r++) {
                json_t *src = r == 0 ? titles : json_array_get(procs, r - 1);
                rows[r] = calloc(nc, sizeof(char *));
                for (size_t k = 0; k < nc; k++)
                        rows[r][k] = strdup(json_string_value(json_array_get(src, k)) ?: "");
        }
        table_print(rows, nr + 1, nc);
        for (size_t r = 0; r <= nr; r++) {
                for (size_t k = 0; k < nc; k++)
                        free(rows[r][k]);
                free(rows[r]);
        }
        free(rows);
        return 0;
}

int cmd_version(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "version"))
                return 0;
        printf("Client:\n Version:\t%s\n API version:\t1.41\n Git commit:\t%s\n\n", POUCH_VERSION, POUCH_GIT_COMMIT);
        _cleanup_json_ json_t *j = NULL;
        if (get_json(c, "/version", &j) < 0)
                return 1;
        printf("Server:\n Version:\t%s\n API version:\t%s (minimum version %s)\n Git commit:\t%s\n Kernel:\t%s\n "
               "OS/Arch:\t%s/%s\n",
               json_get_str(j, "Version", ""), json_get_str(j, "ApiVersion", ""), json_get_str(j, "MinAPIVersion", ""),
               json_get_str(j, "GitCommit", ""), json_get_str(j, "KernelVersion", ""), json_get_str(j, "Os", ""),
               json_get_str(j, "Arch", ""));
        return 0;
}

int cmd_info(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "info"))
                return 0;
        _cleanup_json_ json_t *j = NULL;
        if (get_json(c, "/info", &j) < 0)
                return 1;
        if (argc > 2 && (!strcmp(argv[1], "-f") || !strcmp(argv[1], "--format"))) {
                _cleanup_free_ char *s = template_render(argv[2], j);
                printf("%s\n", s);
                return 0;
        }
        printf("Containers: %lld\n Running: %lld\n Paused: %lld\n Stopped: %lld\nImages: %lld\nServer Version: %s\n"
               "Storage Driver: %s\nLogging Driver: %s\nCgroup Driver: %s\nCgroup Version: %s\nDefault Runtime: %s\n"
               "Live Restore Enabled: true\nKernel Version: %s\nCPUs: %lld\nTotal Memory: %lld\nPouch Root Dir: %s\n"
               "Quota Backend: %s\n",
               (long long) json_get_int(j, "Containers", 0), (long long) json_get_int(j, "ContainersRunning", 0),
               (long long) json_get_int(j, "ContainersPaused", 0), (long long) json_get_int(j, "ContainersStopped", 0),
               (long long) json_get_int(j, "Images", 0), json_get_str(j, "ServerVersion", ""),
               json_get_str(j, "Driver", ""), json_get_str(j, "LoggingDriver", ""), json_get_str(j, "CgroupDriver", ""),
               json_get_str(j, "CgroupVersion", ""), json_get_str(j, "DefaultRuntime", ""),
               json_get_str(j, "KernelVersion", ""), (long long) json_get_int(j, "NCPU", 0),
               (long long) json_get_int(j, "MemTotal", 0), json_get_str(j, "DockerRootDir", ""),
               json_get_str(j, "QuotaBackend", "none"));
        cli_info_print_lxcfs(j);
        return 0;
}

static int print_chunk(void *ud, const char *data, size_t len)
{
        (void) ud;
        fwrite(data, 1, len, stdout);
        fflush(stdout);
        return 0;
}

int cmd_events(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "events"))
                return 0;
        char q[1024] = "";
        json_t *filters = json_object();
        for (int i = 1; i + 1 < argc; i++) {
                size_t n = strlen(q);
                if (!strcmp(argv[i], "--since"))
                        snprintf(q + n, sizeof(q) - n, "&since=%s", argv[++i]);
                else if (!strcmp(argv[i], "--until"))
                        snprintf(q + n, sizeof(q) - n, "&until=%s", argv[++i]);
                else if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--filter")) {
                        const char *f = argv[++i], *eq = strchr(f, '=');
                        if (!eq)
                                continue;
                        char k[64];
                        snprintf(k, sizeof(k), "%.*s", (int) (eq - f), f);
                        json_t *o = json_object_get(filters, k);
                        if (!o)
                                json_object_set_new(filters, k, o = json_object());
                        json_object_set_new(o, eq + 1, json_true());
                }
        }
        _cleanup_free_ char *fs = json_dumps(filters, JSON_COMPACT);
        _cleanup_free_ char *fesc = url_escape(fs);
        json_decref(filters);
        char path[2048];
        snprintf(path, sizeof(path), "/events?filters=%s%s", fesc, q);
        long status;
        return http_stream_call(c, "GET", path, -1, NULL, NULL, print_chunk, NULL, &status) < 0 ? 1 : 0;
}
