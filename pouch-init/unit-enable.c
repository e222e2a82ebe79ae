/* The .wants links of the image's systemd units. */
#include "unit-enable.h"

#include "lib/cleanup.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *unit_file_find(const char *root, const char *name)
{
        static const char *const dirs[] = { "/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system" };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                char in[4096], host[8192];
                snprintf(in, sizeof(in), "%s/%s.service", dirs[i], name);
                snprintf(host, sizeof(host), "%s%s", root, in);
                struct stat st;
                if (stat(host, &st) == 0 && S_ISREG(st.st_mode))
                        return strdup(in);
        }
        return NULL;
}

/* Call fn on every ROOT/etc/systemd/system/ *.wants/NAME.service link: how many there were. */
static int each_wants_link(const char *root, const char *name, struct buf *msg)
{
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/etc/systemd/system", root);
        _cleanup_closedir_ DIR *d = opendir(dir);
        if (!d)
                return 0;
        int found = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t l = strlen(de->d_name);
                if (l < 6 || strcmp(de->d_name + l - 6, ".wants") != 0)
                        continue;
                char link[8192];
                snprintf(link, sizeof(link), "%s/%s/%s.service", dir, de->d_name, name);
                struct stat st;
                if (lstat(link, &st) < 0 || !S_ISLNK(st.st_mode))
                        continue;
                found++;
                if (msg && unlink(link) == 0)
                        buf_printf(msg, "Removed \"/etc/systemd/system/%s/%s.service\".\n", de->d_name, name);
        }
        return found;
}

bool unit_is_enabled(const char *root, const char *name)
{
        return each_wants_link(root, name, NULL) > 0;
}

int unit_enable(const char *root, const char *name, const char *unit_path, struct buf *msg)
{
        char dir[4096], link[8192];
        snprintf(dir, sizeof(dir), "%s" UNIT_WANTS_DIR, root);
        snprintf(link, sizeof(link), "%s/%s.service", dir, name);
        struct stat st;
        if (lstat(link, &st) == 0)
                return 0; /* systemctl says nothing either */
        int r = mkdir_p(dir, 0755);
        if (r < 0) {
                buf_printf(msg, "Failed to enable unit: cannot create %s: %s\n", UNIT_WANTS_DIR, strerror(-r));
                return r;
        }
        if (symlink(unit_path, link) < 0) {
                r = -errno;
                buf_printf(msg, "Failed to enable unit: cannot link %s/%s.service: %s\n", UNIT_WANTS_DIR, name,
                           strerror(-r));
                return r;
        }
        buf_printf(msg, "Created symlink " UNIT_WANTS_DIR "/%s.service → %s.\n", name, unit_path);
        return 0;
}

int unit_disable(const char *root, const char *name, struct buf *msg)
{
        each_wants_link(root, name, msg);
        return 0;
}
