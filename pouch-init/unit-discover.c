/* The systemd units a VM image has enabled. */
#include "unit-discover.h"

#include "lib/cleanup.h"
#include "skip-list.h"
#include "strv.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const unit_dirs[] = { "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system" };

/* Targets whose units set up the machine (not walked). */
static const char *const boot_targets[] = {
        "sysinit.target",        "local-fs.target",          "local-fs-pre.target",
        "swap.target",           "cryptsetup.target",        "emergency.target",
        "rescue.target",         "shutdown.target",          "initrd.target",
        "cryptsetup-pre.target", "remote-cryptsetup.target", "veritysetup.target",
};

int units_push(struct unit **units, size_t *n, struct unit *u)
{
        struct unit *v = realloc(*units, (*n + 1) * sizeof(*v));
        if (!v) {
                unit_free(u);
                return -ENOMEM;
        }
        v[*n] = *u;
        memset(u, 0, sizeof(*u));
        *units = v;
        (*n)++;
        return 0;
}

int units_push_skipped(struct unit **units, size_t *n, const char *name, enum unit_source source,
                       const char *reason_fmt, ...)
{
        struct unit u;
        int r = unit_init(&u, name);
        if (r < 0) {
                unit_free(&u);
                return r;
        }
        u.source = source;
        va_list ap;
        va_start(ap, reason_fmt);
        r = vasprintf(&u.skip_reason, reason_fmt, ap);
        va_end(ap);
        if (r < 0) {
                u.skip_reason = NULL;
                unit_free(&u);
                return -ENOMEM;
        }
        return units_push(units, n, &u);
}

ssize_t units_find(const struct unit *units, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(units[i].name, name) == 0)
                        return (ssize_t) i;
        return -1;
}

/* The file of unit file_name ("ssh.service") in the unit directories: 1 with its path inside the
 * image in *ret_path and, when it is an alias, the real name in *ret_real (both malloc'ed); 0 when
 * there is none; 2 when it is masked. Only the last link is followed by hand (an absolute target
 * is inside root); -ENOMEM. */
static int find_unit_file(const char *root, const char *file_name, char **ret_path, char **ret_real)
{
        for (size_t d = 0; d < ARRAY_SIZE(unit_dirs); d++) {
                _cleanup_free_ char *in_image = NULL, *full = NULL;
                if (asprintf(&in_image, "%s/%s", unit_dirs[d], file_name) < 0 ||
                    asprintf(&full, "%s%s", root, in_image) < 0)
                        return -ENOMEM;
                struct stat st;
                if (lstat(full, &st) < 0)
                        continue;
                for (int hops = 0; S_ISLNK(st.st_mode) && hops < 8; hops++) {
                        char target[4096];
                        ssize_t len = readlink(full, target, sizeof(target) - 1);
                        if (len < 0)
                                break;
                        target[len] = '\0';
                        if (strcmp(target, "/dev/null") == 0)
                                return 2;
                        char *next = NULL;
                        if (target[0] == '/') {
                                if (asprintf(&next, "%s", target) < 0)
                                        return -ENOMEM;
                        } else {
                                const char *slash = strrchr(in_image, '/');
                                if (asprintf(&next, "%.*s/%s", (int) (slash - in_image), in_image, target) < 0)
                                        return -ENOMEM;
                        }
                        free(in_image);
                        in_image = next;
                        free(full);
                        if (asprintf(&full, "%s%s", root, in_image) < 0) {
                                full = NULL;
                                return -ENOMEM;
                        }
                        if (lstat(full, &st) < 0)
                                return 0;
                }
                if (!S_ISREG(st.st_mode))
                        return S_ISCHR(st.st_mode) ? 2 : 0;
                const char *base = strrchr(in_image, '/') + 1;
                if (strcmp(base, file_name) != 0 && !(*ret_real = strdup(base)))
                        return -ENOMEM;
                *ret_path = TAKE_PTR(in_image);
                return 1;
        }
        return 0;
}

