/* The keys of [Unit] and [Service] that pouch-init understands, and the specifiers (%n %N %p %i
 * %I %%) expanded in their values. Everything else is a warning kept in the unit. */
#pragma once

#include "unit-parse.h"

struct unit_parser {
        const char *file;
        unsigned line; /* 0: the file as a whole */
        struct unit *u;
};

/* Record the unit's first error as "FILE:LINE: message": -EINVAL, or -ENOMEM. */
int parser_fail(struct unit_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record a warning "FILE:LINE: message": 0 or -ENOMEM. */
int parser_warn(struct unit_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Expand the specifiers of v for unit u: 0 with a malloc'ed string in *ret, or -ENOMEM. An
 * unknown specifier is kept as it is, with a warning. */
int unit_expand_specifiers(struct unit_parser *p, const char *v, char **ret);

/* Handle KEY=v of [Unit] / [Service]: 0, -EINVAL (the unit's error is set) or -ENOMEM. */
int unit_key_unit(struct unit_parser *p, const char *key, const char *v);
int unit_key_service(struct unit_parser *p, const char *key, const char *v);
