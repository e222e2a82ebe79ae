/* What a registry (or a client's X-Registry-Auth header) sends: manifests and indexes
 * (daemon/registry/manifest.c), WWW-Authenticate challenges and X-Registry-Auth
 * (daemon/registry/auth.c). Input: a JSON document, a NUL, then a header line used as the
 * platform, the challenge and the X-Registry-Auth value.
 * Invariants: a selected manifest has a well-formed sha256 digest (it goes into the next URL and
 * is compared as a digest); a validated manifest has well-formed digests and sizes; parsed
 * Bearer challenges have a realm; error messages are valid UTF-8 (they reach API clients). */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/registry/auth.h"
#include "daemon/registry/manifest.h"
#include "lib/jsonutil.h"

#include <strings.h>

static bool digest_ok(const char *d)
{
        if (!d || strncmp(d, "sha256:", 7) != 0 || strlen(d) != 71)
                return false;
        return strspn(d + 7, "0123456789abcdef") == 64;
}

static void check_err(const struct pouch_err *err)
{
        FUZZ_CHECK(err->code < 0 && err->msg[0]);
        FUZZ_CHECK(fuzz_utf8_valid(err->msg, strlen(err->msg)));
}

static void check_manifest(json_t *doc, const char *platform)
{
        struct pouch_err err = { 0 };
        for (int i = 0; i < 2; i++) {
                enum manifest_kind k = manifest_kind_of(i ? MT_OCI_INDEX : NULL, doc);
                if (k == MANIFEST_INDEX) {
                        const char *d = NULL, *mt = NULL;
                        err_clear(&err);
                        if (manifest_select(doc, platform, &d, &mt, &err) == 0)
                                FUZZ_CHECK(digest_ok(d) && mt);
                        else if (fuzz_utf8_valid(platform, strlen(platform)))
                                check_err(&err);
                }
        }
        err_clear(&err);
        if (manifest_validate(doc, &err) == 0) {
                FUZZ_CHECK(digest_ok(json_get_str(json_object_get(doc, "config"), "digest", NULL)));
                size_t i;
                json_t *l;
                json_array_foreach(json_object_get(doc, "layers"), i, l) {
                        FUZZ_CHECK(digest_ok(json_get_str(l, "digest", NULL)));
                        FUZZ_CHECK(json_get_int(l, "size", -1) >= 0);
                }
        } else
                check_err(&err);
}

static void check_auth(const char *header)
{
        struct auth_challenge c;
        if (auth_challenge_parse(header, &c) == 0) {
                /* a Basic challenge may come without a realm; a Bearer one names the token server */
                FUZZ_CHECK(c.scheme && (c.realm || strcasecmp(c.scheme, "Bearer") != 0));
                auth_challenge_done(&c);
        }
        char *user = NULL, *password = NULL;
        if (auth_decode_registry_header(header, &user, &password) == 0)
                FUZZ_CHECK(!user == !password);
        free(user);
        free(password);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *doc_text, *line;
        fuzz_split2(data, size, &doc_text, &line);
        json_t *doc = json_loads(doc_text, 0, NULL);
        if (doc) {
                check_manifest(doc, line);
                json_decref(doc);
        }
        check_auth(line);
        char os[32], arch[32], variant[32];
        if (platform_parse(line, os, arch, variant) == 0)
                FUZZ_CHECK(*os && *arch && !strchr(os, '/') && !strchr(arch, '/') && !strchr(variant, '/'));
        free(doc_text);
        return 0;
}
