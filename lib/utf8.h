/* Making untrusted bytes (layer entry names, query parameters, registry answers) safe to hand to
 * clients: JSON strings must be valid UTF-8, and jansson refuses to build any that is not. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s (at most n bytes): 1..4, or 0 when the bytes
 * there are not one (overlong forms, surrogates, code points above U+10FFFF, truncated
 * sequences, stray continuation bytes, and NUL). */
size_t utf8_sequence_len(const unsigned char *s, size_t n);

/* Is s (NUL-terminated) entirely valid UTF-8? */
bool utf8_is_valid(const char *s);

/* A NUL-terminated copy of the n bytes at s in which valid UTF-8 is kept as it is and every byte
 * that does not begin a well-formed sequence is written as the four characters \xNN (lower-case
 * hex). The result is always valid UTF-8. NULL only when out of memory. */
char *utf8_escape_invalidn(const char *s, size_t n);
char *utf8_escape_invalid(const char *s);

/* json_string() of utf8_escape_invalid(s): never fails for bad bytes, only for lack of memory
 * (NULL). s == NULL gives NULL. */
json_t *json_string_utf8(const char *s);
/* The same for the n bytes at s (a NUL among them is escaped too). */
json_t *json_stringn_utf8(const char *s, size_t n);
