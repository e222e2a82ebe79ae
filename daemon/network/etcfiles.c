/* The /etc/hosts, /etc/resolv.conf and /etc/hostname pouch bind-mounts into containers. */
#include "daemon/network/network.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string; on allocation failure `failed` is set and appends become no-ops. */
struct buf {
        char *s;
        size_t len, cap;
        bool failed;
};

static void __attribute__((format(printf, 2, 3))) buf_printf(struct buf *b, const char *fmt, ...)
{
        if (b->failed)
                return;
        va_list ap;
        va_start(ap, fmt);
        char *chunk = NULL;
        int n = vasprintf(&chunk, fmt, ap);
        va_end(ap);
        if (n < 0) {
                b->failed = true;
                return;
        }
        if (b->len + (size_t) n + 1 > b->cap) {
                size_t cap = (b->len + (size_t) n + 1) * 2;
                char *ns = realloc(b->s, cap);
                if (!ns) {
                        free(chunk);
                        b->failed = true;
                        return;
                }
                b->s = ns;
                b->cap = cap;
        }
        memcpy(b->s + b->len, chunk, (size_t) n + 1);
        b->len += (size_t) n;
        free(chunk);
}

static int buf_take(struct buf *b, char **ret)
{
        if (b->failed) {
                free(b->s);
                return -ENOMEM;
        }
        *ret = b->s ? b->s : strdup("");
        return *ret ? 0 : -ENOMEM;
}

