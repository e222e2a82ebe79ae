/* Unit tests for daemon/network: CIDRs, -p specs, CNI configuration and results, /etc files, and
 * the network store with fake CNI plugins (shell scripts logging what they are given), so attach,
 * detach, rollback and persistence run without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/network/cni-conf.h"
#include "daemon/network/cni-exec.h"
#include "daemon/network/ipnet.h"
#include "daemon/network/network.h"
#include "daemon/network/portmap.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------------------------- */

static json_t *jparse(const char *s)
{
        json_error_t e;
        json_t *j = json_loads(s, 0, &e);
        if (!j)
                fail_msg("bad JSON in test: %s: %s", s, e.text);
        return j;
}

/* assert JSON equality, printing both on mismatch */
#define assert_json_eq(got, want_str)                                                                        \
        do {                                                                                                 \
                _cleanup_json_ json_t *_w = jparse(want_str);                                                \
                if (!json_equal((got), _w)) {                                                                \
                        _cleanup_free_ char *_g = json_dumps((got), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY); \
                        fail_msg("JSON mismatch:\n got  %s\n want %s", _g, want_str);                        \
                }                                                                                            \
        } while (0)

static char *slurp(const char *path)
{
        char *d = NULL;
        if (read_file(path, 1 << 20, &d, NULL) < 0)
                return strdup("");
        return d;
}

static void spit(const char *path, const char *content)
{
        assert_int_equal(write_file_atomic(path, content, strlen(content), 0755), 0);
}

/* A free TCP port on 0.0.0.0 (bind to 0, read back, close). */
static unsigned free_port(void)
{
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        assert_true(fd >= 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        socklen_t l = sizeof(sa);
        assert_int_equal(getsockname(fd, (struct sockaddr *) &sa, &l), 0);
        close(fd);
        return ntohs(sa.sin_port);
}

/* ---- ipnet ------------------------------------------------------------------------------- */

static void test_ipnet(void **state)
{
        (void) state;
        struct ipnet4 a, b;
        char buf[IPNET4_STRLEN];
        assert_int_equal(ipnet_parse("10.1.2.3/24", &a), 0);
        assert_int_equal(a.prefix, 24);
        ipnet_format(&a, buf);
        assert_string_equal(buf, "10.1.2.0/24");
        assert_int_equal(ipnet_parse("0.0.0.0/0", &a), 0);
        assert_int_equal(ipnet_parse("255.255.255.255/32", &a), 0);
        const char *bad[] = { "10.1.2.3", "10.1.2.3/", "10.1.2.3/33", "10.1.2/24", "10.1.2.256/24", "a.b.c.d/8",
                              "10.1.2.3/2x", "/24", "10.1.2.3/024", "::1/64", "" };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                if (ipnet_parse(bad[i], &a) != -EINVAL)
                        fail_msg("%s parsed", bad[i]);

        uint32_t ip;
        assert_int_equal(ipv4_parse("172.17.0.1", &ip), 0);
        assert_int_equal(ip, 0xac110001u);
        assert_int_equal(ipv4_parse("172.17.0", &ip), -EINVAL);

        ipnet_parse("172.17.0.0/16", &a);
        assert_true(ipnet_contains(&a, 0xac11ff01u));
        assert_false(ipnet_contains(&a, 0xac120001u));
        char ipb[IPV4_STRLEN];
        ipv4_format(ipnet_last(&a), ipb);
        assert_string_equal(ipb, "172.17.255.255");

        struct {
                const char *x, *y;
                bool overlap;
        } cases[] = {
                { "10.0.0.0/8", "10.1.0.0/16", true },   { "10.1.0.0/16", "10.0.0.0/8", true },
                { "10.1.0.0/24", "10.1.1.0/24", false }, { "10.1.0.0/23", "10.1.1.0/24", true },
                { "192.168.0.0/20", "192.168.16.0/20", false }, { "0.0.0.0/0", "1.2.3.4/32", true },
                { "10.1.0.128/25", "10.1.0.0/25", false }, { "10.1.0.5/32", "10.1.0.5/32", true },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                assert_int_equal(ipnet_parse(cases[i].x, &a), 0);
                assert_int_equal(ipnet_parse(cases[i].y, &b), 0);
                if (ipnet_overlaps(&a, &b) != cases[i].overlap)
                        fail_msg("%s vs %s: expected overlap=%d", cases[i].x, cases[i].y, cases[i].overlap);
        }

        _cleanup_free_ struct ipnet4 *host = NULL;
        size_t n = 0;
        assert_int_equal(ipnet_host_networks(&host, &n), 0);
}

/* ---- ports ------------------------------------------------------------------------------- */

static void parse_ok(const char *spec, const char *want_pb, const char *want_ep)
{
        _cleanup_json_ json_t *pb = json_object(), *ep = json_object();
        char *const specs[] = { (char *) spec, NULL };
        struct pouch_err err = { 0 };
        int r = ports_parse(specs, pb, ep, &err);
        if (r < 0)
                fail_msg("%s: %s", spec, err.msg);
        assert_json_eq(pb, want_pb);
        assert_json_eq(ep, want_ep);
}

static void parse_bad(const char *spec, const char *want_msg)
{
        _cleanup_json_ json_t *pb = json_object(), *ep = json_object();
        char *const specs[] = { (char *) spec, NULL };
        struct pouch_err err = { 0 };
        assert_int_equal(ports_parse(specs, pb, ep, &err), -EINVAL);
        if (strcmp(err.msg, want_msg) != 0)
                fail_msg("%s: got \"%s\", want \"%s\"", spec, err.msg, want_msg);
}

static void test_ports_parse(void **state)
{
        (void) state;
        parse_ok("8080:80", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}", "{\"80/tcp\":{}}");
        parse_ok("80", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}", "{\"80/tcp\":{}}");
        parse_ok("80/", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}", "{\"80/tcp\":{}}");
        parse_ok("127.0.0.1:5353:53/UDP", "{\"53/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"5353\"}]}",
                 "{\"53/udp\":{}}");
        parse_ok("10.0.0.1::80", "{\"80/tcp\":[{\"HostIp\":\"10.0.0.1\",\"HostPort\":\"\"}]}", "{\"80/tcp\":{}}");
        parse_ok("[::1]:8080:80", "{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"8080\"}]}", "{\"80/tcp\":{}}");
        parse_ok("8000-8001:80-81/sctp",
                 "{\"80/sctp\":[{\"HostIp\":\"\",\"HostPort\":\"8000\"}],\"81/sctp\":[{\"HostIp\":\"\",\"HostPort\":\"8001\"}]}",
                 "{\"80/sctp\":{},\"81/sctp\":{}}");
        parse_ok("8000-8010:80", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8000-8010\"}]}", "{\"80/tcp\":{}}");
        parse_ok("90-91", "{\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],\"91/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}",
                 "{\"90/tcp\":{},\"91/tcp\":{}}");

        /* several specs accumulate; the same port twice gets two bindings */
        _cleanup_json_ json_t *pb = json_object();
        char *const specs[] = { "8080:80", "127.0.0.1:8081:80", "53:53/udp", NULL };
        assert_int_equal(ports_parse(specs, pb, NULL, NULL), 0);
        assert_json_eq(pb, "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}],"
                           "\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"53\"}]}");

        parse_bad("abc", "invalid containerPort: abc");
        parse_bad("80:abc", "invalid containerPort: abc");
        parse_bad("abc:80", "invalid hostPort: abc");
        parse_bad("70000", "invalid containerPort: 70000");
        parse_bad("0", "invalid containerPort: 0");
        parse_bad("80-70", "invalid containerPort: 80-70");
        parse_bad("80/xyz", "invalid proto: xyz");
        parse_bad("1.2.3:80:80", "invalid IP address: 1.2.3");
        parse_bad("8000-8001:80-82", "invalid ranges specified for container and host Ports: 80-82 and 8000-8001");
        parse_bad("80:", "no port specified: 80:<empty>");
        parse_bad("[::1:80:80", "invalid IP address [::1: missing ']' in address");

        /* -P */
        _cleanup_json_ json_t *exposed = jparse("{\"80/tcp\":{},\"53/udp\":{}}");
        _cleanup_json_ json_t *bind = jparse("{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}");
        assert_int_equal(ports_publish_all(exposed, bind), 0);
        assert_json_eq(bind, "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}");

        unsigned p;
        char proto[8];
        assert_int_equal(port_key_parse("443/TCP", &p, proto), 0);
        assert_int_equal(p, 443);
        assert_string_equal(proto, "tcp");
        assert_int_equal(port_key_parse("x/tcp", &p, proto), -EINVAL);
}

static void test_ports_resolve(void **state)
{
        (void) state;
        unsigned p1 = free_port();
        char buf[512];
        struct pouch_err err = { 0 };

        /* fixed, random and a range; the random one is a real free ephemeral port */
        snprintf(buf, sizeof(buf),
                 "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}],\"81/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"0\"}],"
                 "\"82/udp\":null}",
                 p1);
        _cleanup_json_ json_t *pb = jparse(buf);
        _cleanup_json_ json_t *m = NULL;
        int r = ports_resolve(pb, NULL, &m, &err);
        if (r < 0)
                fail_msg("%s", err.msg);
        assert_int_equal(json_array_size(m), 3);
        json_t *first = json_array_get(m, 0);
        assert_int_equal(json_get_int(first, "HostPort", 0), p1);
        assert_int_equal(json_get_int(first, "ContainerPort", 0), 80);
        for (size_t i = 1; i < 3; i++) {
                json_int_t hp = json_get_int(json_array_get(m, i), "HostPort", 0);
                assert_true(hp > 1024 && hp <= 65535 && hp != (json_int_t) p1);
        }
        _cleanup_json_ json_t *cni = ports_to_cni(m);
        snprintf(buf, sizeof(buf), "{\"hostPort\":%u,\"containerPort\":80,\"protocol\":\"tcp\"}", p1);
        assert_json_eq(json_array_get(cni, 0), buf);
        assert_string_equal(json_get_str(json_array_get(cni, 1), "hostIP", ""), "127.0.0.1");
        _cleanup_json_ json_t *dock = json_object();
        ports_to_docker(m, dock);
        snprintf(buf, sizeof(buf), "[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%u\"}]", p1);
        assert_json_eq(json_object_get(dock, "80/tcp"), buf);

        /* the port is taken by another endpoint (any address clashes with 0.0.0.0) */
        snprintf(buf, sizeof(buf), "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":%u,\"ContainerPort\":8,\"Protocol\":\"tcp\"}]", p1);
        _cleanup_json_ json_t *taken = jparse(buf);
        snprintf(buf, sizeof(buf), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}]}", p1);
        _cleanup_json_ json_t *pb2 = jparse(buf);
        _cleanup_json_ json_t *m2 = NULL;
        assert_int_equal(ports_resolve(pb2, taken, &m2, &err), -EBUSY);
        snprintf(buf, sizeof(buf), "Bind for 0.0.0.0:%u failed: port is already allocated", p1);
        assert_string_equal(err.msg, buf);
        /* same number, other protocol: fine */
        snprintf(buf, sizeof(buf), "{\"80/udp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}]}", p1);
        _cleanup_json_ json_t *pb3 = jparse(buf);
        _cleanup_json_ json_t *m3 = NULL;
        assert_int_equal(ports_resolve(pb3, taken, &m3, &err), 0);

        /* the port is bound by some process on the host */
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET };
        assert_int_equal(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        assert_int_equal(listen(fd, 1), 0);
        socklen_t l = sizeof(sa);
        getsockname(fd, (struct sockaddr *) &sa, &l);
        unsigned busy = ntohs(sa.sin_port);
        snprintf(buf, sizeof(buf), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}]}", busy);
        _cleanup_json_ json_t *pb4 = jparse(buf);
        _cleanup_json_ json_t *m4 = NULL;
        assert_int_equal(ports_resolve(pb4, NULL, &m4, &err), -EBUSY);
        assert_non_null(strstr(err.msg, "port is already allocated"));
        /* a range skips the busy port */
        snprintf(buf, sizeof(buf), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u-%u\"}]}", busy, busy + 1 > 65535 ? busy : busy + 1);
        _cleanup_json_ json_t *pb5 = jparse(buf);
        _cleanup_json_ json_t *m5 = NULL;
        if (busy < 65535 && port_try_bind("tcp", "", busy + 1) == 0) {
                assert_int_equal(ports_resolve(pb5, NULL, &m5, &err), 0);
                assert_int_equal(json_get_int(json_array_get(m5, 0), "HostPort", 0), busy + 1);
        }
        close(fd);

        _cleanup_json_ json_t *bad = jparse("{\"80/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"80\"}]}");
        _cleanup_json_ json_t *m6 = NULL;
        assert_int_equal(ports_resolve(bad, NULL, &m6, &err), -EINVAL);
}

