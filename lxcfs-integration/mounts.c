/* lxcfs views in containers: spec bind mounts at start, and re-binding them inside a running
 * container's mount namespace after lxcfs was restarted. */
#include "lxcfs.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSE_MAGIC 0x65735546

const char *const lxcfs_view_files[] = {
        "proc/meminfo",
        "proc/cpuinfo",
        "proc/stat",
        "proc/uptime",
        "proc/diskstats",
        "proc/swaps",
        "proc/loadavg",
        "sys/devices/system/cpu/online",
        NULL,
};

#define N_VIEWS (ARRAY_SIZE(lxcfs_view_files) - 1)

bool lxcfs_mount_healthy(const char *mountpoint)
{
        struct statfs sf;
        if (statfs(mountpoint, &sf) < 0 || sf.f_type != FUSE_MAGIC)
                return false;
        _cleanup_free_ char *probe = NULL;
        struct stat st;
        return asprintf(&probe, "%s/proc/uptime", mountpoint) >= 0 && stat(probe, &st) == 0;
}

void lxcfs_unmount(const char *mountpoint)
{
        for (int i = 0; i < 16; i++) {
                struct statfs sf;
                /* a dead FUSE connection answers ENOTCONN; anything that is not FUSE is left alone */
                if (statfs(mountpoint, &sf) == 0 && sf.f_type != FUSE_MAGIC)
                        return;
                if (umount2(mountpoint, MNT_DETACH) < 0) {
                        if (errno != EINVAL && errno != ENOENT)
                                log_warn_errno(-errno, "Failed to unmount %s", mountpoint);
                        return;
                }
        }
}