bool unit_file_exists(const char *root, const char *name)
{
        _cleanup_free_ char *file = NULL, *path = NULL, *real = NULL;
        if (asprintf(&file, "%s.service", name) < 0)
                return false;
        return find_unit_file(root, file, &path, &real) > 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The entries of DIR/sub in every unit directory (names, deduplicated, sorted) that end in suffix. */
static int list_merged(const char *root, const char *sub, const char *suffix, struct strv *names, struct strv *paths)
{
        size_t slen = strlen(suffix);
        for (size_t d = 0; d < ARRAY_SIZE(unit_dirs); d++) {
                _cleanup_free_ char *dir = NULL;
                if (asprintf(&dir, "%s%s/%s", root, unit_dirs[d], sub) < 0)
                        return -ENOMEM;
                _cleanup_closedir_ DIR *dp = opendir(dir);
                struct dirent *de;
                while (dp && (de = readdir(dp))) {
                        size_t len = strlen(de->d_name);
                        if (de->d_name[0] == '.' || len <= slen || strcmp(de->d_name + len - slen, suffix) != 0 ||
                            strv_contains(names, de->d_name))
                                continue;
                        int r = strv_push_dup(names, de->d_name);
                        if (r >= 0 && paths) {
                                char *p = NULL;
                                r = asprintf(&p, "%s/%s/%s", unit_dirs[d], sub, de->d_name) < 0 ? -ENOMEM
                                                                                                : strv_push(paths, p);
                        }
                        if (r < 0)
                                return r;
                }
        }
        if (names->n > 1 && !paths)
                qsort(names->v, names->n, sizeof(char *), cmp_str);
        return 0;
}

static int apply_file(const char *root, struct unit *u, const char *in_image)
{
        _cleanup_free_ char *full = NULL, *text = NULL;
        if (asprintf(&full, "%s%s", root, in_image) < 0)
                return -ENOMEM;
        int r = read_file(full, 1 << 20, &text, NULL);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return unit_set_error(u, "%s: cannot read: %s", in_image, strerror(-r)) == -ENOMEM ? -ENOMEM : 0;
        return unit_parse_text(u, in_image, text);
}

/* The drop-ins of file_name ("x.service"), in file-name order, the first directory winning. */
static int apply_dropins(const char *root, struct unit *u, const char *file_name)
{
        _cleanup_free_ char *sub = NULL;
        if (asprintf(&sub, "%s.d", file_name) < 0)
                return -ENOMEM;
        _cleanup_strv_ struct strv names = { 0 }, paths = { 0 };
        int r = list_merged(root, sub, ".conf", &names, &paths);
        if (r < 0)
                return r;
        /* sort paths by their file name */
        for (size_t i = 1; i < paths.n; i++)
                for (size_t k = i; k > 0 && strcmp(names.v[k - 1], names.v[k]) > 0; k--) {
                        char *t = names.v[k];
                        names.v[k] = names.v[k - 1];
                        names.v[k - 1] = t;
                        t = paths.v[k];
                        paths.v[k] = paths.v[k - 1];
                        paths.v[k - 1] = t;
                }
        for (size_t i = 0; r >= 0 && i < paths.n; i++)
                r = apply_file(root, u, paths.v[i]);
        return r;
}

static bool has_suffix(const char *s, const char *suffix)
{
        size_t len = strlen(s), slen = strlen(suffix);
        return len > slen && strcmp(s + len - slen, suffix) == 0;
}

/* Another kind of unit than a service or a target ("x.socket"): its kind, else NULL. */
static const char *other_kind(const char *name)
{
        static const char *const kinds[] = { ".socket", ".timer",  ".path",  ".mount", ".automount",
                                             ".swap",   ".device", ".slice", ".scope" };
        for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
                if (has_suffix(name, kinds[i]))
                        return kinds[i] + 1;
        return NULL;
}

/* Load NAME.service (name without the suffix) unless it is known already. */
static int load_service(const char *root, const char *name, bool quiet_missing, struct unit **units, size_t *n)
{
        if (units_find(*units, *n, name) >= 0)
                return 0;
        _cleanup_free_ char *file = NULL, *path = NULL, *real = NULL, *tmpl = NULL;
        if (asprintf(&file, "%s.service", name) < 0)
                return -ENOMEM;
        int r = find_unit_file(root, file, &path, &real);
        const char *at = strchr(name, '@');
        if (r == 0 && at && at[1]) {
                if (asprintf(&tmpl, "%.*s@.service", (int) (at - name), name) < 0)
                        return -ENOMEM;
                free(real);
                real = NULL;
                r = find_unit_file(root, tmpl, &path, &real);
                free(real);
                real = NULL;
        }
        if (r < 0)
                return r;
        if (r == 2)
                return units_push_skipped(units, n, name, SOURCE_SYSTEMD, "masked (%s is a link to /dev/null)", file);
        const char *reason = skip_reason_for(name);
        if (reason)
                return units_push_skipped(units, n, name, SOURCE_SYSTEMD, "%s", reason);
        if (r == 0)
                return quiet_missing ? 0 : units_push_skipped(units, n, name, SOURCE_SYSTEMD, "no unit file %s", file);
        if (real) {
                unit_name_normalize(real);
                if (units_find(*units, *n, real) >= 0)
                        return 0;
                if ((reason = skip_reason_for(real)))
                        return units_push_skipped(units, n, real, SOURCE_SYSTEMD, "%s", reason);
        }
        struct unit u;
        r = unit_init(&u, real ? real : name);
        if (r >= 0) {
                u.source = SOURCE_SYSTEMD;
                u.path = TAKE_PTR(path);
                r = apply_file(root, &u, u.path);
        }
        if (r >= 0 && tmpl)
                r = apply_dropins(root, &u, tmpl);
        if (r >= 0) {
                free(file);
                file = NULL;
                r = asprintf(&file, "%s.service", u.name) < 0 ? -ENOMEM : apply_dropins(root, &u, file);
        }
        if (r >= 0)
                r = unit_finish(&u);
        if (r < 0) {
                unit_free(&u);
                return r;
        }
        return units_push(units, n, &u);
}

static int handle_entry(const char *root, const char *entry, bool quiet_missing, struct strv *queue,
                        struct unit **units, size_t *n)
{
        if (has_suffix(entry, ".service")) {
                _cleanup_free_ char *name = strdup(entry);
                if (!name)
                        return -ENOMEM;
                unit_name_normalize(name);
                return load_service(root, name, quiet_missing, units, n);
        }
        if (has_suffix(entry, ".target"))
                return strv_contains(queue, entry) ? 0 : strv_push_dup(queue, entry);
        const char *kind = other_kind(entry);
        if (!kind || units_find(*units, *n, entry) >= 0)
                return 0;
        _cleanup_free_ char *base = strndup(entry, strlen(entry) - strlen(kind) - 1);
        if (!base)
                return -ENOMEM;
        const char *reason = skip_reason_for(base);
        if (reason)
                return units_push_skipped(units, n, entry, SOURCE_SYSTEMD, "%s", reason);
        return units_push_skipped(units, n, entry, SOURCE_SYSTEMD, "%s units are not supported (only services run)",
                                  kind);
}

/* The Wants= and Requires= names of a target file. */
static int target_file_deps(const char *root, const char *target, struct strv *deps)
{
        _cleanup_free_ char *path = NULL, *real = NULL, *full = NULL, *text = NULL;
        int r = find_unit_file(root, target, &path, &real);
        if (r <= 0 || r == 2)
                return r;
        if (asprintf(&full, "%s%s", root, path) < 0)
                return -ENOMEM;
        if (read_file(full, 1 << 20, &text, NULL) < 0)
                return 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
                const char *v = NULL;
                if (strncmp(line, "Wants=", 6) == 0)
                        v = line + 6;
                else if (strncmp(line, "Requires=", 9) == 0)
                        v = line + 9;
                for (; v && *v;) {
                        v += strspn(v, " \t");
                        size_t len = strcspn(v, " \t");
                        if (len && (r = strv_push_ndup(deps, v, len)) < 0)
                                return r;
                        v += len;
                }
        }
        return 0;
}

