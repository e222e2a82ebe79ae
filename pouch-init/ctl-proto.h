/* The control protocol of pouch-init (`systemctl`, `service` and `pouch-init ctl` inside a rich
 * container): a client connects to STATE_DIR/ctl.sock (a unix stream socket), sends one line
 * "VERB [NAME]\n" (at most CTL_REQUEST_MAX bytes), and reads the answer until pouch-init closes
 * the connection: a first line "CODE FD" (the exit code the client exits with, and 1 or 2: the
 * text goes to its stdout or stderr), then the text to print.
 * One request per connection. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CTL_SOCKET_NAME "ctl.sock"
#define CTL_REQUEST_MAX 512
#define CTL_NAME_MAX 256
#define CTL_REPLY_MAX 65536 /* what a client reads at most */

/* systemctl's exit codes (LSB): 3 not running, 4 no such unit */
#define CTL_EXIT_NOT_RUNNING 3
#define CTL_EXIT_NO_UNIT 4
#define CTL_EXIT_NO_SUCH_UNIT 5 /* start, stop, ... of a unit that does not exist */

enum ctl_verb {
        CTL_START,
        CTL_STOP,
        CTL_RESTART,
        CTL_TRY_RESTART,
        CTL_RELOAD,
        CTL_STATUS,
        CTL_IS_ACTIVE,
        CTL_IS_FAILED,
        CTL_IS_ENABLED,
        CTL_ENABLE,
        CTL_DISABLE,
        CTL_LIST_UNITS,
        CTL_IS_SYSTEM_RUNNING,
        CTL_DAEMON_RELOAD,
        CTL_VERB_COUNT,
};

struct ctl_request {
        enum ctl_verb verb;
        char name[CTL_NAME_MAX]; /* ".service" stripped; "" when the verb takes none */
};

/* The verb named s ("start", "is-active", "force-reload" as "restart", ...), or -1. */
int ctl_verb_from_string(const char *s);
const char *ctl_verb_name(enum ctl_verb v);
/* Whether the verb acts on a unit (and needs a NAME). */
bool ctl_verb_needs_name(enum ctl_verb v);
/* Whether the verb changes something (start, stop, enable, ...): only root may ask. */
bool ctl_verb_changes(enum ctl_verb v);
/* Whether s is a unit name pouch-init may be asked about: [A-Za-z0-9:_.@\-], not empty, short. */
bool ctl_name_valid(const char *s);

/* Parse buf[0..len) as a request: 0 (*ret filled), -EAGAIN (no newline yet: read more), -EINVAL
 * (malformed, or longer than CTL_REQUEST_MAX without a newline). */
int ctl_request_parse(const char *buf, size_t len, struct ctl_request *ret);
/* The request line for verb and name (NULL: none): its length, or -EINVAL (bad name) /
 * -ENOBUFS (size too small). */
int ctl_request_format(enum ctl_verb verb, const char *name, char *buf, size_t size);

/* Split an answer: its exit code (0..255) in *ret_code, the stream (1 or 2) in *ret_fd and where
 * the text starts in *ret_text. 0, or -EINVAL when it does not start with a code line. */
int ctl_reply_parse(const char *buf, size_t len, int *ret_code, int *ret_fd, size_t *ret_text);
