/* Pulling and pushing images: registry client + image store. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

struct image_store;

struct registry_options {
        char **mirrors;  /* tried first for docker.io */
        char **insecure; /* registries (host[:port]) allowed over plain HTTP */
        const char *user, *password;
        const char *platform; /* "linux/amd64" default */
};

/* Called with docker's JSON progress messages ({"status","id","progressDetail","progress"}).
 * The callee does not keep msg. */
typedef void (*pull_message_fn)(void *ud, const json_t *msg);

int registry_pull(struct image_store *s, const char *name, const struct registry_options *o, pull_message_fn cb,
                  void *ud, char ret_id[80], struct pouch_err *err);
int registry_push(struct image_store *s, const char *name, const struct registry_options *o, pull_message_fn cb,
                  void *ud, struct pouch_err *err);
/* Check credentials against a registry (GET /v2/ with auth). */
int registry_login(const char *server, const struct registry_options *o, struct pouch_err *err);
/* Plain HTTP allowed? Loopback addresses always, others when listed as insecure. */
bool registry_plain_http_allowed(const char *domain, char *const insecure[]);
