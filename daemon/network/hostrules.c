#include "daemon/network/hostrules.h"

#include "lib/log.h"
#include "lib/spawn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MAX_RULE_ARGS 16

struct rule {
        const char *table, *chain;
        bool insert; /* first in the chain, ahead of rules that would drop the traffic */
        const char *args[MAX_RULE_ARGS];
};

/* The rules of h; returns how many were written to out (at most 4). */
static size_t build_rules(const struct host_rules *h, char *comment, size_t comment_size, struct rule out[4])
{
        snprintf(comment, comment_size, "pouch:%s", h->bridge);
        size_t n = 0;
        if (h->internal) {
                out[n++] = (struct rule){ "filter",
                                          "FORWARD",
                                          true,
                                          { "-i", h->bridge, "!", "-o", h->bridge, "-m", "comment", "--comment",
                                            comment, "-j", "DROP", NULL } };
                out[n++] = (struct rule){ "filter",
                                          "FORWARD",
                                          true,
                                          { "-o", h->bridge, "!", "-i", h->bridge, "-m", "comment", "--comment",
                                            comment, "-j", "DROP", NULL } };
                return n;
        }
        out[n++] = (struct rule){ "filter",
                                  "FORWARD",
                                  true,
                                  { "-i", h->bridge, "-m", "comment", "--comment", comment, "-j", "ACCEPT", NULL } };
        out[n++] = (struct rule){ "filter",
                                  "FORWARD",
                                  true,
                                  { "-o", h->bridge, "-m", "comment", "--comment", comment, "-j", "ACCEPT", NULL } };
        if (h->masquerade)
                out[n++] = (struct rule){ "nat",
                                          "POSTROUTING",
                                          false,
                                          { "-s", h->subnet, "!", "-o", h->bridge, "-m", "comment", "--comment",
                                            comment, "-j", "MASQUERADE", NULL } };
        return n;
}

/* iptables -w -t TABLE OP CHAIN [1] ARGS...; returns its exit status, or -errno. */
static int run_iptables(const struct host_rules *h, const struct rule *r, const char *op, struct spawn_result *res)
{
        const char *argv[MAX_RULE_ARGS + 8];
        size_t k = 0;
        argv[k++] = h->iptables;
        argv[k++] = "-w";
        argv[k++] = "-t";
        argv[k++] = r->table;
        argv[k++] = op;
        argv[k++] = r->chain;
        if (strcmp(op, "-I") == 0)
                argv[k++] = "1";
        for (size_t i = 0; r->args[i]; i++)
                argv[k++] = r->args[i];
        argv[k] = NULL;
        int rc = spawn_capture((char *const *) argv, NULL, NULL, 0, res);
        return rc < 0 ? rc : res->status;
}

static bool valid(const struct host_rules *h)
{
        return h && h->iptables && *h->iptables && h->bridge && *h->bridge && h->subnet && *h->subnet;
}

int host_rules_ensure(const struct host_rules *h, struct pouch_err *err)
{
        if (!valid(h))
                return err_set(err, -EINVAL, "host rules: bridge and subnet are required");
        char comment[64];
        struct rule rules[4];
        size_t n = build_rules(h, comment, sizeof(comment), rules);
        for (size_t i = 0; i < n; i++) {
                struct spawn_result res = { 0 };
                int st = run_iptables(h, &rules[i], "-C", &res);
                spawn_result_done(&res);
                if (st == 0)
                        continue;
                if (st < 0)
                        return err_set(err, st, "cannot run %s: %s", h->iptables, strerror(-st));
                st = run_iptables(h, &rules[i], rules[i].insert ? "-I" : "-A", &res);
                if (st != 0) {
                        int r = err_set(err, st < 0 ? st : -EIO, "%s -t %s %s %s for bridge %s failed: %s", h->iptables,
                                        rules[i].table, rules[i].insert ? "-I" : "-A", rules[i].chain, h->bridge,
                                        st < 0                ? strerror(-st)
                                        : res.err && *res.err ? res.err
                                                              : "(no message)");
                        spawn_result_done(&res);
                        return r;
                }
                spawn_result_done(&res);
        }
        return 0;
}

int host_rules_remove(const struct host_rules *h, struct pouch_err *err)
{
        if (!valid(h))
                return err_set(err, -EINVAL, "host rules: bridge and subnet are required");
        char comment[64];
        struct rule rules[4];
        /* both shapes: the network's kind is not needed to clean up after it */
        struct host_rules both[2] = { *h, *h };
        both[0].internal = false;
        both[0].masquerade = true;
        both[1].internal = true;
        for (size_t b = 0; b < 2; b++) {
                size_t n = build_rules(&both[b], comment, sizeof(comment), rules);
                for (size_t i = 0; i < n; i++) {
                        /* -D removes one copy at a time; a bounded loop for duplicates */
                        for (int tries = 0; tries < 8; tries++) {
                                struct spawn_result res = { 0 };
                                int st = run_iptables(h, &rules[i], "-D", &res);
                                spawn_result_done(&res);
                                if (st < 0)
                                        return err_set(err, st, "cannot run %s: %s", h->iptables, strerror(-st));
                                if (st != 0)
                                        break;
                        }
                }
        }
        log_debug("host rules of bridge %s removed", h->bridge);
        return 0;
}
