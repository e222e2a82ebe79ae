/* Shared helpers for the libFuzzer targets in tests/fuzz (see tests/fuzz/README.md).
 *
 * A target asserts invariants with FUZZ_CHECK: on failure it prints the condition and aborts, which
 * libFuzzer reports as a crash and saves the input. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                             \
        do {                                                                                         \
                if (!(cond)) {                                                                       \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

#define FUZZ_STREQ(a, b)                                                                                               \
        do {                                                                                                           \
                const char *_fa = (a), *_fb = (b);                                                                     \
                if (!_fa || !_fb || strcmp(_fa, _fb) != 0) {                                                           \
                        fprintf(stderr, "%s:%d: invariant failed: %s == %s\n  \"%s\"\n  \"%s\"\n", __FILE__, __LINE__, \
                                #a, #b, _fa ? _fa : "(null)", _fb ? _fb : "(null)");                                   \
                        abort();                                                                                       \
                }                                                                                                      \
        } while (0)

/* The input as a NUL-terminated string (inputs holding a NUL are cut there). Never NULL. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* Split the input at the first NUL byte: *ret_a gets the part before it (NUL-terminated, a
 * pointer into a copy the caller frees with free(*ret_a)), *ret_b the rest (also terminated; ""
 * when there is no NUL). */
static inline void fuzz_split2(const uint8_t *data, size_t size, char **ret_a, char **ret_b)
{
        char *s = malloc(size + 2);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        s[size + 1] = '\0';
        *ret_a = s;
        size_t n = strlen(s);
        *ret_b = n < size ? s + n + 1 : s + size + 1;
}

/* Split the input at NUL bytes into n strings (missing ones are ""): parts[i] point into a copy
 * that the caller frees with free(parts[0]). */
static inline void fuzz_splitn(const uint8_t *data, size_t size, char **parts, size_t n)
{
        char *s = malloc(size + 1);
        if (!s)
                abort();
        memcpy(s, data, size);
        s[size] = '\0';
        parts[0] = s;
        for (size_t i = 1; i < n; i++) {
                char *end = parts[i - 1] + strlen(parts[i - 1]);
                parts[i] = end < s + size ? end + 1 : s + size;
        }
}

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static inline bool fuzz_utf8_valid(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *) s;
        size_t i = 0;
        while (i < n) {
                unsigned c = p[i];
                size_t len;
                unsigned cp;
                if (c < 0x80) {
                        i++;
                        continue;
                } else if (c >= 0xc2 && c <= 0xdf) {
                        len = 2;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        len = 3;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        len = 4;
                        cp = c & 0x07;
                } else
                        return false;
                if (i + len > n)
                        return false;
                for (size_t k = 1; k < len; k++) {
                        if ((p[i + k] & 0xc0) != 0x80)
                                return false;
                        cp = (cp << 6) | (p[i + k] & 0x3f);
                }
                if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
                    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
                        return false;
                i += len;
        }
        return true;
}

#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A memfd holding the input, positioned at 0 (for code that reads archives from an fd). */
static inline int fuzz_memfd(const uint8_t *data, size_t size)
{
        int fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        if (fd < 0)
                abort();
        size_t off = 0;
        while (off < size) {
                ssize_t n = write(fd, data + off, size - off);
                if (n <= 0)
                        abort();
                off += (size_t) n;
        }
        if (lseek(fd, 0, SEEK_SET) != 0)
                abort();
        return fd;
}

/* The names in dir (not "." or ".."), sorted and joined with '\n'; NULL when dir cannot be read. */
static inline int fuzz_cmp_names(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static inline char *fuzz_list_dir(const char *dir)
{
        DIR *d = opendir(dir);
        if (!d)
                return NULL;
        char **names = NULL;
        size_t n = 0, total = 1;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                        continue;
                names = realloc(names, (n + 1) * sizeof(*names));
                if (!names || !(names[n] = strdup(de->d_name)))
                        abort();
                total += strlen(names[n++]) + 1;
        }
        closedir(d);
        if (n > 1)
                qsort(names, n, sizeof(*names), fuzz_cmp_names);
        char *out = calloc(1, total);
        if (!out)
                abort();
        for (size_t i = 0; i < n; i++) {
                strcat(out, names[i]);
                strcat(out, i + 1 < n ? "\n" : "");
                free(names[i]);
        }
        free(names);
        return out;
}
