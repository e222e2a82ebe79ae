/* Published ports: docker's -p/--publish syntax, -P, and turning a container's PortBindings into
 * concrete host ports at attach time (checking they are free, choosing random ones). */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

/* (Declared in network.h as well.) Parse "[ip:][hostPort[-end]:]containerPort[-end][/proto]" specs
 * into Docker's HostConfig.PortBindings ({"80/tcp":[{"HostIp":"","HostPort":"8080"}]}) and
 * Config.ExposedPorts ({"80/tcp":{}}); either object may be NULL. -EINVAL with docker's message. */
int ports_parse(char *const *specs, json_t *port_bindings, json_t *exposed_ports, struct pouch_err *err);

/* -P: give every exposed port that has no binding yet {"HostIp":"","HostPort":""} (a random
 * host port, chosen at attach time). */
int ports_publish_all(json_t *exposed_ports, json_t *port_bindings);

/* "80/tcp" -> 80, "tcp"; "80" -> 80, "tcp". proto must hold 8 bytes. -EINVAL on junk. */
int port_key_parse(const char *key, unsigned *ret_port, char proto[8]);

/* Concrete mappings for PortBindings: an array of {"HostIp","HostPort"(int),"ContainerPort"(int),
 * "Protocol"}. HostPort "" or "0" gets a free ephemeral port; "8000-8010" the first free one of the
 * range. `taken` (array of the same shape, may be NULL) holds the mappings of every other endpoint:
 * an explicit port found there or failing bind() is -EBUSY with docker's "Bind for IP:PORT failed:
 * port is already allocated". Non-IPv4 HostIp: -EINVAL. */
int ports_resolve(json_t *port_bindings, json_t *taken, json_t **ret_mappings, struct pouch_err *err);

/* Whether PORT/proto can be bound on host_ip ("" = any): 0, -EADDRINUSE, or another -errno. */
int port_try_bind(const char *proto, const char *host_ip, unsigned port);

/* CNI portmap runtimeConfig entries ({"hostPort","containerPort","protocol","hostIP"}) for mappings. */
json_t *ports_to_cni(json_t *mappings);
/* Docker's NetworkSettings.Ports entries for mappings, merged into `ports` (an object). */
void ports_to_docker(json_t *mappings, json_t *ports);
