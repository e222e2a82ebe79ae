#include "auth.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void auth_challenge_done(struct auth_challenge *c)
{
        if (!c)
                return;
        free(c->scheme);
        free(c->realm);
        free(c->service);
        free(c->scope);
        free(c->error);
        memset(c, 0, sizeof(*c));
}

/* key=value or key="quoted \" value", comma separated. */
int auth_challenge_parse(const char *h, struct auth_challenge *ret)
{
        struct auth_challenge c = { 0 };
        while (*h == ' ')
                h++;
        size_t n = strcspn(h, " ");
        if (n == 0)
                return -EINVAL;
        c.scheme = strndup(h, n);
        if (strcasecmp(c.scheme, "Bearer") && strcasecmp(c.scheme, "Basic")) {
                auth_challenge_done(&c);
                return -EINVAL;
        }
        h += n;
        while (*h) {
                while (*h == ' ' || *h == ',')
                        h++;
                if (!*h)
                        break;
                size_t kl = strcspn(h, "=");
                if (!h[kl])
                        break;
                _cleanup_free_ char *key = strndup(h, kl);
                h += kl + 1;
                char *val = malloc(strlen(h) + 1);
                size_t vl = 0;
                if (*h == '"') {
                        h++;
                        while (*h && *h != '"') {
                                if (*h == '\\' && h[1])
                                        h++;
                                val[vl++] = *h++;
                        }
                        if (*h == '"')
                                h++;
                } else {
                        while (*h && *h != ',')
                                val[vl++] = *h++;
                        while (vl > 0 && val[vl - 1] == ' ')
                                vl--;
                }
                val[vl] = '\0';
                char **dst = strcasecmp(key, "realm") == 0     ? &c.realm
                             : strcasecmp(key, "service") == 0 ? &c.service
                             : strcasecmp(key, "scope") == 0   ? &c.scope
                             : strcasecmp(key, "error") == 0   ? &c.error
                                                               : NULL;
                if (dst) {
                        free(*dst);
                        *dst = val;
                } else {
                        free(val);
                }
        }
        if (strcasecmp(c.scheme, "Bearer") == 0 && !c.realm) {
                auth_challenge_done(&c);
                return -EINVAL;
        }
        *ret = c;
        return 0;
}

static char *b64url_decode(const char *in)
{
        size_t n = strlen(in);
        _cleanup_free_ char *std = malloc(n + 4);
        if (!std)
                return NULL;
        for (size_t i = 0; i < n; i++)
                std[i] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
        while (n % 4)
                std[n++] = '=';
        std[n] = '\0';
        char *out = malloc(n + 1);
        if (!out)
                return NULL;
        int len = EVP_DecodeBlock((unsigned char *) out, (unsigned char *) std, (int) n);
        if (len < 0) {
                free(out);
                return NULL;
        }
        /* EVP_DecodeBlock counts the padding bytes as zeros */
        while (len > 0 && n > 0 && std[n - 1] == '=') {
                len--;
                n--;
        }
        out[len] = '\0';
        return out;
}

int auth_decode_registry_header(const char *b64, char **ret_user, char **ret_password)
{
        *ret_user = *ret_password = NULL;
        if (!b64 || !*b64)
                return 0;
        _cleanup_free_ char *txt = b64url_decode(b64);
        if (!txt)
                return -EINVAL;
        json_error_t jerr;
        _cleanup_json_ json_t *j = json_loads(txt, 0, &jerr);
        if (!json_is_object(j))
                return -EINVAL;
        const char *user = json_get_str(j, "username", NULL), *pass = json_get_str(j, "password", NULL);
        const char *auth = json_get_str(j, "auth", NULL);
        _cleanup_free_ char *decoded = NULL;
        if ((!user || !*user) && auth && *auth) {
                decoded = b64url_decode(auth);
                char *colon = decoded ? strchr(decoded, ':') : NULL;
                if (!colon)
                        return -EINVAL;
                *colon = '\0';
                user = decoded;
                pass = colon + 1;
        }
        if (!user || !*user)
                return 0;
        *ret_user = strdup(user);
        *ret_password = strdup(pass ? pass : "");
        return 0;
}
