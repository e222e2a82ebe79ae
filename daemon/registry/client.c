#include "client.h"

#include "auth.h"
#include "manifest.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_TRIES 4

struct registry_client {
        char *base; /* "https://registry-1.docker.io" */
        char *user, *password;
        char *token; /* bearer token for the last scope */
        char *token_scope;
        CURL *curl;
};

struct buf {
        char *data;
        size_t len;
        size_t max;
        bool overflow;
};

static size_t buf_write(char *p, size_t size, size_t n, void *ud)
{
        struct buf *b = ud;
        size_t add = size * n;
        if (b->len + add > b->max) {
                b->overflow = true;
                return 0;
        }
        char *nd = realloc(b->data, b->len + add + 1);
        if (!nd)
                return 0;
        memcpy(nd + b->len, p, add);
        b->data = nd;
        b->len += add;
        b->data[b->len] = '\0';
        return add;
}

struct hdrs {
        char *www_authenticate;
        char *content_type;
        char *digest;
        char *location;
};

static void hdrs_done(struct hdrs *h)
{
        free(h->www_authenticate);
        free(h->content_type);
        free(h->digest);
        free(h->location);
        memset(h, 0, sizeof(*h));
}

static size_t hdr_cb(char *p, size_t size, size_t n, void *ud)
{
        struct hdrs *h = ud;
        size_t len = size * n;
        const struct {
                const char *name;
                char **dst;
        } want[] = {
                { "www-authenticate:", &h->www_authenticate },
                { "content-type:", &h->content_type },
                { "docker-content-digest:", &h->digest },
                { "location:", &h->location },
        };
        if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
                /* a new response (after a redirect): forget the previous one's headers */
                hdrs_done(h);
                return len;
        }
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
                size_t nl = strlen(want[i].name);
                if (len > nl && strncasecmp(p, want[i].name, nl) == 0) {
                        const char *v = p + nl;
                        size_t vl = len - nl;
                        while (vl && (*v == ' ' || *v == '\t'))
                                v++, vl--;
                        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
                                vl--;
                        free(*want[i].dst);
                        *want[i].dst = strndup(v, vl);
                }
        }
        return len;
}

int registry_client_new(const char *domain, const char *endpoint, bool plain_http, const char *user,
                        const char *password, struct registry_client **ret, struct pouch_err *err)
{
        struct registry_client *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (endpoint) {
                c->base = strdup(endpoint);
                size_t l = strlen(c->base);
                if (l && c->base[l - 1] == '/')
                        c->base[l - 1] = '\0';
        } else {
                const char *host = strcmp(domain, "docker.io") == 0 ? "registry-1.docker.io" : domain;
                if (asprintf(&c->base, "%s://%s", plain_http ? "http" : "https", host) < 0)
                        c->base = NULL;
        }
        c->user = user ? strdup(user) : NULL;
        c->password = password ? strdup(password) : NULL;
        c->curl = curl_easy_init();
        if (!c->base || !c->curl) {
                registry_client_free(c);
                return err_set(err, -ENOMEM, "cannot set up the registry client");
        }
        *ret = c;
        return 0;
}

struct registry_client *registry_client_free(struct registry_client *c)
{
        if (!c)
                return NULL;
        if (c->curl)
                curl_easy_cleanup(c->curl);
        free(c->base);
        free(c->user);
        free(c->password);
        free(c->token);
        free(c->token_scope);
        free(c);
        return NULL;
}