/* ---- CNI configuration and results ------------------------------------------------------- */

static void test_conflist(void **state)
{
        (void) state;
        struct cni_net_params p = { .name = "pouch-abc", .bridge = "br-x", .subnet = "10.5.0.0/16", .gateway = "10.5.0.1",
                                    .ip_range = "10.5.1.0/24", .data_dir = "/var/lib/x/ipam", .mtu = 1400 };
        _cleanup_json_ json_t *cl = cni_conflist_build(&p);
        assert_non_null(cl);
        assert_json_eq(cl, "{\"cniVersion\":\"1.0.0\",\"name\":\"pouch-abc\",\"plugins\":["
                           "{\"type\":\"bridge\",\"bridge\":\"br-x\",\"isGateway\":true,\"ipMasq\":false,\"hairpinMode\":true,"
                           "\"mtu\":1400,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.5.0.0/16\","
                           "\"gateway\":\"10.5.0.1\",\"rangeStart\":\"10.5.1.0\",\"rangeEnd\":\"10.5.1.255\"}]],"
                           "\"dataDir\":\"/var/lib/x/ipam\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
                           "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":true}]}");

        /* internal: no default route; a range at the subnet edges avoids network/broadcast */
        struct cni_net_params q = { .name = "n", .bridge = "b", .subnet = "10.6.0.0/24", .gateway = "10.6.0.1",
                                    .ip_range = "10.6.0.0/24", .data_dir = "/d", .internal = true };
        _cleanup_json_ json_t *cl2 = cni_conflist_build(&q);
        json_t *br = json_array_get(json_object_get(cl2, "plugins"), 0);
        assert_false(json_get_bool(br, "ipMasq", true));
        assert_int_equal(json_array_size(json_get_path(br, "ipam.routes")), 0);
        json_t *range = json_array_get(json_array_get(json_get_path(br, "ipam.ranges"), 0), 0);
        assert_string_equal(json_get_str(range, "rangeStart", ""), "10.6.0.1");
        assert_string_equal(json_get_str(range, "rangeEnd", ""), "10.6.0.254");

        q.subnet = "junk";
        assert_null(cni_conflist_build(&q));
        q.subnet = "10.6.0.0/24";
        q.ip_range = "10.7.0.0/25";
        assert_null(cni_conflist_build(&q));

        /* what each plugin is handed */
        _cleanup_json_ json_t *prev = jparse("{\"cniVersion\":\"1.0.0\",\"ips\":[]}");
        _cleanup_json_ json_t *rc = jparse("{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
                                           "\"other\":1}");
        _cleanup_json_ json_t *c0 = cni_plugin_conf(cl, 0, NULL, rc);
        assert_string_equal(json_get_str(c0, "name", ""), "pouch-abc");
        assert_string_equal(json_get_str(c0, "cniVersion", ""), "1.0.0");
        assert_null(json_object_get(c0, "prevResult"));
        assert_null(json_object_get(c0, "runtimeConfig"));
        _cleanup_json_ json_t *c1 = cni_plugin_conf(cl, 1, prev, rc);
        assert_true(json_equal(json_object_get(c1, "prevResult"), prev));
        assert_json_eq(json_object_get(c1, "runtimeConfig"),
                       "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}]}");
        assert_null(cni_plugin_conf(cl, 3, NULL, NULL));
        /* the list itself is untouched */
        assert_null(json_object_get(json_array_get(json_object_get(cl, "plugins"), 1), "name"));
}

