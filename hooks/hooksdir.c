/* Hook directories: read the *.json files (later directories override earlier ones by file name)
 * and add the hooks that apply to a runtime spec, in file name order. */
#include "ocihooks.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct hook_file {
        char *name; /* base name: ordering and overriding */
        char *path;
};

static int file_cmp(const void *a, const void *b)
{
        return strcmp(((const struct hook_file *) a)->name, ((const struct hook_file *) b)->name);
}

static void files_free(struct hook_file *f, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(f[i].name);
                free(f[i].path);
        }
        free(f);
}

/* Add (or replace by name) the *.json files of dir. */
static int scan_dir(const char *dir, struct hook_file **files, size_t *n)
{
        _cleanup_closedir_ DIR *dp = opendir(dir);
        if (!dp)
                return errno == ENOENT || errno == ENOTDIR ? 0
                                                           : log_warn_errno(-errno, "Cannot read hooks dir %s", dir);
        struct dirent *de;
        while ((de = readdir(dp))) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
                        continue;
                char *path = NULL;
                if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
                        return -ENOMEM;
                struct stat st;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                        free(path);
                        continue;
                }
                size_t i = 0;
                while (i < *n && strcmp((*files)[i].name, de->d_name) != 0)
                        i++;
                if (i < *n) {
                        free((*files)[i].path);
                        (*files)[i].path = path;
                        continue;
                }
                struct hook_file *nf = realloc(*files, (*n + 1) * sizeof(**files));
                if (!nf) {
                        free(path);
                        return -ENOMEM;
                }
                *files = nf;
                nf[*n].name = strdup(de->d_name);
                nf[*n].path = path;
                if (!nf[*n].name) {
                        free(path);
                        return -ENOMEM;
                }
                (*n)++;
        }
        return 0;
}

static void warn(char ***warnings, const char *msg)
{
        log_warn("ignoring hook file: %s", msg);
        if (warnings)
                strv_push(warnings, msg);
}

int oci_hooks_load(char *const *dirs, struct oci_hook_set *ret, char ***ret_warnings)
{
        struct hook_file *files = NULL;
        size_t n = 0;
        int r = 0;
        for (size_t i = 0; dirs && dirs[i] && r >= 0; i++)
                r = scan_dir(dirs[i], &files, &n);
        if (r < 0) {
                files_free(files, n);
                return r;
        }
        if (n > 1)
                qsort(files, n, sizeof(*files), file_cmp);
        struct oci_hook_set set = { .hooks = calloc(n ? n : 1, sizeof(struct oci_hook *)) };
        if (!set.hooks) {
                files_free(files, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ json_t *doc = NULL;
                char msg[256] = "";
                struct pouch_err err = { 0 };
                r = json_read_file(files[i].path, &doc, msg, sizeof(msg));
                if (r < 0) {
                        err_set(&err, r, "%s: %s", files[i].path, *msg ? msg : strerror(-r));
                        warn(ret_warnings, err.msg);
                        continue;
                }
                struct oci_hook *h = NULL;
                r = oci_hook_parse(doc, files[i].path, &h, &err);
                if (r == -ENOMEM) {
                        files_free(files, n);
                        oci_hook_set_done(&set);
                        return r;
                }
                if (r < 0) {
                        warn(ret_warnings, err.msg);
                        continue;
                }
                set.hooks[set.n++] = h;
        }
        files_free(files, n);
        *ret = set;
        return 0;
}

void oci_hook_set_done(struct oci_hook_set *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                oci_hook_free(s->hooks[i]);
        free(s->hooks);
        s->hooks = NULL;
        s->n = 0;
}

static json_t *stage_list(json_t *spec, const char *stage)
{
        json_t *hooks = json_object_get(spec, "hooks");
        if (!json_is_object(hooks)) {
                hooks = json_object();
                json_object_set_new(spec, "hooks", hooks);
        }
        json_t *list = json_object_get(hooks, stage);
        if (!json_is_array(list)) {
                list = json_array();
                json_object_set_new(hooks, stage, list);
        }
        return list;
}

int oci_hooks_inject(const struct oci_hook_set *s, json_t *spec, bool has_bind_mounts, json_t **ret_applied)
{
        _cleanup_json_ json_t *applied = json_array();
        if (!applied)
                return -ENOMEM;
        for (size_t i = 0; i < s->n; i++) {
                const struct oci_hook *h = s->hooks[i];
                if (!oci_hook_match(h, spec, has_bind_mounts))
                        continue;
                const json_t *cmd = oci_hook_command(h);
                for (int st = 0; st < OCI_HOOK_N_STAGES; st++) {
                        if (!oci_hook_has_stage(h, st))
                                continue;
                        json_array_append_new(stage_list(spec, oci_hook_stages[st]), json_deep_copy(cmd));
                        json_t *rec = json_pack("{s:s,s:s,s:s}", "Stage", oci_hook_stages[st], "Path",
                                                json_get_str(cmd, "path", ""), "Source", oci_hook_source(h));
                        if (!rec)
                                return -ENOMEM;
                        json_t *args = json_object_get(cmd, "args");
                        json_object_set_new(rec, "Args", args ? json_deep_copy(args) : json_array());
                        json_array_append_new(applied, rec);
                }
        }
        if (ret_applied)
                *ret_applied = TAKE_PTR(applied);
        return 0;
}