/* Fetch a bearer token for the challenge (with Basic credentials when we have them). */
static int fetch_token(struct registry_client *c, const struct auth_challenge *ch, const char *scope,
                       struct pouch_err *err)
{
        CURL *h = curl_easy_init();
        if (!h)
                return -ENOMEM;
        _cleanup_free_ char *url = NULL;
        char *svc = ch->service ? curl_easy_escape(h, ch->service, 0) : NULL;
        char *sc = curl_easy_escape(h, scope ? scope : (ch->scope ? ch->scope : ""), 0);
        int n = asprintf(&url, "%s%sservice=%s&scope=%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?", svc ? svc : "",
                         sc ? sc : "");
        curl_free(svc);
        curl_free(sc);
        if (n < 0) {
                curl_easy_cleanup(h);
                return -ENOMEM;
        }
        struct buf b = { .max = 1 << 20 };
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, buf_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
        if (c->user) {
                curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
                curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
        }
        CURLcode cc = curl_easy_perform(h);
        long code = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(h);
        int r = 0;
        if (cc != CURLE_OK)
                r = err_set(err, -EIO, "token request to %s failed: %s", ch->realm, curl_easy_strerror(cc));
        else if (code == 401 || code == 403)
                r = err_set(err, -EACCES, "unauthorized: authentication required (token server said %ld)", code);
        else if (code != 200)
                r = err_set(err, -EIO, "token server %s answered %ld", ch->realm, code);
        if (r == 0) {
                _cleanup_json_ json_t *j = json_loadb(b.data ? b.data : "", b.len, 0, NULL);
                const char *t = json_get_str(j, "token", NULL);
                if (!t)
                        t = json_get_str(j, "access_token", NULL);
                if (!t)
                        r = err_set(err, -EIO, "token server %s sent no token", ch->realm);
                else {
                        free(c->token);
                        c->token = strdup(t);
                }
        }
        free(b.data);
        return r;
}

enum body_kind { BODY_MEM, BODY_FILE };

struct request {
        const char *method;
        const char *url;
        const char *accept;
        const char *scope;
        /* response sink */
        struct buf *mem;
        FILE *file;
        curl_off_t resume_from;
        /* upload: upload_size bytes of upload from upload_offset (a chunk carries content_range) */
        FILE *upload;
        curl_off_t upload_size, upload_offset;
        const char *content_range;
        curl_off_t upload_left;
        const char *body;
        size_t body_len;
        const char *content_type;
        blob_progress_fn progress;
        void *ud;
        int64_t progress_base, progress_total;
};

static int xferinfo(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
        (void) dltotal;
        (void) ultotal;
        (void) ulnow;
        struct request *rq = ud;
        if (rq->progress)
                rq->progress(rq->ud, rq->progress_base + dlnow, rq->progress_total);
        return 0;
}

/* Reads at most the request's remaining upload bytes, so a chunk stops where it should. */
static size_t upload_read(char *buf, size_t size, size_t n, void *ud)
{
        struct request *rq = ud;
        size_t want = size * n;
        if ((curl_off_t) want > rq->upload_left)
                want = (size_t) rq->upload_left;
        size_t got = want ? fread(buf, 1, want, rq->upload) : 0;
        if (got == 0 && want > 0 && ferror(rq->upload))
                return CURL_READFUNC_ABORT;
        rq->upload_left -= (curl_off_t) got;
        return got;
}