static void test_cni_result(void **state)
{
        (void) state;
        struct cni_ip_result r;
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *res = jparse(
                "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br0\",\"mac\":\"aa:aa:aa:aa:aa:aa\"},"
                "{\"name\":\"veth1\",\"mac\":\"bb:bb:bb:bb:bb:bb\"},{\"name\":\"eth0\",\"mac\":\"02:42:0a:05:00:02\","
                "\"sandbox\":\"/run/netns/x\"}],\"ips\":[{\"address\":\"fd00::2/64\",\"interface\":2},"
                "{\"address\":\"10.5.0.2/16\",\"gateway\":\"10.5.0.1\",\"interface\":2}],"
                "\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"dns\":{}}");
        assert_int_equal(cni_result_parse(res, "eth0", &r, &err), 0);
        assert_string_equal(r.ip, "10.5.0.2");
        assert_int_equal(r.prefix, 16);
        assert_string_equal(r.gateway, "10.5.0.1");
        assert_string_equal(r.mac, "02:42:0a:05:00:02");

        /* no interface index: the first IPv4 address, the mac looked up by name */
        _cleanup_json_ json_t *res2 = jparse("{\"interfaces\":[{\"name\":\"eth1\",\"mac\":\"m1\",\"sandbox\":\"/x\"}],"
                                             "\"ips\":[{\"address\":\"192.168.9.9/24\"}]}");
        assert_int_equal(cni_result_parse(res2, "eth1", &r, &err), 0);
        assert_string_equal(r.ip, "192.168.9.9");
        assert_string_equal(r.gateway, "");
        assert_string_equal(r.mac, "m1");

        _cleanup_json_ json_t *res3 = jparse("{\"ips\":[{\"address\":\"fd00::1/64\"}]}");
        assert_int_equal(cni_result_parse(res3, "eth0", &r, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "no IPv4 address"));
}

/* ---- /etc files -------------------------------------------------------------------------- */

#define LOCALHOST_LINES                                                                                      \
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"          \
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"

static void test_hosts(void **state)
{
        (void) state;
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *peers = jparse("{\"db\":\"10.5.0.3\",\"cache\":\"10.5.0.4\",\"bad\":\"x\"}");
        char *const extra[] = { "gw:host-gateway", "six:fd00::9", "eq=1.2.3.4", "br:[fd00::1]", NULL };
        struct etc_files_opts o = { .hostname = "abc123", .domainname = "example.org", .ip = "10.5.0.2",
                                    .gateway = "10.5.0.1", .container_name = "web", .extra_hosts = extra, .peers = peers };
        _cleanup_free_ char *h = NULL;
        assert_int_equal(network_hosts_content(&o, &h, &err), 0);
        assert_string_equal(h, LOCALHOST_LINES "10.5.0.2\tabc123.example.org abc123 web\n"
                                               "10.5.0.1\tgw\nfd00::9\tsix\n1.2.3.4\teq\nfd00::1\tbr\n"
                                               "10.5.0.3\tdb\n10.5.0.4\tcache\n");

        /* no address (network none): only localhost; name == hostname is not repeated */
        struct etc_files_opts o2 = { .hostname = "web", .container_name = "web" };
        _cleanup_free_ char *h2 = NULL;
        assert_int_equal(network_hosts_content(&o2, &h2, &err), 0);
        assert_string_equal(h2, LOCALHOST_LINES);
        o2.ip = "10.0.0.9";
        _cleanup_free_ char *h3 = NULL;
        assert_int_equal(network_hosts_content(&o2, &h3, &err), 0);
        assert_string_equal(h3, LOCALHOST_LINES "10.0.0.9\tweb\n");

        char *const bad1[] = { "nocolon", NULL };
        char *const bad2[] = { "x:notanip", NULL };
        char *const bad3[] = { "x:host-gateway", NULL };
        _cleanup_free_ char *h4 = NULL;
        o2.extra_hosts = bad1;
        assert_int_equal(network_hosts_content(&o2, &h4, &err), -EINVAL);
        o2.extra_hosts = bad2;
        assert_int_equal(network_hosts_content(&o2, &h4, &err), -EINVAL);
        assert_string_equal(err.msg, "invalid IP address in add-host: \"notanip\"");
        o2.extra_hosts = bad3; /* no gateway known */
        assert_int_equal(network_hosts_content(&o2, &h4, &err), -EINVAL);
        assert_null(h4);
}

static void test_resolv(void **state)
{
        (void) state;
        struct pouch_err err = { 0 };
        struct etc_files_opts none = { 0 };
        char *r = NULL;

        /* systemd-resolved stub only: docker's fallback */
#define STUB "# managed\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n"
        const char *stub = STUB;
        assert_int_equal(network_resolv_conf_content(stub, &none, &r, &err), 0);
        assert_string_equal(r, "# managed\noptions edns0 trust-ad\nsearch lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        free(r);

        /* loopback and IPv6 nameservers dropped, others kept in place */
        const char *mixed = "nameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\nnameserver fd00::53\n"
                            "  nameserver   127.1.2.3  \nnameserver 192.168.1.1 # home\nsearch a.example b.example\n";
        assert_int_equal(network_resolv_conf_content(mixed, &none, &r, &err), 0);
        assert_string_equal(r, "nameserver 10.0.0.2\nnameserver 192.168.1.1 # home\nsearch a.example b.example\n");
        free(r);

        /* no host file at all */
        assert_int_equal(network_resolv_conf_content(NULL, &none, &r, &err), 0);
        assert_string_equal(r, "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        free(r);

        /* --dns replaces the nameservers; search and options still come from the host */
        char *const dns[] = { "1.1.1.1", "9.9.9.9", NULL };
        struct etc_files_opts o = { .dns = dns };
        assert_int_equal(network_resolv_conf_content(mixed, &o, &r, &err), 0);
        assert_string_equal(r, "search a.example b.example\nnameserver 1.1.1.1\nnameserver 9.9.9.9\n");
        free(r);

        /* --dns-search and --dns-option with the host's (filtered) nameservers */
        char *const search[] = { "corp.example", NULL };
        char *const opts[] = { "ndots:2", "timeout:1", NULL };
        struct etc_files_opts o2 = { .dns_search = search, .dns_options = opts };
        assert_int_equal(network_resolv_conf_content(STUB "nameserver 10.9.9.9\n", &o2, &r, &err), 0);
        assert_string_equal(r, "search corp.example\nnameserver 10.9.9.9\noptions ndots:2 timeout:1\n");
        free(r);

        /* --dns-search . = no search line; only loopback on the host = fallback */
        char *const dot[] = { ".", NULL };
        struct etc_files_opts o3 = { .dns_search = dot };
        assert_int_equal(network_resolv_conf_content(stub, &o3, &r, &err), 0);
        assert_string_equal(r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\noptions edns0 trust-ad\n");
        free(r);
}

static void test_write_etc_files(void **state)
{
        (void) state;
        char dir[] = "/tmp/pouch-net-etc-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char sub[128];
        snprintf(sub, sizeof(sub), "%s/c/etc", dir);
        struct pouch_err err = { 0 };
        char *const dns[] = { "10.0.0.53", NULL };
        struct etc_files_opts o = { .hostname = "h1", .ip = "10.1.0.2", .container_name = "n1", .dns = dns };
        assert_int_equal(network_write_etc_files(sub, &o, &err), 0);
        char p[256];
        snprintf(p, sizeof(p), "%s/hostname", sub);
        _cleanup_free_ char *hn = slurp(p);
        assert_string_equal(hn, "h1\n");
        snprintf(p, sizeof(p), "%s/hosts", sub);
        _cleanup_free_ char *hosts = slurp(p);
        assert_non_null(strstr(hosts, "\n10.1.0.2\th1 n1\n"));
        snprintf(p, sizeof(p), "%s/resolv.conf", sub);
        _cleanup_free_ char *rc = slurp(p);
        assert_non_null(strstr(rc, "nameserver 10.0.0.53\n"));
        assert_null(strstr(rc, "nameserver 127."));
        struct stat st;
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
        rm_rf(dir);
}

/* ---- the store, with fake plugins -------------------------------------------------------- */

/* One script installed as bridge, portmap and firewall. It logs "CMD TYPE CONTAINER IFNAME NETNS
 * ARGS" to calls.log, keeps its stdin in in-CMD-TYPE-CONTAINER.json, fails when a file
 * fail-CMD-TYPE exists, and on ADD prints a result: bridge makes one (10.88.0.N from a counter),
 * the others echo it (they would pass prevResult on). */
static const char fake_plugin[] =
        "#!/bin/sh\n"
        "t=${0##*/}; d=${0%/*}\n"
        "cat > \"$d/in-$CNI_COMMAND-$t-$CNI_CONTAINERID.json\"\n"
        "echo \"$CNI_COMMAND $t $CNI_CONTAINERID $CNI_IFNAME ${CNI_NETNS:-none} ${CNI_ARGS:-none}\" >> \"$d/calls.log\"\n"
        "if [ -e \"$d/fail-$CNI_COMMAND-$t\" ]; then\n"
        "  echo '{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"fake '$t' failure\",\"details\":\"as asked\"}'; exit 1\n"
        "fi\n"
        "[ \"$CNI_COMMAND\" = ADD ] || exit 0\n"
        "case $t in bridge*)\n"
        "  n=$(cat \"$d/counter\" 2>/dev/null || echo 1); n=$((n + 1)); echo $n > \"$d/counter\"\n"
        "  echo '{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"br\",\"mac\":\"02:00:00:00:00:01\"},"
        "{\"name\":\"veth'$n'\",\"mac\":\"02:00:00:00:01:'$n'\"},{\"name\":\"'$CNI_IFNAME'\",\"mac\":\"02:42:0a:58:00:'$n'\","
        "\"sandbox\":\"'$CNI_NETNS'\"}],\"ips\":[{\"address\":\"10.88.0.'$n'/24\",\"gateway\":\"10.88.0.1\","
        "\"interface\":2}]}' > \"$d/result-$CNI_CONTAINERID\";;\n"
        "esac\n"
        "cat \"$d/result-$CNI_CONTAINERID\"\n";

struct fx {
        char dir[64];
        char state[128], plugins[128], sysctl[128], ns[128], iptables[128], iptables_log[128];
        struct network_store_opts opts;
        struct network_store *s;
};

static int store_setup(void **state)
{
        struct fx *f = calloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/pouch-net-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
        snprintf(f->plugins, sizeof(f->plugins), "%s/plugins", f->dir);
        snprintf(f->sysctl, sizeof(f->sysctl), "%s/sys", f->dir);
        snprintf(f->ns, sizeof(f->ns), "%s/ns-file", f->dir);
        char p[256];
        snprintf(p, sizeof(p), "%s/net/ipv4", f->sysctl);
        mkdir_p(p, 0755);
        mkdir_p(f->plugins, 0755);
        snprintf(p, sizeof(p), "%s/net/ipv4/ip_forward", f->sysctl);
        spit(p, "0\n");
        const char *types[] = { "bridge", "portmap", "firewall" };
        for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
                snprintf(p, sizeof(p), "%s/%s", f->plugins, types[i]);
                spit(p, fake_plugin);
        }
        spit(f->ns, ""); /* a plain file: not a live namespace (the fakes never enter it) */
        /* iptables: log the call; -C finds nothing, so every ensure adds */
        snprintf(f->iptables, sizeof(f->iptables), "%s/iptables", f->dir);
        snprintf(f->iptables_log, sizeof(f->iptables_log), "%s/iptables.log", f->dir);
        char script[512];
        snprintf(script, sizeof(script), "#!/bin/sh\necho \"$*\" >> %s\n[ \"$4\" = -C ] && exit 1\nexit 0\n", f->iptables_log);
        spit(f->iptables, script);
        chmod(f->iptables, 0755);
        /* a bridge name no test host has */
        f->opts = (struct network_store_opts){ .state_dir = f->state, .plugin_dir = f->plugins,
                                               .default_bridge = "pt-unit0", .default_cidr = "10.231.0.1/16",
                                               .iptables = f->iptables };
        struct pouch_err err = { 0 };
        if (network_store_open(&f->opts, &f->s, &err) < 0) {
                fprintf(stderr, "open: %s\n", err.msg);
                return -1;
        }
        network_store_set_sysctl_dir(f->s, f->sysctl);
        *state = f;
        return 0;
}

static int store_teardown(void **state)
{
        struct fx *f = *state;
        network_store_free(f->s);
        rm_rf(f->dir);
        free(f);
        return 0;
}

static void reopen(struct fx *f)
{
        network_store_free(f->s);
        struct pouch_err err = { 0 };
        if (network_store_open(&f->opts, &f->s, &err) < 0)
                fail_msg("reopen: %s", err.msg);
        network_store_set_sysctl_dir(f->s, f->sysctl);
}

static char *calls(struct fx *f)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/calls.log", f->plugins);
        return slurp(p);
}

static void clear_calls(struct fx *f)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/calls.log", f->plugins);
        unlink(p);
}

