/* run, create, start, attach, exec: the commands that stream a process's I/O. */
#include "cli.h"
#include "create-opts.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_pull(struct cli *c, const char *image)
{
        _cleanup_free_ char *esc = url_escape(image);
        char path[2048];
        snprintf(path, sizeof(path), "/images/create?fromImage=%s", esc);
        return progress_request(c, path, image, -1, isatty(STDOUT_FILENO));
}

static int create_container(struct cli *c, struct create_opts *o, char ret_id[80])
{
        char path[512] = "/containers/create";
        if (o->name) {
                _cleanup_free_ char *esc = url_escape(o->name);
                snprintf(path, sizeof(path), "/containers/create?name=%s", esc);
        }
        _cleanup_free_ char *body = json_dumps(o->body, JSON_COMPACT);
        for (int attempt = 0; attempt < 2; attempt++) {
                struct http_resp r;
                if (http_call(c, "POST", path, body, strlen(body), NULL, &r) < 0)
                        return 125;
                if (r.status == 201) {
                        _cleanup_json_ json_t *j = json_loadb(r.body, r.len, 0, NULL);
                        snprintf(ret_id, 80, "%s", json_get_str(j, "Id", ""));
                        http_resp_done(&r);
                        return 0;
                }
                if (r.status == 404 && attempt == 0 && strstr(r.body ? r.body : "", "No such image")) {
                        const char *image = json_get_str(o->body, "Image", "");
                        fprintf(stderr, "Unable to find image '%s' locally\n", image);
                        http_resp_done(&r);
                        if (cli_pull(c, image) != 0)
                                return 125;
                        continue;
                }
                cli_daemon_error(&r);
                http_resp_done(&r);
                return 125;
        }
        return 125;
}

struct waiter {
        struct cli *c;
        char path[256];
        int code;
        pthread_t thread;
};

static void *wait_thread(void *p)
{
        struct waiter *w = p;
        struct http_resp r;
        w->code = 125;
        if (http_call(w->c, "POST", w->path, NULL, 0, NULL, &r) == 0) {
                _cleanup_json_ json_t *j = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
                if (r.status == 200)
                        w->code = (int) json_get_int(j, "StatusCode", 125);
                http_resp_done(&r);
        }
        return NULL;
}

static int start_error_code(const struct http_resp *r)
{
        const char *b = r->body ? r->body : "";
        if (strstr(b, "executable file not found") || strstr(b, "no such file or directory"))
                return 127;
        if (strstr(b, "permission denied"))
                return 126;
        return 125;
}

static void send_resize(struct cli *c, const char *kind, const char *id)
{
        int rows, cols;
        tty_size(&rows, &cols);
        char path[256];
        snprintf(path, sizeof(path), "/%s/%s/resize?h=%d&w=%d", kind, id, rows, cols);
        struct http_resp r;
        if (http_call(c, "POST", path, NULL, 0, NULL, &r) == 0)
                http_resp_done(&r);
}

/* attach (hijack) -> wait (thread) -> start -> pump -> exit code */
static int inspect_container(struct cli *c, const char *name, json_t **ret);

static int attach_and_start(struct cli *c, const char *id, bool in, bool tty, bool start, const char *cond)
{
        char path[512];
        snprintf(path, sizeof(path), "/containers/%s/attach?stream=1&stdout=1&stderr=1%s", id, in ? "&stdin=1" : "");
        int status;
        int sock = http_hijack(c, path, NULL, &status);
        if (sock < 0)
                return 1;
        struct waiter w = { .c = c };
        snprintf(w.path, sizeof(w.path), "/containers/%s/wait?condition=%s", id, cond);
        pthread_create(&w.thread, NULL, wait_thread, &w);
        if (start) {
                struct http_resp r;
                snprintf(path, sizeof(path), "/containers/%s/start", id);
                if (http_call(c, "POST", path, NULL, 0, NULL, &r) < 0)
                        return 125;
                if (r.status >= 400) {
                        int code = start_error_code(&r);
                        cli_daemon_error(&r);
                        http_resp_done(&r);
                        close(sock);
                        pthread_cancel(w.thread);
                        return code;
                }
                http_resp_done(&r);
        }
        if (tty) {
                tty_raw(true);
                send_resize(c, "containers", id);
        }
        stream_pump(sock, in, tty);
        if (tty)
                tty_raw(false);
        close(sock);
        pthread_join(w.thread, NULL);
        return w.code;
}

