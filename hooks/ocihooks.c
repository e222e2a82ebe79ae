/* One oci-hooks(5) document: parsing, validation and matching against a runtime spec. */
#include "ocihooks.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *const oci_hook_stages[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL
};

struct annotation_rule {
        regex_t key, value;
};

struct oci_hook {
        char *source;
        json_t *command;     /* {path, args, env, timeout} as the runtime spec wants it */
        unsigned stages;     /* bit per oci_hook_stages index */
        int always;          /* -1 unset, 0 false, 1 true */
        int has_bind_mounts; /* -1 unset */
        struct annotation_rule *annotations;
        size_t n_annotations;
        regex_t *commands;
        size_t n_commands;
};

int oci_hook_stage_index(const char *name)
{
        for (int i = 0; oci_hook_stages[i]; i++)
                if (name && strcmp(name, oci_hook_stages[i]) == 0)
                        return i;
        return -EINVAL;
}

void oci_hook_free(struct oci_hook *h)
{
        if (!h)
                return;
        for (size_t i = 0; i < h->n_annotations; i++) {
                regfree(&h->annotations[i].key);
                regfree(&h->annotations[i].value);
        }
        for (size_t i = 0; i < h->n_commands; i++)
                regfree(&h->commands[i]);
        free(h->annotations);
        free(h->commands);
        json_decref(h->command);
        free(h->source);
        free(h);
}

static int compile(regex_t *re, const char *pattern, const char *source, const char *what, struct pouch_err *err)
{
        int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
                char buf[256];
                regerror(rc, re, buf, sizeof(buf));
                return err_set(err, -EINVAL, "%s: invalid %s regular expression '%s': %s", source, what, pattern, buf);
        }
        return 0;
}

static int parse_command(struct oci_hook *h, const json_t *hook, struct pouch_err *err)
{
        if (!json_is_object(hook))
                return err_set(err, -EINVAL, "%s: missing required property: hook", h->source);
        const char *path = json_get_str(hook, "path", NULL);
        if (!path || path[0] != '/')
                return err_set(err, -EINVAL, "%s: hook.path must be an absolute path", h->source);
        struct stat st;
        if (stat(path, &st) < 0)
                return err_set(err, -errno, "%s: hook.path %s: %m", h->source, path);
        h->command = json_pack("{s:s}", "path", path);
        if (!h->command)
                return -ENOMEM;
        const char *lists[] = { "args", "env" };
        for (size_t k = 0; k < ARRAY_SIZE(lists); k++) {
                json_t *a = json_object_get(hook, lists[k]);
                if (!a)
                        continue;
                size_t i;
                json_t *v;
                if (!json_is_array(a))
                        return err_set(err, -EINVAL, "%s: hook.%s must be an array of strings", h->source, lists[k]);
                json_array_foreach(a, i, v)
                        if (!json_is_string(v))
                                return err_set(err, -EINVAL, "%s: hook.%s must be an array of strings", h->source,
                                               lists[k]);
                json_object_set(h->command, lists[k], a);
        }
        json_t *t = json_object_get(hook, "timeout");
        if (t) {
                if (!json_is_integer(t) || json_integer_value(t) <= 0)
                        return err_set(err, -EINVAL, "%s: hook.timeout must be a positive integer", h->source);
                json_object_set(h->command, "timeout", t);
        }
        return 0;
}

static int parse_tristate(const json_t *when, const char *key, int *ret, const char *source, struct pouch_err *err)
{
        json_t *v = json_object_get(when, key);
        *ret = -1;
        if (!v)
                return 0;
        if (!json_is_boolean(v))
                return err_set(err, -EINVAL, "%s: when.%s must be a boolean", source, key);
        *ret = json_is_true(v);
        return 0;
}

static int parse_when(struct oci_hook *h, const json_t *when, struct pouch_err *err)
{
        if (!json_is_object(when))
                return err_set(err, -EINVAL, "%s: missing required property: when", h->source);
        int r = parse_tristate(when, "always", &h->always, h->source, err);
        if (r < 0)
                return r;
        r = parse_tristate(when, "hasBindMounts", &h->has_bind_mounts, h->source, err);
        if (r < 0)
                return r;
        json_t *ann = json_object_get(when, "annotations");
        if (ann && !json_is_object(ann))
                return err_set(err, -EINVAL, "%s: when.annotations must be an object of regular expressions",
                               h->source);
        if (json_object_size(ann) > 0) {
                h->annotations = calloc(json_object_size(ann), sizeof(*h->annotations));
                if (!h->annotations)
                        return -ENOMEM;
                const char *k;
                json_t *v;
                json_object_foreach(ann, k, v) {
                        if (!json_is_string(v))
                                return err_set(err, -EINVAL, "%s: when.annotations[%s] must be a string", h->source, k);
                        r = compile(&h->annotations[h->n_annotations].key, k, h->source, "annotation key", err);
                        if (r < 0)
                                return r;
                        r = compile(&h->annotations[h->n_annotations].value, json_string_value(v), h->source,
                                    "annotation value", err);
                        if (r < 0) {
                                regfree(&h->annotations[h->n_annotations].key);
                                return r;
                        }
                        h->n_annotations++;
                }
        }
        json_t *cmds = json_object_get(when, "commands");
        if (cmds && !json_is_array(cmds))
                return err_set(err, -EINVAL, "%s: when.commands must be an array of regular expressions", h->source);
        if (json_array_size(cmds) > 0) {
                h->commands = calloc(json_array_size(cmds), sizeof(*h->commands));
                if (!h->commands)
                        return -ENOMEM;
                size_t i;
                json_t *v;
                json_array_foreach(cmds, i, v) {
                        if (!json_is_string(v))
                                return err_set(err, -EINVAL, "%s: when.commands must hold strings", h->source);
                        r = compile(&h->commands[h->n_commands], json_string_value(v), h->source, "command", err);
                        if (r < 0)
                                return r;
                        h->n_commands++;
                }
        }
        if (h->always < 0 && h->has_bind_mounts < 0 && h->n_annotations == 0 && h->n_commands == 0)
                return err_set(err, -EINVAL, "%s: when must set always, annotations, commands or hasBindMounts",
                               h->source);
        return 0;
}

