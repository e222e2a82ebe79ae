/* Shared by the test-daemon-api-* unit tests: an in-process daemon per test, requests whose
 * answers are parsed as JSON. */
#pragma once

#include "tests/harness/api-inproc.h"

#include "lib/jsonutil.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static inline int api_setup(void **state)
{
        struct pouch_err err = { 0 };
        struct api_inproc *h = NULL;
        if (api_inproc_new(0, &h, &err) < 0) {
                fprintf(stderr, "api_inproc_new: %s\n", err.msg);
                return -1;
        }
        *state = h;
        return 0;
}

static inline int api_teardown(void **state)
{
        api_inproc_free(*state);
        *state = NULL;
        return 0;
}

/* A request with a string body (NULL: none); returns the answer parsed as JSON (NULL when it is
 * not JSON) and the status in *ret_status. The raw body goes to *ret_raw when asked. */
static inline json_t *api_req_raw(struct api_inproc *h, const char *method, const char *path, const char *body,
                                  unsigned *ret_status, char **ret_raw)
{
        char *raw = NULL;
        unsigned status = 0;
        int r = api_inproc_request(h, method, path, body, body ? strlen(body) : 0, &status, &raw);
        assert_int_equal(r, 0);
        *ret_status = status;
        json_t *j = json_loads(raw, JSON_DECODE_ANY, NULL);
        if (ret_raw)
                *ret_raw = raw;
        else
                free(raw);
        return j;
}

static inline json_t *api_req(struct api_inproc *h, const char *method, const char *path, const char *body,
                              unsigned *ret_status)
{
        return api_req_raw(h, method, path, body, ret_status, NULL);
}

/* Expect status and, for an error, the Docker error shape {"message": "..."}; returns the answer. */
static inline json_t *api_expect(struct api_inproc *h, const char *method, const char *path, const char *body,
                                 unsigned want)
{
        unsigned status = 0;
        json_t *j = api_req(h, method, path, body, &status);
        if (status != want)
                fprintf(stderr, "%s %s: got %u, want %u\n", method, path, status, want);
        assert_int_equal(status, want);
        if (want >= 400) {
                assert_non_null(j);
                assert_true(json_is_object(j));
                assert_true(json_is_string(json_object_get(j, "message")));
                assert_true(strlen(json_string_value(json_object_get(j, "message"))) > 0);
        }
        return j;
}

/* The message of an error answer contains needle. */
static inline void api_expect_error(struct api_inproc *h, const char *method, const char *path, const char *body,
                                    unsigned want, const char *needle)
{
        json_t *j = api_expect(h, method, path, body, want);
        const char *msg = json_string_value(json_object_get(j, "message"));
        if (needle && !strstr(msg, needle))
                fprintf(stderr, "%s %s: message \"%s\" lacks \"%s\"\n", method, path, msg, needle);
        assert_non_null(strstr(msg, needle ? needle : ""));
        json_decref(j);
}