/* One HTTP exchange with auth handling: on 401 answer the challenge once and retry. */
static int do_request(struct registry_client *c, struct request *rq, long *ret_code, struct hdrs *h,
                      struct pouch_err *err)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                CURL *k = c->curl;
                curl_easy_reset(k);
                hdrs_done(h);
                curl_easy_setopt(k, CURLOPT_URL, rq->url);
                curl_easy_setopt(k, CURLOPT_HEADERFUNCTION, hdr_cb);
                curl_easy_setopt(k, CURLOPT_HEADERDATA, h);
                curl_easy_setopt(k, CURLOPT_FOLLOWLOCATION, 1L);
                curl_easy_setopt(k, CURLOPT_CONNECTTIMEOUT, 30L);
                curl_easy_setopt(k, CURLOPT_LOW_SPEED_LIMIT, 1L);
                curl_easy_setopt(k, CURLOPT_LOW_SPEED_TIME, 60L);
                struct curl_slist *hl = NULL;
                char line[8192];
                if (rq->accept) {
                        snprintf(line, sizeof(line), "Accept: %s", rq->accept);
                        hl = curl_slist_append(hl, line);
                }
                if (c->token) {
                        snprintf(line, sizeof(line), "Authorization: Bearer %s", c->token);
                        hl = curl_slist_append(hl, line);
                } else if (c->user && attempt > 0) {
                        curl_easy_setopt(k, CURLOPT_USERNAME, c->user);
                        curl_easy_setopt(k, CURLOPT_PASSWORD, c->password ? c->password : "");
                }
                if (rq->content_type) {
                        snprintf(line, sizeof(line), "Content-Type: %s", rq->content_type);
                        hl = curl_slist_append(hl, line);
                }
                if (strcmp(rq->method, "HEAD") == 0)
                        curl_easy_setopt(k, CURLOPT_NOBODY, 1L);
                else if (strcmp(rq->method, "GET") != 0)
                        curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, rq->method);
                if (rq->upload) {
                        fseeko(rq->upload, rq->upload_offset, SEEK_SET);
                        rq->upload_left = rq->upload_size;
                        curl_easy_setopt(k, CURLOPT_UPLOAD, 1L);
                        curl_easy_setopt(k, CURLOPT_READFUNCTION, upload_read);
                        curl_easy_setopt(k, CURLOPT_READDATA, rq);
                        curl_easy_setopt(k, CURLOPT_INFILESIZE_LARGE, rq->upload_size);
                        hl = curl_slist_append(hl, "Content-Type: application/octet-stream");
                        if (rq->content_range) {
                                snprintf(line, sizeof(line), "Content-Range: %s", rq->content_range);
                                hl = curl_slist_append(hl, line);
                        }
                } else if (rq->body || strcmp(rq->method, "POST") == 0 || strcmp(rq->method, "PUT") == 0) {
                        curl_easy_setopt(k, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
                        curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE, (long) (rq->body ? rq->body_len : 0));
                }
                if (rq->file) {
                        curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, fwrite);
                        curl_easy_setopt(k, CURLOPT_WRITEDATA, rq->file);
                        if (rq->resume_from > 0)
                                curl_easy_setopt(k, CURLOPT_RESUME_FROM_LARGE, rq->resume_from);
                } else if (rq->mem) {
                        curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, buf_write);
                        curl_easy_setopt(k, CURLOPT_WRITEDATA, rq->mem);
                }
                if (rq->progress) {
                        curl_easy_setopt(k, CURLOPT_NOPROGRESS, 0L);
                        curl_easy_setopt(k, CURLOPT_XFERINFOFUNCTION, xferinfo);
                        curl_easy_setopt(k, CURLOPT_XFERINFODATA, rq);
                }
                curl_easy_setopt(k, CURLOPT_HTTPHEADER, hl);
                CURLcode cc = curl_easy_perform(k);
                curl_slist_free_all(hl);
                if (cc != CURLE_OK && !(rq->mem && rq->mem->overflow))
                        return err_set(err, -EIO, "%s %s: %s", rq->method, rq->url, curl_easy_strerror(cc));
                if (rq->mem && rq->mem->overflow)
                        return err_set(err, -EMSGSIZE, "%s %s: response larger than %zu bytes", rq->method, rq->url,
                                       rq->mem->max);
                curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, ret_code);
                if (*ret_code != 401 || attempt > 0 || !h->www_authenticate)
                        return 0;
                struct auth_challenge ch;
                if (auth_challenge_parse(h->www_authenticate, &ch) < 0)
                        return 0;
                int r = 0;
                if (strcasecmp(ch.scheme, "Bearer") == 0)
                        r = fetch_token(c, &ch, rq->scope, err);
                else if (!c->user)
                        r = err_set(err, -EACCES, "unauthorized: the registry wants credentials (pouch login)");
                auth_challenge_done(&ch);
                if (r < 0)
                        return r;
                /* rewind sinks for the retry */
                if (rq->mem) {
                        free(rq->mem->data);
                        rq->mem->data = NULL;
                        rq->mem->len = 0;
                }
                if (rq->file) {
                        fflush(rq->file);
                        if (ftruncate(fileno(rq->file), rq->resume_from) < 0 ||
                            fseeko(rq->file, rq->resume_from, SEEK_SET) < 0)
                                return err_set(err, -errno, "cannot rewind download file: %m");
                }
        }
        return 0;
}

