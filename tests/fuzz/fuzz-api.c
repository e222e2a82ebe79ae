/* libFuzzer target: HTTP requests through pouchd's real server, router and API handlers
 * (tests/harness/api-inproc.c), for the resources that need no container runtime.
 *
 * Input encoding (seeds in tests/fuzz/corpus/api/ are readable text):
 *   byte 0          the method: 'G' GET, 'P' POST, 'D' DELETE, 'U' PUT, 'H' HEAD; any other byte
 *                   picks one of those five by its value modulo 5
 *   bytes 1..'\n'   path and query, raw: every byte is sent percent-encoded except unreserved
 *                   characters, '/' and, after the first '?', the '&' and '=' of the query, so the
 *                   path the router sees is exactly these bytes (a NUL byte in the path drops the
 *                   input); at most 1024 bytes and 64 '&' (more is libmicrohttpd's business)
 *   after '\n'      the request body (Content-Length), absent when there is no '\n'
 *
 * Only requests the router sends to a runtime-free handler are made (create/inspect/list/rename/
 * remove of containers that are never started, and stop/kill/pause/unpause/resize/top of them,
 * which stop at "not running"; exec create/inspect, images list/inspect/history/
 * tag/remove/prune, networks and volumes, system info/version/df/_ping); requests for unknown
 * paths or methods go through too. The daemon runs in a mount namespace where everything but
 * its temporary home is read-only (needs root), so nothing can be written elsewhere; an attempt
 * shows up as a 5xx and fails the next invariant.
 *
 * Invariants, any violation aborts:
 *   - every request gets an HTTP response with a status line and a status in 100..599;
 *   - every 4xx/5xx body (except for HEAD) is a JSON object with a non-empty string "message",
 *     and is valid UTF-8;
 *   - no 5xx at all: every input here is either valid or a client error (set
 *     FUZZ_API_ALLOW_5XX=1 to only log them);
 *   - a 2xx body that starts like JSON parses.
 * FUZZ_API_VERBOSE=1 prints every request and its answer.
 * The daemon state (seeded with the image "tiny", the container "fuzz-ctr" and the volume
 * "fuzz-vol") is rebuilt every RESET_EVERY inputs so it does not grow without bound. */
#include "tests/harness/api-inproc.h"

#include "daemon/api/api.h"
#include "daemon/http.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <jansson.h>
#include <sanitizer/common_interface_defs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATH_BYTES 1024
/* libmicrohttpd keeps each query argument in its per-connection memory pool and answers a request
 * that does not fit with its own HTML 431 before pouchd sees it: stay well below that. */
#define MAX_QUERY_ARGS 64
#define RESET_EVERY 512

static struct api_inproc *harness;
static unsigned runs;

static const struct route_fn {
        enum MHD_Result (*fn)(struct http_req *r);
} allowed[] = {
        { api_ping },
        { api_version },
        { api_info },
        { api_system_df },
        { api_container_create },
        { api_container_list },
        { api_container_inspect },
        { api_container_rename },
        { api_container_delete },
        { api_exec_create },
        { api_exec_inspect },
        { api_image_list },
        /* containers here never run: these answer 304/409 before reaching the runtime */
        { api_container_stop },
        { api_container_kill },
        { api_container_pause },
        { api_container_unpause },
        { api_container_resize },
        { api_container_top },
        { api_image_inspect },
        { api_image_history },
        { api_image_tag },
        { api_image_delete },
        { api_image_prune },
        { api_network_list },
        { api_network_inspect },
        { api_network_create },
        { api_network_delete },
        { api_network_prune },
        { api_volume_list },
        { api_volume_create },
        { api_volume_inspect },
        { api_volume_delete },
        { api_volume_prune },
};

/* A crash skips atexit(): the temporary home goes now. */
static void remove_home(void)
{
        if (harness)
                (void) rm_rf(api_inproc_home(harness));
}

static void die(const char *what, const char *method, const char *path, unsigned status, const char *body)
{
        fprintf(stderr, "fuzz-api: %s: %s %s -> %u %.400s\n", what, method, path, status, body ? body : "");
        remove_home();
        abort();
}

static void seed_state(struct api_inproc *h)
{
        static const char body[] = "{\"Image\":\"tiny\",\"HostConfig\":{\"Binds\":[\"fuzz-vol:/data\"]}}";
        unsigned st;
        if (api_inproc_add_image(h, "tiny:latest", "/hello", NULL) < 0 ||
            api_inproc_request(h, "POST", "/containers/create?name=fuzz-ctr", body, sizeof(body) - 1, &st, NULL) < 0 ||
            st != 201)
                die("cannot seed the daemon state", "POST", "/containers/create", 0, NULL);
}

static void harness_start(void)
{
        struct pouch_err err = { 0 };
        int r = api_inproc_new(API_INPROC_READONLY_HOST, &harness, &err);
        if (r < 0 && getenv("FUZZ_API_NO_SANDBOX")) {
                fprintf(stderr, "fuzz-api: WARNING: %s; running without the read-only host view\n", err.msg);
                r = api_inproc_new(0, &harness, &err);
        }
        if (r < 0) {
                fprintf(stderr,
                        "fuzz-api: cannot start the daemon: %s (FUZZ_API_NO_SANDBOX=1 runs without the "
                        "read-only host view)\n",
                        err.msg);
                exit(1);
        }
        seed_state(harness);
}

static void harness_stop(void)
{
        harness = api_inproc_free(harness);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        (void) argc;
        (void) argv;
        log_set_level(LOG_LEVEL_ERROR);
        harness_start();
        atexit(harness_stop);
        __sanitizer_set_death_callback(remove_home);
        return 0;
}

