/* Splitting command lines and Environment= values into words, the way systemd does.
 *
 * Words are separated by blanks (space, tab, newline). Within a word, "..." and '...' quote
 * (blanks inside are kept, the quotes removed; quotes may start anywhere in a word, so a"b c"d is
 * one word: ab cd). A backslash escapes: \\ \" \' \<blank> \n \t \r \a \b \f \v \s (space),
 * \xHH and \NNN (octal); as in systemd, escapes are processed inside both kinds of quotes too.
 * There is no $VAR expansion and no % specifier. */
#pragma once

#include "strv.h"

/* Append the words of s to words: 0, -ENOMEM, or -EINVAL with a static message in *err (an
 * unterminated quote, a trailing backslash, an unknown or invalid escape). */
int cmdline_split(const char *s, struct strv *words, const char **err);