static int status_error(long code, const char *what, const struct buf *body, struct pouch_err *err)
{
        const char *msg = "";
        _cleanup_json_ json_t *j = body && body->data ? json_loadb(body->data, body->len, 0, NULL) : NULL;
        json_t *e0 = json_array_get(json_object_get(j, "errors"), 0);
        if (e0)
                msg = json_get_str(e0, "message", "");
        if (code == 404)
                return err_set(err, -ENOENT, "%s: not found%s%s", what, *msg ? ": " : "", msg);
        if (code == 401 || code == 403)
                return err_set(err, -EACCES, "%s: unauthorized: authentication required%s%s", what, *msg ? ": " : "",
                               msg);
        return err_set(err, -EIO, "%s: registry answered HTTP %ld%s%s", what, code, *msg ? ": " : "", msg);
}

static void sleep_backoff(int attempt)
{
        struct timespec ts = { .tv_sec = 0, .tv_nsec = 200000000L << attempt };
        while (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
        }
        nanosleep(&ts, NULL);
}

static char *pull_scope(const char *repo)
{
        char *s = NULL;
        return asprintf(&s, "repository:%s:pull", repo) < 0 ? NULL : s;
}

static void sha256_hex(const void *data, size_t len, char out[80])
{
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

int registry_get_manifest(struct registry_client *c, const char *repo, const char *reference, json_t **ret_doc,
                          char ret_digest[80], char **ret_media_type, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_free_ char *scope = pull_scope(repo);
        if (asprintf(&url, "%s/v2/%s/manifests/%s", c->base, repo, reference) < 0 || !scope)
                return -ENOMEM;
        for (int attempt = 0;; attempt++) {
                struct buf b = { .max = MANIFEST_MAX_BYTES };
                struct hdrs h = { 0 };
                struct request rq = {
                        .method = "GET", .url = url, .accept = MANIFEST_ACCEPT, .scope = scope, .mem = &b
                };
                long code = 0;
                int r = do_request(c, &rq, &code, &h, err);
                if (r == 0 && code >= 500 && attempt + 1 < MAX_TRIES) {
                        free(b.data);
                        hdrs_done(&h);
                        sleep_backoff(attempt);
                        continue;
                }
                if (r == 0 && code != 200)
                        r = status_error(code, reference, &b, err);
                if (r == 0) {
                        json_error_t jerr;
                        json_t *doc = json_loadb(b.data ? b.data : "", b.len, 0, &jerr);
                        if (!json_is_object(doc)) {
                                json_decref(doc);
                                r = err_set(err, -EINVAL, "malformed manifest for %s: %s", reference, jerr.text);
                        } else {
                                sha256_hex(b.data, b.len, ret_digest);
                                if (strncmp(reference, "sha256:", 7) == 0 && strcmp(reference, ret_digest) != 0) {
                                        json_decref(doc);
                                        r = err_set(err, -EBADMSG, "manifest digest mismatch: wanted %s, got %s",
                                                    reference, ret_digest);
                                } else {
                                        *ret_doc = doc;
                                        *ret_media_type = strdup(h.content_type ? h.content_type
                                                                                : json_get_str(doc, "mediaType", ""));
                                }
                        }
                }
                free(b.data);
                hdrs_done(&h);
                if (r < 0 && r == -EIO && attempt + 1 < MAX_TRIES && !strstr(err ? err->msg : "", "HTTP 4")) {
                        sleep_backoff(attempt);
                        continue;
                }
                return r;
        }
}

static int file_sha256(const char *path, char out[80])
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        char buf[1 << 16];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0)
                EVP_DigestUpdate(ctx, buf, (size_t) n);
        unsigned char md[32];
        unsigned int mdlen;
        EVP_DigestFinal_ex(ctx, md, &mdlen);
        EVP_MD_CTX_free(ctx);
        if (n < 0)
                return -errno;
        strcpy(out, "sha256:");
        for (int i = 0; i < 32; i++)
                sprintf(out + 7 + 2 * i, "%02x", md[i]);
        return 0;
}