static bool unreserved(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
               c == '_' || c == '~' || c == ':' || c == '/' || c == ',';
}

/* Percent-encode raw into out (3 * n + 1 bytes). */
static void encode(const uint8_t *raw, size_t n, char *out)
{
        static const char hex[] = "0123456789ABCDEF";
        bool in_query = false;
        char *o = out;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = raw[i];
                bool keep = unreserved(c) || (c == '?' && !in_query) || (in_query && (c == '&' || c == '='));
                if (c == '?')
                        in_query = true;
                if (keep) {
                        *o++ = (char) c;
                } else {
                        *o++ = '%';
                        *o++ = hex[c >> 4];
                        *o++ = hex[c & 15];
                }
        }
        *o = '\0';
}

/* The route the server will pick for this method and raw path (the bytes before '?'). */
static bool route_allowed(const char *method, const uint8_t *raw, size_t n)
{
        const uint8_t *q = memchr(raw, '?', n);
        size_t plen = q ? (size_t) (q - raw) : n;
        if (memchr(raw, '\0', plen))
                return false;
        char *url = strndup((const char *) raw, plen);
        char *path = NULL, ver[16];
        bool ok = false;
        if (url && http_strip_version(url, &path, ver, sizeof(ver)) == 0) {
                char *params[2] = { NULL, NULL };
                bool known;
                const struct route *rt = http_route_find(method, path, params, &known);
                ok = !rt;
                for (size_t i = 0; rt && i < sizeof(allowed) / sizeof(allowed[0]); i++)
                        ok |= allowed[i].fn == rt->fn;
                free(params[0]);
                free(params[1]);
        }
        free(path);
        free(url);
        return ok;
}

static size_t count_byte(const uint8_t *p, size_t n, uint8_t c)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                k += p[i] == c;
        return k;
}

static bool utf8_valid(const char *s, size_t n)
{
        size_t i = 0;
        while (i < n) {
                unsigned char c = (unsigned char) s[i];
                size_t len = c < 0x80             ? 1
                             : (c & 0xE0) == 0xC0 ? 2
                             : (c & 0xF0) == 0xE0 ? 3
                             : (c & 0xF8) == 0xF0 ? 4
                                                  : 0;
                if (!len || i + len > n || (len == 2 && c < 0xC2) || (len == 4 && c > 0xF4))
                        return false;
                uint32_t cp = len == 1 ? c : c & (0x7F >> len);
                for (size_t k = 1; k < len; k++) {
                        if (((unsigned char) s[i + k] & 0xC0) != 0x80)
                                return false;
                        cp = (cp << 6) | ((unsigned char) s[i + k] & 0x3F);
                }
                if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
                    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
                        return false;
                i += len;
        }
        return true;
}

static void check_response(const char *method, const char *path, unsigned status, const char *body, size_t len)
{
        if (status < 100 || status > 599)
                die("bad status", method, path, status, body);
        if (status >= 500 && !getenv("FUZZ_API_ALLOW_5XX"))
                die("server error", method, path, status, body);
        if (strcmp(method, "HEAD") == 0)
                return;
        if (status >= 400) {
                if (!utf8_valid(body, len))
                        die("error body is not valid UTF-8", method, path, status, body);
                json_t *j = json_loadb(body, len, 0, NULL);
                const char *msg = json_string_value(json_object_get(j, "message"));
                if (!json_is_object(j) || !msg || !*msg)
                        die("error body is not {\"message\": \"...\"}", method, path, status, body);
                json_decref(j);
        } else if (len > 0 && (body[0] == '{' || body[0] == '[')) {
                json_t *j = json_loadb(body, len, JSON_DECODE_ANY, NULL);
                if (!j)
                        die("a success body that is not JSON", method, path, status, body);
                json_decref(j);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *const methods[] = { "GET", "POST", "DELETE", "PUT", "HEAD" };
        if (size < 2)
                return 0;
        const char *method = data[0] == 'G'   ? "GET"
                             : data[0] == 'P' ? "POST"
                             : data[0] == 'D' ? "DELETE"
                             : data[0] == 'U' ? "PUT"
                             : data[0] == 'H' ? "HEAD"
                                              : methods[data[0] % 5];
        const uint8_t *raw = data + 1;
        const uint8_t *nl = memchr(raw, '\n', size - 1);
        size_t plen = nl ? (size_t) (nl - raw) : size - 1;
        if (plen == 0 || plen > MAX_PATH_BYTES || raw[0] != '/' || count_byte(raw, plen, '&') > MAX_QUERY_ARGS ||
            !route_allowed(method, raw, plen))
                return 0;
        if (++runs % RESET_EVERY == 0) {
                harness_stop();
                harness_start();
        }
        char path[3 * MAX_PATH_BYTES + 1];
        encode(raw, plen, path);
        const uint8_t *body = nl ? nl + 1 : NULL;
        size_t blen = nl ? size - 1 - plen - 1 : 0;
        unsigned status = 0;
        char *resp = NULL;
        size_t rlen = 0;
        int r = api_inproc_request_len(harness, method, path, body, blen, &status, &resp, &rlen);
        if (r < 0)
                die(r == -ETIMEDOUT ? "no answer within 60 s" : "no HTTP response", method, path, 0, strerror(-r));
        if (getenv("FUZZ_API_VERBOSE"))
                fprintf(stderr, "fuzz-api: %s %s -> %u %.300s\n", method, path, status, resp);
        check_response(method, path, status, resp, rlen);
        free(resp);
        return 0;
}
