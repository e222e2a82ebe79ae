/* Unit files: a documented subset of systemd's unit syntax (see docs/pouch-init.md), for the
 * services of /etc/pouch/services.d and the systemd units pouch-init finds enabled in the image.
 *
 * Parsing goes unit_init, unit_parse_text (the unit file, then each drop-in, in order),
 * unit_finish. The keys pouch-init understands are handled in unit-keys.c; every other key is a
 * warning kept in the unit (never a refusal). Lines starting with '#' or ';' are comments; a line
 * ending in '\' continues on the next one (comment lines inside a continuation are skipped). An
 * empty assignment of a list key resets the list, as in systemd. Specifiers (%n %N %p %i %I %%)
 * are expanded in every value. The first error makes the unit unusable: it is kept, with the
 * message. */
#pragma once

#include "strv.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define UNIT_DEFAULT_RESTART_SEC_MS 100

#define UNIT_DEFAULT_TIMEOUT_START_MS 90000
#define UNIT_DEFAULT_TIMEOUT_STOP_MS 2000

enum restart_policy {
        RESTART_NO,
        RESTART_ALWAYS,
        RESTART_ON_SUCCESS,
        RESTART_ON_FAILURE,
        RESTART_ON_ABNORMAL,
        RESTART_ON_ABORT,
        RESTART_ON_WATCHDOG,
};

enum unit_type {
        UNIT_SIMPLE,
        UNIT_EXEC,
        UNIT_FORKING,
        UNIT_ONESHOT,
        UNIT_NOTIFY,
        UNIT_IDLE,
};

enum kill_mode {
        KILL_CONTROL_GROUP, /* the process group of each process (pouch-init has no cgroup per service) */
        KILL_PROCESS,
        KILL_MIXED,
        KILL_NONE,
};

/* Where a unit came from. */
enum unit_source {
        SOURCE_POUCH,   /* /etc/pouch/services.d */
        SOURCE_SYSTEMD, /* a systemd unit enabled in the image */
        SOURCE_SYSV,    /* an /etc/rcN.d/S* script */
        SOURCE_BUILTIN, /* sshd, cron */
};

struct exec_cmd {
        char *path;          /* the executable: absolute, or a bare name searched on PATH */
        struct strv argv;    /* argv[0] is path, or the word after it with the '@' prefix */
        bool ignore_failure; /* '-' prefix */
};

struct exec_list {
        struct exec_cmd *v;
        size_t n;
};

/* ConditionPathExists=, ConditionFileNotEmpty= ('!' negates) */
struct unit_condition {
        char *path;
        bool negate;
        bool not_empty;
};

struct env_file {
        char *path;
        bool optional; /* '-' prefix */
};

struct unit {
        char *name;     /* the file name without ".service" ("getty@tty1" for an instance) */
        char *instance; /* what follows '@' in an instance's name, else NULL */
        char *path;     /* the unit file or script it came from, NULL for built-ins */
        enum unit_source source;
        char *description;
        struct strv after;    /* names, ".service" stripped */
        struct strv before;   /* idem */
        struct strv requires; /* idem; a Requires= name is also ordered after */
        struct strv wants;    /* idem; discovery loads enabled units' Wants= too */
        enum unit_type type;
        struct exec_cmd *pre;
        size_t n_pre;
        struct exec_cmd start;       /* start.path == NULL for built-ins not configured yet */
        struct exec_list start_more; /* Type=oneshot: the further ExecStart= commands */
        struct exec_list post;       /* ExecStartPost= */
        struct exec_list stop;       /* ExecStop= */
        struct exec_list reload;     /* ExecReload= (kept for a future reload request) */
        char *pid_file;              /* Type=forking: PIDFile= */
        bool remain_after_exit;
        enum restart_policy restart;
        int64_t restart_sec_ms;
        unsigned start_limit_burst; /* 0: no limit */
        int64_t start_limit_interval_ms;
        int64_t timeout_start_ms; /* 0: none */
        int64_t timeout_stop_ms;
        enum kill_mode kill_mode;
        int kill_signal;
        struct unit_condition *conditions;
        size_t n_conditions;
        struct strv runtime_dirs; /* RuntimeDirectory=: names below /run */
        mode_t runtime_dir_mode;
        bool stdout_null;   /* StandardOutput=null */
        bool stdout_syslog; /* StandardOutput=syslog or journal (and their +console forms) */
        bool stderr_null;   /* StandardError=null */
        int umask;          /* -1: inherited */
        char *user;
        char *group;
        struct strv supplementary_groups;
        struct strv environment; /* NAME=value */
        struct env_file *env_files;
        size_t n_env_files;
        char *working_dir; /* NULL: "/" */
        bool working_dir_optional;
        char *error;          /* "FILE:LINE: message" when the unit cannot run, else NULL */
        struct strv warnings; /* "FILE:LINE: message" for ignored sections and keys */
        char *skip_reason;    /* not to be run in a container (skip-list.h), or masked, ... */
        /* parser state across the unit file and its drop-ins */
        bool timeout_start_set;
};

/* Start a unit named name ("web", "getty@tty1"): defaults set. 0 or -ENOMEM. */
int unit_init(struct unit *u, const char *name);
/* Apply the text of a unit file or drop-in (file names it in messages). 0 (u->error set when it is
 * malformed; the rest of the text is then ignored) or -ENOMEM. */
int unit_parse_text(struct unit *u, const char *file, const char *text);
/* Check what the files gave (an ExecStart=, one of them unless Type=oneshot) and settle the
 * defaults that depend on Type=. 0 or -ENOMEM. */
int unit_finish(struct unit *u);

/* unit_init + unit_parse_text + unit_finish for the unit file file_name ("web.service"; its name
 * is "web"). 0 with *u filled (u->error set when the file is malformed; the caller frees *u with
 * unit_free in both cases), or -ENOMEM. */
int unit_parse(const char *file_name, const char *text, struct unit *u);

/* Load every file of dir whose name ends in ".service" (not hidden ones), in file-name (strcmp)
 * order. A missing directory is no unit. 0 with a malloc'ed array in *ret (*n units; free with
 * units_free), or -ENOMEM; an unreadable file gives a unit with its error. */
int unit_load_dir(const char *dir, struct unit **ret, size_t *n);

void unit_free(struct unit *u);
void units_free(struct unit *units, size_t n);
void exec_cmd_free(struct exec_cmd *c);
void exec_list_free(struct exec_list *l);
/* Append a parsed command (taken over, zeroed): 0 or -ENOMEM (then freed). */
int exec_list_push(struct exec_list *l, struct exec_cmd *c);

/* Record a warning / the first error of the unit: 0 / -EINVAL, or -ENOMEM. */
int unit_warn(struct unit *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int unit_set_error(struct unit *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse a systemd time span into milliseconds: "5" (seconds), "500ms", "2s", "1.5s", "1min 30s",
 * "1h", "200us" (rounded up to 1 ms). 0 or -EINVAL. */
int parse_timespan_ms(const char *s, int64_t *ret);

/* "services.d", "systemd", "sysv", "builtin": where a unit came from, for the status. */
const char *unit_source_name(enum unit_source s);

/* Strip a ".service" suffix in place. */
void unit_name_normalize(char *name);
