/* Registry authentication: WWW-Authenticate challenges and docker-style credentials. */
#pragma once

#include <stdbool.h>

struct auth_challenge {
        char *scheme; /* "Bearer" or "Basic" */
        char *realm;
        char *service;
        char *scope;
        char *error;
};

/* Parse one WWW-Authenticate header value. -EINVAL when it is not a challenge. */
int auth_challenge_parse(const char *header, struct auth_challenge *ret);
void auth_challenge_done(struct auth_challenge *c);

/* Decode an X-Registry-Auth header (base64url JSON {"username","password","auth","identitytoken",
 * "serveraddress"}) into user/password (both NULL when anonymous). */
int auth_decode_registry_header(const char *b64, char **ret_user, char **ret_password);
