#include "daemon/network/netns.h"

#include "daemon/network/netlink.h"
#include "daemon/network/network.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static int wait_child(pid_t pid)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        if (WIFEXITED(status))
                return -WEXITSTATUS(status);
        return -EINTR;
}

/* Like `ip netns add`: the directory holding namespace files is a shared mount, so unmounting a
 * namespace file reaches the copies other mount namespaces made of it. Best effort. */
static void make_dir_shared(const char *dir)
{
        if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0)
                return;
        if (errno != EINVAL)
                return;
        if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) == 0)
                (void) mount("", dir, "none", MS_SHARED | MS_REC, NULL);
}

int netns_create(const char *path, struct pouch_err *err)
{
        return netns_create_opt(path, true, err);
}

int netns_create_opt(const char *path, bool shared_dir, struct pouch_err *err)
{
        if (!path || path[0] != '/')
                return err_set(err, -EINVAL, "netns path must be absolute");
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        if (slash == dir)
                slash[1] = '\0';
        else
                *slash = '\0';
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", dir, strerror(-r));
        if (shared_dir)
                make_dir_shared(dir);

        int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd < 0)
                return err_set(err, -errno, "cannot create netns file %s: %m", path);
        close(fd);

        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                unlink(path);
                return err_set(err, r, "fork: %s", strerror(-r));
        }
        if (pid == 0) {
                /* single-threaded child: safe to unshare; the bind mount lands in the mount
                 * namespace shared with the daemon */
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(errno);
                if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
                        _exit(errno);
                _exit(0);
        }
        r = wait_child(pid);
        if (r < 0) {
                unlink(path);
                return err_set(err, r, "cannot create network namespace %s: %s", path, strerror(-r));
        }
        return 0;
}

int netns_remove(const char *path)
{
        if (!path)
                return 0;
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return -errno;
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

bool netns_is_live(const char *path)
{
        struct statfs sf;
        if (!path || !*path || statfs(path, &sf) < 0)
                return false;
        return (unsigned long) sf.f_type == (unsigned long) NSFS_MAGIC;
}

int netns_run(const char *path, int (*fn)(void *arg), void *arg)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        pid_t pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                if (setns(fd, CLONE_NEWNET) < 0)
                        _exit(errno);
                int r = fn(arg);
                _exit(r < 0 ? (-r > 255 ? EIO : -r) : 0);
        }
        close(fd);
        return wait_child(pid);
}

static int lo_up(void *arg)
{
        (void) arg;
        return nl_link_up("lo");
}

int netns_lo_up(const char *path)
{
        return netns_run(path, lo_up, NULL);
}

int netns_setup_loopback(struct network_store *s, const char *netns_path, struct pouch_err *err)
{
        (void) s;
        int r = netns_lo_up(netns_path);
        if (r < 0)
                return err_set(err, r, "cannot bring up lo in %s: %s", netns_path, strerror(-r));
        return 0;
}

struct stand_in {
        const char *ifname, *peer;
        uint32_t addr;
        unsigned prefix;
};

static int stand_in(void *arg)
{
        struct stand_in *si = arg;
        int r = nl_veth_add(si->ifname, si->peer);
        if (r < 0)
                return r;
        return nl_addr4_add(si->ifname, si->addr, si->prefix);
}

int netns_add_stand_in(const char *path, const char *ifname, const char *peer, uint32_t addr, unsigned prefix)
{
        struct stand_in si = { .ifname = ifname, .peer = peer, .addr = addr, .prefix = prefix };
        return netns_run(path, stand_in, &si);
}
