/* Connection capacity of the API server: the process' fd limit, the connection limit derived from
 * it, and a cap on the connections one non-root peer (by uid) holds on a unix listener. */
#pragma once

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Raise the soft RLIMIT_NOFILE to the hard limit (bounded by fs.nr_open), which needs no
 * privilege; the hard limit is never touched. ret_initial gets the limits as they were, which
 * is what containers keep getting by default. Returns the soft limit now in force. */
rlim_t nofile_raise(struct rlimit *ret_initial);

/* MHD_OPTION_CONNECTION_LIMIT for each of nlisteners servers of a process whose soft fd limit is
 * soft: a quarter of the fds stays for everything else (containers' shims, logs, images), and a
 * connection is counted as 4 fds (its socket, a stream's pipe, the file the worker reads).
 * At least 16, at most 8192 (one thread each). */
unsigned http_connection_limit(rlim_t soft, size_t nlisteners);

/* Connections per peer uid. Root's clients are not counted: they are the daemon's own tools and
 * the administrator, and one leaking root process must not lock the others out. */
struct peer_caps;
struct peer_caps *peer_caps_new(unsigned cap);
void peer_caps_free(struct peer_caps *p);
/* Count one more connection of uid; false (and nothing counted) when uid is at the cap. */
bool peer_caps_acquire(struct peer_caps *p, uid_t uid);
void peer_caps_release(struct peer_caps *p, uid_t uid);

/* MHD_OPTION_NOTIFY_CONNECTION callback for unix listeners, cls a struct peer_caps: a connection
 * over the cap is answered 503 before a request is read, and dropped within a second. */
void peer_caps_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code);
/* Was conn refused by peer_caps_notify? Its request must not be served (answer MHD_NO). */
bool peer_caps_refused(struct MHD_Connection *conn);
