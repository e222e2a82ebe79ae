/* Unit tests for pouch-init's service start order: After=, Requires=, Before=, missing names,
 * aliases, cycles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "pouch-init/unit-order.h"

#include <stdio.h>
#include <string.h>

struct fixture {
        struct order_item items[8];
        struct strv after[8];
        struct strv requires[8];
        struct strv before[8];
        size_t n;
};

/* "name:dep1,dep2:req1:before1" entries */
static void build(struct fixture *f, const char *const *spec)
{
        memset(f, 0, sizeof(*f));
        for (; spec[f->n]; f->n++) {
                char buf[256];
                snprintf(buf, sizeof(buf), "%s", spec[f->n]);
                char *after = strchr(buf, ':');
                char *req = after ? strchr(after + 1, ':') : NULL;
                char *before = req ? strchr(req + 1, ':') : NULL;
                if (after)
                        *after++ = '\0';
                if (req)
                        *req++ = '\0';
                if (before)
                        *before++ = '\0';
                for (char *t = before ? strtok(before, ",") : NULL; t; t = strtok(NULL, ","))
                        assert_int_equal(strv_push_dup(&f->before[f->n], t), 0);
                for (char *t = after ? strtok(after, ",") : NULL; t; t = strtok(NULL, ","))
                        assert_int_equal(strv_push_dup(&f->after[f->n], t), 0);
                for (char *t = req ? strtok(req, ",") : NULL; t; t = strtok(NULL, ","))
                        assert_int_equal(strv_push_dup(&f->requires[f->n], t), 0);
                f->items[f->n].name = strdup(buf);
                f->items[f->n].after = &f->after[f->n];
                f->items[f->n].requires = &f->requires[f->n];
                f->items[f->n].before = &f->before[f->n];
        }
}

static void release(struct fixture *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free((char *) f->items[i].name);
                strv_free(&f->after[i]);
                strv_free(&f->requires[i]);
                strv_free(&f->before[i]);
        }
}

/* The order as "a b c", and the warnings joined with '|'. */
static void order_of(const char *const *spec, const char *expected, const char *expected_warnings)
{
        struct fixture f;
        build(&f, spec);
        size_t order[8];
        _cleanup_strv_ struct strv w = { 0 };
        assert_int_equal(order_compute(f.items, f.n, order, &w), 0);
        char got[256] = "", warns[1024] = "";
        for (size_t k = 0; k < f.n; k++)
                snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", k ? " " : "", f.items[order[k]].name);
        for (size_t k = 0; k < w.n; k++)
                snprintf(warns + strlen(warns), sizeof(warns) - strlen(warns), "%s%s", k ? "|" : "", w.v[k]);
        release(&f);
        if (strcmp(got, expected) != 0)
                fail_msg("order '%s', expected '%s'", got, expected);
        assert_string_equal(warns, expected_warnings);
}

static void test_no_order_keeps_list_order(void **state)
{
        (void) state;
        order_of((const char *[]){ "sshd", "cron", "a", "b", "c", NULL }, "sshd cron a b c", "");
}

static void test_after_and_requires(void **state)
{
        (void) state;
        /* a after c; b requires a (so after it too) */
        order_of((const char *[]){ "a:c", "b::a", "c", NULL }, "c a b", "");
        /* ".service" names equal plain ones; chains */
        order_of((const char *[]){ "web:app.service", "app:db.service", "db", "z", NULL }, "db app web z", "");
        /* a free item earlier in the list goes before a later one */
        order_of((const char *[]){ "late:early", "other", "early", NULL }, "other early late", "");
}

static void test_before(void **state)
{
        (void) state;
        /* z says it comes before a: z first although listed last */
        order_of((const char *[]){ "a", "b", "z:::a.service", NULL }, "b z a", "");
        /* Before= and After= agree; a missing name orders nothing */
        order_of((const char *[]){ "web:db", "db:::web", "cache:::nothing", NULL }, "db web cache", "");
        /* a cycle through Before= is broken like any other */
        order_of((const char *[]){ "a:::b", "b:::a", NULL }, "a b",
                 "dependency cycle: a after b after a; starting a first");
}

static void test_missing_and_aliases(void **state)
{
        (void) state;
        /* missing names make no edge */
        order_of((const char *[]){ "a:network.target,nothere", "b:a", NULL }, "a b", "");
        /* ssh means sshd, crond means cron */
        order_of((const char *[]){ "app:ssh.service,crond", "sshd", "cron", NULL }, "sshd cron app", "");
        /* itself: ignored */
        order_of((const char *[]){ "a:a", "b", NULL }, "a b", "");

        struct fixture f;
        build(&f, (const char *[]){ "sshd", "cron", "ssh-helper", NULL });
        assert_int_equal(order_lookup(f.items, f.n, "ssh"), 0);
        assert_int_equal(order_lookup(f.items, f.n, "sshd.service"), 0);
        assert_int_equal(order_lookup(f.items, f.n, "crond.service"), 1);
        assert_int_equal(order_lookup(f.items, f.n, "ssh-helper"), 2);
        assert_int_equal(order_lookup(f.items, f.n, "nope"), -1);
        release(&f);
        /* an item really named ssh wins over the alias */
        build(&f, (const char *[]){ "sshd", "ssh", NULL });
        assert_int_equal(order_lookup(f.items, f.n, "ssh"), 1);
        release(&f);
}

static void test_cycles(void **state)
{
        (void) state;
        /* a <-> b: broken by starting the first-listed one first, once nothing free is left */
        order_of((const char *[]){ "a:b", "b:a", "c", NULL }, "c a b",
                 "dependency cycle: a after b after a; starting a first");
        /* three-cycle downstream of a free item, plus an item waiting for the cycle */
        order_of((const char *[]){ "x:z", "first", "y:x", "z:y", "after-cycle:y", NULL }, "first x y z after-cycle",
                 "dependency cycle: x after z after y after x; starting x first");
        /* an item blocked by a cycle is not the one forced: the cycle's own first member is */
        order_of((const char *[]){ "blocked:q", "p:q", "q:p", NULL }, "p q blocked",
                 "dependency cycle: p after q after p; starting p first");
        /* two separate cycles */
        order_of(
                (const char *[]){ "a:b", "b:a", "c:d", "d:c", NULL }, "a b c d",
                "dependency cycle: a after b after a; starting a first|dependency cycle: c after d after c; starting c first");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_order_keeps_list_order),
                cmocka_unit_test(test_after_and_requires),
                cmocka_unit_test(test_before),
                cmocka_unit_test(test_missing_and_aliases),
                cmocka_unit_test(test_cycles),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
