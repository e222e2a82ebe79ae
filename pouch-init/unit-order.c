/* Start order of the services: a topological sort over After= and Requires=. */
#include "unit-order.h"

#include "buf.h"
#include "lib/cleanup.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static ssize_t find_exact(const struct order_item *items, size_t n, const char *name, size_t len)
{
        for (size_t i = 0; i < n; i++)
                if (strlen(items[i].name) == len && strncmp(items[i].name, name, len) == 0)
                        return (ssize_t) i;
        return -1;
}

ssize_t order_lookup(const struct order_item *items, size_t n, const char *name)
{
        size_t len = strlen(name);
        if (len > 8 && strcmp(name + len - 8, ".service") == 0)
                len -= 8;
        ssize_t i = find_exact(items, n, name, len);
        if (i >= 0)
                return i;
        static const char *const aliases[][2] = { { "ssh", "sshd" }, { "crond", "cron" } };
        for (size_t a = 0; a < ARRAY_SIZE(aliases); a++)
                if (strlen(aliases[a][0]) == len && strncmp(aliases[a][0], name, len) == 0)
                        return find_exact(items, n, aliases[a][1], strlen(aliases[a][1]));
        return -1;
}

static int add_edges(const struct order_item *items, size_t n, size_t i, const struct strv *deps, bool *adj)
{
        for (size_t k = 0; deps && k < deps->n; k++) {
                ssize_t j = order_lookup(items, n, deps->v[k]);
                if (j >= 0 && (size_t) j != i)
                        adj[(size_t) j * n + i] = true; /* i is ordered after j */
        }
        return 0;
}

/* The smallest unplaced predecessor of i, or -1. */
static ssize_t first_pred(const bool *adj, const bool *placed, size_t n, size_t i)
{
        for (size_t j = 0; j < n; j++)
                if (!placed[j] && adj[j * n + i])
                        return (ssize_t) j;
        return -1;
}

/* No unplaced item is free: walk predecessors from the first unplaced item until one repeats;
 * that loop is a cycle. Returns its first-listed item and describes the cycle in *warnings. */
static int break_cycle(const struct order_item *items, const bool *adj, const bool *placed, size_t n,
                       struct strv *warnings, size_t *ret)
{
        _cleanup_free_ size_t *seen_at = malloc(n * sizeof(size_t));
        _cleanup_free_ size_t *path = malloc((n + 1) * sizeof(size_t));
        if (!seen_at || !path)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                seen_at[i] = (size_t) -1;
        size_t cur = 0, len = 0;
        while (placed[cur])
                cur++;
        while (seen_at[cur] == (size_t) -1) {
                seen_at[cur] = len;
                path[len++] = cur;
                ssize_t p = first_pred(adj, placed, n, cur);
                if (p < 0) /* cannot happen: every unplaced item has an unplaced predecessor */
                        break;
                cur = (size_t) p;
        }
        size_t start = seen_at[cur] == (size_t) -1 ? 0 : seen_at[cur];
        size_t kb = start;
        for (size_t k = start; k < len; k++)
                if (path[k] < path[kb])
                        kb = k;
        size_t best = path[kb];
        *ret = best;
        if (!warnings)
                return 0;
        /* "web after db after web", from the one started first, along the walk (to predecessors) */
        _cleanup_buf_ struct buf msg = { 0 };
        int r = buf_puts(&msg, "dependency cycle: ");
        for (size_t k = 0; r >= 0 && k < len - start; k++)
                r = buf_printf(&msg, "%s after ", items[path[start + (kb - start + k) % (len - start)]].name);
        if (r >= 0)
                r = buf_printf(&msg, "%s; starting %s first", items[best].name, items[best].name);
        return r < 0 ? r : strv_push(warnings, buf_steal(&msg));
}

int order_compute(const struct order_item *items, size_t n, size_t *order, struct strv *warnings)
{
        if (n == 0)
                return 0;
        _cleanup_free_ bool *adj = calloc(n * n, sizeof(bool));
        _cleanup_free_ bool *placed = calloc(n, sizeof(bool));
        if (!adj || !placed)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                add_edges(items, n, i, items[i].after, adj);
                add_edges(items, n, i, items[i].requires, adj);
                for (size_t k = 0; items[i].before && k < items[i].before->n; k++) {
                        ssize_t j = order_lookup(items, n, items[i].before->v[k]);
                        if (j >= 0 && (size_t) j != i)
                                adj[i * n + (size_t) j] = true; /* j is ordered after i */
                }
        }
        for (size_t k = 0; k < n; k++) {
                size_t next = n;
                for (size_t i = 0; i < n && next == n; i++)
                        if (!placed[i] && first_pred(adj, placed, n, i) < 0)
                                next = i;
                if (next == n) {
                        int r = break_cycle(items, adj, placed, n, warnings, &next);
                        if (r < 0)
                                return r;
                }
                placed[next] = true;
                order[k] = next;
        }
        return 0;
}
