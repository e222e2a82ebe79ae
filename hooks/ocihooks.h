/* oci-hooks(5) hook directories (the JSON format CRI-O and Podman read), version 1.0.0:
 *
 *   { "version": "1.0.0",
 *     "hook": { "path": "/abs/prog", "args": ["prog", ...], "env": ["K=V"], "timeout": 5 },
 *     "when": { "always": true, "annotations": { "KEY-REGEX": "VALUE-REGEX" },
 *               "commands": ["REGEX"], "hasBindMounts": true },
 *     "stages": ["prestart", "poststop", ...] }
 *
 * A hook applies when every condition set in "when" holds (at least one must be set; "always":
 * false never applies). Regular expressions are POSIX extended and unanchored, as Go's
 * regexp.MatchString: "commands" are matched against process.args[0], "annotations" against the
 * spec's annotations (some key matching KEY-REGEX whose value matches VALUE-REGEX). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The OCI hook stages, in the order the runtime runs them. */
extern const char *const oci_hook_stages[];
#define OCI_HOOK_N_STAGES 6
/* Index of a stage name in oci_hook_stages, or -EINVAL. */
int oci_hook_stage_index(const char *name);

struct oci_hook;

/* Parse one hook document. source names it in messages and in the applied record. Checks the
 * version, the stages, the regular expressions, and that hook.path is absolute and exists. */
int oci_hook_parse(const json_t *doc, const char *source, struct oci_hook **ret, struct pouch_err *err);
void oci_hook_free(struct oci_hook *h);
/* Whether h applies to spec (uses spec.process.args[0] and spec.annotations). */
bool oci_hook_match(const struct oci_hook *h, const json_t *spec, bool has_bind_mounts);
/* The hook's {path,args,env,timeout} object (borrowed) and its source. */
const json_t *oci_hook_command(const struct oci_hook *h);
const char *oci_hook_source(const struct oci_hook *h);
bool oci_hook_has_stage(const struct oci_hook *h, int stage);

struct oci_hook_set {
        struct oci_hook **hooks; /* sorted by file name */
        size_t n;
};

/* Read every *.json file of dirs (NULL-terminated; missing dirs are skipped). A file in a later
 * directory replaces the file of the same name in an earlier one. Files that fail to parse are
 * skipped with a warning in the log (their message is also appended to *ret_warnings when
 * ret_warnings is not NULL). */
int oci_hooks_load(char *const *dirs, struct oci_hook_set *ret, char ***ret_warnings);
void oci_hook_set_done(struct oci_hook_set *s);

/* Append the matching hooks to spec.hooks.<stage> (files in name order). *ret_applied (may be
 * NULL) gets a JSON array of {"Stage","Path","Args","Source"} for what was added. */
int oci_hooks_inject(const struct oci_hook_set *s, json_t *spec, bool has_bind_mounts, json_t **ret_applied);

/* Give every hook of spec.hooks (any stage) that has no "timeout" this one, in seconds, so a hook
 * that hangs cannot hold a start (or a removal) forever. seconds <= 0 leaves them unbounded.
 * Returns how many hooks got the default. */
int oci_hooks_default_timeout(json_t *spec, int seconds);