static bool is_boot_target(const char *t)
{
        for (size_t i = 0; i < ARRAY_SIZE(boot_targets); i++)
                if (strcmp(t, boot_targets[i]) == 0)
                        return true;
        return false;
}

static int walk_target(const char *root, const char *target, struct strv *queue, struct unit **units, size_t *n)
{
        static const char *const subs[] = { "wants", "requires" };
        for (size_t s = 0; s < ARRAY_SIZE(subs); s++) {
                _cleanup_free_ char *sub = NULL;
                if (asprintf(&sub, "%s.%s", target, subs[s]) < 0)
                        return -ENOMEM;
                _cleanup_strv_ struct strv names = { 0 };
                int r = list_merged(root, sub, "", &names, NULL);
                for (size_t i = 0; r >= 0 && i < names.n; i++)
                        r = handle_entry(root, names.v[i], false, queue, units, n);
                if (r < 0)
                        return r;
        }
        _cleanup_strv_ struct strv deps = { 0 };
        int r = target_file_deps(root, target, &deps);
        for (size_t i = 0; r >= 0 && i < deps.n; i++)
                r = handle_entry(root, deps.v[i], true, queue, units, n);
        return r;
}

/* A service whose NAME.socket is enabled expects its listening sockets from systemd (dbus with
 * --address=systemd:): without socket activation it cannot run. */
