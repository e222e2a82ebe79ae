/* Network namespace helpers beyond the public netns_create/netns_remove (network.h). Work that
 * must happen inside a namespace runs in a forked child, never in the daemon's threads. */
#pragma once

#include "lib/err.h"

#include <stdbool.h>
#include <stdint.h>

/* netns_create, optionally without making the directory a shared mount (namespaces only pouch
 * itself ever enters, e.g. the stand-ins below). */
int netns_create_opt(const char *path, bool shared_dir, struct pouch_err *err);
/* Whether path is a live namespace file (a bind-mounted nsfs). */
bool netns_is_live(const char *path);
/* Run fn(arg) in a child that joined the namespace at path; returns fn's result (-errno) or
 * -errno from fork/setns. fn must not allocate (the daemon is multithreaded). */
int netns_run(const char *path, int (*fn)(void *arg), void *arg);
/* Bring lo up in the namespace at path. */
int netns_lo_up(const char *path);
/* In the namespace at path: a veth pair ifname <-> peer with addr/prefix on ifname. Used to stand
 * in for a vanished container namespace during CNI DEL. */
int netns_add_stand_in(const char *path, const char *ifname, const char *peer, uint32_t addr, unsigned prefix);