static json_t *plugin_input(struct fx *f, const char *cmd, const char *type, const char *ctr)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/in-%s-%s-%s.json", f->plugins, cmd, type, ctr);
        json_t *j = NULL;
        if (json_read_file(p, &j, NULL, 0) < 0)
                fail_msg("no input recorded for %s %s %s", cmd, type, ctr);
        return j;
}

static void set_fail(struct fx *f, const char *what, bool on)
{
        char p[256];
        snprintf(p, sizeof(p), "%s/fail-%s", f->plugins, what);
        if (on)
                spit(p, "");
        else
                unlink(p);
}

static char *create(struct fx *f, const char *body, int want)
{
        _cleanup_json_ json_t *b = jparse(body);
        json_t *doc = NULL;
        struct pouch_err err = { 0 };
        int r = network_create(f->s, b, &doc, &err);
        if (r != want)
                fail_msg("create %s: got %d (%s), want %d", body, r, err.msg, want);
        if (r < 0)
                return strdup(err.msg);
        char *id = strdup(json_get_str(doc, "Id", ""));
        assert_string_equal(json_get_str(doc, "Warning", "x"), "");
        json_decref(doc);
        return id;
}

static json_t *inspect(struct fx *f, const char *name)
{
        json_t *doc = NULL;
        struct pouch_err err = { 0 };
        if (network_inspect(f->s, name, &doc, &err) < 0)
                fail_msg("inspect %s: %s", name, err.msg);
        return doc;
}

static void test_store_predefined(void **state)
{
        struct fx *f = *state;
        json_t *list = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(network_list(f->s, NULL, &list, &err), 0);
        assert_int_equal(json_array_size(list), 3);
        json_decref(list);

        _cleanup_json_ json_t *br = inspect(f, "bridge");
        assert_string_equal(json_get_str(br, "Driver", ""), "bridge");
        assert_string_equal(json_get_str(br, "Scope", ""), "local");
        assert_int_equal(strlen(json_get_str(br, "Id", "")), 64);
        assert_json_eq(json_get_path(br, "IPAM.Config"), "[{\"Subnet\":\"10.231.0.0/16\",\"Gateway\":\"10.231.0.1\"}]");
        assert_string_equal(json_get_str(json_object_get(br, "Options"), "com.docker.network.bridge.name", ""), "pt-unit0");
        assert_json_eq(json_object_get(br, "Containers"), "{}");
        assert_null(json_object_get(br, "Pouch"));
        assert_null(json_object_get(br, "Endpoints"));
        _cleanup_json_ json_t *host = inspect(f, "host");
        assert_string_equal(json_get_str(host, "Driver", ""), "host");
        _cleanup_json_ json_t *none = inspect(f, "none");
        assert_string_equal(json_get_str(none, "Driver", ""), "null");

        /* ids survive a restart; a changed --bip is followed while the network is unused */
        reopen(f);
        _cleanup_json_ json_t *br2 = inspect(f, "bridge");
        assert_string_equal(json_get_str(br2, "Id", "a"), json_get_str(br, "Id", "b"));
        network_store_free(f->s);
        f->opts.default_cidr = "10.232.5.1/24";
        assert_int_equal(network_store_open(&f->opts, &f->s, &err), 0);
        _cleanup_json_ json_t *br3 = inspect(f, "bridge");
        assert_string_equal(json_get_str(br3, "Id", "a"), json_get_str(br, "Id", "b"));
        assert_json_eq(json_get_path(br3, "IPAM.Config"), "[{\"Subnet\":\"10.232.5.0/24\",\"Gateway\":\"10.232.5.1\"}]");

        struct network_store *s2 = NULL;
        struct network_store_opts bad = f->opts;
        bad.default_cidr = "10.0.0.1";
        assert_int_equal(network_store_open(&bad, &s2, &err), -EINVAL);
}

