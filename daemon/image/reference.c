/* Docker image references: grammar check and normalisation to domain/path:tag@digest.
 *
 *   reference  := name [":" tag] ["@" digest]
 *   name       := [domain "/"] component ("/" component)*
 *   domain     := host [":" port]      host: dns labels joined by ".", or "[ipv6]"
 *   component  := alnum+ (separator alnum+)*   alnum [a-z0-9], separator "." "_" "__" "-"+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := "sha256:" 64 lowercase hex
 * The first component is a domain when it contains "." or ":", is "localhost", or has uppercase
 * letters (which a repository path may not have). Otherwise the domain is docker.io, and a
 * single-component name on docker.io gets "library/". */
#include "daemon/image/reference.h"

#include "lib/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_DOMAIN "docker.io"
#define NAME_MAX_TOTAL 255

static bool is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_hex_lower(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
                        return false;
        return true;
}

/* One path component [s, s+n). */
static bool valid_component(const char *s, size_t n)
{
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n;) {
                if (is_lower_alnum(s[i])) {
                        i++;
                        continue;
                }
                /* a separator run: ".", "_", "__" or any number of "-" */
                size_t j = i;
                while (j < n && !is_lower_alnum(s[j]))
                        j++;
                size_t len = j - i;
                bool ok = (len == 1 && (s[i] == '.' || s[i] == '_')) || (len == 2 && s[i] == '_' && s[i + 1] == '_');
                if (!ok) {
                        ok = true;
                        for (size_t k = i; k < j; k++)
                                ok = ok && s[k] == '-';
                }
                if (!ok)
                        return false;
                i = j;
        }
        return true;
}

static bool valid_path(const char *s)
{
        if (!*s)
                return false;
        for (;;) {
                const char *slash = strchr(s, '/');
                size_t n = slash ? (size_t) (slash - s) : strlen(s);
                if (!valid_component(s, n))
                        return false;
                if (!slash)
                        return true;
                s = slash + 1;
        }
}

static bool valid_dns_label(const char *s, size_t n)
{
        if (n == 0 || !isalnum((unsigned char) s[0]) || !isalnum((unsigned char) s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char) s[i]) && s[i] != '-')
                        return false;
        return true;
}

static bool valid_domain(const char *s)
{
        const char *port = NULL;
        if (s[0] == '[') {
                const char *end = strchr(s, ']');
                if (!end || end == s + 1)
                        return false;
                for (const char *p = s + 1; p < end; p++)
                        if (!isxdigit((unsigned char) *p) && *p != ':')
                                return false;
                if (end[1] == ':')
                        port = end + 2;
                else if (end[1])
                        return false;
        } else {
                const char *colon = strchr(s, ':');
                size_t hostlen = colon ? (size_t) (colon - s) : strlen(s);
                if (colon)
                        port = colon + 1;
                const char *p = s, *end = s + hostlen;
                for (;;) {
                        const char *dot = memchr(p, '.', (size_t) (end - p));
                        size_t n = dot ? (size_t) (dot - p) : (size_t) (end - p);
                        if (!valid_dns_label(p, n))
                                return false;
                        if (!dot)
                                break;
                        p = dot + 1;
                }
        }
        if (port) {
                if (!*port || strlen(port) > 5)
                        return false;
                for (const char *p = port; *p; p++)
                        if (!isdigit((unsigned char) *p))
                                return false;
        }
        return true;
}

