/* A few rtnetlink requests, built in fixed buffers (no allocation) so they can run in a child forked
 * from the multithreaded daemon after setns(). Each works in the caller's network namespace. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Create a veth pair name <-> peer, both ends in the current namespace. */
int nl_veth_add(const char *name, const char *peer);
/* Add IPv4 address addr/prefix (host byte order) to interface `name`. */
int nl_addr4_add(const char *name, uint32_t addr, unsigned prefix);
/* Delete interface `name`; -ENODEV when there is none. */
int nl_link_del(const char *name);
/* Set IFF_UP on `name` (ioctl). */
int nl_link_up(const char *name);
/* Whether interface `name` exists / is a Linux bridge (current namespace). */
bool nl_link_exists(const char *name);
bool nl_link_is_bridge(const char *name);
