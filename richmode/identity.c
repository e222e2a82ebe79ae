/* A rich container's own machine-id, SSH host keys and /etc/hostname. */
#include "identity.h"

#include "rootfs-files.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool rich_mounts_cover(const json_t *mounts, const char *path)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                const char *d = json_get_str(m, "destination", "");
                size_t len = strlen(d);
                while (len > 1 && d[len - 1] == '/')
                        len--;
                if (len == 0)
                        continue;
                if (len == 1 && d[0] == '/')
                        return true;
                if (strncmp(path, d, len) == 0 && (path[len] == '\0' || path[len] == '/'))
                        return true;
        }
        return false;
}

static int write_machine_id(const char *rootfs, const json_t *mounts)
{
        if (rich_mounts_cover(mounts, "/etc/machine-id"))
                return 0;
        char id[65];
        int r = random_hex_id(id);
        if (r < 0)
                return r;
        id[32] = '\n';
        return rootfs_write_file(rootfs, "/etc/machine-id", id, 33, 0444);
}

static bool is_host_key_file(const char *name)
{
        return strncmp(name, "ssh_host_", 9) == 0 && name[9] != '\0' && !strchr(name, '/');
}

/* Make a fresh set of host keys with the host's ssh-keygen in tmp/etc/ssh. */
static int host_keygen(const char *tmp)
{
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/etc/ssh", tmp);
        int r = mkdir_p(dir, 0755);
        if (r < 0)
                return r;
        char *argv[] = { (char *) "ssh-keygen", (char *) "-A", (char *) "-f", (char *) tmp, NULL };
        struct spawn_result res = { 0 };
        r = spawn_capture(argv, NULL, NULL, 0, &res);
        if (r >= 0 && res.status != 0)
                r = -EIO;
        spawn_result_done(&res);
        return r;
}

/* Copy the keys made in tmp into the rootfs, where nothing (a mount, a key kept) is in the way. */
static int copy_host_keys(const char *rootfs, const char *tmp, const json_t *mounts)
{
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/etc/ssh", tmp);
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                char src[1024], dst[512];
                if (!is_host_key_file(de->d_name))
                        continue;
                snprintf(dst, sizeof(dst), "/etc/ssh/%s", de->d_name);
                if (rich_mounts_cover(mounts, dst) || rootfs_exists(rootfs, dst))
                        continue;
                snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                int r = read_file(src, 1 << 20, &data, &len);
                bool pub = strlen(de->d_name) > 4 && strcmp(de->d_name + strlen(de->d_name) - 4, ".pub") == 0;
                if (r >= 0)
                        r = rootfs_write_file(rootfs, dst, data, len, pub ? 0644 : 0600);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Remove /etc/ssh/ssh_host_* of the image, except those a mount covers. */
static int remove_host_keys(const char *rootfs, const json_t *mounts)
{
        if (rich_mounts_cover(mounts, "/etc/ssh"))
                return 0;
        int fd = rootfs_open(rootfs, "/etc/ssh", O_RDONLY | O_DIRECTORY, 0);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return fd;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                char path[512];
                if (!is_host_key_file(de->d_name))
                        continue;
                snprintf(path, sizeof(path), "/etc/ssh/%s", de->d_name);
                if (rich_mounts_cover(mounts, path))
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
                        return -errno;
        }
        return 0;
}

static bool has_image_keys(const char *rootfs)
{
        int fd = rootfs_open(rootfs, "/etc/ssh", O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return false;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return false;
        }
        struct dirent *de;
        while ((de = readdir(d)))
                if (is_host_key_file(de->d_name))
                        return true;
        return false;
}

static int write_hostname(const char *rootfs, const char *hostname)
{
        if (!hostname || !*hostname)
                return 0;
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", hostname) < 0)
                return -ENOMEM;
        /* unchanged: no copy-up of the image's file */
        _cleanup_close_ int fd = rootfs_open(rootfs, "/etc/hostname", O_RDONLY, 0);
        char buf[256];
        ssize_t n = fd >= 0 ? read_full(fd, buf, sizeof(buf)) : -1;
        if (n == (ssize_t) strlen(line) && memcmp(buf, line, (size_t) n) == 0)
                return 0;
        return rootfs_write_file(rootfs, "/etc/hostname", line, strlen(line), 0644);
}

/* The image's keys out; when nothing in the container would make new ones, the daemon's in. */
static int replace_host_keys(const struct rich_identity_opts *o, const json_t *mounts)
{
        if (o->image_makes_keys)
                return remove_host_keys(o->rootfs, mounts);
        char tmp[] = "/tmp/pouch-host-keys-XXXXXX";
        if (!mkdtemp(tmp))
                return -errno;
        int r = host_keygen(tmp);
        if (r < 0) {
                log_warn("cannot make SSH host keys with the host's ssh-keygen (%s): the container keeps the image's",
                         strerror(-r));
                rm_rf(tmp);
                return 0;
        }
        r = remove_host_keys(o->rootfs, mounts);
        if (r >= 0)
                r = copy_host_keys(o->rootfs, tmp, mounts);
        rm_rf(tmp);
        return r;
}

int rich_identity_apply(const struct rich_identity_opts *o, const json_t *spec, struct pouch_err *err)
{
        const json_t *mounts = json_object_get(spec, "mounts");
        int r = write_hostname(o->rootfs, o->hostname);
        if (r < 0)
                return err_set(err, r, "cannot write /etc/hostname in the container: %s", strerror(-r));
        if (access(o->marker, F_OK) == 0)
                return 0;
        r = write_machine_id(o->rootfs, mounts);
        if (r < 0)
                return err_set(err, r, "cannot write /etc/machine-id in the container: %s", strerror(-r));
        if (json_get_bool(json_object_get(spec, "root"), "readonly", false))
                log_warn("read-only rootfs: the container keeps the image's SSH host keys");
        else if (has_image_keys(o->rootfs) && (r = replace_host_keys(o, mounts)) < 0)
                return err_set(err, r, "cannot remove the image's SSH host keys: %s", strerror(-r));
        r = write_file_atomic(o->marker, "", 0, 0644);
        if (r < 0)
                return err_set(err, r, "cannot write %s: %s", o->marker, strerror(-r));
        return 0;
}
