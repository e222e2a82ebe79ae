/* An in-process pouchd for tests and fuzzers: a struct pouchd over a fresh temporary home, its
 * image, volume, network and event stores, and the real HTTP server (daemon/http.c,
 * daemon/server.c, daemon/api/routes.c) listening on a unix socket inside that home.
 *
 * Nothing of the container runtime is set up: no monitor, no lxcfs, no container restore, the
 * OCI runtime and pouch-shim point at paths in the home that do not exist, the network store has
 * no CNI plugin directory and no iptables, the quota backend is "none". Requests that need any
 * of them fail (or must not be sent: start, attach, logs, stats, events...).
 *
 * With API_INPROC_READONLY_HOST the stores and the server run in a private mount namespace
 * (entered by the thread that starts them, inherited by every server thread) in which everything
 * but the temporary home is read-only, so a handler cannot write anywhere else on the host. The
 * calling thread keeps the caller's view (a fuzzer still writes its artifacts). Needs root. */
#pragma once

#include "daemon/pouchd.h"

#include <stdbool.h>
#include <stddef.h>

struct api_inproc;

enum {
        API_INPROC_READONLY_HOST = 1 << 0,
};

/* Home under $TMPDIR (or /tmp). -errno on failure, with a message in err. */
int api_inproc_new(unsigned flags, struct api_inproc **ret, struct pouch_err *err);
/* Stops the server, frees the daemon and removes the home. NULL is fine. */
struct api_inproc *api_inproc_free(struct api_inproc *h);

struct pouchd *api_inproc_daemon(struct api_inproc *h);
const char *api_inproc_home(struct api_inproc *h);

/* One HTTP/1.1 request on a new connection ("Connection: close"). path_and_query is sent as it is
 * (the caller escapes it). body may be NULL. Waits for the whole response; a chunked body is
 * decoded. ret_body: NUL-terminated (may be NULL); ret_body_len may be NULL. 0 on success,
 * -EPROTO when the server closed the connection without a status line, -ETIMEDOUT after 60 s. */
int api_inproc_request_len(struct api_inproc *h, const char *method, const char *path_and_query, const void *body,
                           size_t body_len, unsigned *ret_status, char **ret_body, size_t *ret_body_len);
int api_inproc_request(struct api_inproc *h, const char *method, const char *path_and_query, const void *body,
                       size_t body_len, unsigned *ret_status, char **ret_body);

/* Import a tiny image (one layer holding the file /hello) tagged ref, Cmd cmd (e.g. "/hello");
 * ret_id receives "sha256:<hex>" (may be NULL). */
int api_inproc_add_image(struct api_inproc *h, const char *ref, const char *cmd, char ret_id[80]);
