/* Image references (daemon/image/reference.c): whatever parses normalises to a full reference that
 * parses back to the same parts, and the familiar and repository forms name the same image. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/image/reference.h"

static void check_same(const struct image_ref *a, const struct image_ref *b)
{
        FUZZ_STREQ(a->domain, b->domain);
        FUZZ_STREQ(a->path, b->path);
        FUZZ_CHECK(!a->tag == !b->tag && (!a->tag || strcmp(a->tag, b->tag) == 0));
        FUZZ_CHECK(!a->digest == !b->digest && (!a->digest || strcmp(a->digest, b->digest) == 0));
}

static void check_reparse(const struct image_ref *ref, const char *s)
{
        struct image_ref again;
        FUZZ_CHECK(s);
        if (reference_parse(s, &again) < 0) {
                fprintf(stderr, "rendered reference does not parse: \"%s\"\n", s);
                abort();
        }
        check_same(ref, &again);
        char *full = reference_full(&again);
        char *orig = reference_full(ref);
        FUZZ_STREQ(full, orig);
        free(full);
        free(orig);
        reference_done(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        struct image_ref ref;
        if (reference_parse(s, &ref) == 0) {
                FUZZ_CHECK(ref.domain && *ref.domain && ref.path && *ref.path);
                FUZZ_CHECK(ref.tag || ref.digest);
                FUZZ_CHECK(!strstr(ref.path, "//") && ref.path[0] != '/');
                char *full = reference_full(&ref);
                check_reparse(&ref, full);
                char *fam = reference_familiar(&ref);
                check_reparse(&ref, fam);
                /* the repository names (no tag: "latest" is implied) parse to the same repository */
                for (int familiar = 0; familiar < 2; familiar++) {
                        char *repo = reference_repo(&ref, familiar);
                        struct image_ref r2;
                        FUZZ_CHECK(repo && reference_parse(repo, &r2) == 0);
                        FUZZ_STREQ(r2.domain, ref.domain);
                        FUZZ_STREQ(r2.path, ref.path);
                        reference_done(&r2);
                        free(repo);
                }
                free(full);
                free(fam);
                reference_done(&ref);
        }
        free(s);
        return 0;
}
