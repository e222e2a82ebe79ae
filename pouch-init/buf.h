/* A growable byte buffer, always NUL-terminated, for building files and JSON. */
#pragma once

#include <stddef.h>

struct buf {
        char *data; /* NULL until something is appended; then data[len] == '\0' */
        size_t len;
        size_t cap;
};

/* Append n bytes: 0 or -ENOMEM (the buffer is unchanged on failure). */
int buf_append(struct buf *b, const void *p, size_t n);
/* Append a C string / one byte: 0 or -ENOMEM. */
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
/* Append printf-formatted text: 0 or -ENOMEM. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); the buffer still owns it. */
const char *buf_str(const struct buf *b);
/* Hand the contents over (malloc'ed, NUL-terminated; NULL when empty) and reset the buffer. */
char *buf_steal(struct buf *b);
void buf_free(struct buf *b);

#define _cleanup_buf_ __attribute__((cleanup(buf_free)))
