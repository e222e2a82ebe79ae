/* Unit tests for the daemon/network store with fake CNI plugins (shell scripts logging what they
 * are given) and a fake iptables, so attach, detach, rollback, host rules and persistence run
 * without root. */
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
        snprintf(script, sizeof(script), "#!/bin/sh\necho \"$*\" >> %s\n[ \"$4\" = -C ] && exit 1\nexit 0\n",
                 f->iptables_log);
        spit(f->iptables, script);
        chmod(f->iptables, 0755);
        /* a bridge name no test host has */
        f->opts = (struct network_store_opts){ .state_dir = f->state,
                                               .plugin_dir = f->plugins,
                                               .default_bridge = "pt-unit0",
                                               .default_cidr = "10.231.0.1/16",
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
        assert_string_equal(json_get_str(json_object_get(br, "Options"), "com.docker.network.bridge.name", ""),
                            "pt-unit0");
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
        assert_json_eq(json_get_path(br3, "IPAM.Config"),
                       "[{\"Subnet\":\"10.232.5.0/24\",\"Gateway\":\"10.232.5.1\"}]");

        struct network_store *s2 = NULL;
        struct network_store_opts bad = f->opts;
        bad.default_cidr = "10.0.0.1";
        assert_int_equal(network_store_open(&bad, &s2, &err), -EINVAL);
}

static void test_store_create(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *id1 =
                create(f,
                       "{\"Name\":\"net1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.240.1.0/24\","
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
        _cleanup_free_ char *id2 =
                create(f, "{\"Name\":\"auto1\",\"Options\":{\"com.docker.network.bridge.name\":\"pt-unit-a\"}}", 0);
        _cleanup_free_ char *id3 = create(f, "{\"Name\":\"auto2\",\"Driver\":\"bridge\"}", 0);
        _cleanup_json_ json_t *a1 = inspect(f, "auto1"), *a2 = inspect(f, "auto2"), *br = inspect(f, "bridge");
        struct ipnet4 n1, n2, nb;
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(a1, "IPAM.Config"), 0), "Subnet", ""),
                                     &n1),
                         0);
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(a2, "IPAM.Config"), 0), "Subnet", ""),
                                     &n2),
                         0);
        assert_int_equal(ipnet_parse(json_get_str(json_array_get(json_get_path(br, "IPAM.Config"), 0), "Subnet", ""),
                                     &nb),
                         0);
        assert_false(ipnet_overlaps(&n1, &n2));
        assert_false(ipnet_overlaps(&n1, &nb));
        assert_int_equal(n1.prefix == 16 || n1.prefix == 20, 1);
        _cleanup_free_ struct ipnet4 *host = NULL;
        size_t nhost = 0;
        ipnet_host_networks(&host, &nhost);
        for (size_t i = 0; i < nhost; i++)
                assert_false(ipnet_overlaps(&n1, &host[i]) || ipnet_overlaps(&n2, &host[i]));
        assert_string_equal(json_get_str(json_object_get(a1, "Options"), "com.docker.network.bridge.name", ""),
                            "pt-unit-a");

        /* errors, with docker's wording */
        _cleanup_free_ char *e1 = create(f, "{\"Name\":\"net1\"}", -EEXIST);
        assert_string_equal(e1, "network with name net1 already exists");
        _cleanup_free_ char *e2 = create(f, "{\"Name\":\"ov\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.240.0.0/16\"}]}}",
                                         -EPERM);
        assert_string_equal(e2, "invalid pool request: Pool overlaps with other one on this address space");
        _cleanup_free_ char *e3 = create(f, "{\"Name\":\"ov2\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.231.9.0/24\"}]}}",
                                         -EPERM);
        _cleanup_free_ char *e4 = create(
                f,
                "{\"Name\":\"gw\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.241.0.0/24\",\"Gateway\":\"10.242.0.1\"}]}}",
                -EINVAL);
        assert_string_equal(e4, "no matching subnet for gateway 10.242.0.1");
        _cleanup_free_ char *e5 = create(f, "{\"Name\":\"drv\",\"Driver\":\"overlay\"}", -EINVAL);
        _cleanup_free_ char *e6 = create(f, "{\"Name\":\"host\"}", -EPERM);
        assert_string_equal(e6, "operation is not permitted on predefined host network");
        _cleanup_free_ char *e7 = create(f, "{\"Name\":\"bad name\"}", -EINVAL);
        _cleanup_free_ char *e8 = create(f, "{\"Name\":\"sub\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.243.0.0\"}]}}",
                                         -EINVAL);
        assert_string_equal(e8, "invalid CIDR address: 10.243.0.0");
        _cleanup_free_ char *e9 =
                create(f, "{\"Name\":\"br\",\"Options\":{\"com.docker.network.bridge.name\":\"pt-unit-a\"}}", -EEXIST);
        _cleanup_free_ char *e10 = create(
                f, "{\"Name\":\"br\",\"Options\":{\"com.docker.network.bridge.name\":\"a-name-too-long-for-linux\"}}",
                -EINVAL);
        _cleanup_free_ char *e11 = create(f, "{\"Name\":\"v6\",\"EnableIPv6\":true}", -EINVAL);
        _cleanup_free_ char *e12 = create(
                f,
                "{\"Name\":\"rg\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.244.0.0/24\",\"IPRange\":\"10.245.0.0/25\"}]}}",
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
        _cleanup_filters_ struct filters *flt = NULL;
        _cleanup_json_ json_t *list = NULL;
        struct pouch_err err = { 0 };
        int r = filters_parse(filters, network_list_filter_keys, &flt, &err);
        if (r >= 0)
                r = network_list(f->s, flt, &list, &err);
        if (r != want_r)
                fail_msg("list %s: %d %s", filters, r, err.msg);
        return r < 0 ? 0 : json_array_size(list);
}