int registry_fetch_blob(struct registry_client *c, const char *repo, const char *digest, int64_t size, const char *path,
                        blob_progress_fn progress, void *ud, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_free_ char *scope = pull_scope(repo);
        if (asprintf(&url, "%s/v2/%s/blobs/%s", c->base, repo, digest) < 0 || !scope)
                return -ENOMEM;
        for (int attempt = 0;; attempt++) {
                struct stat st;
                curl_off_t have = stat(path, &st) == 0 ? st.st_size : 0;
                if (size > 0 && have > size)
                        have = 0;
                FILE *f = fopen(path, have > 0 ? "ab" : "wb");
                if (!f)
                        return err_set(err, -errno, "cannot write %s: %m", path);
                struct hdrs h = { 0 };
                struct request rq = { .method = "GET",
                                      .url = url,
                                      .scope = scope,
                                      .file = f,
                                      .resume_from = have,
                                      .progress = progress,
                                      .ud = ud,
                                      .progress_base = have,
                                      .progress_total = size };
                long code = 0;
                int r = (size > 0 && have == size) ? 0 : do_request(c, &rq, &code, &h, err);
                if (fclose(f) != 0 && r == 0)
                        r = err_set(err, -errno, "cannot write %s: %m", path);
                hdrs_done(&h);
                if (r == 0 && !(size > 0 && have == size)) {
                        if (code == 416 || (have > 0 && code == 200)) {
                                /* the server ignored or refused our range: start over */
                                unlink(path);
                                if (attempt + 1 < MAX_TRIES)
                                        continue;
                        }
                        if (code != 200 && code != 206)
                                r = status_error(code, digest, NULL, err);
                }
                if (r == 0) {
                        char got[80];
                        r = file_sha256(path, got);
                        if (r < 0)
                                return err_set(err, r, "cannot read %s: %s", path, strerror(-r));
                        if (strcmp(got, digest) != 0) {
                                unlink(path);
                                return err_set(err, -EBADMSG,
                                               "filesystem layer verification failed for digest %s "
                                               "(got %s)",
                                               digest, got);
                        }
                        return 0;
                }
                bool retry = attempt + 1 < MAX_TRIES && (r == -EIO);
                if (!retry)
                        return r;
                log_warn("download of %s failed (%s), retrying", digest, err ? err->msg : "");
                sleep_backoff(attempt);
        }
}

static char *push_scope(const char *repo)
{
        char *s = NULL;
        return asprintf(&s, "repository:%s:pull,push", repo) < 0 ? NULL : s;
}

int registry_blob_exists(struct registry_client *c, const char *repo, const char *digest, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_free_ char *scope = push_scope(repo);
        if (asprintf(&url, "%s/v2/%s/blobs/%s", c->base, repo, digest) < 0 || !scope)
                return -ENOMEM;
        struct hdrs h = { 0 };
        struct request rq = { .method = "HEAD", .url = url, .scope = scope };
        long code = 0;
        int r = do_request(c, &rq, &code, &h, err);
        hdrs_done(&h);
        if (r < 0)
                return r;
        if (code == 200)
                return 1;
        if (code == 404)
                return 0;
        return status_error(code, digest, NULL, err);
}

/* Make an absolute URL from a Location header. */
static char *absolute_url(struct registry_client *c, const char *loc)
{
        char *u = NULL;
        if (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0)
                return strdup(loc);
        return asprintf(&u, "%s%s", c->base, loc) < 0 ? NULL : u;
}

#define UPLOAD_CHUNK ((curl_off_t) 16 << 20)

