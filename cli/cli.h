/* The pouch CLI: a client of pouchd's Docker-compatible API. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct cli {
        const char *host; /* unix:///path */
        const char *sock; /* /path */
        bool debug;
};

struct http_resp {
        long status;
        char *body;
        size_t len;
        char *headers; /* raw response header lines */
};

void http_resp_done(struct http_resp *r);
/* The value of response header NAME (malloc'd), or NULL. */
char *http_resp_header(const struct http_resp *r, const char *name);
/* JSON or raw body (may be NULL); content_type NULL means application/json when body set. */
int http_call(struct cli *c, const char *method, const char *path, const char *body, size_t len,
              const char *content_type, struct http_resp *ret);
/* Stream the response body to cb as it arrives; upload from fd when upload_fd >= 0. */
typedef int (*http_chunk_fn)(void *ud, const char *data, size_t len);
int http_stream_call(struct cli *c, const char *method, const char *path, int upload_fd, const char *content_type,
                     const char *extra_header, http_chunk_fn cb, void *ud, long *ret_status);
/* Print "Error response from daemon: MSG" from a JSON error body; returns 1. */
int cli_daemon_error(const struct http_resp *r);
/* Hijacked connection (101 Upgrade: tcp); returns the raw socket. */
int http_hijack(struct cli *c, const char *path, const char *body, int *ret_status);
/* Pump stdin -> sock and sock -> stdout/stderr (demultiplexing unless tty) until the server closes. */
int stream_pump(int sock, bool send_stdin, bool tty);
/* Enter/leave raw mode on the terminal. */
void tty_raw(bool on);
void tty_size(int *rows, int *cols);

/* format.c */
/* Render a Go-template subset over a JSON value: {{.A.B}}, {{json .X}}, {{index .Labels "k"}}. */
char *template_render(const char *tmpl, const json_t *v);
void table_print(char ***rows, size_t nrows, size_t ncols);
char *human_ago(long long unix_seconds);
char *human_size(double bytes);

/* command table */
struct command {
        const char *name;
        int (*fn)(struct cli *c, int argc, char **argv);
        const char *summary;
        const char *usage;
};
extern const struct command commands[];

int cmd_run(struct cli *c, int argc, char **argv);
int cmd_create(struct cli *c, int argc, char **argv);
int cmd_start(struct cli *c, int argc, char **argv);
int cmd_simple(struct cli *c, int argc, char **argv); /* stop/restart/kill/pause/unpause/rm */
int cmd_ps(struct cli *c, int argc, char **argv);
int cmd_logs(struct cli *c, int argc, char **argv);
int cmd_exec(struct cli *c, int argc, char **argv);
int cmd_inspect(struct cli *c, int argc, char **argv);
int cmd_wait(struct cli *c, int argc, char **argv);
int cmd_rename(struct cli *c, int argc, char **argv);
int cmd_top(struct cli *c, int argc, char **argv);
int cmd_attach(struct cli *c, int argc, char **argv);
int cmd_images(struct cli *c, int argc, char **argv);
int cmd_rmi(struct cli *c, int argc, char **argv);
int cmd_tag(struct cli *c, int argc, char **argv);
int cmd_pull(struct cli *c, int argc, char **argv);
int cmd_push(struct cli *c, int argc, char **argv);
int cmd_load(struct cli *c, int argc, char **argv);
int cmd_save(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_version(struct cli *c, int argc, char **argv);
int cmd_info(struct cli *c, int argc, char **argv);
int cmd_events(struct cli *c, int argc, char **argv);
int cmd_login(struct cli *c, int argc, char **argv);
int cmd_logout(struct cli *c, int argc, char **argv);
int cmd_history(struct cli *c, int argc, char **argv);
int cmd_image(struct cli *c, int argc, char **argv);
int cmd_system(struct cli *c, int argc, char **argv);
int cmd_cp(struct cli *c, int argc, char **argv);
int cmd_volume(struct cli *c, int argc, char **argv);
/* cmd-lxcfs.c */
int cmd_remount_lxcfs(struct cli *c, int argc, char **argv);
void cli_info_print_lxcfs(const json_t *info);
int cmd_network(struct cli *c, int argc, char **argv);
int cmd_port(struct cli *c, int argc, char **argv);
/* cmd-services.c */
int cmd_services(struct cli *c, int argc, char **argv);
/* Call the API; on success *ret gets the parsed body (may stay NULL for 204). 1 on failure, with
 * the daemon's message printed. */
int cli_call_json(struct cli *c, const char *method, const char *path, const char *body, json_t **ret);
/* -f/--filter "name=value" into docker's filters object {"name":{"value":true}}; -1 with a message. */
int cli_filter_add(json_t *filters, const char *spec);
/* base, or base?filters=<url-escaped JSON> when there are filters. */
void cli_filters_path(const char *base, const json_t *filters, char *buf, size_t len);
int cmd_stats(struct cli *c, int argc, char **argv);
int cmd_update(struct cli *c, int argc, char **argv);

/* credentials.c: ~/.pouch/config.json, docker's "auths" shape */
void registry_of_reference(const char *ref, char *out, size_t len); /* "docker.io" or the host[:port] */
int credentials_store(const char *server, const char *user, const char *password);
int credentials_remove(const char *server); /* -ENOENT when not logged in */
/* "X-Registry-Auth: ..." for pulling/pushing ref (an empty {} when no credentials); malloc'd */
char *registry_auth_header(const char *ref);

/* progress.c: docker's JSON progress messages, as bars on a terminal and lines otherwise */
struct progress;
struct progress *progress_new(bool tty);
int progress_feed(void *ud, const char *data, size_t len); /* an http_chunk_fn */
bool progress_failed(const struct progress *p);
void progress_free(struct progress *p);
/* POST path streaming progress messages; with ref, the registry credentials for it are sent;
 * upload_fd >= 0 is sent as a tar body. 0 on success, 1 on any error (already printed). */
int progress_request(struct cli *c, const char *path, const char *ref, int upload_fd, bool tty);
/* GET each NAME through path_fmt (one %s: the escaped name) and print the documents as a JSON
 * array, or each through -f/--format. 1 when any was missing. */
int inspect_objects(struct cli *c, int argc, char **argv, const char *path_fmt);

/* helpers shared by commands */
char *url_escape(const char *s);
bool want_help(int argc, char **argv, const char *name);
