/* The host's firewall rules of a bridge network, one set per network instead of per container:
 * masquerading of the subnet's traffic leaving the host, and forwarding to and from the bridge
 * (or, for an internal network, dropping whatever would leave or enter it from elsewhere). Each
 * rule carries the comment "pouch:BRIDGE". Rules are made with the iptables program (whichever
 * backend the host's iptables uses), the way the CNI plugins make theirs. */
#pragma once

#include "lib/err.h"

#include <stdbool.h>

struct host_rules {
        const char *iptables; /* the program: "iptables" (PATH) or a path */
        const char *bridge;   /* the bridge device */
        const char *subnet;   /* CIDR, e.g. 172.29.0.0/16 */
        bool internal;        /* no way out: DROP rules instead of ACCEPT, no masquerading */
        bool masquerade;      /* com.docker.network.bridge.enable_ip_masquerade */
};

/* Add the rules that are missing (iptables -C first, so it is idempotent). */
int host_rules_ensure(const struct host_rules *h, struct pouch_err *err);
/* Remove the network's rules (every copy). Missing rules are not an error. */
int host_rules_remove(const struct host_rules *h, struct pouch_err *err);
