/* Image commands, login, and cp. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_pull(struct cli *c, const char *image);

static void split_repo_tag(const json_t *tag, char *repo, size_t rl, char *t, size_t tl)
{
        const char *s = json_string_value(tag);
        const char *colon = s ? strrchr(s, ':') : NULL;
        const char *slash = s ? strrchr(s, '/') : NULL;
        if (!s || !colon || (slash && colon < slash)) {
                snprintf(repo, rl, "%s", s ? s : "<none>");
                snprintf(t, tl, "%s", s ? "latest" : "<none>");
                return;
        }
        snprintf(repo, rl, "%.*s", (int) (colon - s), s);
        snprintf(t, tl, "%s", colon + 1);
}

int cmd_images(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "images"))
                return 0;
        bool quiet = false, digests = false;
        const char *format = NULL, *ref = NULL;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
                        quiet = true;
                else if (!strcmp(argv[i], "--digests"))
                        digests = true;
                else if (!strcmp(argv[i], "--format") && i + 1 < argc)
                        format = argv[++i];
                else if (!strcmp(argv[i], "-a") || !strcmp(argv[i], "--all") || !strcmp(argv[i], "--no-trunc"))
                        ;
                else if (argv[i][0] != '-')
                        ref = argv[i];
        }
        char path[1024] = "/images/json";
        if (ref) {
                char f[512];
                snprintf(f, sizeof(f), "{\"reference\":{\"%s\":true}}", ref);
                _cleanup_free_ char *e = url_escape(f);
                snprintf(path, sizeof(path), "/images/json?filters=%s", e);
        }
        struct http_resp r;
        if (http_call(c, "GET", path, NULL, 0, NULL, &r) < 0)
                return 1;
        if (r.status != 200) {
                int rc = cli_daemon_error(&r);
                http_resp_done(&r);
                return rc;
        }
        _cleanup_json_ json_t *list = json_loadb(r.body, r.len, 0, NULL);
        http_resp_done(&r);
        if (!quiet && !format)
                printf(digests ? "%-30s %-10s %-72s %-15s %-15s %s\n" : "%-30s %-10s %-15s %-22s %s\n", "REPOSITORY",
                       "TAG", digests ? "DIGEST" : "IMAGE ID", digests ? "IMAGE ID" : "CREATED",
                       digests ? "CREATED" : "SIZE", digests ? "SIZE" : "");
        size_t i;
        json_t *img;
        json_array_foreach(list, i, img) {
                const char *id = json_get_str(img, "Id", "");
                const char *hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
                if (quiet) {
                        printf("%.12s\n", hex);
                        continue;
                }
                json_t *tags = json_object_get(img, "RepoTags");
                size_t nt = json_array_size(tags);
                for (size_t k = 0; k < (nt ? nt : 1); k++) {
                        char repo[512], tag[256];
                        split_repo_tag(json_array_get(tags, k), repo, sizeof(repo), tag, sizeof(tag));
                        _cleanup_free_ char *ago = human_ago(json_get_int(img, "Created", 0));
                        _cleanup_free_ char *size = human_size((double) json_get_int(img, "Size", 0));
                        if (format) {
                                json_t *x = json_pack("{s:s,s:s,s:s+,s:s,s:s}", "Repository", repo, "Tag", tag, "ID",
                                                      "", hex, "CreatedSince", ago, "Size", size);
                                char sid[16];
                                snprintf(sid, sizeof(sid), "%.12s", hex);
                                json_object_set_new(x, "ID", json_string(sid));
                                _cleanup_free_ char *s = template_render(strncmp(format, "table ", 6) ? format
                                                                                                      : format + 6,
                                                                         x);
                                printf("%s\n", s);
                                json_decref(x);
                        } else if (digests) {
                                const char *d = json_string_value(
                                        json_array_get(json_object_get(img, "RepoDigests"), 0));
                                const char *at = d ? strchr(d, '@') : NULL;
                                printf("%-30s %-10s %-72s %-15.12s %-15s %s\n", repo, tag, at ? at + 1 : "<none>", hex,
                                       ago, size);
                        } else {
                                printf("%-30s %-10s %-15.12s %-22s %s\n", repo, tag, hex, ago, size);
                        }
                }
        }
        return 0;
}

int cmd_rmi(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "rmi"))
                return 0;
        bool force = false;
        int rc = 0;
        for (int i = 1; i < argc; i++)
                if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--force"))
                        force = true;
        for (int i = 1; i < argc; i++) {
                if (argv[i][0] == '-')
                        continue;
                char path[1024];
                snprintf(path, sizeof(path), "/images/%s%s", argv[i], force ? "?force=1" : "");
                struct http_resp r;
                if (http_call(c, "DELETE", path, NULL, 0, NULL, &r) < 0)
                        return 1;
                if (r.status != 200) {
                        rc = cli_daemon_error(&r);
                } else {
                        _cleanup_json_ json_t *j = json_loadb(r.body, r.len, 0, NULL);
                        size_t k;
                        json_t *v;
                        json_array_foreach(j, k, v) {
                                if (json_object_get(v, "Untagged"))
                                        printf("Untagged: %s\n", json_get_str(v, "Untagged", ""));
                                if (json_object_get(v, "Deleted"))
                                        printf("Deleted: %s\n", json_get_str(v, "Deleted", ""));
                        }
                }
                http_resp_done(&r);
        }
        return rc;
}

int cmd_tag(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "tag"))
                return 0;
        if (argc != 3) {
                fprintf(stderr, "\"pouch tag\" requires exactly 2 arguments.\n");
                return 1;
        }
        char repo[512], tag[256];
        json_t *t = json_string(argv[2]);
        split_repo_tag(t, repo, sizeof(repo), tag, sizeof(tag));
        json_decref(t);
        _cleanup_free_ char *er = url_escape(repo);
        _cleanup_free_ char *et = url_escape(tag);
        char path[2048];
        snprintf(path, sizeof(path), "/images/%s/tag?repo=%s&tag=%s", argv[1], er, et);
        struct http_resp r;
        if (http_call(c, "POST", path, NULL, 0, NULL, &r) < 0)
                return 1;
        int rc = r.status == 201 ? 0 : cli_daemon_error(&r);
        http_resp_done(&r);
        return rc;
}

int cmd_pull(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "pull"))
                return 0;
        const char *platform = NULL, *name = NULL;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "--platform") && i + 1 < argc)
                        platform = argv[++i];
                else if (!strncmp(argv[i], "--platform=", 11))
                        platform = argv[i] + 11;
                else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-a"))
                        ;
                else
                        name = argv[i];
        }
        if (!name) {
                fprintf(stderr, "\"pouch pull\" requires exactly 1 argument.\n");
                return 1;
        }
        if (!platform)
                return cli_pull(c, name);
        _cleanup_free_ char *esc = url_escape(name), *ep = url_escape(platform);
        char path[2048];
        snprintf(path, sizeof(path), "/images/create?fromImage=%s&platform=%s", esc, ep);
        return progress_request(c, path, name, -1, isatty(STDOUT_FILENO));
}

int cmd_push(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "push"))
                return 0;
        if (argc < 2) {
                fprintf(stderr, "\"pouch push\" requires exactly 1 argument.\n");
                return 1;
        }
        char path[1024];
        snprintf(path, sizeof(path), "/images/%s/push", argv[argc - 1]);
        return progress_request(c, path, argv[argc - 1], -1, isatty(STDOUT_FILENO));
}

static int upload_tar(struct cli *c, const char *path, const char *file)
{
        int fd = file && strcmp(file, "-") != 0 ? open(file, O_RDONLY | O_CLOEXEC) : 0;
        if (fd < 0) {
                fprintf(stderr, "open %s: %m\n", file);
                return 1;
        }
        int rc = progress_request(c, path, NULL, fd, false);
        if (fd > 0)
                close(fd);
        return rc;
}

int cmd_load(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "load"))
                return 0;
        const char *file = NULL;
        for (int i = 1; i < argc; i++)
                if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--input")) && i + 1 < argc)
                        file = argv[++i];
        return upload_tar(c, "/images/load?quiet=1", file);
}

int cmd_import(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "import"))
                return 0;
        char changes[2048] = "";
        int i = 1;
        for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
                if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--change")) && i + 1 < argc) {
                        _cleanup_free_ char *e = url_escape(argv[++i]);
                        snprintf(changes + strlen(changes), sizeof(changes) - strlen(changes), "&changes=%s", e);
                }
        }
        if (i >= argc) {
                fprintf(stderr, "\"pouch import\" requires at least 1 argument.\n");
                return 1;
        }
        const char *file = argv[i];
        char path[4096];
        int n = snprintf(path, sizeof(path), "/images/create?fromSrc=-%s", changes);
        if (i + 1 < argc) {
                char repo[512], tag[256];
                json_t *t = json_string(argv[i + 1]);
                split_repo_tag(t, repo, sizeof(repo), tag, sizeof(tag));
                json_decref(t);
                _cleanup_free_ char *er = url_escape(repo);
                snprintf(path + n, sizeof(path) - (size_t) n, "&repo=%s&tag=%s", er, tag);
        }
        return upload_tar(c, path, file);
}

static int write_fd_chunk(void *ud, const char *data, size_t len)
{
        int fd = *(int *) ud;
        return write(fd, data, len) == (ssize_t) len ? 0 : -1;
}

int cmd_save(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "save"))
                return 0;
        const char *out = NULL;
        char path[4096] = "/images/get?";
        bool any = false;
        for (int i = 1; i < argc; i++) {
                if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
                        out = argv[++i];
                        continue;
                }
                _cleanup_free_ char *e = url_escape(argv[i]);
                snprintf(path + strlen(path), sizeof(path) - strlen(path), "%snames=%s", any ? "&" : "", e);
                any = true;
        }
        if (!any) {
                fprintf(stderr, "\"pouch save\" requires at least 1 argument.\n");
                return 1;
        }
        if (!out && isatty(1)) {
                fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
                return 1;
        }
        int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : 1;
        if (fd < 0) {
                fprintf(stderr, "open %s: %m\n", out);
                return 1;
        }
        long status;
        int r = http_stream_call(c, "GET", path, -1, NULL, NULL, write_fd_chunk, &fd, &status);
        if (fd != 1)
                close(fd);
        return r < 0 ? 1 : 0;
}

int cmd_login(struct cli *c, int argc, char **argv)
{
        if (want_help(argc, argv, "login"))
                return 0;
        const char *user = NULL, *pass = NULL, *server = "";
        for (int i = 1; i < argc; i++) {
                if ((!strcmp(argv[i], "-u") || !strcmp(argv[i], "--username")) && i + 1 < argc)
                        user = argv[++i];
                else if ((!strcmp(argv[i], "-p") || !strcmp(argv[i], "--password")) && i + 1 < argc)
                        pass = argv[++i];
                else
                        server = argv[i];
        }
        if (!user || !pass) {
                fprintf(stderr, "pouch login needs -u USER and -p PASSWORD\n");
                return 1;
        }
        json_t *b = json_pack("{s:s,s:s,s:s}", "username", user, "password", pass, "serveraddress", server);
        _cleanup_free_ char *s = json_dumps(b, JSON_COMPACT);
        json_decref(b);
        if (!s) {
                fprintf(stderr, "pouch login: the user name, password and server must be valid UTF-8\n");
                return 1;
        }
        struct http_resp r;
        if (http_call(c, "POST", "/auth", s, strlen(s), NULL, &r) < 0)
                return 1;
        int rc = r.status == 200 ? 0 : cli_daemon_error(&r);
        http_resp_done(&r);
        if (rc == 0) {
                int w = credentials_store(server, user, pass);
                if (w < 0)
                        fprintf(stderr, "WARNING: the credentials could not be saved: %s\n", strerror(-w));
                printf("Login Succeeded\n");
        }
        return rc;
}

int cmd_logout(struct cli *c, int argc, char **argv)
{
        (void) c;
        if (want_help(argc, argv, "logout"))
                return 0;
        const char *server = argc > 1 ? argv[1] : "docker.io";
        int r = credentials_remove(server);
        if (r == -ENOENT) {
                printf("Not logged in to %s\n", server);
                return 0;
        }
        if (r < 0) {
                fprintf(stderr, "cannot remove the credentials for %s: %s\n", server, strerror(-r));
                return 1;
        }
        printf("Removing login credentials for %s\n", server);
        return 0;
}
