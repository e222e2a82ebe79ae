/* The container's cgroup values for sysinfo(2): v1 memory.limit_in_bytes, usage_in_bytes,
 * memsw.*, memory.stat total_shmem, pids.current; v2 memory.max, memory.current, memory.swap.*,
 * memory.stat shmem, pids.current. Directories are opened once, files read per call. */
#include "sysinfo-cgroup.h"

#include "lib/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static ssize_t read_small_at(int dirfd, const char *name, char *buf, size_t len)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, buf, len - 1);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        return n;
}

/* A number, or "max" (v2) as UINT64_MAX. */
static int read_u64_at(int dirfd, const char *name, uint64_t *ret)
{
        char buf[64];
        if (dirfd < 0 || read_small_at(dirfd, name, buf, sizeof(buf)) <= 0)
                return -ENOENT;
        if (strncmp(buf, "max", 3) == 0) {
                *ret = UINT64_MAX;
                return 0;
        }
        char *end;
        errno = 0;
        unsigned long long v = strtoull(buf, &end, 10);
        if (errno || end == buf)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "key value" from memory.stat. */
static int read_stat_key(int dirfd, const char *key, uint64_t *ret)
{
        char buf[8192];
        if (dirfd < 0 || read_small_at(dirfd, "memory.stat", buf, sizeof(buf)) <= 0)
                return -ENOENT;
        size_t klen = strlen(key);
        for (char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
                        *ret = strtoull(p + klen + 1, NULL, 10);
                        return 0;
                }
        return -ENOENT;
}

void cg_sysinfo_read(const struct cg_dirs *d, struct cg_sysinfo *ret)
{
        struct cg_sysinfo cg = {
                .mem_limit = UINT64_MAX, .swap_limit = UINT64_MAX, .tasks = -1, .start_s = d->start_s
        };
        uint64_t v;
        if (read_u64_at(d->mem_fd, d->v2 ? "memory.max" : "memory.limit_in_bytes", &v) == 0 &&
            read_u64_at(d->mem_fd, d->v2 ? "memory.current" : "memory.usage_in_bytes", &cg.mem_usage) == 0)
                cg.mem_limit = v;
        read_stat_key(d->mem_fd, d->v2 ? "shmem" : "total_shmem", &cg.shmem);
        if (read_u64_at(d->mem_fd, d->v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes", &cg.swap_limit) == 0 &&
            read_u64_at(d->mem_fd, d->v2 ? "memory.swap.current" : "memory.memsw.usage_in_bytes", &cg.swap_usage) ==
                    0) {
                cg.has_swap = true;
                cg.memsw_combined = !d->v2;
        } else {
                cg.swap_limit = UINT64_MAX;
        }
        if (read_u64_at(d->pids_fd, "pids.current", &v) == 0)
                cg.tasks = (int64_t) (v > INT64_MAX ? INT64_MAX : v);
        *ret = cg;
}

/* Field 22 of /proc/PID/stat (clock ticks since boot), in seconds. */
static int64_t start_seconds(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (read_small_at(AT_FDCWD, path, buf, sizeof(buf)) <= 0)
                return -1;
        char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
        for (int field = 2; p && field < 22; field++)
                p = strchr(p + 1, ' ');
        long hz = sysconf(_SC_CLK_TCK);
        if (!p || hz <= 0)
                return -1;
        return (int64_t) (strtoull(p + 1, NULL, 10) / (unsigned long long) hz);
}

static int open_cgroup_dir(const char *mount, const char *path)
{
        char dir[4096];
        if (strstr(path, "..") || snprintf(dir, sizeof(dir), "%s%s", mount, path) >= (int) sizeof(dir))
                return -1;
        return open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Is name one of the comma-separated controllers? */
static bool has_controller(const char *list, size_t len, const char *name)
{
        size_t nlen = strlen(name);
        for (const char *p = list, *end = list + len; p < end;) {
                const char *comma = memchr(p, ',', (size_t) (end - p));
                size_t l = comma ? (size_t) (comma - p) : (size_t) (end - p);
                if (l == nlen && strncmp(p, name, nlen) == 0)
                        return true;
                p += l + 1;
        }
        return false;
}

void cg_dirs_open(pid_t pid, struct cg_dirs *ret)
{
        struct cg_dirs d = { .mem_fd = -1, .pids_fd = -1, .start_s = start_seconds(pid) };
        char path[64], buf[8192];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int) pid);
        const char *unified = NULL;
        if (read_small_at(AT_FDCWD, path, buf, sizeof(buf)) > 0) {
                /* lines "ID:controllers:path"; v2 is "0::path" */
                char *save = NULL;
                for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                        if (!c2 || c2[1] != '/')
                                continue;
                        size_t clen = (size_t) (c2 - c1 - 1);
                        if (clen == 0)
                                unified = c2 + 1;
                        else if (d.mem_fd < 0 && has_controller(c1 + 1, clen, "memory"))
                                d.mem_fd = open_cgroup_dir("/sys/fs/cgroup/memory", c2 + 1);
                        else if (d.pids_fd < 0 && has_controller(c1 + 1, clen, "pids"))
                                d.pids_fd = open_cgroup_dir("/sys/fs/cgroup/pids", c2 + 1);
                }
        }
        /* v2 only when the unified hierarchy is mounted at /sys/fs/cgroup itself (not hybrid) */
        if (d.mem_fd < 0 && unified && access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0) {
                d.mem_fd = open_cgroup_dir("/sys/fs/cgroup", unified);
                d.v2 = d.mem_fd >= 0;
                if (d.pids_fd < 0 && d.mem_fd >= 0)
                        d.pids_fd = fcntl(d.mem_fd, F_DUPFD_CLOEXEC, 3);
        }
        *ret = d;
}

void cg_dirs_close(struct cg_dirs *d)
{
        if (d->mem_fd >= 0)
                close(d->mem_fd);
        if (d->pids_fd >= 0)
                close(d->pids_fd);
        d->mem_fd = d->pids_fd = -1;
}
