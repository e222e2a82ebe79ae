/* json-file container logs read back for GET /containers/{id}/logs (daemon/logs/logs-frame.c):
 * the file contents come from the input (fed in two pieces, split at the first byte's value, as
 * reads of a growing file would), with timestamps on. The output must be a sequence of docker
 * stream frames [1|2][0 0 0][BE32 length] whose payloads start with an RFC 3339 time and a space. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/logs/logs-internal.h"

static void check_frames(int fd)
{
        off_t len = lseek(fd, 0, SEEK_END);
        FUZZ_CHECK(len >= 0);
        unsigned char *buf = malloc((size_t) len + 1);
        FUZZ_CHECK(buf && pread(fd, buf, (size_t) len, 0) == len);
        size_t off = 0;
        while (off < (size_t) len) {
                FUZZ_CHECK((size_t) len - off >= 8);
                const unsigned char *h = buf + off;
                FUZZ_CHECK((h[0] == 1 || h[0] == 2) && h[1] == 0 && h[2] == 0 && h[3] == 0);
                size_t n = ((size_t) h[4] << 24) | ((size_t) h[5] << 16) | ((size_t) h[6] << 8) | h[7];
                FUZZ_CHECK(n > 0 && n <= (size_t) len - off - 8);
                /* "YYYY-MM-DDTHH:MM:SS.NNNNNNNNNZ " */
                FUZZ_CHECK(n >= 31 && h[8 + 4] == '-' && h[8 + 10] == 'T' && h[8 + 29] == 'Z' && h[8 + 30] == ' ');
                off += 8 + n;
        }
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size == 0)
                return 0;
        struct logs_options o = { .stdout_ = true, .stderr_ = true, .timestamps = true, .tail = -1 };
        int out = memfd_create("fuzz-logs-out", MFD_CLOEXEC);
        FUZZ_CHECK(out >= 0);
        struct logs_ctx c = { .o = &o, .out_fd = out };
        size_t cut = data[0] % size;
        int r = logs_feed(&c, (const char *) data + 1, cut > 0 ? cut - 1 : 0);
        if (r == 0)
                r = logs_feed(&c, (const char *) data + (cut > 0 ? cut : 1), size - (cut > 0 ? cut : 1));
        FUZZ_CHECK(r == 0);
        check_frames(out);
        free(c.pend);
        free(c.out);
        close(out);
        return 0;
}