int registry_upload_blob(struct registry_client *c, const char *repo, const char *digest, const char *path,
                         const char *from_repo, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_free_ char *scope = push_scope(repo);
        if (!scope)
                return -ENOMEM;
        int n = from_repo ? asprintf(&url, "%s/v2/%s/blobs/uploads/?mount=%s&from=%s", c->base, repo, digest, from_repo)
                          : asprintf(&url, "%s/v2/%s/blobs/uploads/", c->base, repo);
        if (n < 0)
                return -ENOMEM;
        struct hdrs h = { 0 };
        struct request rq = { .method = "POST", .url = url, .scope = scope };
        long code = 0;
        int r = do_request(c, &rq, &code, &h, err);
        if (r < 0) {
                hdrs_done(&h);
                return r;
        }
        if (code == 201) { /* mounted from another repository */
                hdrs_done(&h);
                return 1;
        }
        if (code != 202 || !h.location) {
                hdrs_done(&h);
                return status_error(code, "blob upload", NULL, err);
        }
        _cleanup_free_ char *loc = absolute_url(c, h.location);
        hdrs_done(&h);
        _cleanup_free_ char *put = NULL;
        if (!loc || asprintf(&put, "%s%sdigest=%s", loc, strchr(loc, '?') ? "&" : "?", digest) < 0)
                return -ENOMEM;
        FILE *f = fopen(path, "rb");
        if (!f)
                return err_set(err, -errno, "cannot read %s: %m", path);
        struct stat st;
        fstat(fileno(f), &st);
        if (st.st_size <= UPLOAD_CHUNK) {
                struct request up = {
                        .method = "PUT", .url = put, .scope = scope, .upload = f, .upload_size = st.st_size
                };
                r = do_request(c, &up, &code, &h, err);
                fclose(f);
                hdrs_done(&h);
                if (r == 0 && code != 201)
                        r = status_error(code, "blob upload", NULL, err);
                return r;
        }
        /* big blobs go up in chunks (PATCH with Content-Range), then a PUT with the digest closes
         * the upload: each request stays small and a registry's body limits are respected */
        _cleanup_free_ char *cur = TAKE_PTR(loc);
        for (curl_off_t off = 0; off < st.st_size && r == 0;) {
                curl_off_t len = st.st_size - off < UPLOAD_CHUNK ? st.st_size - off : UPLOAD_CHUNK;
                char range[64];
                snprintf(range, sizeof(range), "%lld-%lld", (long long) off, (long long) (off + len - 1));
                struct request up = { .method = "PATCH",
                                      .url = cur,
                                      .scope = scope,
                                      .upload = f,
                                      .upload_size = len,
                                      .upload_offset = off,
                                      .content_range = range };
                r = do_request(c, &up, &code, &h, err);
                if (r == 0 && (code != 202 || !h.location))
                        r = status_error(code, "blob upload (chunk)", NULL, err);
                if (r == 0) {
                        char *next = absolute_url(c, h.location);
                        free(cur);
                        cur = next;
                        if (!cur)
                                r = -ENOMEM;
                }
                hdrs_done(&h);
                off += len;
        }
        fclose(f);
        if (r < 0)
                return r;
        _cleanup_free_ char *fin = NULL;
        if (asprintf(&fin, "%s%sdigest=%s", cur, strchr(cur, '?') ? "&" : "?", digest) < 0)
                return -ENOMEM;
        struct request done = { .method = "PUT", .url = fin, .scope = scope };
        r = do_request(c, &done, &code, &h, err);
        hdrs_done(&h);
        if (r == 0 && code != 201)
                r = status_error(code, "blob upload", NULL, err);
        return r;
}

int registry_put_manifest(struct registry_client *c, const char *repo, const char *reference, const char *media_type,
                          const char *body, size_t len, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        _cleanup_free_ char *scope = push_scope(repo);
        if (asprintf(&url, "%s/v2/%s/manifests/%s", c->base, repo, reference) < 0 || !scope)
                return -ENOMEM;
        struct hdrs h = { 0 };
        struct buf b = { .max = 1 << 20 };
        struct request rq = { .method = "PUT",
                              .url = url,
                              .scope = scope,
                              .body = body,
                              .body_len = len,
                              .content_type = media_type,
                              .mem = &b };
        long code = 0;
        int r = do_request(c, &rq, &code, &h, err);
        hdrs_done(&h);
        if (r == 0 && code != 201 && code != 200)
                r = status_error(code, "manifest upload", &b, err);
        free(b.data);
        return r;
}

int registry_check_auth(struct registry_client *c, struct pouch_err *err)
{
        _cleanup_free_ char *url = NULL;
        if (asprintf(&url, "%s/v2/", c->base) < 0)
                return -ENOMEM;
        struct hdrs h = { 0 };
        struct request rq = { .method = "GET", .url = url };
        long code = 0;
        int r = do_request(c, &rq, &code, &h, err);
        hdrs_done(&h);
        if (r == 0 && code != 200)
                r = status_error(code, "login", NULL, err);
        return r;
}