static int skip_socket_activated(struct unit *units, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (units[i].skip_reason || other_kind(units[i].name))
                        continue;
                _cleanup_free_ char *sock = NULL;
                if (asprintf(&sock, "%s.socket", units[i].name) < 0)
                        return -ENOMEM;
                if (units_find(units, n, sock) < 0)
                        continue;
                if (asprintf(&units[i].skip_reason, "socket-activated by %s, and socket activation is not supported",
                             sock) < 0) {
                        units[i].skip_reason = NULL;
                        return -ENOMEM;
                }
        }
        return 0;
}

int discover_systemd(const char *root, struct unit **units, size_t *n)
{
        _cleanup_strv_ struct strv queue = { 0 };
        _cleanup_free_ char *path = NULL, *real = NULL;
        int r = find_unit_file(root, "default.target", &path, &real);
        if (r < 0)
                return r;
        if (real && (r = strv_push_dup(&queue, real)) < 0)
                return r;
        if (!strv_contains(&queue, "multi-user.target") && (r = strv_push_dup(&queue, "multi-user.target")) < 0)
                return r;
        size_t first = *n;
        for (size_t i = 0; i < queue.n; i++) {
                if (is_boot_target(queue.v[i]))
                        continue;
                r = walk_target(root, queue.v[i], &queue, units, n);
                if (r < 0)
                        return r;
        }
        r = skip_socket_activated(*units, *n);
        if (r < 0)
                return r;
        /* what the enabled services pull in themselves */
        for (size_t k = first; k < *n; k++) {
                _cleanup_strv_ struct strv deps = { 0 };
                r = strv_extend(&deps, (*units)[k].wants.v);
                if (r >= 0)
                        r = strv_extend(&deps, (*units)[k].requires.v);
                for (size_t j = 0; r >= 0 && j < deps.n; j++)
                        if (!strchr(deps.v[j], '.') || !other_kind(deps.v[j]))
                                if (!has_suffix(deps.v[j], ".target"))
                                        r = load_service(root, deps.v[j], true, units, n);
                if (r < 0)
                        return r;
        }
        return 0;
}