int cmd_run(struct cli *c, int argc, char **argv)
{
        struct create_opts o;
        if (create_opts_parse(argc, argv, &o) < 0)
                return 125;
        if (o.help) {
                printf("Usage:  pouch run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container\n\n");
                create_opts_usage(stdout);
                return 0;
        }
        char id[80];
        /* the daemon may give a rich container a terminal (systemd's console): attach as it will run */
        bool rich = json_get_bool(json_object_get(o.body, "HostConfig"), "Rich", false);
        int r = create_container(c, &o, id);
        json_decref(o.body);
        if (r != 0)
                return r;
        if (o.detach) {
                struct http_resp resp;
                char path[256];
                snprintf(path, sizeof(path), "/containers/%s/start", id);
                if (http_call(c, "POST", path, NULL, 0, NULL, &resp) < 0)
                        return 125;
                if (resp.status >= 400) {
                        int code = start_error_code(&resp);
                        cli_daemon_error(&resp);
                        http_resp_done(&resp);
                        return code;
                }
                http_resp_done(&resp);
                printf("%s\n", id);
                return 0;
        }
        bool tty = o.tty;
        if (!tty && rich) {
                _cleanup_json_ json_t *j = NULL;
                if (inspect_container(c, id, &j) == 0)
                        tty = json_get_bool(json_object_get(j, "Config"), "Tty", false);
        }
        return attach_and_start(c, id, o.interactive, tty, true, o.auto_remove ? "removed" : "next-exit");
}

int cmd_create(struct cli *c, int argc, char **argv)
{
        struct create_opts o;
        if (create_opts_parse(argc, argv, &o) < 0)
                return 125;
        if (o.help) {
                printf("Usage:  pouch create [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate a new container\n\n");
                create_opts_usage(stdout);
                return 0;
        }
        char id[80];
        int r = create_container(c, &o, id);
        json_decref(o.body);
        if (r == 0)
                printf("%s\n", id);
        return r;
}

static int inspect_container(struct cli *c, const char *name, json_t **ret)
{
        _cleanup_free_ char *esc = url_escape(name);
        char path[512];
        snprintf(path, sizeof(path), "/containers/%s/json", esc);
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

int cmd_start(struct cli *c, int argc, char **argv)
{
        bool attach = false, in = false;
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--attach"))
                        attach = true;
                else if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--interactive"))
                        in = attach = true;
                else if (!strcmp(argv[i], "--help")) {
                        printf("Usage:  pouch start [OPTIONS] CONTAINER [CONTAINER...]\n\nStart one or more stopped "
                               "containers\n\nOptions:\n  -a, --attach        Attach STDOUT/STDERR\n"
                               "  -i, --interactive   Attach STDIN\n");
                        return 0;
                } else {
                        fprintf(stderr, "unknown flag: %s\n", argv[i]);
                        return 1;
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch start\" requires at least 1 argument.\n");
                return 1;
        }
        if (attach) {
                _cleanup_json_ json_t *j = NULL;
                if (inspect_container(c, argv[i], &j) < 0)
                        return 1;
                bool tty = json_get_bool(json_object_get(j, "Config"), "Tty", false);
                return attach_and_start(c, json_get_str(j, "Id", argv[i]), in, tty, true, "next-exit");
        }
        int rc = 0;
        for (; i < argc; i++) {
                _cleanup_free_ char *esc = url_escape(argv[i]);
                char path[512];
                snprintf(path, sizeof(path), "/containers/%s/start", esc);
                struct http_resp r;
                if (http_call(c, "POST", path, NULL, 0, NULL, &r) < 0)
                        return 1;
                if (r.status >= 400)
                        rc = cli_daemon_error(&r);
                else
                        printf("%s\n", argv[i]);
                http_resp_done(&r);
        }
        return rc;
}

int cmd_attach(struct cli *c, int argc, char **argv)
{
        bool in = true;
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                if (!strcmp(argv[i], "--no-stdin"))
                        in = false;
                else if (!strcmp(argv[i], "--help")) {
                        printf("Usage:  pouch attach [OPTIONS] CONTAINER\n\nAttach to a running container\n\n"
                               "Options:\n      --no-stdin   Do not attach STDIN\n");
                        return 0;
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch attach\" requires exactly 1 argument.\n");
                return 1;
        }
        _cleanup_json_ json_t *j = NULL;
        if (inspect_container(c, argv[i], &j) < 0)
                return 1;
        json_t *cfg = json_object_get(j, "Config");
        bool tty = json_get_bool(cfg, "Tty", false);
        in = in && json_get_bool(cfg, "OpenStdin", false);
        return attach_and_start(c, json_get_str(j, "Id", argv[i]), in, tty, false, "next-exit");
}

