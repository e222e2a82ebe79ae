#include "daemon/network/ipnet.h"

#include "lib/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ipv4_parse(const char *s, uint32_t *ret)
{
        if (!s || !*s)
                return -EINVAL;
        /* inet_pton(AF_INET) accepts exactly the dotted-quad form, no shortcuts */
        struct in_addr a;
        if (inet_pton(AF_INET, s, &a) != 1)
                return -EINVAL;
        *ret = ntohl(a.s_addr);
        return 0;
}

void ipv4_format(uint32_t addr, char buf[IPV4_STRLEN])
{
        snprintf(buf, IPV4_STRLEN, "%u.%u.%u.%u", (addr >> 24) & 0xff, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
                 addr & 0xff);
}

int ipnet_parse(const char *s, struct ipnet4 *ret)
{
        if (!s)
                return -EINVAL;
        const char *slash = strchr(s, '/');
        if (!slash || slash == s || slash - s >= IPV4_STRLEN)
                return -EINVAL;
        char ip[IPV4_STRLEN];
        memcpy(ip, s, (size_t) (slash - s));
        ip[slash - s] = '\0';
        const char *p = slash + 1;
        if (*p < '0' || *p > '9' || strlen(p) > 2 || (p[0] == '0' && p[1]))
                return -EINVAL;
        unsigned prefix = 0;
        for (; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                prefix = prefix * 10 + (unsigned) (*p - '0');
        }
        if (prefix > 32)
                return -EINVAL;
        uint32_t a;
        if (ipv4_parse(ip, &a) < 0)
                return -EINVAL;
        ret->addr = a;
        ret->prefix = (uint8_t) prefix;
        return 0;
}

uint32_t ipnet_mask(uint8_t prefix)
{
        return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);
}

uint32_t ipnet_network(const struct ipnet4 *n)
{
        return n->addr & ipnet_mask(n->prefix);
}

uint32_t ipnet_last(const struct ipnet4 *n)
{
        return ipnet_network(n) | ~ipnet_mask(n->prefix);
}

bool ipnet_contains(const struct ipnet4 *n, uint32_t ip)
{
        return (ip & ipnet_mask(n->prefix)) == ipnet_network(n);
}

bool ipnet_overlaps(const struct ipnet4 *a, const struct ipnet4 *b)
{
        /* two CIDR blocks overlap iff one contains the other: compare under the shorter mask */
        uint8_t p = a->prefix < b->prefix ? a->prefix : b->prefix;
        uint32_t m = ipnet_mask(p);
        return (a->addr & m) == (b->addr & m);
}

void ipnet_format(const struct ipnet4 *n, char buf[IPNET4_STRLEN])
{
        char ip[IPV4_STRLEN];
        ipv4_format(ipnet_network(n), ip);
        snprintf(buf, IPNET4_STRLEN, "%s/%u", ip, n->prefix);
}

static int push(struct ipnet4 **v, size_t *n, size_t *cap, uint32_t addr, uint8_t prefix)
{
        if (*n == *cap) {
                size_t c = *cap ? *cap * 2 : 16;
                struct ipnet4 *nv = realloc(*v, c * sizeof(**v));
                if (!nv)
                        return -ENOMEM;
                *v = nv;
                *cap = c;
        }
        (*v)[(*n)++] = (struct ipnet4){ .addr = addr & ipnet_mask(prefix), .prefix = prefix };
        return 0;
}

static int mask_to_prefix(uint32_t mask)
{
        int p = 0;
        while (p < 32 && (mask & (0x80000000u >> p)))
                p++;
        return p;
}

int ipnet_host_networks(struct ipnet4 **ret, size_t *ret_n)
{
        struct ipnet4 *v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        _cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
        if (f) {
                char line[512];
                bool header = true;
                while (fgets(line, sizeof(line), f)) {
                        if (header) {
                                header = false;
                                continue;
                        }
                        char ifname[64];
                        unsigned dst, gw, flags, refcnt, use, metric, mask;
                        if (sscanf(line, "%63s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt, &use, &metric,
                                   &mask) != 8)
                                continue;
                        /* the file holds the values in network byte order, printed as native ints */
                        uint32_t d = ntohl(dst), m = ntohl(mask);
                        if (m == 0)
                                continue; /* default route */
                        r = push(&v, &n, &cap, d, (uint8_t) mask_to_prefix(m));
                        if (r < 0)
                                goto fail;
                }
        }

        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) == 0) {
                for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask)
                                continue;
                        uint32_t a = ntohl(((struct sockaddr_in *) (void *) i->ifa_addr)->sin_addr.s_addr);
                        uint32_t m = ntohl(((struct sockaddr_in *) (void *) i->ifa_netmask)->sin_addr.s_addr);
                        r = push(&v, &n, &cap, a, (uint8_t) mask_to_prefix(m));
                        if (r < 0) {
                                freeifaddrs(ifa);
                                goto fail;
                        }
                }
                freeifaddrs(ifa);
        }
        *ret = v;
        *ret_n = n;
        return 0;
fail:
        free(v);
        return r;
}