static bool is_ip(const char *s)
{
        unsigned char a[16];
        return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int network_hosts_content(const struct etc_files_opts *o, char **ret, struct pouch_err *err)
{
        struct buf b = { 0 };
        /* what docker writes */
        buf_printf(&b, "127.0.0.1\tlocalhost\n");
        buf_printf(&b, "::1\tlocalhost ip6-localhost ip6-loopback\n");
        buf_printf(&b, "fe00::0\tip6-localnet\n");
        buf_printf(&b, "ff00::0\tip6-mcastprefix\n");
        buf_printf(&b, "ff02::1\tip6-allnodes\n");
        buf_printf(&b, "ff02::2\tip6-allrouters\n");

        const char *hn = o->hostname && *o->hostname ? o->hostname : NULL;
        if (o->ip && *o->ip && (hn || (o->container_name && *o->container_name))) {
                buf_printf(&b, "%s\t", o->ip);
                bool first = true;
                if (hn && o->domainname && *o->domainname) {
                        buf_printf(&b, "%s.%s", hn, o->domainname);
                        first = false;
                }
                if (hn) {
                        buf_printf(&b, "%s%s", first ? "" : " ", hn);
                        first = false;
                }
                if (o->container_name && *o->container_name && (!hn || strcmp(o->container_name, hn) != 0))
                        buf_printf(&b, "%s%s", first ? "" : " ", o->container_name);
                buf_printf(&b, "\n");
        }

        for (size_t i = 0; o->extra_hosts && o->extra_hosts[i]; i++) {
                const char *h = o->extra_hosts[i];
                /* "name:ip" (the IP may be IPv6 and contain ':'), or "name=ip" */
                const char *sep = strchr(h, '=');
                if (!sep)
                        sep = strchr(h, ':');
                if (!sep || sep == h || !sep[1]) {
                        free(b.s);
                        return err_set(err, -EINVAL, "invalid extra host %s: expected name:ip", h);
                }
                const char *ip = sep + 1;
                if (strcmp(ip, "host-gateway") == 0) {
                        if (!o->gateway || !*o->gateway) {
                                free(b.s);
                                return err_set(err, -EINVAL, "unable to derive the IP value for host-gateway");
                        }
                        ip = o->gateway;
                }
                char ipbuf[64];
                size_t il = strlen(ip);
                if (ip[0] == '[' && il > 2 && ip[il - 1] == ']' && il - 2 < sizeof(ipbuf)) {
                        memcpy(ipbuf, ip + 1, il - 2);
                        ipbuf[il - 2] = '\0';
                        ip = ipbuf;
                }
                if (!is_ip(ip)) {
                        free(b.s);
                        return err_set(err, -EINVAL, "invalid IP address in add-host: \"%s\"", sep + 1);
                }
                buf_printf(&b, "%s\t%.*s\n", ip, (int) (sep - h), h);
        }

        const char *name;
        json_t *v;
        json_object_foreach(o->peers, name, v)
                if (json_is_string(v) && is_ip(json_string_value(v)))
                        buf_printf(&b, "%s\t%s\n", json_string_value(v), name);
        return buf_take(&b, ret);
}

/* The nameserver of a "nameserver X" line, or NULL. */
static bool nameserver_of(const char *line, char *ret, size_t len)
{
        const char *p = line;
        while (*p == ' ' || *p == '\t')
                p++;
        if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t'))
                return false;
        p += 10;
        while (*p == ' ' || *p == '\t')
                p++;
        size_t n = strcspn(p, " \t\r\n#;");
        if (n == 0 || n >= len)
                return false;
        memcpy(ret, p, n);
        ret[n] = '\0';
        return true;
}

/* Nameservers unusable from the container's namespace: loopback ones, and IPv6 (no IPv6 here). */
static bool nameserver_dropped(const char *ns)
{
        struct in_addr a4;
        if (inet_pton(AF_INET, ns, &a4) == 1)
                return (ntohl(a4.s_addr) >> 24) == 127;
        return true;
}

static bool line_starts(const char *line, const char *word)
{
        while (*line == ' ' || *line == '\t')
                line++;
        size_t n = strlen(word);
        return strncmp(line, word, n) == 0 && (line[n] == ' ' || line[n] == '\t' || line[n] == '\0');
}

int network_resolv_conf_content(const char *host_resolv, const struct etc_files_opts *o, char **ret,
                                struct pouch_err *err)
{
        (void) err;
        struct buf b = { 0 };
        bool have_dns = o->dns && o->dns[0], have_search = o->dns_search && o->dns_search[0],
             have_opts = o->dns_options && o->dns_options[0];
        int kept = 0;
        _cleanup_free_ char *copy = strdup(host_resolv ? host_resolv : "");
        if (!copy)
                return -ENOMEM;

        if (!have_dns && !have_search && !have_opts) {
                /* the host's file, minus nameservers the container cannot reach */
                char *save = NULL;
                for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char ns[128];
                        if (nameserver_of(line, ns, sizeof(ns))) {
                                if (nameserver_dropped(ns))
                                        continue;
                                kept++;
                        }
                        buf_printf(&b, "%s\n", line);
                }
                if (kept == 0)
                        buf_printf(&b, "\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n");
                return buf_take(&b, ret);
        }

        /* rebuilt: each of nameservers / search / options comes from the flags or else the host */
        char *save = NULL;
        _cleanup_free_ char *host_search = NULL, *host_opts = NULL;
        struct buf hns = { 0 };
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char ns[128];
                if (nameserver_of(line, ns, sizeof(ns))) {
                        if (!nameserver_dropped(ns)) {
                                buf_printf(&hns, "nameserver %s\n", ns);
                                kept++;
                        }
                } else if (line_starts(line, "search") || line_starts(line, "domain")) {
                        free(host_search);
                        const char *p = line;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        p += 6;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        host_search = strdup(p);
                } else if (line_starts(line, "options")) {
                        free(host_opts);
                        const char *p = line;
                        while (*p == ' ' || *p == '\t')
                                p++;
                        host_opts = strdup(p + 7);
                }
        }
        if (have_search) {
                if (!(o->dns_search[0] && strcmp(o->dns_search[0], ".") == 0 && !o->dns_search[1])) {
                        buf_printf(&b, "search");
                        for (size_t i = 0; o->dns_search[i]; i++)
                                if (strcmp(o->dns_search[i], ".") != 0)
                                        buf_printf(&b, " %s", o->dns_search[i]);
                        buf_printf(&b, "\n");
                }
        } else if (host_search && *host_search) {
                buf_printf(&b, "search %s\n", host_search);
        }
        if (have_dns) {
                for (size_t i = 0; o->dns[i]; i++)
                        buf_printf(&b, "nameserver %s\n", o->dns[i]);
        } else if (kept > 0) {
                buf_printf(&b, "%s", hns.s ? hns.s : "");
        } else {
                buf_printf(&b, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        }
        free(hns.s);
        if (have_opts) {
                buf_printf(&b, "options");
                for (size_t i = 0; o->dns_options[i]; i++)
                        buf_printf(&b, " %s", o->dns_options[i]);
                buf_printf(&b, "\n");
        } else if (host_opts) {
                const char *p = host_opts;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p)
                        buf_printf(&b, "options %s\n", p);
        }
        return buf_take(&b, ret);
}

static int write_one(const char *dir, const char *name, const char *content, struct pouch_err *err)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        int r = write_file_atomic(p, content, strlen(content), 0644);
        if (r < 0)
                return err_set(err, r, "cannot write %s: %s", p, strerror(-r));
        return 0;
}

int network_write_etc_files(const char *dir, const struct etc_files_opts *o, struct pouch_err *err)
{
        _cleanup_free_ char *hosts = NULL, *resolv = NULL, *host_resolv = NULL, *hostname = NULL;
        int r = network_hosts_content(o, &hosts, err);
        if (r < 0)
                return r;
        r = read_file("/etc/resolv.conf", 1u << 20, &host_resolv, NULL);
        if (r < 0 && r != -ENOENT)
                return err_set(err, r, "cannot read /etc/resolv.conf: %s", strerror(-r));
        r = network_resolv_conf_content(host_resolv, o, &resolv, err);
        if (r < 0)
                return r;
        if (asprintf(&hostname, "%s\n", o->hostname ? o->hostname : "") < 0)
                return -ENOMEM;
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", dir, strerror(-r));
        if ((r = write_one(dir, "hosts", hosts, err)) < 0 || (r = write_one(dir, "resolv.conf", resolv, err)) < 0 ||
            (r = write_one(dir, "hostname", hostname, err)) < 0)
                return r;
        return 0;
}