static void test_store_create(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id1 = create(f, "{\"Name\":\"net1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.240.1.0/24\","
                                             "\"IPRange\":\"10.240.1.128/25\"}]},\"Labels\":{\"a\":\"1\"},\"Internal\":true}",
                                          0);
        assert_int_equal(strlen(id1), 64);
        _cleanup_json_ json_t *d = inspect(f, "net1");
        assert_json_eq(json_get_path(d, "IPAM.Config"),
                       "[{\"Subnet\":\"10.240.1.0/24\",\"Gateway\":\"10.240.1.1\",\"IPRange\":\"10.240.1.128/25\"}]");
        assert_true(json_get_bool(d, "Internal", false));
        assert_json_eq(json_object_get(d, "Labels"), "{\"a\":\"1\"}");
        /* lookups: full id, unique prefix */
        _cleanup_json_ json_t *d2 = inspect(f, id1);
        char prefix[8];
        snprintf(prefix, sizeof(prefix), "%.6s", id1);
        _cleanup_json_ json_t *d3 = inspect(f, prefix);
        assert_string_equal(json_get_str(d3, "Name", ""), "net1");
        json_t *x = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(network_inspect(f->s, "nope", &x, &err), -ENOENT);
        assert_string_equal(err.msg, "network nope not found");

        /* the stored record holds the conflist the plugins will get */
        char p[256];
        snprintf(p, sizeof(p), "%s/networks/%s.json", f->state, id1);
        _cleanup_json_ json_t *rec = NULL;
        assert_int_equal(json_read_file(p, &rec, NULL, 0), 0);
        json_t *cl = json_get_path(rec, "Pouch.Conflist");
        char bridge[32];
        snprintf(bridge, sizeof(bridge), "pouch-%.8s", id1);
        json_t *bp = json_array_get(json_object_get(cl, "plugins"), 0);
        assert_string_equal(json_get_str(bp, "bridge", ""), bridge);
        assert_false(json_get_bool(bp, "ipMasq", true)); /* internal */
        snprintf(p, sizeof(p), "%s/ipam", f->state);
        assert_string_equal(json_get_str(json_object_get(bp, "ipam"), "dataDir", ""), p);

        /* no subnet: a free docker pool, overlapping nothing we know */
        _cleanup_free_ char *id2 = create(f, "{\"Name\":\"auto1\",\"Options\":{\"com.docker.network.bridge.name\":\"pt-unit-a\"}}", 0);
        _cleanup_free_ char *id3 = create(f, "{\"Name\":\"auto2\",\"Driver\":\"bridge\"}", 0);
        _cleanup_json_ json_t *a1 = inspect(f, "auto1"), *a2 = inspect(f, "auto2"), *br = inspect(f, "bridge");
        struct ipnet4 n1, n2, nb;
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(a1, "IPAM.Config"), 0), "Subnet", ""), &n1), 0);
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(a2, "IPAM.Config"), 0), "Subnet", ""), &n2), 0);
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(br, "IPAM.Config"), 0), "Subnet", ""), &nb), 0);
        assert_false(ipnet_overlaps(&n1, &n2));
        assert_false(ipnet_overlaps(&n1, &nb));
        assert_int_equal(n1.prefix == 16 || n1.prefix == 20, 1);
        _cleanup_free_ struct ipnet4 *host = NULL;
        size_t nhost = 0;
        ipnet_host_networks(&host, &nhost);
        for (size_t i = 0; i < nhost; i++)
                assert_false(ipnet_overlaps(&n1, &host[i]) || ipnet_overlaps(&n2, &host[i]));
        assert_string_equal(json_get_str(json_object_get(a1, "Options"), "com.docker.network.bridge.name", ""), "pt-unit-a");

        /* errors, with docker's wording */
        _cleanup_free_ char *e1 = create(f, "{\"Name\":\"net1\"}", -EEXIST);
        assert_string_equal(e1, "network with name net1 already exists");
        _cleanup_free_ char *e2 = create(f, "{\"Name\":\"ov\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.240.0.0/16\"}]}}", -EPERM);
        assert_string_equal(e2, "invalid pool request: Pool overlaps with other one on this address space");
        _cleanup_free_ char *e3 = create(f, "{\"Name\":\"ov2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.231.9.0/24\"}]}}", -EPERM);
        _cleanup_free_ char *e4 = create(f, "{\"Name\":\"gw\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.241.0.0/24\",\"Gateway\":\"10.242.0.1\"}]}}",
                                         -EINVAL);
        assert_string_equal(e4, "no matching subnet for gateway 10.242.0.1");
        _cleanup_free_ char *e5 = create(f, "{\"Name\":\"drv\",\"Driver\":\"overlay\"}", -EINVAL);
        _cleanup_free_ char *e6 = create(f, "{\"Name\":\"host\"}", -EPERM);
        assert_string_equal(e6, "operation is not permitted on predefined host network");
        _cleanup_free_ char *e7 = create(f, "{\"Name\":\"bad name\"}", -EINVAL);
        _cleanup_free_ char *e8 = create(f, "{\"Name\":\"sub\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.243.0.0\"}]}}", -EINVAL);
        assert_string_equal(e8, "invalid CIDR address: 10.243.0.0");
        _cleanup_free_ char *e9 = create(f, "{\"Name\":\"br\",\"Options\":{\"com.docker.network.bridge.name\":\"pt-unit-a\"}}", -EEXIST);
        _cleanup_free_ char *e10 = create(f, "{\"Name\":\"br\",\"Options\":{\"com.docker.network.bridge.name\":\"a-name-too-long-for-linux\"}}",
                                          -EINVAL);
        _cleanup_free_ char *e11 = create(f, "{\"Name\":\"v6\",\"EnableIPv6\":true}", -EINVAL);
        _cleanup_free_ char *e12 = create(f, "{\"Name\":\"rg\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.244.0.0/24\",\"IPRange\":\"10.245.0.0/25\"}]}}",
                                          -EINVAL);
        _cleanup_free_ char *e13 = create(f, "{\"Name\":\"\"}", -EINVAL);

        /* all of it is on disk */
        reopen(f);
        _cleanup_json_ json_t *again = inspect(f, "net1");
        assert_string_equal(json_get_str(again, "Id", ""), id1);
        json_t *list = NULL;
        assert_int_equal(network_list(f->s, NULL, &list, &err), 0);
        assert_int_equal(json_array_size(list), 6);
        json_decref(list);
}

static size_t list_count(struct fx *f, const char *filters, int want_r)
{
        _cleanup_json_ json_t *flt = filters ? jparse(filters) : NULL;
        _cleanup_json_ json_t *list = NULL;
        struct pouch_err err = { 0 };
        int r = network_list(f->s, flt, &list, &err);
        if (r != want_r)
                fail_msg("list %s: %d %s", filters, r, err.msg);
        return r < 0 ? 0 : json_array_size(list);
}

static void test_store_filters(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *a = create(f, "{\"Name\":\"front-net\",\"Labels\":{\"tier\":\"web\",\"env\":\"prod\"}}", 0);
        _cleanup_free_ char *b = create(f, "{\"Name\":\"back-net\",\"Labels\":{\"tier\":\"db\"}}", 0);
        assert_int_equal(list_count(f, "{\"name\":{\"net\":true}}", 0), 2);      /* substring */
        assert_int_equal(list_count(f, "{\"name\":[\"front\"]}", 0), 1);         /* legacy array form */
        assert_int_equal(list_count(f, "{\"name\":{\"front\":true,\"back\":true}}", 0), 2); /* OR within a key */
        char flt[128];
        snprintf(flt, sizeof(flt), "{\"id\":{\"%.10s\":true}}", a);
        assert_int_equal(list_count(f, flt, 0), 1);
        assert_int_equal(list_count(f, "{\"driver\":{\"bridge\":true}}", 0), 3);
        assert_int_equal(list_count(f, "{\"driver\":{\"null\":true}}", 0), 1);
        assert_int_equal(list_count(f, "{\"label\":{\"tier\":true}}", 0), 2);
        assert_int_equal(list_count(f, "{\"label\":{\"tier=db\":true}}", 0), 1);
        assert_int_equal(list_count(f, "{\"label\":{\"tier=web\":true,\"env=prod\":true}}", 0), 1); /* AND */
        assert_int_equal(list_count(f, "{\"label\":{\"tier=db\":true,\"env=prod\":true}}", 0), 0);
        assert_int_equal(list_count(f, "{\"type\":{\"custom\":true}}", 0), 2);
        assert_int_equal(list_count(f, "{\"type\":{\"builtin\":true}}", 0), 3);
        assert_int_equal(list_count(f, "{\"type\":{\"custom\":true},\"name\":{\"back\":true}}", 0), 1); /* AND across keys */
        assert_int_equal(list_count(f, "{\"dangling\":{\"true\":true}}", 0), 2);
        assert_int_equal(list_count(f, "{\"dangling\":{\"false\":true}}", 0), 3);
        assert_int_equal(list_count(f, "{\"scope\":{\"local\":true}}", 0), 5);
        assert_int_equal(list_count(f, "{\"bogus\":{\"x\":true}}", -EINVAL), 0);
        assert_int_equal(list_count(f, "{\"type\":{\"weird\":true}}", -EINVAL), 0);
        assert_int_equal(list_count(f, "{}", 0), 5);
}

