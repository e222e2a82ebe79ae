#include "daemon/network/portmap.h"

#include "daemon/network/ipnet.h"
#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* A decimal port 0..65535 (Go's ParseUint(s, 10, 16)). */
static int parse_port(const char *s, size_t len, unsigned *ret)
{
        if (len == 0 || len > 5)
                return -EINVAL;
        unsigned v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned) (s[i] - '0');
        }
        if (v > 65535)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "8000" or "8000-8010" */
static int parse_range(const char *s, unsigned *start, unsigned *end)
{
        if (!*s)
                return -EINVAL;
        const char *dash = strchr(s, '-');
        if (!dash) {
                if (parse_port(s, strlen(s), start) < 0)
                        return -EINVAL;
                *end = *start;
                return 0;
        }
        if (strchr(dash + 1, '-'))
                return -EINVAL;
        if (parse_port(s, (size_t) (dash - s), start) < 0 || parse_port(dash + 1, strlen(dash + 1), end) < 0)
                return -EINVAL;
        return *end < *start ? -EINVAL : 0;
}

static bool proto_valid(const char *p)
{
        return strcasecmp(p, "tcp") == 0 || strcasecmp(p, "udp") == 0 || strcasecmp(p, "sctp") == 0;
}

int port_key_parse(const char *key, unsigned *ret_port, char proto[8])
{
        const char *slash = strchr(key, '/');
        size_t plen = slash ? (size_t) (slash - key) : strlen(key);
        const char *pr = slash && slash[1] ? slash + 1 : "tcp";
        if (parse_port(key, plen, ret_port) < 0 || *ret_port == 0 || strlen(pr) >= 8 || !proto_valid(pr))
                return -EINVAL;
        for (size_t i = 0; i <= strlen(pr); i++)
                proto[i] = (char) (pr[i] >= 'A' && pr[i] <= 'Z' ? pr[i] - 'A' + 'a' : pr[i]);
        return 0;
}

static int parse_one(const char *raw, json_t *port_bindings, json_t *exposed_ports, struct pouch_err *err)
{
        _cleanup_free_ char *buf = strdup(raw);
        if (!buf)
                return -ENOMEM;
        /* split on ':' from the right: containerPort is the last part, hostPort the one before, and
         * everything before that is the IP (which may itself contain ':' for IPv6) */
        char *ip = NULL, *host = NULL, *ctr = buf;
        char *last = strrchr(buf, ':');
        if (last) {
                *last = '\0';
                ctr = last + 1;
                char *prev = strrchr(buf, ':');
                if (prev) {
                        *prev = '\0';
                        host = prev + 1;
                        ip = buf;
                } else {
                        host = buf;
                }
        }
        /* proto: "80/udp"; "80" and "80/" mean tcp */
        const char *proto = "tcp";
        char *slash = strchr(ctr, '/');
        if (slash) {
                *slash = '\0';
                if (slash[1])
                        proto = slash + 1;
        }
        if (!proto_valid(proto))
                return err_set(err, -EINVAL, "invalid proto: %s", proto);
        char ipbuf[64] = "";
        if (ip && *ip) {
                size_t n = strlen(ip);
                if (ip[0] == '[') {
                        if (ip[n - 1] != ']' || n < 3 || n - 2 >= sizeof(ipbuf))
                                return err_set(err, -EINVAL, "invalid IP address %s: missing ']' in address", ip);
                        memcpy(ipbuf, ip + 1, n - 2);
                        ipbuf[n - 2] = '\0';
                } else if (n < sizeof(ipbuf)) {
                        memcpy(ipbuf, ip, n + 1);
                }
                unsigned char a[16];
                if (!ipbuf[0] || (inet_pton(AF_INET, ipbuf, a) != 1 && inet_pton(AF_INET6, ipbuf, a) != 1))
                        return err_set(err, -EINVAL, "invalid IP address: %s", ip);
        }
        if (!*ctr)
                return err_set(err, -EINVAL, "no port specified: %s<empty>", raw);
        unsigned cs, ce, hs = 0, he = 0;
        if (parse_range(ctr, &cs, &ce) < 0 || cs == 0)
                return err_set(err, -EINVAL, "invalid containerPort: %s", ctr);
        bool have_host = host && *host;
        if (have_host) {
                if (parse_range(host, &hs, &he) < 0)
                        return err_set(err, -EINVAL, "invalid hostPort: %s", host);
                if (ce - cs != he - hs && ce != cs)
                        return err_set(err, -EINVAL, "invalid ranges specified for container and host Ports: %s and %s",
                                       ctr, host);
        }
        char lproto[8];
        for (size_t i = 0; i <= strlen(proto); i++)
                lproto[i] = (char) (proto[i] >= 'A' && proto[i] <= 'Z' ? proto[i] - 'A' + 'a' : proto[i]);
        for (unsigned i = 0; i <= ce - cs; i++) {
                char key[32], hp[16] = "";
                snprintf(key, sizeof(key), "%u/%s", cs + i, lproto);
                if (have_host) {
                        if (cs == ce && hs != he)
                                snprintf(hp, sizeof(hp), "%u-%u", hs, he); /* allocate one from the range */
                        else
                                snprintf(hp, sizeof(hp), "%u", hs + i);
                }
                if (exposed_ports && !json_object_get(exposed_ports, key))
                        json_object_set_new(exposed_ports, key, json_object());
                if (port_bindings) {
                        json_t *arr = json_object_get(port_bindings, key);
                        if (!json_is_array(arr)) {
                                arr = json_array();
                                json_object_set_new(port_bindings, key, arr);
                        }
                        json_array_append_new(arr, json_pack("{s:s,s:s}", "HostIp", ipbuf, "HostPort", hp));
                }
        }
        return 0;
}

