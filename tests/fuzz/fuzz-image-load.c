/* `docker load` (daemon/image/load.c, load-spool.c and the layer unpacker) of a docker-archive or
 * OCI-layout tar from a memory buffer into a scratch image store. Invariants: nothing is written
 * next to the store, no temporary file or directory of the load is left behind, and a failed load
 * adds no image (the store's image list is unchanged). */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/image/image.h"
#include "lib/fsutil.h"

#include <jansson.h>

static char *base; /* <tmp>/pouch-fuzz-load.XXXXXX/{store,outside} */
static char *tmpdir, *outside;
static struct image_store *store;

static void cleanup(void)
{
        image_store_free(store);
        if (base)
                rm_rf(base);
}

static void setup(void)
{
        const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
        char *root = NULL;
        struct pouch_err err = { 0 };
        if (asprintf(&base, "%s/pouch-fuzz-load.XXXXXX", tmp) < 0 || !mkdtemp(base))
                abort();
        atexit(cleanup);
        if (asprintf(&root, "%s/store", base) < 0 || asprintf(&tmpdir, "%s/tmp", root) < 0 ||
            asprintf(&outside, "%s/outside", base) < 0 || mkdir(outside, 0755) < 0)
                abort();
        if (image_store_open(root, &store, &err) < 0) {
                fprintf(stderr, "image_store_open: %s\n", err.msg);
                abort();
        }
        free(root);
}

static size_t image_count(void)
{
        json_t *list = NULL;
        struct pouch_err err = { 0 };
        FUZZ_CHECK(image_list(store, &list, &err) == 0);
        size_t n = json_array_size(list);
        json_decref(list);
        return n;
}

static void on_message(void *ud, const char *line)
{
        (void) ud;
        FUZZ_CHECK(strncmp(line, "Loaded image", 12) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!store)
                setup();
        size_t before = image_count();
        int fd = fuzz_memfd(data, size);
        struct pouch_err err = { 0 };
        int r = image_load(store, fd, on_message, NULL, &err);
        close(fd);
        if (getenv("FUZZ_DEBUG"))
                fprintf(stderr, "result %d: %s\n", r, err.msg);
        if (r < 0) {
                FUZZ_CHECK(err.code == r && err.msg[0]);
                FUZZ_CHECK(image_count() == before);
        }
        char *l = fuzz_list_dir(tmpdir);
        FUZZ_STREQ(l, "");
        free(l);
        l = fuzz_list_dir(base);
        FUZZ_STREQ(l, "outside\nstore");
        free(l);
        l = fuzz_list_dir(outside);
        FUZZ_STREQ(l, "");
        free(l);
        return 0;
}