static bool valid_tag(const char *t)
{
        size_t n = strlen(t);
        if (n == 0 || n > 128 || !(isalnum((unsigned char) t[0]) || t[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!(isalnum((unsigned char) t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
                        return false;
        return true;
}

static bool valid_digest(const char *d)
{
        return strncmp(d, "sha256:", 7) == 0 && strlen(d + 7) == 64 && is_hex_lower(d + 7, 64);
}

/* Split "name" into domain and remainder following docker's normalisation. */
static int split_domain(const char *name, char **ret_domain, char **ret_path)
{
        const char *slash = strchr(name, '/');
        _cleanup_free_ char *domain = NULL, *path = NULL;
        bool has_domain = false;
        if (slash) {
                size_t n = (size_t) (slash - name);
                bool upper = false;
                for (size_t i = 0; i < n; i++)
                        upper = upper || isupper((unsigned char) name[i]);
                has_domain = memchr(name, '.', n) || memchr(name, ':', n) ||
                             (n == 9 && !strncmp(name, "localhost", 9)) || upper;
        }
        if (has_domain) {
                domain = strndup(name, (size_t) (slash - name));
                path = strdup(slash + 1);
        } else {
                domain = strdup(DEFAULT_DOMAIN);
                path = strdup(name);
        }
        if (!domain || !path)
                return -ENOMEM;
        if (STREQ(domain, "index.docker.io")) {
                free(domain);
                domain = strdup(DEFAULT_DOMAIN);
                if (!domain)
                        return -ENOMEM;
        }
        if (STREQ(domain, DEFAULT_DOMAIN) && !strchr(path, '/')) {
                char *p = NULL;
                if (asprintf(&p, "library/%s", path) < 0)
                        return -ENOMEM;
                free(path);
                path = p;
        }
        *ret_domain = TAKE_PTR(domain);
        *ret_path = TAKE_PTR(path);
        return 0;
}

int reference_parse(const char *s, struct image_ref *ret)
{
        if (!s || !*s || strlen(s) > 4096)
                return -EINVAL;
        /* a bare 64-hex string is an image ID, never a repository name (docker refuses it too) */
        if (strlen(s) == 64 && is_hex_lower(s, 64))
                return -EINVAL;
        _cleanup_free_ char *copy = strdup(s);
        if (!copy)
                return -ENOMEM;
        _cleanup_free_ char *digest = NULL, *tag = NULL;
        char *at = strchr(copy, '@');
        if (at) {
                *at = '\0';
                if (!valid_digest(at + 1))
                        return -EINVAL;
                digest = strdup(at + 1);
                if (!digest)
                        return -ENOMEM;
        }
        char *last_slash = strrchr(copy, '/');
        char *colon = strrchr(last_slash ? last_slash : copy, ':');
        if (colon) {
                *colon = '\0';
                if (!valid_tag(colon + 1))
                        return -EINVAL;
                tag = strdup(colon + 1);
                if (!tag)
                        return -ENOMEM;
        }
        if (!*copy || strlen(copy) > NAME_MAX_TOTAL)
                return -EINVAL;
        _cleanup_free_ char *domain = NULL, *path = NULL;
        int r = split_domain(copy, &domain, &path);
        if (r < 0)
                return r;
        /* the limit is on the normalised name, as docker has it: "library/" counts */
        if (!valid_domain(domain) || !valid_path(path) || strlen(domain) + 1 + strlen(path) > NAME_MAX_TOTAL)
                return -EINVAL;
        if (!tag && !digest) {
                tag = strdup("latest");
                if (!tag)
                        return -ENOMEM;
        }
        *ret = (struct image_ref){
                .domain = TAKE_PTR(domain),
                .path = TAKE_PTR(path),
                .tag = TAKE_PTR(tag),
                .digest = TAKE_PTR(digest),
        };
        return 0;
}

void reference_done(struct image_ref *r)
{
        if (!r)
                return;
        free(r->domain);
        free(r->path);
        free(r->tag);
        free(r->digest);
        *r = (struct image_ref){ 0 };
}

/* Whether the first component of path would be read back as a registry domain (split_domain's
 * rule; a repository path has no uppercase letters). */
static bool path_looks_like_domain(const char *path)
{
        const char *slash = strchr(path, '/');
        if (!slash)
                return false;
        size_t n = (size_t) (slash - path);
        return memchr(path, '.', n) || memchr(path, ':', n) || (n == 9 && !strncmp(path, "localhost", 9));
}

char *reference_repo(const struct image_ref *r, bool familiar)
{
        char *out = NULL;
        /* "docker.io/foo.bar/app" keeps its domain: "foo.bar/app" would name another registry */
        if (familiar && STREQ(r->domain, DEFAULT_DOMAIN) && !path_looks_like_domain(r->path)) {
                const char *p = r->path;
                /* ... and library/<64 hex> keeps "library/": the bare name would read as an image ID */
                if (!strncmp(p, "library/", 8) && !strchr(p + 8, '/') &&
                    !(strlen(p + 8) == 64 && is_hex_lower(p + 8, 64)))
                        p += 8;
                return strdup(p);
        }
        if (asprintf(&out, "%s/%s", r->domain, r->path) < 0)
                return NULL;
        return out;
}

static char *with_suffix(const struct image_ref *r, bool familiar)
{
        _cleanup_free_ char *repo = reference_repo(r, familiar);
        if (!repo)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s%s%s%s%s", repo, r->tag ? ":" : "", r->tag ? r->tag : "", r->digest ? "@" : "",
                     r->digest ? r->digest : "") < 0)
                return NULL;
        return out;
}

char *reference_full(const struct image_ref *r)
{
        return with_suffix(r, false);
}

char *reference_familiar(const struct image_ref *r)
{
        return with_suffix(r, true);
}
