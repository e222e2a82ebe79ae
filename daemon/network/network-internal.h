/* Shared between the parts of the network store (store.c: networks; attach.c: endpoints).
 *
 * A network record is a JSON object kept in memory and in networks/<id>.json: Docker's public
 * fields (Name, Id, Created, Scope, Driver, EnableIPv6, IPAM, Internal, Attachable, Ingress,
 * ConfigFrom, ConfigOnly, Options, Labels) plus
 *   "Pouch":     {"Predefined", "Bridge", "BridgeCreated", "CNIName", "Subnet", "Gateway",
 *                 "IPRange", "UserSubnet", "Conflist"}
 *   "Endpoints": {container id: endpoint}
 * An endpoint: {"ContainerID", "ContainerName", "EndpointID", "IfName", "NetNS", "IPAddress",
 * "IPPrefixLen", "Gateway", "MacAddress", "Aliases", "RequestedIP", "Ports" (resolved mappings),
 * "State" ("adding", "ready", "removing"), "CNI": {"ContainerID", "IfName", "Args", "Conflist",
 * "RuntimeConfig", "Result"}} — the CNI part is all a DEL needs, even after a restart. */
#pragma once

#include "daemon/network/network.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

struct network_store {
        pthread_mutex_t lock;
        char *state_dir, *plugin_dir, *default_bridge, *default_cidr, *sysctl_dir;
        char *nets_dir, *ipam_dir, *tmp_dir;
        char *iptables;        /* "" when host rules are off */
        json_t *nets;          /* array of network records */
        json_t *rules_ensured; /* {network id: true} once its host rules were checked (in memory) */
};

/* The host firewall rules of a bridge network (hostrules.h): ensure them once per network and
 * daemon lifetime before an attach; remove them with the network. No-ops when rules are off. */
int net_rules_ensure(struct network_store *s, json_t *net, struct pouch_err *err);
void net_rules_remove_locked(struct network_store *s, json_t *net);

/* All *_locked functions expect s->lock held. */

/* The record for a full id, a name, or a unique id prefix (borrowed). NULL with -ENOENT
 * "network X not found" (or -EINVAL when a prefix is ambiguous) in err. */
json_t *store_find_locked(struct network_store *s, const char *name_or_id, struct pouch_err *err);
/* Write the record to networks/<id>.json atomically. */
int store_save_locked(struct network_store *s, json_t *net, struct pouch_err *err);

static inline json_t *net_pouch(json_t *net)
{
        return json_object_get(net, "Pouch");
}

/* The endpoints object of a record (created when missing). */
json_t *net_endpoints(json_t *net);
/* Docker's NetworkSettings.Networks[NAME] object for an endpoint. */
json_t *endpoint_doc(json_t *net, json_t *ep);