int cmd_exec(struct cli *c, int argc, char **argv)
{
        bool in = false, tty = false, detach = false, priv = false;
        json_t *env = json_array();
        const char *workdir = "", *user = "";
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                const char *a = argv[i];
                if (!strcmp(a, "--help")) {
                        printf("Usage:  pouch exec [OPTIONS] CONTAINER COMMAND [ARG...]\n\nExecute a command in a running "
                               "container\n\nOptions:\n  -d, --detach\n  -e, --env list\n  -i, --interactive\n"
                               "      --privileged\n  -t, --tty\n  -u, --user string\n  -w, --workdir string\n");
                        json_decref(env);
                        return 0;
                }
                if (!strcmp(a, "-e") || !strcmp(a, "--env") || !strcmp(a, "-w") || !strcmp(a, "--workdir") ||
                    !strcmp(a, "-u") || !strcmp(a, "--user")) {
                        if (i + 1 >= argc)
                                break;
                        const char *v = argv[++i];
                        if (a[1] == 'e' || a[2] == 'e')
                                json_array_append_new(env, json_string(v));
                        else if (a[1] == 'w' || a[2] == 'w')
                                workdir = v;
                        else
                                user = v;
                        continue;
                }
                if (!strcmp(a, "--privileged")) {
                        priv = true;
                        continue;
                }
                for (const char *f = a + 1; *f; f++) {
                        if (*f == 'i')
                                in = true;
                        else if (*f == 't')
                                tty = true;
                        else if (*f == 'd')
                                detach = true;
                        else {
                                fprintf(stderr, "unknown shorthand flag: '%c' in %s\n", *f, a);
                                json_decref(env);
                                return 1;
                        }
                }
        }
        if (i + 1 >= argc) {
                fprintf(stderr, "\"pouch exec\" requires at least 2 arguments.\n");
                json_decref(env);
                return 1;
        }
        json_t *cmd = json_array();
        for (int k = i + 1; k < argc; k++)
                json_array_append_new(cmd, json_string(argv[k]));
        json_t *body = json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:o,s:s,s:o}", "User", user, "Privileged", priv, "Tty",
                                 tty, "AttachStdin", in, "AttachStderr", !detach, "AttachStdout", !detach, "Detach",
                                 detach, "Env", env, "WorkingDir", workdir, "Cmd", cmd);
        _cleanup_free_ char *s = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        _cleanup_free_ char *esc = url_escape(argv[i]);
        char path[512];
        snprintf(path, sizeof(path), "/containers/%s/exec", esc);
        struct http_resp r;
        if (http_call(c, "POST", path, s, strlen(s), NULL, &r) < 0)
                return 1;
        if (r.status != 201) {
                int rc = cli_daemon_error(&r);
                http_resp_done(&r);
                return rc;
        }
        _cleanup_json_ json_t *j = json_loadb(r.body, r.len, 0, NULL);
        http_resp_done(&r);
        char eid[80];
        snprintf(eid, sizeof(eid), "%s", json_get_str(j, "Id", ""));
        snprintf(path, sizeof(path), "/exec/%s/start", eid);
        char start_body[64];
        snprintf(start_body, sizeof(start_body), "{\"Detach\":%s,\"Tty\":%s}", detach ? "true" : "false",
                 tty ? "true" : "false");
        if (detach) {
                if (http_call(c, "POST", path, start_body, strlen(start_body), NULL, &r) < 0)
                        return 1;
                int rc = r.status >= 400 ? cli_daemon_error(&r) : 0;
                http_resp_done(&r);
                return rc;
        }
        int status;
        int sock = http_hijack(c, path, start_body, &status);
        if (sock < 0)
                return 1;
        if (tty) {
                tty_raw(true);
                send_resize(c, "exec", eid);
        }
        stream_pump(sock, in, tty);
        if (tty)
                tty_raw(false);
        close(sock);
        snprintf(path, sizeof(path), "/exec/%s/json", eid);
        if (http_call(c, "GET", path, NULL, 0, NULL, &r) < 0)
                return 1;
        _cleanup_json_ json_t *ins = json_loadb(r.body ? r.body : "", r.len, 0, NULL);
        http_resp_done(&r);
        return (int) json_get_int(ins, "ExitCode", 126);
}