static void test_store_filters(void **state)
{
        struct fx *f = *state;
        _cleanup_free_ char *a = create(f, "{\"Name\":\"front-net\",\"Labels\":{\"tier\":\"web\",\"env\":\"prod\"}}",
                                        0);
        _cleanup_free_ char *b = create(f, "{\"Name\":\"back-net\",\"Labels\":{\"tier\":\"db\"}}", 0);
        assert_int_equal(list_count(f, "{\"name\":{\"net\":true}}", 0), 2);                 /* substring */
        assert_int_equal(list_count(f, "{\"name\":[\"front\"]}", 0), 1);                    /* legacy array form */
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
        assert_int_equal(list_count(f, "{\"type\":{\"custom\":true},\"name\":{\"back\":true}}", 0),
                         1); /* AND across keys */
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
        struct net_attach_opts o = {
                .container_id = ctr, .container_name = ctr, .netns_path = f->ns, .ifname = "eth0", .port_bindings = pb
        };
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
        _cleanup_free_ char *id = create(f, "{\"Name\":\"app\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.0.0/24\"}]}}",
                                         0);
        unsigned port = free_port();
        char ports[128];
        snprintf(ports, sizeof(ports), "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"%u\"}],\"53/udp\":null}", port);
        _cleanup_json_ json_t *aliases = jparse("[\"web\",\"www\"]");
        _cleanup_json_ json_t *pb = jparse(ports);
        struct net_attach_opts o = { .container_id = "c1",
                                     .container_name = "one",
                                     .netns_path = f->ns,
                                     .ifname = "eth0",
                                     .port_bindings = pb,
                                     .aliases = aliases };
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
        assert_string_equal(json_get_str(json_array_get(json_get_path(in_pm, "prevResult.ips"), 0), "address", ""),
                            "10.88.0.2/24");
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
        snprintf(
                want, sizeof(want),
                "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%u\"}],\"53/udp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"%d\"}]}",
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
        assert_string_equal(json_get_str(json_array_get(json_get_path(del_pm, "prevResult.ips"), 0), "address", ""),
                            "10.88.0.2/24");
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
        struct net_attach_opts o = { .container_id = "c9",
                                     .container_name = "nine",
                                     .netns_path = f->ns,
                                     .ifname = "eth1",
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
        _cleanup_free_ char *id = create(f, "{\"Name\":\"e1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.88.0.0/24\"}]}}",
                                         0);
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        struct net_attach_opts o = {
                .container_id = "c1", .container_name = "one", .netns_path = f->ns, .ifname = "eth0"
        };
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
        assert_string_equal(
                err.msg,
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
        struct net_attach_opts o = {
                .container_id = "b", .container_name = "bee", .netns_path = f->ns, .ifname = "eth0", .port_bindings = pb
        };
        struct pouch_err err = { 0 };
        json_t *ep = NULL;
        assert_int_equal(network_attach(f->s, "p2", &o, &ep, &err), -EBUSY);
        char want[256];
        snprintf(
                want, sizeof(want),
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
        assert_int_equal(network_prune(f->s, NULL, &removed, &err), 0);
        assert_json_eq(removed, "[\"pc\"]");
        json_decref(removed);
        assert_int_equal(list_count(f, NULL, 0), 4);
        reopen(f);
        assert_int_equal(list_count(f, NULL, 0), 4);
        assert_int_equal(network_detach_all(f->s, "busy"), 0);
        assert_int_equal(network_prune(f->s, NULL, &removed, &err), 0);
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
                struct net_attach_opts o = { .container_id = id,
                                             .container_name = id,
                                             .netns_path = w->f->ns,
                                             .ifname = "eth0",
                                             .port_bindings = pb };
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
