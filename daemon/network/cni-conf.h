/* CNI configuration of a bridge network and the parts of CNI results pouch uses.
 *
 * A network's chain (a CNI 1.0.0 configuration list) is bridge -> portmap:
 *   bridge   isGateway, ipMasq off, hairpinMode, host-local IPAM with its dataDir under the
 *            store's state dir; routes 0.0.0.0/0 unless internal
 *   portmap  capabilities {"portMappings": true}, snat true (127.0.0.1:PORT from the host works);
 *            only run for containers that publish ports
 * Masquerading and forwarding are per-network host rules (hostrules.h), made once, instead of the
 * bridge plugin's ipMasq and the firewall plugin, which add and remove chains for every container.
 * Records made before kept their firewall plugin, and it keeps working for them.
 * The loopback interface is not part of the chain (see netns_setup_loopback). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

#define CNI_VERSION "1.0.0"

struct cni_net_params {
        const char *name;     /* CNI network name: [a-zA-Z0-9][a-zA-Z0-9_.-]* */
        const char *bridge;   /* host bridge (<= 15 chars) */
        const char *subnet;   /* "10.1.0.0/24" */
        const char *gateway;  /* "10.1.0.1" */
        const char *ip_range; /* NULL or a CIDR inside subnet, addresses are leased from it only */
        const char *data_dir; /* host-local dataDir */
        bool internal;        /* no default route */
        int mtu;              /* 0: the kernel's default */
};

/* The configuration list for a network; NULL on bad parameters (subnet/range unparsable). */
json_t *cni_conflist_build(const struct cni_net_params *p);

/* What the runtime hands plugin number idx of the list: its object plus "name" and "cniVersion"
 * of the list, "prevResult" (when non-NULL) and "runtimeConfig" holding the keys of
 * runtime_config that the plugin asks for in "capabilities". New reference. */
json_t *cni_plugin_conf(json_t *conflist, size_t idx, json_t *prev_result, json_t *runtime_config);

struct cni_ip_result {
        char ip[16];      /* "10.1.0.2" */
        unsigned prefix;  /* 24 */
        char gateway[16]; /* "" when the result has none */
        char mac[32];     /* of the container interface, "" when unknown */
};

/* Pick the IPv4 address of interface `ifname` in the sandbox out of a CNI 1.0.0 result (or the
 * first IPv4 address when the result does not say which interface an address belongs to).
 * -EINVAL "... has no IPv4 address" otherwise. */
int cni_result_parse(json_t *result, const char *ifname, struct cni_ip_result *ret, struct pouch_err *err);
