/* `docker load` (daemon/image/load.c, load-spool.c and the layer unpacker) of a docker-archive or
 * OCI-layout tar from a memory buffer into a scratch image store. Invariants: nothing is written
 * next to the store, no temporary file or directory of the load is left behind, and a failed load
 * adds no image (the store's image list is unchanged). A loaded image's config (unchecked when the
 * archive names it other than by its digest) goes through inspect and history, whose documents
 * must serialise; the image is then removed again. */
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

#define MAX_LOADED 16

struct loaded {
        char *names[MAX_LOADED];
        size_t n;
};

static void on_message(void *ud, const char *line)
{
        struct loaded *l = ud;
        const char *name = NULL;
        if (strncmp(line, "Loaded image ID: ", 17) == 0)
                name = line + 17;
        else if (strncmp(line, "Loaded image: ", 14) == 0)
                name = line + 14;
        FUZZ_CHECK(name && *name);
        if (l->n < MAX_LOADED)
                FUZZ_CHECK((l->names[l->n++] = strdup(name)));
}

static void check_dumps(json_t *doc)
{
        char *s = json_dumps(doc, JSON_ENCODE_ANY);
        FUZZ_CHECK(s);
        free(s);
        json_decref(doc);
}

/* Every name a load reported resolves; inspect and history serialise; then the store is emptied. */
static void check_loaded(struct loaded *l)
{
        struct pouch_err err = { 0 };
        for (size_t i = 0; i < l->n; i++) {
                char id[80];
                json_t *doc = NULL;
                if (image_resolve(store, l->names[i], id, &err) != 0) {
                        fprintf(stderr, "loaded image %s does not resolve: %s\n", l->names[i], err.msg);
                        abort();
                }
                FUZZ_CHECK(image_inspect(store, id, &doc, &err) == 0);
                check_dumps(doc);
                FUZZ_CHECK(image_history(store, id, &doc, &err) == 0);
                check_dumps(doc);
                free(l->names[i]);
        }
        json_t *list = NULL;
        FUZZ_CHECK(image_list(store, &list, &err) == 0);
        size_t i;
        json_t *img;
        json_array_foreach(list, i, img) {
                json_t *report = NULL;
                FUZZ_CHECK(image_remove(store, json_string_value(json_object_get(img, "Id")), true, NULL, NULL, &report,
                                        &err) == 0);
                check_dumps(report);
        }
        json_decref(list);
        FUZZ_CHECK(image_count() == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!store)
                setup();
        size_t before = image_count();
        int fd = fuzz_memfd(data, size);
        struct pouch_err err = { 0 };
        struct loaded loaded = { 0 };
        int r = image_load(store, fd, on_message, &loaded, &err);
        close(fd);
        if (getenv("FUZZ_DEBUG"))
                fprintf(stderr, "result %d: %s\n", r, err.msg);
        if (r < 0) {
                FUZZ_CHECK(err.code == r && err.msg[0]);
                FUZZ_CHECK(image_count() == before && loaded.n == 0);
        }
        check_loaded(&loaded);
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