static int parse_stages(struct oci_hook *h, const json_t *stages, struct pouch_err *err)
{
        if (!json_is_array(stages) || json_array_size(stages) == 0)
                return err_set(err, -EINVAL, "%s: stages must be a non-empty array", h->source);
        size_t i;
        json_t *v;
        json_array_foreach(stages, i, v) {
                int s = oci_hook_stage_index(json_string_value(v));
                if (s < 0)
                        return err_set(err, -EINVAL, "%s: unknown stage '%s'", h->source,
                                       json_is_string(v) ? json_string_value(v) : "(not a string)");
                h->stages |= 1u << s;
        }
        return 0;
}

int oci_hook_parse(const json_t *doc, const char *source, struct oci_hook **ret, struct pouch_err *err)
{
        if (!json_is_object(doc))
                return err_set(err, -EINVAL, "%s: a JSON object was expected", source);
        const char *version = json_get_str(doc, "version", NULL);
        if (!version || strcmp(version, "1.0.0") != 0)
                return err_set(err, -EINVAL, "%s: unsupported hook version '%s' (1.0.0 is read)", source,
                               version ? version : "");
        struct oci_hook *h = calloc(1, sizeof(*h));
        if (!h)
                return -ENOMEM;
        h->source = strdup(source);
        int r = h->source ? 0 : -ENOMEM;
        if (r == 0)
                r = parse_command(h, json_object_get(doc, "hook"), err);
        if (r == 0)
                r = parse_when(h, json_object_get(doc, "when"), err);
        if (r == 0)
                r = parse_stages(h, json_object_get(doc, "stages"), err);
        if (r < 0) {
                oci_hook_free(h);
                return r;
        }
        *ret = h;
        return 0;
}

static bool matches(const regex_t *re, const char *s)
{
        return regexec(re, s, 0, NULL, 0) == 0;
}

static bool annotation_matches(const struct annotation_rule *rule, const json_t *annotations)
{
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) annotations, k, v) {
                if (json_is_string(v) && matches(&rule->key, k) && matches(&rule->value, json_string_value(v)))
                        return true;
        }
        return false;
}

bool oci_hook_match(const struct oci_hook *h, const json_t *spec, bool has_bind_mounts)
{
        int hits = 0;
        if (h->always == 0)
                return false;
        hits += h->always == 1;
        if (h->has_bind_mounts >= 0) {
                if (!h->has_bind_mounts || !has_bind_mounts)
                        return false;
                hits++;
        }
        const json_t *annotations = json_object_get(spec, "annotations");
        for (size_t i = 0; i < h->n_annotations; i++) {
                if (!annotation_matches(&h->annotations[i], annotations))
                        return false;
                hits++;
        }
        if (h->n_commands > 0) {
                const char *cmd = json_string_value(
                        json_array_get(json_object_get(json_object_get(spec, "process"), "args"), 0));
                bool any = false;
                for (size_t i = 0; cmd && i < h->n_commands && !any; i++)
                        any = matches(&h->commands[i], cmd);
                if (!any)
                        return false;
                hits++;
        }
        return hits > 0;
}

const json_t *oci_hook_command(const struct oci_hook *h)
{
        return h->command;
}

const char *oci_hook_source(const struct oci_hook *h)
{
        return h->source;
}

bool oci_hook_has_stage(const struct oci_hook *h, int stage)
{
        return stage >= 0 && stage < OCI_HOOK_N_STAGES && (h->stages & (1u << stage));
}

int oci_hooks_default_timeout(json_t *spec, int seconds)
{
        if (seconds <= 0)
                return 0;
        int n = 0;
        const char *stage;
        json_t *list;
        json_object_foreach(json_object_get(spec, "hooks"), stage, list) {
                size_t i;
                json_t *h;
                json_array_foreach(list, i, h) {
                        if (!json_is_object(h) || json_object_get(h, "timeout"))
                                continue;
                        if (json_object_set_new(h, "timeout", json_integer(seconds)) == 0)
                                n++;
                }
        }
        return n;
}
