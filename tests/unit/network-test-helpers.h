/* Helpers shared by the daemon/network unit tests: JSON parsing and comparison, small file I/O,
 * a free TCP port. Include after cmocka.h. */
#pragma once

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static inline json_t *jparse(const char *s)
{
        json_error_t e;
        json_t *j = json_loads(s, 0, &e);
        if (!j)
                fail_msg("bad JSON in test: %s: %s", s, e.text);
        return j;
}

/* assert JSON equality, printing both on mismatch */
#define assert_json_eq(got, want_str)                                                                                 \
        do {                                                                                                          \
                _cleanup_json_ json_t *_w = jparse(want_str);                                                         \
                if (!json_equal((got), _w)) {                                                                         \
                        _cleanup_free_ char *_g = json_dumps((got), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY); \
                        fail_msg("JSON mismatch:\n got  %s\n want %s", _g, want_str);                                 \
                }                                                                                                     \
        } while (0)

static inline char *slurp(const char *path)
{
        char *d = NULL;
        if (read_file(path, 1 << 20, &d, NULL) < 0)
                return strdup("");
        return d;
}

static inline void spit(const char *path, const char *content)
{
        assert_int_equal(write_file_atomic(path, content, strlen(content), 0755), 0);
}

/* A free TCP port on 0.0.0.0 (bind to 0, read back, close). */
static inline unsigned free_port(void)
{
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        socklen_t l = sizeof(sa);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &l), 0);
        close(fd);
        return ntohs(sa.sin_port);
}