static void attach_ok(struct fx *f, const char *net, const char *ctr, const char *ports, json_t **ret)
{
        _cleanup_json_ json_t *pb = ports ? jparse(ports) : NULL;
        struct net_attach_opts o = { .container_id = ctr, .container_name = ctr, .netns_path = f->ns, .ifname = "eth0",
                                     .port_bindings = pb };
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        if (network_attach(f->s, net, &o, &ep, &err) < 0)
                fail_msg("attach %s to %s: %s", ctr, net, err.msg);
        if (ret)
                *ret = ep;
        else
                json_decref(ep);
}

static void test_attach_detach(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"app\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.0.0/24\"}]}}", 0);
        unsigned port = free_port();
        char ports[128];
        snprintf(ports, sizeof(ports), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}],\"53/udp\":null}", port);
        _cleanup_json_ json_t *aliases = jparse("[\"web\",\"www\"]");
        _cleanup_json_ json_t *pb = jparse(ports);
        struct net_attach_opts o = { .container_id = "c1", .container_name = "one", .netns_path = f->ns, .ifname = "eth0",
                                     .port_bindings = pb, .aliases = aliases };
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *ep = NULL;
        assert_int_equal(network_attach(f->s, "app", &o, &ep, &err), 0);
        assert_string_equal(json_get_str(ep, "IPAddress", ""), "10.88.0.2");
        assert_int_equal(json_get_int(ep, "IPPrefixLen", 0), 24);
        assert_string_equal(json_get_str(ep, "Gateway", ""), "10.88.0.1");
        assert_string_equal(json_get_str(ep, "MacAddress", ""), "02:42:0a:58:00:2");
        assert_string_equal(json_get_str(ep, "NetworkID", ""), id);
        assert_int_equal(strlen(json_get_str(ep, "EndpointID", "")), 64);
        assert_json_eq(json_object_get(ep, "Aliases"), "[\"web\",\"www\"]");
        assert_json_eq(json_object_get(ep, "DNSNames"), "[\"one\",\"c1\",\"web\",\"www\"]");
        assert_true(json_is_null(json_object_get(ep, "IPAMConfig")));
        assert_string_equal(json_get_str(ep, "GlobalIPv6Address", "x"), "");

        /* the chain ran in order with the runtime's arguments */
        char want[1024];
        snprintf(want, sizeof(want), "ADD bridge c1 eth0 %s none\nADD portmap c1 eth0 %s none\n", f->ns, f->ns);
        _cleanup_free_ char *log1 = calls(f);
        assert_string_equal(log1, want);
        _cleanup_json_ json_t *in_br = plugin_input(f, "ADD", "bridge", "c1");
        assert_string_equal(json_get_str(in_br, "cniVersion", ""), "1.0.0");
        snprintf(want, sizeof(want), "pouch-%.12s", id);
        assert_string_equal(json_get_str(in_br, "name", ""), want);
        assert_null(json_object_get(in_br, "prevResult"));
        _cleanup_json_ json_t *in_pm = plugin_input(f, "ADD", "portmap", "c1");
        json_t *pm = json_get_path(in_pm, "runtimeConfig.portMappings");
        assert_int_equal(json_array_size(pm), 2);
        snprintf(want, sizeof(want), "{\"hostPort\":%u,\"containerPort\":80,\"protocol\":\"tcp\"}", port);
        assert_json_eq(json_array_get(pm, 0), want);
        json_int_t random_port = json_get_int(json_array_get(pm, 1), "hostPort", 0);
        assert_true(random_port > 1024);
        assert_string_equal(json_get_str(json_array_get(pm, 1), "protocol", ""), "udp");
        assert_string_equal(json_get_str(json_array_get(json_get_path(in_pm, "prevResult.ips"), 0), "address", ""), "10.88.0.2/24");
        /* the network's host rules: forwarding both ways and masquerading, once per network */
        _cleanup_free_ char *ipt = slurp(f->iptables_log);
        assert_non_null(strstr(ipt, "-w -t filter -I FORWARD 1 -i pouch-"));
        assert_non_null(strstr(ipt, "-w -t filter -I FORWARD 1 -o pouch-"));
        assert_non_null(strstr(ipt, "-w -t nat -A POSTROUTING -s 10.88.0.0/24 ! -o pouch-"));
        assert_non_null(strstr(ipt, "-j MASQUERADE"));
        unlink(f->iptables_log);

        /* forwarding was switched on */
        char p[256];
        snprintf(p, sizeof(p), "%s/net/ipv4/ip_forward", f->sysctl);
        _cleanup_free_ char *fwd = slurp(p);
        assert_string_equal(fwd, "1\n");

        /* a second container, then what the daemon asks */
        attach_ok(f, "app", "c2", NULL, NULL);
        assert_int_equal(access(f->iptables_log, F_OK), -1); /* already ensured */
        _cleanup_json_ json_t *peers = network_peers(f->s, "app", "c2");
        assert_json_eq(peers, "{\"one\":\"10.88.0.2\",\"web\":\"10.88.0.2\",\"www\":\"10.88.0.2\"}");
        _cleanup_json_ json_t *ports1 = network_container_ports(f->s, "c1");
        snprintf(want, sizeof(want), "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%u\"}],\"53/udp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%d\"}]}",
                 port, (int) random_port);
        assert_json_eq(ports1, want);
        _cleanup_json_ json_t *ports2 = network_container_ports(f->s, "c2");
        assert_json_eq(ports2, "{}");
        assert_null(network_peers(f->s, "nonet", NULL));

        /* persisted: a new store sees the endpoints (restart) */
        reopen(f);
        _cleanup_json_ json_t *d = inspect(f, "app");
        json_t *c1 = json_get_path(d, "Containers.c1");
        assert_string_equal(json_get_str(c1, "Name", ""), "one");
        assert_string_equal(json_get_str(c1, "IPv4Address", ""), "10.88.0.2/24");
        assert_string_equal(json_get_str(c1, "EndpointID", "a"), json_get_str(ep, "EndpointID", "b"));
        _cleanup_json_ json_t *eps = network_container_endpoints(f->s, "c1");
        assert_string_equal(json_get_str(json_object_get(eps, "app"), "IPAddress", ""), "10.88.0.2");

        /* the network is busy now */
        assert_int_equal(network_remove(f->s, "app", &err), -EBUSY);
        snprintf(want, sizeof(want), "error while removing network: network app id %s has active endpoints", id);
        assert_string_equal(err.msg, want);

        /* DEL: reverse order, same config, the ADD result as prevResult, same port mappings */
        clear_calls(f);
        assert_int_equal(network_detach(f->s, "app", "c1", &err), 0);
        _cleanup_free_ char *log2 = calls(f);
        char *l = log2;
        assert_true(strncmp(l, "DEL portmap c1 eth0 ", 20) == 0);
        l = strchr(l, '\n') + 1;
        assert_true(strncmp(l, "DEL bridge c1 eth0 ", 19) == 0);
        /* the namespace file is not a live namespace: never handed to DEL */
        assert_null(strstr(log2, f->ns));
        _cleanup_json_ json_t *del_pm = plugin_input(f, "DEL", "portmap", "c1");
        assert_true(json_equal(json_get_path(del_pm, "runtimeConfig.portMappings"), pm));
        assert_string_equal(json_get_str(json_array_get(json_get_path(del_pm, "prevResult.ips"), 0), "address", ""), "10.88.0.2/24");
        _cleanup_json_ json_t *del_br = plugin_input(f, "DEL", "bridge", "c1");
        _cleanup_json_ json_t *add_br = plugin_input(f, "ADD", "bridge", "c1");
        json_object_del(del_br, "prevResult");
        assert_true(json_equal(del_br, add_br));
        _cleanup_json_ json_t *ports3 = network_container_ports(f->s, "c1");
        assert_json_eq(ports3, "{}");
        snprintf(p, sizeof(p), "%s/tmp", f->state);
        _cleanup_closedir_ DIR *dir = opendir(p);
        int entries = 0;
        for (struct dirent *de; (de = readdir(dir));)
                entries += de->d_name[0] != '.';
        assert_int_equal(entries, 0); /* no stand-in namespace left behind */

        /* idempotent: unknown endpoint is fine and runs nothing */
        clear_calls(f);
        assert_int_equal(network_detach(f->s, "app", "c1", &err), 0);
        _cleanup_free_ char *log3 = calls(f);
        assert_string_equal(log3, "");
        assert_int_equal(network_detach(f->s, "nonet", "c1", &err), -ENOENT);

        /* detach_all, then the network can go */
        assert_int_equal(network_detach_all(f->s, "c2"), 0);
        _cleanup_json_ json_t *d2 = inspect(f, "app");
        assert_json_eq(json_object_get(d2, "Containers"), "{}");
        unlink(f->iptables_log);
        assert_int_equal(network_remove(f->s, id, &err), 0);
        /* its host rules went with it */
        _cleanup_free_ char *ipt_rm = slurp(f->iptables_log);
        assert_non_null(strstr(ipt_rm, "-w -t filter -D FORWARD -i pouch-"));
        assert_non_null(strstr(ipt_rm, "-w -t nat -D POSTROUTING -s 10.88.0.0/24 ! -o pouch-"));
        snprintf(p, sizeof(p), "%s/networks/%s.json", f->state, id);
        assert_int_equal(access(p, F_OK), -1);
        assert_int_equal(network_inspect(f->s, "app", &d2, &err), -ENOENT);
}