int ports_parse(char *const *specs, json_t *port_bindings, json_t *exposed_ports, struct pouch_err *err)
{
        for (size_t i = 0; specs && specs[i]; i++) {
                int r = parse_one(specs[i], port_bindings, exposed_ports, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

int ports_publish_all(json_t *exposed_ports, json_t *port_bindings)
{
        const char *key;
        json_t *v;
        json_object_foreach(exposed_ports, key, v) {
                json_t *arr = json_object_get(port_bindings, key);
                if (json_is_array(arr) && json_array_size(arr) > 0)
                        continue;
                arr = json_array();
                json_array_append_new(arr, json_pack("{s:s,s:s}", "HostIp", "", "HostPort", ""));
                json_object_set_new(port_bindings, key, arr);
        }
        return 0;
}

static int sock_type(const char *proto, int *type, int *protocol)
{
        if (strcmp(proto, "udp") == 0) {
                *type = SOCK_DGRAM;
                *protocol = 0;
        } else if (strcmp(proto, "sctp") == 0) {
                *type = SOCK_STREAM;
                *protocol = IPPROTO_SCTP;
        } else {
                *type = SOCK_STREAM;
                *protocol = 0;
        }
        return 0;
}

/* Bind PORT (0 = any) on host_ip; on success the fd is returned (caller closes). */
static int bind_port(const char *proto, const char *host_ip, unsigned port)
{
        int type, protocol;
        sock_type(proto, &type, &protocol);
        _cleanup_close_ int fd = socket(AF_INET, type | SOCK_CLOEXEC, protocol);
        if (fd < 0)
                return -errno;
        int one = 1;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port) };
        uint32_t a = 0;
        if (host_ip && *host_ip && ipv4_parse(host_ip, &a) < 0)
                return -EINVAL;
        sa.sin_addr.s_addr = htonl(a);
        if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        return TAKE_FD(fd);
}

int port_try_bind(const char *proto, const char *host_ip, unsigned port)
{
        int fd = bind_port(proto, host_ip, port);
        if (fd == -EPROTONOSUPPORT || fd == -ESOCKTNOSUPPORT)
                return 0; /* e.g. no SCTP in this kernel: nothing to check against */
        if (fd < 0)
                return fd;
        close(fd);
        return 0;
}

static bool ip_any(const char *ip)
{
        return !ip || !*ip || strcmp(ip, "0.0.0.0") == 0;
}

/* Whether host_ip:port/proto clashes with a mapping of `list`. */
static bool clashes(json_t *list, const char *proto, const char *host_ip, unsigned port)
{
        size_t i;
        json_t *m;
        json_array_foreach(list, i, m) {
                if ((unsigned) json_get_int(m, "HostPort", 0) != port ||
                    strcmp(json_get_str(m, "Protocol", "tcp"), proto))
                        continue;
                const char *oip = json_get_str(m, "HostIp", "");
                if (ip_any(oip) || ip_any(host_ip) || strcmp(oip, host_ip) == 0)
                        return true;
        }
        return false;
}

static int busy(struct pouch_err *err, const char *host_ip, unsigned port)
{
        return err_set(err, -EBUSY, "Bind for %s:%u failed: port is already allocated",
                       ip_any(host_ip) ? "0.0.0.0" : host_ip, port);
}

/* Check a definite port; 0 when usable. */
static int check_port(json_t *taken, json_t *mine, const char *proto, const char *host_ip, unsigned port,
                      struct pouch_err *err)
{
        if (clashes(taken, proto, host_ip, port) || clashes(mine, proto, host_ip, port))
                return busy(err, host_ip, port);
        int r = port_try_bind(proto, host_ip, port);
        if (r == -EADDRINUSE)
                return busy(err, host_ip, port);
        if (r == -EADDRNOTAVAIL || r == -EINVAL)
                return err_set(err, -EINVAL,
                               "Error starting userland proxy: listen %s4 %s:%u: bind: cannot assign requested address",
                               proto, ip_any(host_ip) ? "0.0.0.0" : host_ip, port);
        if (r < 0)
                return err_set(err, r, "cannot bind %s:%u/%s: %s", ip_any(host_ip) ? "0.0.0.0" : host_ip, port, proto,
                               strerror(-r));
        return 0;
}

static int random_port(json_t *taken, json_t *mine, const char *proto, const char *host_ip, unsigned *ret,
                       struct pouch_err *err)
{
        for (int attempt = 0; attempt < 32; attempt++) {
                _cleanup_close_ int fd = bind_port(proto, host_ip, 0);
                if (fd == -EPROTONOSUPPORT || fd == -ESOCKTNOSUPPORT)
                        fd = bind_port("tcp", host_ip, 0); /* no SCTP here: let TCP pick a number */
                if (fd < 0)
                        return err_set(err, fd, "cannot allocate a host port on %s: %s",
                                       ip_any(host_ip) ? "0.0.0.0" : host_ip, strerror(-fd));
                struct sockaddr_in sa;
                socklen_t len = sizeof(sa);
                if (getsockname(fd, (struct sockaddr *) &sa, &len) < 0)
                        return err_set(err, -errno, "getsockname: %m");
                unsigned p = ntohs(sa.sin_port);
                if (!clashes(taken, proto, host_ip, p) && !clashes(mine, proto, host_ip, p)) {
                        *ret = p;
                        return 0;
                }
        }
        return err_set(err, -EBUSY, "no free host port left for %s", proto);
}

int ports_resolve(json_t *port_bindings, json_t *taken, json_t **ret_mappings, struct pouch_err *err)
{
        _cleanup_json_ json_t *out = json_array();
        if (!out)
                return -ENOMEM;
        /* two passes: fixed ports first, so a random pick never takes one asked for explicitly */
        for (int pass = 0; pass < 2; pass++) {
                const char *key;
                json_t *arr;
                json_object_foreach(port_bindings, key, arr) {
                        unsigned cport;
                        char proto[8];
                        if (port_key_parse(key, &cport, proto) < 0)
                                return err_set(err, -EINVAL, "invalid port specification: \"%s\"", key);
                        json_t *one_default = NULL;
                        if (!json_is_array(arr) || json_array_size(arr) == 0) {
                                /* {"80/tcp": null} or []: like docker, a random port on all addresses */
                                one_default = json_pack("[{s:s,s:s}]", "HostIp", "", "HostPort", "");
                                arr = one_default;
                        }
                        size_t i;
                        json_t *b;
                        int r = 0;
                        json_array_foreach(arr, i, b) {
                                const char *hip = json_get_str(b, "HostIp", "");
                                const char *hp = json_get_str(b, "HostPort", "");
                                uint32_t dummy;
                                if (*hip && ipv4_parse(hip, &dummy) < 0) {
                                        r = err_set(err, -EINVAL,
                                                    "invalid host IP %s for port %s: only IPv4 is supported", hip, key);
                                        break;
                                }
                                unsigned hs = 0, he = 0;
                                if (*hp && parse_range(hp, &hs, &he) < 0) {
                                        r = err_set(err, -EINVAL, "invalid hostPort: %s", hp);
                                        break;
                                }
                                bool fixed = hs != 0 && hs == he;
                                if ((pass == 0) != fixed)
                                        continue;
                                unsigned port = 0;
                                if (fixed) {
                                        r = check_port(taken, out, proto, hip, hs, err);
                                } else if (hs == 0) {
                                        r = random_port(taken, out, proto, hip, &port, err);
                                } else {
                                        /* a range: the first usable port in it */
                                        r = -EBUSY;
                                        for (unsigned p = hs; p <= he && r < 0; p++) {
                                                r = check_port(taken, out, proto, hip, p, err);
                                                if (r == 0)
                                                        port = p;
                                                else if (r != -EBUSY)
                                                        break;
                                        }
                                        if (r == -EBUSY)
                                                r = err_set(err, -EBUSY,
                                                            "Bind for %s:%s failed: port is already allocated",
                                                            ip_any(hip) ? "0.0.0.0" : hip, hp);
                                }
                                if (r < 0)
                                        break;
                                if (fixed)
                                        port = hs;
                                json_array_append_new(out, json_pack("{s:s,s:I,s:I,s:s}", "HostIp", hip, "HostPort",
                                                                     (json_int_t) port, "ContainerPort",
                                                                     (json_int_t) cport, "Protocol", proto));
                        }
                        json_decref(one_default);
                        if (r < 0)
                                return r;
                }
        }
        *ret_mappings = TAKE_PTR(out);
        return 0;
}

json_t *ports_to_cni(json_t *mappings)
{
        json_t *out = json_array();
        size_t i;
        json_t *m;
        json_array_foreach(mappings, i, m) {
                const char *hip = json_get_str(m, "HostIp", "");
                json_t *e = json_pack("{s:I,s:I,s:s}", "hostPort", (json_int_t) json_get_int(m, "HostPort", 0),
                                      "containerPort", (json_int_t) json_get_int(m, "ContainerPort", 0), "protocol",
                                      json_get_str(m, "Protocol", "tcp"));
                if (!ip_any(hip))
                        json_object_set_new(e, "hostIP", json_string(hip));
                json_array_append_new(out, e);
        }
        return out;
}

void ports_to_docker(json_t *mappings, json_t *ports)
{
        size_t i;
        json_t *m;
        json_array_foreach(mappings, i, m) {
                char key[32], hp[16];
                snprintf(key, sizeof(key), "%d/%s", (int) json_get_int(m, "ContainerPort", 0),
                         json_get_str(m, "Protocol", "tcp"));
                snprintf(hp, sizeof(hp), "%d", (int) json_get_int(m, "HostPort", 0));
                const char *hip = json_get_str(m, "HostIp", "");
                json_t *arr = json_object_get(ports, key);
                if (!json_is_array(arr)) {
                        arr = json_array();
                        json_object_set_new(ports, key, arr);
                }
                json_array_append_new(arr,
                                      json_pack("{s:s,s:s}", "HostIp", ip_any(hip) ? "0.0.0.0" : hip, "HostPort", hp));
        }
}
