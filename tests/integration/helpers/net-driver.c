/* Drives daemon/network from the command line for tests/integration/network-smoke.sh.
 * Environment: NET_STATE (state dir, required), NET_PLUGINS (plugin dir), NET_BRIDGE and
 * NET_CIDR (the default bridge network: test-owned name and --bip form).
 * Prints JSON results on stdout; on failure "error <errno>: <message>" on stderr, exit 1. */
#include "daemon/network/network.h"

#include "lib/jsonutil.h"
#include "lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
        fprintf(stderr, "usage: net-driver create-net NAME [SUBNET [GATEWAY]] | create-json BODY | inspect NET |\n"
                        "       list [FILTERS] | rm-net NET | prune | attach NET CTR NETNS [PORTS-JSON [IP]] |\n"
                        "       detach NET CTR | detach-all CTR | ports CTR | peers NET [EXCEPT] |\n"
                        "       netns-create PATH | netns-rm PATH | lo-up PATH\n");
        return 2;
}

static void print(json_t *j)
{
        char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        if (s)
                puts(s);
        free(s);
}

static int fail(int r, const struct pouch_err *e)
{
        fprintf(stderr, "error %d: %s\n", -r, e->msg[0] ? e->msg : strerror(-r));
        return 1;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        const char *cmd = argv[1];
        struct pouch_err err = { 0 };
        int r;
        if (getenv("NET_DEBUG"))
                log_set_level(LOG_LEVEL_DEBUG);
        else
                log_set_level(LOG_LEVEL_WARN);

        /* namespace commands need no store */
        if (strcmp(cmd, "netns-create") == 0 && argc == 3) {
                r = netns_create(argv[2], &err);
                return r < 0 ? fail(r, &err) : 0;
        }
        if (strcmp(cmd, "netns-rm") == 0 && argc == 3) {
                r = netns_remove(argv[2]);
                return r < 0 ? fail(r, &err) : 0;
        }

        const char *state = getenv("NET_STATE");
        if (!state)
                return usage();
        struct network_store_opts o = {
                .state_dir = state,
                .plugin_dir = getenv("NET_PLUGINS"),
                .default_bridge = getenv("NET_BRIDGE"),
                .default_cidr = getenv("NET_CIDR"),
        };
        struct network_store *s = NULL;
        r = network_store_open(&o, &s, &err);
        if (r < 0)
                return fail(r, &err);
        json_t *out = NULL;
        if (strcmp(cmd, "create-net") == 0 && argc >= 3 && argc <= 5) {
                json_t *body = json_pack("{s:s}", "Name", argv[2]);
                if (argc >= 4)
                        json_object_set_new(body, "IPAM",
                                            json_pack("{s:[{s:s,s:s}]}", "Config", "Subnet", argv[3], "Gateway",
                                                      argc == 5 ? argv[4] : ""));
                r = network_create(s, body, &out, &err);
                json_decref(body);
        } else if (strcmp(cmd, "create-json") == 0 && argc == 3) {
                json_t *body = json_loads(argv[2], 0, NULL);
                r = network_create(s, body, &out, &err);
                json_decref(body);
        } else if (strcmp(cmd, "inspect") == 0 && argc == 3) {
                r = network_inspect(s, argv[2], &out, &err);
        } else if (strcmp(cmd, "list") == 0 && argc <= 3) {
                struct filters *f = NULL;
                r = filters_parse(argc == 3 ? argv[2] : NULL, network_list_filter_keys, &f, &err);
                if (r >= 0)
                        r = network_list(s, f, &out, &err);
                filters_free(f);
        } else if (strcmp(cmd, "rm-net") == 0 && argc == 3) {
                r = network_remove(s, argv[2], &err);
        } else if (strcmp(cmd, "prune") == 0 && argc == 2) {
                r = network_prune(s, NULL, &out, &err);
        } else if (strcmp(cmd, "attach") == 0 && argc >= 5 && argc <= 7) {
                json_t *ports = argc >= 6 && *argv[5] ? json_loads(argv[5], 0, NULL) : NULL;
                struct net_attach_opts a = {
                        .container_id = argv[3],
                        .container_name = argv[3],
                        .netns_path = argv[4],
                        .ifname = "eth0",
                        .ip = argc == 7 ? argv[6] : NULL,
                        .port_bindings = ports,
                };
                r = network_attach(s, argv[2], &a, &out, &err);
                json_decref(ports);
        } else if (strcmp(cmd, "detach") == 0 && argc == 4) {
                r = network_detach(s, argv[2], argv[3], &err);
        } else if (strcmp(cmd, "detach-all") == 0 && argc == 3) {
                r = network_detach_all(s, argv[2]);
        } else if (strcmp(cmd, "ports") == 0 && argc == 3) {
                out = network_container_ports(s, argv[2]);
                r = 0;
        } else if (strcmp(cmd, "peers") == 0 && argc >= 3 && argc <= 4) {
                out = network_peers(s, argv[2], argc == 4 ? argv[3] : NULL);
                r = out ? 0 : -ENOENT;
        } else if (strcmp(cmd, "lo-up") == 0 && argc == 3) {
                r = netns_setup_loopback(s, argv[2], &err);
        } else {
                network_store_free(s);
                return usage();
        }
        if (r >= 0 && out)
                print(out);
        json_decref(out);
        network_store_free(s);
        return r < 0 ? fail(r, &err) : 0;
}