static void test_attach_rollback(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"rb\"}", 0);
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        char ports[128];
        snprintf(ports, sizeof(ports), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}]}", free_port());
        _cleanup_json_ json_t *pb = jparse(ports);
        struct net_attach_opts o = { .container_id = "c9", .container_name = "nine", .netns_path = f->ns, .ifname = "eth1",
                                     .port_bindings = pb };

        /* portmap fails: DEL for the whole chain, no record */
        set_fail(f, "ADD-portmap", true);
        assert_int_equal(network_attach(f->s, "rb", &o, &ep, &err), -EIO);
        assert_string_equal(err.msg, "plugin type=\"portmap\" failed (ADD): fake portmap failure: as asked");
        _cleanup_free_ char *log1 = calls(f);
        char want[1024];
        snprintf(want, sizeof(want),
                 "ADD bridge c9 eth1 %s none\nADD portmap c9 eth1 %s none\n"
                 "DEL portmap c9 eth1 %s none\nDEL bridge c9 eth1 %s none\n",
                 f->ns, f->ns, f->ns, f->ns);
        assert_string_equal(log1, want);
        /* the rollback DEL got the bridge's result as prevResult */
        _cleanup_json_ json_t *del_br = plugin_input(f, "DEL", "bridge", "c9");
        assert_non_null(json_get_path(del_br, "prevResult.ips"));
        _cleanup_json_ json_t *d = inspect(f, "rb");
        assert_json_eq(json_object_get(d, "Containers"), "{}");
        reopen(f);
        _cleanup_json_ json_t *d2 = inspect(f, "rb");
        assert_json_eq(json_object_get(d2, "Containers"), "{}");

        /* the result has no address for our interface: undone as well */
        set_fail(f, "ADD-portmap", false);
        clear_calls(f);
        o.ifname = "eth1";
        char p[256];
        /* make the fake bridge report another interface name by asking for a different one later */
        snprintf(p, sizeof(p), "%s/bridge", f->plugins);
        _cleanup_free_ char *script = slurp(p);
        char *alt = NULL;
        assert_true(asprintf(&alt, "#!/bin/sh\nCNI_IFNAME=other exec %s/bridge.real \"$@\"\n", f->plugins) > 0);
        char real[256];
        snprintf(real, sizeof(real), "%s/bridge.real", f->plugins);
        spit(real, script);
        spit(p, alt);
        free(alt);
        assert_int_equal(network_attach(f->s, "rb", &o, &ep, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "no IPv4 address for eth1"));
        _cleanup_free_ char *log2 = calls(f);
        assert_non_null(strstr(log2, "DEL bridge.real c9 other"));
        spit(p, script);
        unlink(real);

        /* works once the plugins behave; without published ports portmap is not run at all */
        clear_calls(f);
        attach_ok(f, "rb", "c9", NULL, NULL);
        assert_int_equal(network_detach(f->s, "rb", "c9", &err), 0);
        _cleanup_free_ char *log_np = calls(f);
        snprintf(want, sizeof(want), "ADD bridge c9 eth0 %s none\nDEL bridge c9 eth0 ", f->ns);
        assert_true(strncmp(log_np, want, strlen(want)) == 0);
        assert_null(strstr(log_np, "portmap"));
        assert_non_null(strstr(log_np, "DEL bridge c9 eth0"));

        /* a failing DEL keeps the record so the detach can be retried */
        attach_ok(f, "rb", "c9", ports, NULL);
        set_fail(f, "DEL-portmap", true);
        clear_calls(f);
        assert_int_equal(network_detach(f->s, "rb", "c9", &err), -EIO);
        assert_non_null(strstr(err.msg, "fake portmap failure"));
        _cleanup_free_ char *log3 = calls(f);
        assert_non_null(strstr(log3, "DEL bridge c9")); /* the other plugins still ran */
        _cleanup_json_ json_t *d3 = inspect(f, "rb");
        assert_non_null(json_get_path(d3, "Containers.c9"));
        set_fail(f, "DEL-portmap", false);
        assert_int_equal(network_detach(f->s, "rb", "c9", &err), 0);
        _cleanup_json_ json_t *d4 = inspect(f, "rb");
        assert_json_eq(json_object_get(d4, "Containers"), "{}");

        /* missing plugin binary */
        snprintf(p, sizeof(p), "%s/portmap", f->plugins);
        unlink(p);
        assert_int_equal(network_attach(f->s, "rb", &o, &ep, &err), -ENOEXEC);
        snprintf(want, sizeof(want), "failed to find plugin \"portmap\" in path [%s]", f->plugins);
        assert_string_equal(err.msg, want);
        _cleanup_json_ json_t *d5 = inspect(f, "rb");
        assert_json_eq(json_object_get(d5, "Containers"), "{}");
}

static void test_attach_errors(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"e1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.0.0/24\"}]}}", 0);
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        struct net_attach_opts o = { .container_id = "c1", .container_name = "one", .netns_path = f->ns, .ifname = "eth0" };
        assert_int_equal(network_attach(f->s, "nope", &o, &ep, &err), -ENOENT);
        assert_string_equal(err.msg, "network nope not found");
        assert_int_equal(network_attach(f->s, "host", &o, &ep, &err), -EINVAL);
        assert_int_equal(network_attach(f->s, "none", &o, &ep, &err), -EINVAL);
        o.ifname = "bad/name";
        assert_int_equal(network_attach(f->s, "e1", &o, &ep, &err), -EINVAL);
        o.ifname = "eth0";

        /* --ip: only on networks with a user subnet, inside it, passed to host-local as CNI_ARGS */
        o.ip = "10.231.0.9";
        assert_int_equal(network_attach(f->s, "bridge", &o, &ep, &err), -EINVAL);
        assert_string_equal(err.msg,
                            "user specified IP address is supported only when connecting to networks with user configured subnets");
        o.ip = "10.99.0.9";
        assert_int_equal(network_attach(f->s, "e1", &o, &ep, &err), -EINVAL);
        o.ip = "10.88.0.1";
        assert_int_equal(network_attach(f->s, "e1", &o, &ep, &err), -EBUSY);
        clear_calls(f);
        o.ip = "10.88.0.77";
        assert_int_equal(network_attach(f->s, "e1", &o, &ep, &err), 0);
        assert_json_eq(json_object_get(ep, "IPAMConfig"), "{\"IPv4Address\":\"10.88.0.77\"}");
        json_decref(ep);
        _cleanup_free_ char *log1 = calls(f);
        assert_non_null(strstr(log1, "ADD bridge c1 eth0"));
        assert_non_null(strstr(log1, " IgnoreUnknown=1;IP=10.88.0.77\n"));

        /* twice on the same network */
        o.ip = NULL;
        assert_int_equal(network_attach(f->s, "e1", &o, &ep, &err), -EPERM);
        assert_string_equal(err.msg, "endpoint with name one already exists in network e1");
        clear_calls(f);
        /* DEL carries the same CNI_ARGS */
        assert_int_equal(network_detach(f->s, "e1", "c1", &err), 0);
        _cleanup_free_ char *log2 = calls(f);
        assert_non_null(strstr(log2, "DEL bridge c1 eth0"));
        assert_non_null(strstr(log2, " IgnoreUnknown=1;IP=10.88.0.77\n"));
}

