/* Layer unpacking (daemon/image/layer.c through libarchive, any compression) from a memory buffer
 * into a scratch directory: nothing may appear outside the destination (its parent holds only the
 * destination and an untouched sentinel directory), a success reports a sha256 diff id, and a
 * failure carries a UTF-8 message. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/image/layer.h"
#include "lib/fsutil.h"

#include <fcntl.h>
#include <sys/stat.h>

static char *base; /* <tmp>/pouch-fuzz-layer.XXXXXX, made once per process */

static void cleanup(void)
{
        if (base)
                rm_rf(base);
}

static void setup(void)
{
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        if (asprintf(&base, "%s/pouch-fuzz-layer.XXXXXX", tmp) < 0 || !mkdtemp(base))
                abort();
        atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!base)
                setup();
        char run[4096], dest[4096], outside[4096];
        snprintf(run, sizeof(run), "%s/run", base);
        snprintf(dest, sizeof(dest), "%s/dest", run);
        snprintf(outside, sizeof(outside), "%s/outside", run);
        FUZZ_CHECK(mkdir(run, 0755) == 0 && mkdir(dest, 0755) == 0 && mkdir(outside, 0755) == 0);
        int fd = fuzz_memfd(data, size);
        struct pouch_err err = { 0 };
        int64_t bytes = -1;
        char diff_id[72] = "";
        int r = layer_unpack(fd, dest, &bytes, diff_id, &err);
        close(fd);
        if (getenv("FUZZ_DEBUG"))
                fprintf(stderr, "result %d: %s\n", r, err.msg);
        if (r == 0) {
                FUZZ_CHECK(bytes >= 0);
                FUZZ_CHECK(strncmp(diff_id, "sha256:", 7) == 0 && strlen(diff_id) == 71 &&
                           strspn(diff_id + 7, "0123456789abcdef") == 64);
        } else {
                FUZZ_CHECK(err.code == r && err.msg[0]);
        }
        char *l = fuzz_list_dir(run);
        FUZZ_STREQ(l, "dest\noutside");
        free(l);
        l = fuzz_list_dir(outside);
        FUZZ_STREQ(l, "");
        free(l);
        l = fuzz_list_dir(base);
        FUZZ_STREQ(l, "run");
        free(l);
        FUZZ_CHECK(rm_rf(run) == 0);
        return 0;
}
