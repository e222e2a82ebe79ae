/* Unit tests for daemon/network without a store: CIDRs, -p specs, CNI configuration and results,
 * /etc files. */
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
#include "tests/unit/network-test-helpers.h"

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
        const char *bad[] = { "10.1.2.3",  "10.1.2.3/",   "10.1.2.3/33", "10.1.2/24",    "10.1.2.256/24",
                              "a.b.c.d/8", "10.1.2.3/2x", "/24",         "10.1.2.3/024", "::1/64",
                              "" };
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
                { "10.0.0.0/8", "10.1.0.0/16", true },          { "10.1.0.0/16", "10.0.0.0/8", true },
                { "10.1.0.0/24", "10.1.1.0/24", false },        { "10.1.0.0/23", "10.1.1.0/24", true },
                { "192.168.0.0/20", "192.168.16.0/20", false }, { "0.0.0.0/0", "1.2.3.4/32", true },
                { "10.1.0.128/25", "10.1.0.0/25", false },      { "10.1.0.5/32", "10.1.0.5/32", true },
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
        parse_ok(
                "8000-8001:80-81/sctp",
                "{\"80/sctp\":[{\"HostIp\":\"\",\"HostPort\":\"8000\"}],\"81/sctp\":[{\"HostIp\":\"\",\"HostPort\":\"8001\"}]}",
                "{\"80/sctp\":{},\"81/sctp\":{}}");
        parse_ok("8000-8010:80", "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8000-8010\"}]}", "{\"80/tcp\":{}}");
        parse_ok("90-91",
                 "{\"90/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],\"91/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}",
                 "{\"90/tcp\":{},\"91/tcp\":{}}");

        /* several specs accumulate; the same port twice gets two bindings */
        _cleanup_json_ json_t *pb = json_object();
        char *const specs[] = { "8080:80", "127.0.0.1:8081:80", "53:53/udp", NULL };
        assert_int_equal(ports_parse(specs, pb, NULL, NULL), 0);
        assert_json_eq(
                pb,
                "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"8081\"}],"
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
        assert_json_eq(
                bind,
                "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}],\"53/udp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}]}");

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
        snprintf(
                buf, sizeof(buf),
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
        snprintf(buf, sizeof(buf),
                 "[{\"HostIp\":\"127.0.0.1\",\"HostPort\":%u,\"ContainerPort\":8,\"Protocol\":\"tcp\"}]", p1);
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
        snprintf(buf, sizeof(buf), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u-%u\"}]}", busy,
                 busy + 1 > 65535 ? busy : busy + 1);
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
        struct cni_net_params p = { .name = "pouch-abc",
                                    .bridge = "br-x",
                                    .subnet = "10.5.0.0/16",
                                    .gateway = "10.5.0.1",
                                    .ip_range = "10.5.1.0/24",
                                    .data_dir = "/var/lib/x/ipam",
                                    .mtu = 1400 };
        _cleanup_json_ json_t *cl = cni_conflist_build(&p);
        assert_non_null(cl);
        assert_json_eq(
                cl, "{\"cniVersion\":\"1.0.0\",\"name\":\"pouch-abc\",\"plugins\":["
                    "{\"type\":\"bridge\",\"bridge\":\"br-x\",\"isGateway\":true,\"ipMasq\":false,\"hairpinMode\":true,"
                    "\"mtu\":1400,\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"10.5.0.0/16\","
                    "\"gateway\":\"10.5.0.1\",\"rangeStart\":\"10.5.1.0\",\"rangeEnd\":\"10.5.1.255\"}]],"
                    "\"dataDir\":\"/var/lib/x/ipam\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}]}},"
                    "{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true},\"snat\":true}]}");

        /* internal: no default route; a range at the subnet edges avoids network/broadcast */
        struct cni_net_params q = { .name = "n",
                                    .bridge = "b",
                                    .subnet = "10.6.0.0/24",
                                    .gateway = "10.6.0.1",
                                    .ip_range = "10.6.0.0/24",
                                    .data_dir = "/d",
                                    .internal = true };
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
        _cleanup_json_ json_t *rc = jparse(
                "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\"}],"
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

#define LOCALHOST_LINES                                                                            \
        "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n" \
        "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n"

static void test_hosts(void **state)
{
        (void) state;
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *peers = jparse("{\"db\":\"10.5.0.3\",\"cache\":\"10.5.0.4\",\"bad\":\"x\"}");
        char *const extra[] = { "gw:host-gateway", "six:fd00::9", "eq=1.2.3.4", "br:[fd00::1]", NULL };
        struct etc_files_opts o = { .hostname = "abc123",
                                    .domainname = "example.org",
                                    .ip = "10.5.0.2",
                                    .gateway = "10.5.0.1",
                                    .container_name = "web",
                                    .extra_hosts = extra,
                                    .peers = peers };
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
        assert_string_equal(
                r, "# managed\noptions edns0 trust-ad\nsearch lan\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
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

int main(void)
{
        log_set_level(LOG_LEVEL_ERROR);
        alarm(120);
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ipnet),         cmocka_unit_test(test_ports_parse),
                cmocka_unit_test(test_ports_resolve), cmocka_unit_test(test_conflist),
                cmocka_unit_test(test_cni_result),    cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_resolv),        cmocka_unit_test(test_write_etc_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
