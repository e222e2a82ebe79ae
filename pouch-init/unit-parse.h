/* services.d unit files: a documented subset of systemd's unit syntax (see docs/pouch-init.md).
 *
 *   [Unit]     Description=, After=, Requires=, Wants= (names; "web.service" is "web")
 *   [Service]  Type=simple, ExecStartPre= (several; '-' prefix: failure ignored), ExecStart=
 *              (required; prefixes '-' '+' '!' ':' accepted and ignored, '@' takes argv[0] from the
 *              second word), Restart=no|always|on-failure, RestartSec= (100ms by default; "5",
 *              "500ms", "2s", "1min", "1min 30s"), User=, Group=, Environment= (several),
 *              EnvironmentFile= (several; '-' prefix: optional), WorkingDirectory= ('-' prefix:
 *              optional; "~" is the user's home)
 *   [Install]  ignored
 * Lines starting with '#' or ';' are comments; a line ending in '\' continues on the next one
 * (comment lines inside a continuation are skipped). An empty assignment of a list key
 * (ExecStartPre=, Environment=, After=, ...) resets the list, as in systemd. Unknown sections and
 * keys are warnings. The first error makes the unit unusable: it is kept, with the message. */
#pragma once

#include "strv.h"

#include <stdbool.h>
#include <stdint.h>

#define UNIT_DEFAULT_RESTART_SEC_MS 100

enum restart_policy {
        RESTART_NO,
        RESTART_ALWAYS,
        RESTART_ON_FAILURE,
};

struct exec_cmd {
        char *path;          /* the executable: absolute, or a bare name searched on PATH */
        struct strv argv;    /* argv[0] is path, or the word after it with the '@' prefix */
        bool ignore_failure; /* '-' prefix */
};

struct env_file {
        char *path;
        bool optional; /* '-' prefix */
};

struct unit {
        char *name; /* the file name without ".service" */
        char *description;
        struct strv after;    /* names, ".service" stripped */
        struct strv requires; /* idem; a Requires= name is also ordered after */
        struct strv wants;    /* idem; parsed, no effect (every unit of the directory runs) */
        struct exec_cmd *pre;
        size_t n_pre;
        struct exec_cmd start; /* start.path == NULL for built-ins not configured yet */
        enum restart_policy restart;
        int64_t restart_sec_ms;
        char *user;
        char *group;
        struct strv environment; /* NAME=value */
        struct env_file *env_files;
        size_t n_env_files;
        char *working_dir; /* NULL: "/" */
        bool working_dir_optional;
        char *error;          /* "FILE:LINE: message" when the unit cannot run, else NULL */
        struct strv warnings; /* "FILE:LINE: message" for ignored sections and keys */
};

/* Parse text as the unit file file_name ("web.service"; its name is "web"). 0 with *u filled
 * (u->error set when the file is malformed; the caller frees *u with unit_free in both cases),
 * or -ENOMEM. */
int unit_parse(const char *file_name, const char *text, struct unit *u);

/* Load every file of dir whose name ends in ".service" (not hidden ones), in file-name (strcmp)
 * order. A missing directory is no unit. 0 with a malloc'ed array in *ret (*n units; free with
 * units_free), or -ENOMEM; an unreadable file gives a unit with its error. */
int unit_load_dir(const char *dir, struct unit **ret, size_t *n);

void unit_free(struct unit *u);
void units_free(struct unit *units, size_t n);
void exec_cmd_free(struct exec_cmd *c);

/* Parse a systemd time span into milliseconds: "5" (seconds), "500ms", "2s", "1.5s", "1min 30s",
 * "1h", "200us" (rounded up to 1 ms). 0 or -EINVAL. */
int parse_timespan_ms(const char *s, int64_t *ret);

/* Strip a ".service" suffix in place. */
void unit_name_normalize(char *name);
