/* Driving runc/crun by exec: argv builders for the shim and one-shot operations for the daemon.
 * Only lib/ and jansson are used here, since the static shim links this file. */
#include "runtime-wrap/runtime.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int find_in_path(const char *name, char **ret)
{
        const char *path = getenv("PATH");
        _cleanup_free_ char *copy = strdup(path && *path ? path : DEFAULT_PATH);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *p = NULL;
                if (dir[0] != '/')
                        continue;
                if (asprintf(&p, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                struct stat st;
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0) {
                        *ret = p;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

int runtime_init(struct runtime *rt, const char *name_or_path, const char *state_root, struct pouch_err *err)
{
        if (!name_or_path || !*name_or_path)
                name_or_path = "runc";
        if (!state_root || state_root[0] != '/')
                return err_set(err, -EINVAL, "runtime state root must be an absolute path");
        _cleanup_free_ char *path = NULL;
        if (strchr(name_or_path, '/')) {
                if (name_or_path[0] != '/')
                        return err_set(err, -EINVAL, "OCI runtime path must be absolute: %s", name_or_path);
                if (access(name_or_path, X_OK) < 0)
                        return err_set(err, -ENOENT, "OCI runtime %s not found or not executable: %m", name_or_path);
                path = strdup(name_or_path);
        } else {
                int r = find_in_path(name_or_path, &path);
                if (r == -ENOENT)
                        return err_set(err, r, "OCI runtime \"%s\" not found in PATH", name_or_path);
                if (r < 0)
                        return err_set(err, r, "out of memory");
        }
        int r = mkdir_p(state_root, 0700);
        if (r < 0 || chmod(state_root, 0700) < 0)
                return err_set(err, r < 0 ? r : -errno, "cannot create runtime state directory %s: %s", state_root,
                               strerror(r < 0 ? -r : errno));
        const char *base = strrchr(path, '/') + 1;
        char *name = strdup(base), *root = strdup(state_root);
        if (!name || !root) {
                free(name);
                free(root);
                return err_set(err, -ENOMEM, "out of memory");
        }
        rt->name = name;
        rt->path = TAKE_PTR(path);
        rt->root = root;
        return 0;
}

void runtime_done(struct runtime *rt)
{
        if (!rt)
                return;
        free(rt->name);
        free(rt->path);
        free(rt->root);
        rt->name = rt->path = rt->root = NULL;
}

/* [path, --root, R, (--systemd-cgroup), args..., NULL]; NULL on allocation failure. */
static char **argv_new(const struct runtime *rt, const char *const *args)
{
        char **v = NULL;
        int r = strv_push(&v, rt->path);
        if (r >= 0 && rt->root && (r = strv_push(&v, "--root")) >= 0)
                r = strv_push(&v, rt->root);
        if (r >= 0 && rt->systemd_cgroup)
                r = strv_push(&v, "--systemd-cgroup");
        for (size_t i = 0; r >= 0 && args[i]; i++)
                r = strv_push(&v, args[i]);
        if (r < 0)
                return strv_free(v);
        return v;
}

char **runtime_argv_create(const struct runtime *rt, const char *id, const char *bundle, const char *pid_file,
                           const char *console_socket)
{
        if (console_socket)
                return argv_new(rt, (const char *[]){ "create", "--bundle", bundle, "--pid-file", pid_file,
                                                      "--console-socket", console_socket, id, NULL });
        return argv_new(rt, (const char *[]){ "create", "--bundle", bundle, "--pid-file", pid_file, id, NULL });
}

char **runtime_argv_exec(const struct runtime *rt, const char *id, const char *process_file, const char *pid_file,
                         const char *console_socket)
{
        if (console_socket)
                return argv_new(rt, (const char *[]){ "exec", "-d", "--process", process_file, "--pid-file", pid_file,
                                                      "-t", "--console-socket", console_socket, id, NULL });
        return argv_new(rt,
                        (const char *[]){ "exec", "-d", "--process", process_file, "--pid-file", pid_file, id, NULL });
}

char **runtime_argv_delete(const struct runtime *rt, const char *id)
{
        return argv_new(rt, (const char *[]){ "delete", "--force", id, NULL });
}

/* Copy a Go-quoted string starting after the opening quote; stops at the closing quote. */
static void unquote(const char *s, char *buf, size_t len)
{
        size_t n = 0;
        for (; *s && *s != '"' && n + 1 < len; s++) {
                if (*s == '\\' && s[1]) {
                        s++;
                        buf[n++] = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
                } else
                        buf[n++] = *s;
        }
        buf[n] = '\0';
}

/* The runtime's own words: the msg="..." of its last error-level logrus line, else its last
 * non-empty stderr line. */
void runtime_error_message(const char *text, char *buf, size_t len)
{
        buf[0] = '\0';
        if (!text)
                return;
        bool have_error = false;
        const char *line = text;
        while (*line) {
                size_t n = strcspn(line, "\n");
                _cleanup_free_ char *l = strndup(line, n);
                line += n + (line[n] == '\n');
                if (!l)
                        return;
                char *msg = strstr(l, "msg=\"");
                bool is_error = strstr(l, "level=error") || strstr(l, "level=fatal");
                if (msg && (is_error || !have_error)) {
                        unquote(msg + 5, buf, len);
                        have_error |= is_error;
                } else if (!have_error) {
                        char *t = l + strspn(l, " \t");
                        if (strncmp(t, "ERRO[", 5) == 0 && strchr(t, ']'))
                                t = strchr(t, ']') + 1;
                        t += strspn(t, " \t");
                        if (*t)
                                snprintf(buf, len, "%s", t);
                }
        }
        size_t n = strlen(buf);
        while (n > 0 && (buf[n - 1] == ' ' || buf[n - 1] == '\n' || buf[n - 1] == '\r'))
                buf[--n] = '\0';
}

int runtime_error_code(const char *msg)
{
        if (strstr(msg, "does not exist") || strstr(msg, "not found"))
                return -ENOENT;
        if (strstr(msg, "not running") || strstr(msg, "not paused"))
                return -EALREADY;
        return -EIO;
}

/* Run one runtime command; on failure err carries the runtime's message. ret_out may be NULL. */
static int run(const struct runtime *rt, const char *const *args, const char *input, char **ret_out,
               struct pouch_err *err)
{
        _cleanup_strv_free_ char **argv = argv_new(rt, args);
        if (!argv)
                return err_set(err, -ENOMEM, "out of memory");
        struct spawn_result res = { 0 };
        int r = spawn_capture(argv, NULL, input, input ? strlen(input) : 0, &res);
        if (r < 0)
                return err_set(err, r, "failed to run %s: %s", rt->path, strerror(-r));
        if (res.status != 0) {
                char msg[sizeof(err->msg)];
                runtime_error_message(res.err, msg, sizeof(msg));
                if (!msg[0])
                        snprintf(msg, sizeof(msg), "%s %s exited with status %d", rt->name, args[0], res.status);
                log_debug("%s %s failed (%d): %s", rt->name, args[0], res.status, res.err ? res.err : "");
                r = err_set(err, runtime_error_code(msg), "%s", msg);
                spawn_result_done(&res);
                return r;
        }
        if (ret_out)
                *ret_out = TAKE_PTR(res.out);
        spawn_result_done(&res);
        return 0;
}

int runtime_start(const struct runtime *rt, const char *id, struct pouch_err *err)
{
        return run(rt, (const char *[]){ "start", id, NULL }, NULL, NULL, err);
}

int runtime_kill(const struct runtime *rt, const char *id, int signo, bool all, struct pouch_err *err)
{
        char sig[16];
        snprintf(sig, sizeof(sig), "%d", signo);
        if (all)
                return run(rt, (const char *[]){ "kill", "--all", id, sig, NULL }, NULL, NULL, err);
        return run(rt, (const char *[]){ "kill", id, sig, NULL }, NULL, NULL, err);
}

int runtime_delete(const struct runtime *rt, const char *id, bool force, struct pouch_err *err)
{
        if (force)
                return run(rt, (const char *[]){ "delete", "--force", id, NULL }, NULL, NULL, err);
        return run(rt, (const char *[]){ "delete", id, NULL }, NULL, NULL, err);
}

int runtime_pause(const struct runtime *rt, const char *id, struct pouch_err *err)
{
        return run(rt, (const char *[]){ "pause", id, NULL }, NULL, NULL, err);
}

int runtime_resume(const struct runtime *rt, const char *id, struct pouch_err *err)
{
        return run(rt, (const char *[]){ "resume", id, NULL }, NULL, NULL, err);
}

int runtime_state(const struct runtime *rt, const char *id, json_t **ret_state, struct pouch_err *err)
{
        _cleanup_free_ char *out = NULL;
        int r = run(rt, (const char *[]){ "state", id, NULL }, NULL, &out, err);
        if (r < 0)
                return r;
        json_error_t je;
        json_t *j = json_loads(out, 0, &je);
        if (!json_is_object(j)) {
                json_decref(j);
                return err_set(err, -EIO, "%s state: unexpected output: %s", rt->name, j ? "not an object" : je.text);
        }
        *ret_state = j;
        return 0;
}

int runtime_update(const struct runtime *rt, const char *id, const json_t *resources, struct pouch_err *err)
{
        _cleanup_free_ char *in = json_dumps(resources, JSON_COMPACT);
        if (!in)
                return err_set(err, -ENOMEM, "out of memory");
        return run(rt, (const char *[]){ "update", "--resources", "-", id, NULL }, in, NULL, err);
}

int runtime_stats(const struct runtime *rt, const char *id, json_t **ret_stats, struct pouch_err *err)
{
        _cleanup_free_ char *out = NULL;
        int r = run(rt, (const char *[]){ "events", "--stats", id, NULL }, NULL, &out, err);
        if (r < 0)
                return r;
        json_t *j = json_loads(out, 0, NULL);
        json_t *data = json_incref(json_object_get(j, "data"));
        json_decref(j);
        if (!json_is_object(data)) {
                json_decref(data);
                return err_set(err, -EIO, "%s events --stats: unexpected output", rt->name);
        }
        *ret_stats = data;
        return 0;
}

int runtime_pids(const struct runtime *rt, const char *id, pid_t **ret_pids, size_t *ret_n, struct pouch_err *err)
{
        _cleanup_free_ char *out = NULL;
        int r = run(rt, (const char *[]){ "ps", "--format", "json", id, NULL }, NULL, &out, err);
        if (r < 0)
                return r;
        json_error_t je;
        json_t *j = json_loads(out, JSON_DECODE_ANY, &je);
        if (!j || !(json_is_array(j) || json_is_null(j))) {
                json_decref(j);
                return err_set(err, -EIO, "%s ps: unexpected output", rt->name);
        }
        size_t n = json_is_array(j) ? json_array_size(j) : 0;
        pid_t *pids = calloc(n ? n : 1, sizeof(pid_t));
        if (!pids) {
                json_decref(j);
                return err_set(err, -ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++)
                pids[i] = (pid_t) json_integer_value(json_array_get(j, i));
        json_decref(j);
        *ret_pids = pids;
        *ret_n = n;
        return 0;
}
