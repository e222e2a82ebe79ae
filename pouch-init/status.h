/* STATE/status.json: pouch-init's state for the daemon, rewritten atomically at every change.
 *
 * {"phase":"running","pid":1,
 *  "initscript":{"path":"/x.sh","exitCode":0,"output":"..."},         (absent without one)
 *  "main":{"pid":42,"running":true,"exitCode":null},                   (null without a command)
 *  "services":[{"name":"sshd","state":"running","pid":17,"restarts":0,"lastExitCode":null,
 *               "error":null,"source":"builtin","reason":null,"warnings":[]}]}
 * Strings are escaped for JSON and made valid UTF-8 (invalid bytes and NUL become U+FFFD), so
 * that any output of an initscript can be carried. */
#pragma once

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define STATUS_FILE "status.json"

struct status_service {
        const char *name;
        const char *state; /* waiting|starting|running|restarting|failed|stopped|stopping|skipped */
        pid_t pid;         /* 0: null */
        unsigned restarts;
        bool has_last_exit;
        int last_exit;
        const char *error;     /* NULL: null */
        const char *reason;    /* why it is skipped; NULL: null */
        const char *source;    /* services.d|systemd|sysv|builtin */
        char *const *warnings; /* what of its unit was ignored */
        size_t n_warnings;
};

struct status_doc {
        const char *phase; /* initscript|starting|running|stopping|failed|exited */
        pid_t pid;
        bool has_initscript;
        const char *initscript_path;
        bool initscript_done;
        int initscript_exit;
        const char *initscript_output;
        size_t initscript_output_len;
        bool has_main;
        pid_t main_pid; /* 0: null (not started yet) */
        bool main_running;
        bool main_done;
        int main_exit;
        const struct status_service *services;
        size_t n_services;
};

/* Append s[0..len) as a JSON string literal (with the quotes). 0 or -ENOMEM. */
int json_append_string(struct buf *b, const char *s, size_t len);

/* The JSON document (one line, with a trailing newline). 0 or -ENOMEM. */
int status_render(const struct status_doc *d, struct buf *out);

/* Render d and replace dir/status.json (through status.json.tmp, fsync, rename). 0 or -errno. */
int status_write(const char *dir, const struct status_doc *d);
