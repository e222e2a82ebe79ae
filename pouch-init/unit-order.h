/* Start order of the services: a topological sort over After= and Requires=.
 *
 * Before= is After= seen from the other side. Only names that exist make edges (After=network.target is ignored). Among
 * the services whose dependencies are placed, the one listed first goes first, so unordered services keep their list
 * order (built-ins, then file-name order). A dependency cycle is reported in *warnings and broken by placing the
 * cycle's first-listed service first: its edges that point later in the order are then ignored. */
#pragma once

#include "strv.h"

#include <stddef.h>
#include <sys/types.h>

struct order_item {
        const char *name;
        const struct strv *after;    /* may be NULL */
        const struct strv *requires; /* may be NULL */
        const struct strv *before;   /* may be NULL: the names ordered after this one */
};

/* The index of the item a dependency name refers to, or -1: "NAME.service" is NAME, and the
 * built-ins answer to their other names ("ssh" for sshd, "crond" for cron) when no item is
 * named so exactly. */
ssize_t order_lookup(const struct order_item *items, size_t n, const char *name);

/* Fill order[0..n) with the start order (indexes into items). Warnings about cycles are
 * appended to warnings (when not NULL). 0 or -ENOMEM. */
int order_compute(const struct order_item *items, size_t n, size_t *order, struct strv *warnings);