int lxcfs_spec_add_mounts(const char *mountpoint, json_t *spec, json_t **ret_targets)
{
        json_t *mounts = json_object_get(spec, "mounts");
        if (!json_is_array(mounts)) {
                mounts = json_array();
                json_object_set_new(spec, "mounts", mounts);
        }
        _cleanup_json_ json_t *targets = json_array();
        if (!targets)
                return -ENOMEM;
        for (size_t i = 0; lxcfs_view_files[i]; i++) {
                _cleanup_free_ char *src = NULL;
                _cleanup_free_ char *dst = NULL;
                struct stat st;
                if (asprintf(&src, "%s/%s", mountpoint, lxcfs_view_files[i]) < 0 ||
                    asprintf(&dst, "/%s", lxcfs_view_files[i]) < 0)
                        return -ENOMEM;
                if (stat(src, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                json_t *m = json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", dst, "type", "bind", "source", src,
                                      "options", "bind", "nosuid", "nodev", "noexec");
                if (!m)
                        return -ENOMEM;
                json_array_append_new(mounts, m);
                json_array_append_new(targets, json_string(dst));
        }
        if (ret_targets)
                *ret_targets = TAKE_PTR(targets);
        return 0;
}

int lxcfs_mountinfo_targets(const char *mountinfo, char ***ret_targets)
{
        char **out = strv_new();
        if (!out)
                return -ENOMEM;
        const char *line = mountinfo;
        while (line && *line) {
                const char *eol = strchrnul(line, '\n');
                _cleanup_free_ char *l = strndup(line, (size_t) (eol - line));
                line = *eol ? eol + 1 : NULL;
                if (!l) {
                        strv_free(out);
                        return -ENOMEM;
                }
                char target[4096], fstype[256], source[256];
                const char *sep = strstr(l, " - ");
                if (!sep || sscanf(l, "%*s %*s %*s %*s %4095s", target) != 1 ||
                    sscanf(sep + 3, "%255s %255s", fstype, source) != 2)
                        continue;
                if (strcmp(fstype, "fuse.lxcfs") == 0 ||
                    (strncmp(fstype, "fuse", 4) == 0 && strcmp(source, "lxcfs") == 0))
                        strv_push(&out, target);
        }
        *ret_targets = out;
        return 0;
}

struct remount_report {
        int index; /* 0: entering the namespace, i+1: view i */
        int error;
};

/* The forked child: async-signal-safe calls only (the parent has other threads). */
static _Noreturn void remount_child(int nsfd, int report_fd, const int *fds, char *const *targets, const int *stale,
                                    size_t n)
{
        if (setns(nsfd, CLONE_NEWNS) < 0) {
                struct remount_report rep = { 0, errno };
                (void) !write(report_fd, &rep, sizeof(rep));
                _exit(1);
        }
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
                for (int k = 0; k < stale[i]; k++)
                        umount2(targets[i], MNT_DETACH);
                if (move_mount(fds[i], "", AT_FDCWD, targets[i], MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                        struct remount_report rep = { (int) i + 1, errno };
                        (void) !write(report_fd, &rep, sizeof(rep));
                        rc = 1;
                }
        }
        _exit(rc);
}

static int run_remount(pid_t pid, const int *fds, char *const *targets, const int *stale, size_t n,
                       struct pouch_err *err)
{
        char ns[64];
        snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", pid);
        _cleanup_close_ int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return err_set(err, -errno, "cannot open %s: %m", ns);
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return err_set(err, -errno, "pipe: %m");
        pid_t child = fork();
        if (child < 0) {
                close(p[0]);
                close(p[1]);
                return err_set(err, -errno, "fork: %m");
        }
        if (child == 0)
                remount_child(nsfd, p[1], fds, targets, stale, n);
        close(p[1]);
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
        struct remount_report rep;
        int r = 0;
        while (read(p[0], &rep, sizeof(rep)) == (ssize_t) sizeof(rep) && r == 0) {
                if (rep.index == 0)
                        r = err_set(err, -rep.error, "cannot enter the mount namespace of pid %d: %s", pid,
                                    strerror(rep.error));
                else
                        r = err_set(err, -rep.error, "cannot bind lxcfs over %s in pid %d: %s", targets[rep.index - 1],
                                    pid, strerror(rep.error));
        }
        close(p[0]);
        if (r == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
                r = err_set(err, -EIO, "re-binding lxcfs in pid %d failed", pid);
        return r;
}

int lxcfs_remount_pid(const char *mountpoint, pid_t pid, struct pouch_err *err)
{
        if (pid <= 0)
                return err_set(err, -ESRCH, "the container has no process");
        char mi_path[64];
        snprintf(mi_path, sizeof(mi_path), "/proc/%d/mountinfo", pid);
        _cleanup_free_ char *mi = NULL;
        int r = read_file(mi_path, 16 << 20, &mi, NULL);
        if (r < 0)
                return err_set(err, r == -ENOENT ? -ESRCH : r, "cannot read %s: %s", mi_path, strerror(-r));
        _cleanup_strv_free_ char **stale = NULL;
        r = lxcfs_mountinfo_targets(mi, &stale);
        if (r < 0)
                return r;
        int fds[N_VIEWS];
        int counts[N_VIEWS];
        char *targets[N_VIEWS + 1];
        size_t n = 0;
        for (size_t i = 0; lxcfs_view_files[i] && r >= 0; i++) {
                _cleanup_free_ char *src = NULL;
                if (asprintf(&src, "%s/%s", mountpoint, lxcfs_view_files[i]) < 0) {
                        r = -ENOMEM;
                        break;
                }
                struct stat st;
                if (stat(src, &st) < 0)
                        continue;
                int fd = open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
                if (fd < 0) {
                        r = err_set(err, -errno, "cannot clone the lxcfs mount of %s: %m", src);
                        break;
                }
                if (asprintf(&targets[n], "/%s", lxcfs_view_files[i]) < 0) {
                        close(fd);
                        r = -ENOMEM;
                        break;
                }
                fds[n] = fd;
                counts[n] = 0;
                for (size_t k = 0; stale && stale[k]; k++)
                        counts[n] += strcmp(stale[k], targets[n]) == 0;
                n++;
        }
        targets[n] = NULL;
        if (r >= 0 && n == 0)
                r = err_set(err, -ENOENT, "lxcfs serves nothing under %s", mountpoint);
        if (r >= 0)
                r = run_remount(pid, fds, targets, counts, n, err);
        for (size_t i = 0; i < n; i++) {
                close(fds[i]);
                free(targets[i]);
        }
        return r < 0 ? r : (int) n;
}