static void test_port_conflicts(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"p1\"}", 0);
        _cleanup_free_ char *id2 = create(f, "{\"Name\":\"p2\"}", 0);
        unsigned port = free_port();
        char ports[128];
        snprintf(ports, sizeof(ports), "{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}]}", port);
        attach_ok(f, "p1", "a", ports, NULL);

        /* another container, even on another network: refused before any plugin runs */
        clear_calls(f);
        _cleanup_json_ json_t *pb = jparse(ports);
        struct net_attach_opts o = { .container_id = "b", .container_name = "bee", .netns_path = f->ns, .ifname = "eth0",
                                     .port_bindings = pb };
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        assert_int_equal(network_attach(f->s, "p2", &o, &ep, &err), -EBUSY);
        char want[256];
        snprintf(want, sizeof(want),
                 "driver failed programming external connectivity on endpoint bee: Bind for 0.0.0.0:%u failed: port is already allocated",
                 port);
        assert_string_equal(err.msg, want);
        _cleanup_free_ char *log1 = calls(f);
        assert_string_equal(log1, "");
        _cleanup_json_ json_t *d = inspect(f, "p2");
        assert_json_eq(json_object_get(d, "Containers"), "{}");

        /* freed by the detach of the first one */
        assert_int_equal(network_detach(f->s, "p1", "a", &err), 0);
        assert_int_equal(network_attach(f->s, "p2", &o, &ep, &err), 0);
        json_decref(ep);
        assert_int_equal(network_detach_all(f->s, "b"), 0);
}

static void test_store_remove_prune(void **state)
{
        struct fx *f = *state;
        struct pouch_err err = { 0 };
        assert_int_equal(network_remove(f->s, "bridge", &err), -EPERM);
        assert_string_equal(err.msg, "bridge is a pre-defined network and cannot be removed");
        assert_int_equal(network_remove(f->s, "none", &err), -EPERM);
        assert_int_equal(network_remove(f->s, "nope", &err), -ENOENT);

        _cleanup_free_ char *a = create(f, "{\"Name\":\"pa\"}", 0);
        _cleanup_free_ char *b = create(f, "{\"Name\":\"pb\"}", 0);
        _cleanup_free_ char *c = create(f, "{\"Name\":\"pc\"}", 0);
        /* leftover ipam data of pa is removed with it */
        char p[256];
        snprintf(p, sizeof(p), "%s/ipam/pouch-%.12s", f->state, a);
        mkdir_p(p, 0700);
        assert_int_equal(network_remove(f->s, "pa", &err), 0);
        assert_int_equal(access(p, F_OK), -1);

        attach_ok(f, "pb", "busy", NULL, NULL);
        json_t *removed = NULL;
        assert_int_equal(network_prune(f->s, &removed, &err), 0);
        assert_json_eq(removed, "[\"pc\"]");
        json_decref(removed);
        assert_int_equal(list_count(f, NULL, 0), 4);
        reopen(f);
        assert_int_equal(list_count(f, NULL, 0), 4);
        assert_int_equal(network_detach_all(f->s, "busy"), 0);
        assert_int_equal(network_prune(f->s, &removed, &err), 0);
        assert_json_eq(removed, "[\"pb\"]");
        json_decref(removed);
        assert_int_equal(list_count(f, NULL, 0), 3);
}

/* An endpoint recorded by a daemon that died halfway through an attach is detachable. */
static void test_stale_endpoint(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"st\"}", 0);
        attach_ok(f, "st", "zz", NULL, NULL);
        char p[256];
        snprintf(p, sizeof(p), "%s/networks/%s.json", f->state, id);
        _cleanup_json_ json_t *rec = NULL;
        assert_int_equal(json_read_file(p, &rec, NULL, 0), 0);
        json_t *ep = json_get_path(rec, "Endpoints.zz");
        json_object_set_new(ep, "State", json_string("adding"));
        json_object_del(json_object_get(ep, "CNI"), "Result");
        assert_int_equal(json_write_file_atomic(p, rec), 0);
        reopen(f);
        clear_calls(f);
        struct pouch_err err = { 0 };
        assert_int_equal(network_detach(f->s, "st", "zz", &err), 0);
        _cleanup_free_ char *log1 = calls(f);
        assert_non_null(strstr(log1, "DEL bridge zz eth0"));
        _cleanup_json_ json_t *del_br = plugin_input(f, "DEL", "bridge", "zz");
        assert_null(json_object_get(del_br, "prevResult")); /* none known: omitted, as CNI allows */
        _cleanup_json_ json_t *d = inspect(f, "st");
        assert_json_eq(json_object_get(d, "Containers"), "{}");
}

struct worker {
        struct fx *f;
        int idx;
        int failures;
};

static void *attach_worker(void *arg)
{
        struct worker *w = arg;
        for (int i = 0; i < 3; i++) {
                char id[32];
                snprintf(id, sizeof(id), "w%d-%d", w->idx, i);
                _cleanup_json_ json_t *pb = jparse("{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}");
                struct net_attach_opts o = { .container_id = id, .container_name = id, .netns_path = w->f->ns,
                                             .ifname = "eth0", .port_bindings = pb };
                struct pouch_err err = { 0 };
                json_t *ep = NULL;
                if (network_attach(w->f->s, "par", &o, &ep, &err) < 0)
                        w->failures++;
                json_decref(ep);
                json_t *doc = NULL;
                if (network_inspect(w->f->s, "par", &doc, &err) < 0)
                        w->failures++;
                json_decref(doc);
        }
        return NULL;
}

/* Attaches from several threads: every endpoint recorded, no host port handed out twice. */
static void test_concurrent_attach(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id = create(f, "{\"Name\":\"par\"}", 0);
        pthread_t th[4];
        struct worker w[4];
        for (int i = 0; i < 4; i++) {
                w[i] = (struct worker){ .f = f, .idx = i };
                assert_int_equal(pthread_create(&th[i], NULL, attach_worker, &w[i]), 0);
        }
        for (int i = 0; i < 4; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(w[i].failures, 0);
        }
        reopen(f);
        _cleanup_json_ json_t *d = inspect(f, "par");
        assert_int_equal(json_object_size(json_object_get(d, "Containers")), 12);
        json_int_t seen[12];
        size_t n = 0;
        for (int i = 0; i < 4; i++) {
                for (int k = 0; k < 3; k++) {
                        char cid[32];
                        snprintf(cid, sizeof(cid), "w%d-%d", i, k);
                        _cleanup_json_ json_t *ports = network_container_ports(f->s, cid);
                        json_t *b = json_array_get(json_object_get(ports, "80/tcp"), 0);
                        json_int_t hp = atoll(json_get_str(b, "HostPort", "0"));
                        assert_true(hp > 0);
                        for (size_t j = 0; j < n; j++)
                                assert_true(seen[j] != hp);
                        seen[n++] = hp;
                        assert_int_equal(network_detach_all(f->s, cid), 0);
                }
        }
        _cleanup_json_ json_t *d2 = inspect(f, "par");
        assert_json_eq(json_object_get(d2, "Containers"), "{}");
}

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        alarm(120);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ipnet),
                cmocka_unit_test(test_ports_parse),
                cmocka_unit_test(test_ports_resolve),
                cmocka_unit_test(test_conflist),
                cmocka_unit_test(test_cni_result),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_resolv),
                cmocka_unit_test(test_write_etc_files),
                cmocka_unit_test_setup_teardown(test_store_predefined, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_store_create, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_store_filters, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_attach_detach, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_attach_rollback, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_attach_errors, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_port_conflicts, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_store_remove_prune, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_stale_endpoint, store_setup, store_teardown),
                cmocka_unit_test_setup_teardown(test_concurrent_attach, store_setup, store_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
