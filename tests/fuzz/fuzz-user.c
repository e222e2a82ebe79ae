/* Resolving `--user` against an image's /etc/passwd and /etc/group (runtime-wrap/user.c): input
 * is passwd text, a NUL, group text, a NUL, then the user string ("name", "uid", "name:group").
 * The files are written into a scratch rootfs. A bare number always resolves, to that uid unless
 * an entry of that name or uid comes first; a failure carries a message; nothing is written. */
#include "tests/fuzz/fuzz-common.h"

#include "lib/fsutil.h"
#include "runtime-wrap/spec.h"

#include <fcntl.h>

static char *root; /* <tmp>/pouch-fuzz-user.XXXXXX, with etc/ */

static void cleanup(void)
{
        if (root)
                rm_rf(root);
}

static void put(const char *name, const char *text)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/etc/%s", root, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        FUZZ_CHECK(fd >= 0 && write_all(fd, text, strlen(text)) == 0);
        close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!root) {
                const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
                char etc[4096];
                if (asprintf(&root, "%s/pouch-fuzz-user.XXXXXX", tmp) < 0 || !mkdtemp(root))
                        abort();
                atexit(cleanup);
                snprintf(etc, sizeof(etc), "%s/etc", root);
                FUZZ_CHECK(mkdir(etc, 0755) == 0);
        }
        char *parts[3];
        fuzz_splitn(data, size, parts, 3);
        put("passwd", parts[0]);
        put("group", parts[1]);
        const char *user = parts[2];
        unsigned uid = 0, gid = 0, *gids = NULL;
        size_t n = 0;
        struct pouch_err err = { 0 };
        int r = spec_resolve_user(root, user, &uid, &gid, &gids, &n, &err);
        if (r < 0)
                FUZZ_CHECK(err.code == r && err.msg[0]);
        else if (n > 0)
                FUZZ_CHECK(gids);
        if (*user && strspn(user, "0123456789") == strlen(user) && strlen(user) < 10)
                FUZZ_CHECK(r == 0);
        free(gids);
        char *l = fuzz_list_dir(root);
        FUZZ_STREQ(l, "etc");
        free(l);
        free(parts[0]);
        return 0;
}
