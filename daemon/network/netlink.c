#include "daemon/network/netlink.h"

#include "lib/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct nlbuf {
        union {
                struct nlmsghdr h;
                char raw[1024];
        };
};

static int attr_add(struct nlmsghdr *n, int type, const void *data, size_t len)
{
        size_t off = NLMSG_ALIGN(n->nlmsg_len);
        if (off + RTA_SPACE(len) > sizeof(struct nlbuf))
                return -ENOBUFS;
        struct rtattr *a = (struct rtattr *) (void *) ((char *) n + off);
        a->rta_type = (unsigned short) type;
        a->rta_len = (unsigned short) RTA_LENGTH(len);
        if (len)
                memcpy(RTA_DATA(a), data, len);
        n->nlmsg_len = (uint32_t) (off + RTA_SPACE(len));
        return 0;
}

static struct rtattr *nest_start(struct nlmsghdr *n, int type)
{
        struct rtattr *a = (struct rtattr *) (void *) ((char *) n + NLMSG_ALIGN(n->nlmsg_len));
        if (attr_add(n, type, NULL, 0) < 0)
                return NULL;
        return a;
}

static void nest_end(struct nlmsghdr *n, struct rtattr *a)
{
        a->rta_len = (unsigned short) ((char *) n + n->nlmsg_len - (char *) a);
}

/* Send the request and wait for its ack; returns the kernel's -errno. */
static int talk(struct nlmsghdr *n)
{
        _cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0)
                return -errno;
        struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
        n->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        n->nlmsg_seq = 1;
        if (sendto(fd, n, n->nlmsg_len, 0, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        struct nlbuf reply;
        for (;;) {
                ssize_t len = recv(fd, reply.raw, sizeof(reply.raw), 0);
                if (len < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                for (struct nlmsghdr *h = &reply.h; NLMSG_OK(h, (unsigned) len); h = NLMSG_NEXT(h, len)) {
                        if (h->nlmsg_type == NLMSG_ERROR) {
                                struct nlmsgerr *e = NLMSG_DATA(h);
                                return e->error; /* 0 is the ack */
                        }
                        if (h->nlmsg_type == NLMSG_DONE)
                                return 0;
                }
        }
}

int nl_veth_add(const char *name, const char *peer)
{
        if (strlen(name) >= IFNAMSIZ || strlen(peer) >= IFNAMSIZ)
                return -EINVAL;
        struct nlbuf b;
        memset(&b, 0, sizeof(b));
        b.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        b.h.nlmsg_type = RTM_NEWLINK;
        b.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        struct ifinfomsg *ifi = NLMSG_DATA(&b.h);
        ifi->ifi_family = AF_UNSPEC;
        if (attr_add(&b.h, IFLA_IFNAME, name, strlen(name) + 1) < 0)
                return -ENOBUFS;
        struct rtattr *info = nest_start(&b.h, IFLA_LINKINFO);
        if (!info || attr_add(&b.h, IFLA_INFO_KIND, "veth", 5) < 0)
                return -ENOBUFS;
        struct rtattr *data = nest_start(&b.h, IFLA_INFO_DATA);
        struct rtattr *p = data ? nest_start(&b.h, VETH_INFO_PEER) : NULL;
        if (!p)
                return -ENOBUFS;
        /* the peer attribute starts with its own ifinfomsg */
        struct ifinfomsg pi = { .ifi_family = AF_UNSPEC };
        size_t off = NLMSG_ALIGN(b.h.nlmsg_len);
        if (off + NLMSG_ALIGN(sizeof(pi)) > sizeof(b))
                return -ENOBUFS;
        memcpy((char *) &b.h + off, &pi, sizeof(pi));
        b.h.nlmsg_len = (uint32_t) (off + NLMSG_ALIGN(sizeof(pi)));
        if (attr_add(&b.h, IFLA_IFNAME, peer, strlen(peer) + 1) < 0)
                return -ENOBUFS;
        nest_end(&b.h, p);
        nest_end(&b.h, data);
        nest_end(&b.h, info);
        return talk(&b.h);
}

int nl_addr4_add(const char *name, uint32_t addr, unsigned prefix)
{
        unsigned idx = if_nametoindex(name);
        if (idx == 0)
                return -ENODEV;
        struct nlbuf b;
        memset(&b, 0, sizeof(b));
        b.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg));
        b.h.nlmsg_type = RTM_NEWADDR;
        b.h.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        struct ifaddrmsg *ifa = NLMSG_DATA(&b.h);
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = (unsigned char) prefix;
        ifa->ifa_index = idx;
        uint32_t be = htonl(addr);
        if (attr_add(&b.h, IFA_LOCAL, &be, 4) < 0 || attr_add(&b.h, IFA_ADDRESS, &be, 4) < 0)
                return -ENOBUFS;
        return talk(&b.h);
}

int nl_link_del(const char *name)
{
        unsigned idx = if_nametoindex(name);
        if (idx == 0)
                return -ENODEV;
        struct nlbuf b;
        memset(&b, 0, sizeof(b));
        b.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
        b.h.nlmsg_type = RTM_DELLINK;
        struct ifinfomsg *ifi = NLMSG_DATA(&b.h);
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = (int) idx;
        return talk(&b.h);
}

int nl_link_up(const char *name)
{
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct ifreq ifr;
        memset(&ifr, 0, sizeof(ifr));
        if (strlen(name) >= sizeof(ifr.ifr_name))
                return -EINVAL;
        memcpy(ifr.ifr_name, name, strlen(name) + 1);
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        if (ifr.ifr_flags & IFF_UP)
                return 0;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

bool nl_link_exists(const char *name)
{
        return if_nametoindex(name) != 0;
}

bool nl_link_is_bridge(const char *name)
{
        char path[128];
        struct stat st;
        if (strchr(name, '/') || snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name) >= (int) sizeof(path))
                return false;
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
