/* Network specs from API clients (daemon/network/ipnet.c, portmap.c): addresses and CIDRs
 * re-parse from their formatted form; -p/--publish specs (one per line) give PortBindings keys
 * that port_key_parse accepts, each also in ExposedPorts. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/network/ipnet.h"
#include "daemon/network/portmap.h"

#include <jansson.h>

static void check_addr(const char *s)
{
        uint32_t a, b;
        char buf[IPV4_STRLEN];
        if (ipv4_parse(s, &a) == 0) {
                ipv4_format(a, buf);
                FUZZ_CHECK(ipv4_parse(buf, &b) == 0 && a == b);
                FUZZ_STREQ(buf, s); /* strict dotted quad: only the canonical form parses */
        }
        struct ipnet4 n, m;
        char nb[IPNET4_STRLEN];
        if (ipnet_parse(s, &n) == 0) {
                FUZZ_CHECK(n.prefix <= 32);
                ipnet_format(&n, nb);
                FUZZ_CHECK(ipnet_parse(nb, &m) == 0 && m.prefix == n.prefix && m.addr == ipnet_network(&n));
                FUZZ_CHECK(ipnet_contains(&n, n.addr) && ipnet_contains(&n, ipnet_last(&n)));
                FUZZ_CHECK(ipnet_overlaps(&n, &m));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        char *specs[9] = { 0 };
        size_t n = 0;
        for (char *save = NULL, *l = strtok_r(s, "\n", &save); l && n < 8; l = strtok_r(NULL, "\n", &save)) {
                specs[n++] = l;
                check_addr(l);
                unsigned port;
                char proto[8];
                if (port_key_parse(l, &port, proto) == 0)
                        FUZZ_CHECK(port <= 65535 && strlen(proto) < 8);
        }
        json_t *bindings = json_object(), *exposed = json_object();
        struct pouch_err err = { 0 };
        if (ports_parse(specs, bindings, exposed, &err) == 0) {
                const char *key;
                json_t *v;
                json_object_foreach(bindings, key, v) {
                        unsigned port;
                        char proto[8];
                        FUZZ_CHECK(port_key_parse(key, &port, proto) == 0);
                        FUZZ_CHECK(json_object_get(exposed, key));
                        FUZZ_CHECK(json_is_array(v));
                }
        } else {
                FUZZ_CHECK(err.code < 0 && err.msg[0]);
        }
        json_decref(bindings);
        json_decref(exposed);
        free(s);
        return 0;
}
