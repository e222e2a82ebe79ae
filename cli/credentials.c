/* Registry credentials in ~/.pouch/config.json, shaped like docker's config.json:
 *   {"auths": {"127.0.0.1:5000": {"auth": base64("user:password")}}}
 * written atomically with mode 0600. $POUCH_CONFIG names another directory. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DOCKER_HUB_KEY "https://index.docker.io/v1/"

static char *config_path(void)
{
        const char *dir = getenv("POUCH_CONFIG");
        char *p = NULL;
        if (dir && *dir)
                return asprintf(&p, "%s/config.json", dir) < 0 ? NULL : p;
        const char *home = getenv("HOME");
        return asprintf(&p, "%s/.pouch/config.json", home && *home ? home : "/root") < 0 ? NULL : p;
}

static json_t *config_load(void)
{
        _cleanup_free_ char *p = config_path();
        json_t *j = NULL;
        char e[256];
        if (!p || json_read_file(p, &j, e, sizeof(e)) < 0 || !json_is_object(j)) {
                json_decref(j);
                j = json_object();
        }
        if (!json_is_object(json_object_get(j, "auths")))
                json_object_set_new(j, "auths", json_object());
        return j;
}

static int config_save(json_t *j)
{
        _cleanup_free_ char *p = config_path();
        if (!p)
                return -ENOMEM;
        _cleanup_free_ char *dir = strdup(p);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash) {
                *slash = '\0';
                mkdir_p(dir, 0700);
        }
        _cleanup_free_ char *s = json_dumps(j, JSON_INDENT(8));
        if (!s)
                return -ENOMEM;
        return write_file_atomic(p, s, strlen(s), 0600);
}

/* The key docker uses for a server: the hub's URL for docker.io, else the host[:port]. */
static const char *server_key(const char *server)
{
        if (!server || !*server || !strcmp(server, "docker.io") || !strcmp(server, "index.docker.io") ||
            !strcmp(server, "registry-1.docker.io") || !strcmp(server, DOCKER_HUB_KEY))
                return DOCKER_HUB_KEY;
        if (!strncmp(server, "https://", 8))
                return server + 8;
        if (!strncmp(server, "http://", 7))
                return server + 7;
        return server;
}

void registry_of_reference(const char *ref, char *out, size_t len)
{
        const char *slash = strchr(ref, '/');
        if (slash) {
                size_t n = (size_t) (slash - ref);
                /* docker's rule: a first component with '.', ':' or "localhost" is a registry */
                if (memchr(ref, '.', n) || memchr(ref, ':', n) || (n == 9 && !strncmp(ref, "localhost", 9))) {
                        snprintf(out, len, "%.*s", (int) n, ref);
                        return;
                }
        }
        snprintf(out, len, "docker.io");
}

int credentials_store(const char *server, const char *user, const char *password)
{
        _cleanup_free_ char *plain = NULL;
        if (asprintf(&plain, "%s:%s", user, password) < 0)
                return -ENOMEM;
        size_t n = strlen(plain);
        _cleanup_free_ char *b64 = malloc(4 * ((n + 2) / 3) + 1);
        if (!b64)
                return -ENOMEM;
        EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) plain, (int) n);
        _cleanup_json_ json_t *cfg = config_load();
        json_object_set_new(json_object_get(cfg, "auths"), server_key(server), json_pack("{s:s}", "auth", b64));
        return config_save(cfg);
}

int credentials_remove(const char *server)
{
        _cleanup_json_ json_t *cfg = config_load();
        json_t *auths = json_object_get(cfg, "auths");
        if (!json_object_get(auths, server_key(server)))
                return -ENOENT;
        json_object_del(auths, server_key(server));
        return config_save(cfg);
}

/* "user:password" of server, malloc'd, or NULL. */
static char *credentials_lookup(const char *server)
{
        _cleanup_json_ json_t *cfg = config_load();
        const char *b64 = json_get_str(json_object_get(json_object_get(cfg, "auths"), server_key(server)), "auth",
                                       NULL);
        if (!b64)
                return NULL;
        size_t n = strlen(b64);
        unsigned char *out = calloc(1, n + 4);
        int k = out ? EVP_DecodeBlock(out, (const unsigned char *) b64, (int) n) : -1;
        if (k <= 0) {
                free(out);
                return NULL;
        }
        out[k] = '\0';
        return (char *) out;
}

char *registry_auth_header(const char *ref)
{
        char server[256];
        registry_of_reference(ref, server, sizeof(server));
        _cleanup_free_ char *up = credentials_lookup(server);
        char *colon = up ? strchr(up, ':') : NULL;
        if (!colon)
                return strdup("X-Registry-Auth: e30=");
        *colon = '\0';
        json_t *j = json_pack("{s:s,s:s,s:s}", "username", up, "password", colon + 1, "serveraddress", server);
        _cleanup_free_ char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        if (!s)
                return NULL;
        size_t n = strlen(s);
        _cleanup_free_ char *b64 = malloc(4 * ((n + 2) / 3) + 1);
        if (!b64)
                return NULL;
        EVP_EncodeBlock((unsigned char *) b64, (const unsigned char *) s, (int) n);
        /* docker sends base64url */
        for (char *p = b64; *p; p++)
                *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
        char *h = NULL;
        return asprintf(&h, "X-Registry-Auth: %s", b64) < 0 ? NULL : h;
}
