/* /networks: create, list, inspect, remove, prune, connect, disconnect. */
#include "api.h"

#include "daemon/events.h"
#include "daemon/lifecycle.h"
#include "daemon/network/network.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <string.h>

/* The network store reports Docker's 403 cases (predefined networks, overlapping pools) as -EPERM. */
static enum MHD_Result network_error(struct http_req *r, const struct pouch_err *err)
{
        if (err->code == -EPERM)
                return http_errorf(r, 403, "%s", err->msg);
        return http_error(r, err);
}

enum MHD_Result api_network_list(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        if (http_filters(r, network_list_filter_keys, &f, &err) < 0)
                return http_error(r, &err);
        json_t *out = NULL;
        if (network_list(r->d->networks, f, &out, &err) < 0)
                return network_error(r, &err);
        return http_json(r, 200, out);
}

enum MHD_Result api_network_inspect(struct http_req *r)
{
        struct pouch_err err = { 0 };
        json_t *doc = NULL;
        if (network_inspect(r->d->networks, r->params[0], &doc, &err) < 0)
                return network_error(r, &err);
        return http_json(r, 200, doc);
}

enum MHD_Result api_network_create(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, true, &res);
        if (!body)
                return res;
        if (!*json_get_str(body, "Name", ""))
                return http_errorf(r, 400, "network name is required");
        struct pouch_err err = { 0 };
        json_t *doc = NULL;
        if (network_create(r->d->networks, body, &doc, &err) < 0)
                return network_error(r, &err);
        event_publish(r->d->events, "network", "create", json_get_str(doc, "Id", ""),
                      json_pack("{s:s,s:s}", "name", json_get_str(body, "Name", ""), "type",
                                *json_get_str(body, "Driver", "") ? json_get_str(body, "Driver", "") : "bridge"));
        return http_json(r, 201, doc);
}

enum MHD_Result api_network_delete(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *doc = NULL;
        if (network_inspect(r->d->networks, r->params[0], &doc, &err) < 0)
                return network_error(r, &err);
        if (network_remove(r->d->networks, r->params[0], &err) < 0)
                return network_error(r, &err);
        event_publish(r->d->events, "network", "destroy", json_get_str(doc, "Id", ""),
                      json_pack("{s:s,s:s}", "name", json_get_str(doc, "Name", ""), "type",
                                json_get_str(doc, "Driver", "")));
        return http_empty(r, 204);
}

enum MHD_Result api_network_prune(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        if (http_filters(r, network_prune_filter_keys, &f, &err) < 0)
                return http_error(r, &err);
        json_t *removed = NULL;
        if (network_prune(r->d->networks, f, &removed, &err) < 0) {
                json_decref(removed);
                return network_error(r, &err);
        }
        return http_json(r, 200, json_pack("{s:o}", "NetworksDeleted", removed));
}

/* connect and disconnect: {"Container": ID, "EndpointConfig": {...}} / {"Container": ID, "Force": bool} */
static enum MHD_Result connect_or_disconnect(struct http_req *r, bool connect)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, true, &res);
        if (!body)
                return res;
        const char *who = json_get_str(body, "Container", "");
        if (!*who)
                return http_errorf(r, 400, "Container is required");
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *net = NULL;
        if (network_inspect(r->d->networks, r->params[0], &net, &err) < 0)
                return network_error(r, &err);
        struct container *c = NULL;
        if (container_get(r->d, who, &c, &err) < 0)
                return http_error(r, &err);
        int rc = connect ? container_network_connect(r->d, c, r->params[0], json_object_get(body, "EndpointConfig"),
                                                     &err)
                         : container_network_disconnect(r->d, c, r->params[0], &err);
        container_put(r->d, c);
        if (rc < 0)
                return network_error(r, &err);
        return http_empty(r, 200);
}

enum MHD_Result api_network_connect(struct http_req *r)
{
        return connect_or_disconnect(r, true);
}

enum MHD_Result api_network_disconnect(struct http_req *r)
{
        return connect_or_disconnect(r, false);
}
