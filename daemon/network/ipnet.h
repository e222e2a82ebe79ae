/* IPv4 addresses and CIDR networks: parsing, formatting, containment and overlap, plus the
 * networks the host already uses (its routes and interface addresses), so a new bridge network
 * can pick a subnet that collides with nothing. Addresses are kept in host byte order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ipnet4 {
        uint32_t addr;  /* as written (may have host bits set, e.g. the --bip form 172.29.0.1/16) */
        uint8_t prefix; /* 0..32 */
};

#define IPV4_STRLEN 16   /* "255.255.255.255" + NUL */
#define IPNET4_STRLEN 20 /* "255.255.255.255/32" + NUL, rounded up */

/* Strict dotted quad ("10.0.0.1"); -EINVAL otherwise. */
int ipv4_parse(const char *s, uint32_t *ret);
void ipv4_format(uint32_t addr, char buf[IPV4_STRLEN]);
/* "a.b.c.d/n" (the prefix is required); -EINVAL otherwise. Host bits are kept in addr. */
int ipnet_parse(const char *s, struct ipnet4 *ret);
uint32_t ipnet_mask(uint8_t prefix);
/* The network address (host bits cleared). */
uint32_t ipnet_network(const struct ipnet4 *n);
/* The last address of the network (broadcast). */
uint32_t ipnet_last(const struct ipnet4 *n);
bool ipnet_contains(const struct ipnet4 *n, uint32_t ip);
/* Whether the two networks share at least one address. */
bool ipnet_overlaps(const struct ipnet4 *a, const struct ipnet4 *b);
/* Canonical "network/prefix" (host bits cleared). */
void ipnet_format(const struct ipnet4 *n, char buf[IPNET4_STRLEN]);

/* Networks in use on the host: IPv4 route destinations from /proc/net/route (the default route is
 * skipped) and the networks of the IPv4 interface addresses. *ret is malloc'd. */
int ipnet_host_networks(struct ipnet4 **ret, size_t *ret_n);
